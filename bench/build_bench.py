"""Benchmark `atlas build` on synthetic corpora; prints figures and ratios, asserts nothing.

    .venv/bin/python bench/build_bench.py [--sizes 1000 10000] [--keep DIR]

For each size: writes a realistic corpus (bench/corpus.py), runs `atlas build` in a fresh
process, and reports the generator's own time (the pages; the search index, feeds and JSON API
are made beside MkDocs and reported apart), the `mkdocs build` time, the peak memory of
the whole build, the site's size and the mean HTML bytes of a paper page. Then it builds the
same pages with a plain MkDocs configuration (Material with no settings, no hook) as the
baseline. Timings on a shared machine are noisy: compare ratios, and rerun before concluding.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, print_report, run_sizes, write_corpus  # noqa: E402

TARGETS_10K = {"end to end": ("at most", 60.0), "generator": ("at most", 10.0), "peak memory (MB)": ("at most", 2048),
               "paper page (KB)": ("at most", 60)}
# The same pages and the same small nav, with Material's defaults and no hook. (With no nav
# at all MkDocs lists every page on every page: at 1,000 papers that took 192 s and made
# 500 KB paper pages, and it grows with the square of the corpus.)
BASELINE_CONFIG = """site_name: baseline
docs_dir: {docs}
site_dir: {site}
theme:
  name: material
nav: [index.md, topics/index.md, methods/index.md, archive/index.md, contribute.md]
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak memory in MB, stderr) of a command, measured by GNU time."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024, done.stderr


def reference_loop() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine is right now (shared machines vary 2x)."""
    started, total = time.perf_counter(), 0
    for number in range(5_000_000):
        total += number * number
    return time.perf_counter() - started


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(size: int, work: Path) -> dict[str, float]:
    write_corpus(work, size)
    speed = reference_loop()
    atlas = str(Path(sys.executable).with_name("atlas"))
    wall, peak, err = timed([atlas, "build", "--config", str(REPO / "mkdocs.yml")], work)
    summary = re.search(r"pages ([\d.]+) s, search index, feeds and API ([\d.]+) s; mkdocs ([\d.]+) s", err)
    papers = list((work / "site" / "papers").glob("*/index.html"))
    (work / "baseline.yml").write_text(BASELINE_CONFIG.format(docs=work / "build" / "docs", site=work / "baseline-site"))
    base_wall, base_peak, _ = timed([str(Path(sys.executable).with_name("mkdocs")), "build", "-q", "-f", "baseline.yml"], work)
    base_papers = list((work / "baseline-site" / "papers").glob("*/index.html"))
    return {
        "papers": size,
        "reference loop (s)": (speed + reference_loop()) / 2,
        "end to end": wall,
        "generator": float(summary.group(1)),
        "search, feeds, API (beside mkdocs)": float(summary.group(2)),
        "mkdocs build": float(summary.group(3)),
        "peak memory (MB)": peak,
        "site (MB)": folder_size(work / "site") / 2**20,
        "paper page (KB)": statistics.mean(p.stat().st_size for p in papers) / 1024,
        "largest paper page (KB)": max(p.stat().st_size for p in papers) / 1024,
        "baseline mkdocs build": base_wall,
        "baseline peak memory (MB)": base_peak,
        "baseline site (MB)": folder_size(work / "baseline-site") / 2**20,
        "baseline paper page (KB)": statistics.mean(p.stat().st_size for p in base_papers) / 1024,
    }


def report(figures: dict[str, float]) -> None:
    print_report(figures, {
        "mkdocs / baseline": figures["mkdocs build"] / figures["baseline mkdocs build"],
        "paper page / baseline": figures["paper page (KB)"] / figures["baseline paper page (KB)"],
    }, TARGETS_10K)


if __name__ == "__main__":
    run_sizes(__doc__.splitlines()[0], measure, report)
