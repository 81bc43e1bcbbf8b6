"""Benchmark `atlas build` on synthetic corpora; prints figures and ratios, asserts nothing.

    .venv/bin/python bench/build_bench.py [--sizes 1000 10000] [--keep DIR]

For each size: writes a realistic corpus (bench/corpus.py), runs `atlas build` in a fresh
process, and reports the generator's own time (the pages; the search index, feeds and JSON API
are made beside MkDocs and reported apart), the `mkdocs build` time, the peak memory of
the whole build (every process of it, summed), the site's size, the mean HTML bytes of a paper
page and the largest page. Then, up to 20,000 papers, it builds the same pages with a plain
MkDocs configuration (Material with no settings, no hook) as the baseline. Timings on a shared machine are noisy: compare ratios, and rerun before concluding.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, print_report, run_sizes, write_corpus  # noqa: E402

# Issue 20's targets, by the smallest corpus they apply to. Every page of every size: a paper
# page of at most 12 KB and no page over 500 KB. "peak memory" sums every process of the build.
PAGES = {"paper page (KB)": ("at most", 12.0), "largest page (KB)": ("at most", 500.0)}
TARGETS = [
    (100_000, {"end to end": ("at most", 300.0), "peak memory (MB)": ("at most", 3072), "site (MB)": ("at most", 2048), **PAGES}),
    (50_000, {"site (MB)": ("at most", 1024), **PAGES}),
    (10_000, {"end to end / baseline": ("at most", 0.4), "generator": ("at most", 10.0), **PAGES}),
]
BASELINE_UP_TO = 20_000  # plain Material renders every paper page: at 100,000 papers that takes hours
# The same pages and the same small nav, with Material's defaults and no hook. (With no nav
# at all MkDocs lists every page on every page: at 1,000 papers that took 192 s and made
# 500 KB paper pages, and it grows with the square of the corpus.)
BASELINE_CONFIG = """site_name: baseline
docs_dir: {docs}
site_dir: {site}
theme:
  name: material
  custom_dir: {theme}  # only a paper.html that is Material's main.html, as paper pages ask for it
nav: [index.md, topics/index.md, methods/index.md, archive/index.md, contribute.md]
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """(wall seconds, peak memory of the largest process in MB (GNU time), peak memory of the
    whole process tree in MB (proportional set sizes summed, sampled every second: reading them
    costs CPU the build would otherwise have), stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    tree_peak = 0
    while process.poll() is None:
        tree_peak = max(tree_peak, tree_memory(process.pid))
        time.sleep(1)
    elapsed = time.perf_counter() - started
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-3000:]}")
    peak_kb = int(stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024, tree_peak / 1024, stderr


def tree_memory(pid: int) -> int:
    """KB of memory that a process and all its descendants hold now: their proportional set
    sizes summed, so that pages forked workers share with their parent count once."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
            # Each thread lists the children it forked (a Pool's handler thread forks its replacements).
            for thread in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{thread}/children") as children:
                    pending += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue  # the process ended meanwhile
    return total


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
    wall, peak, tree_peak, err = timed([atlas, "build", "--config", str(REPO / "mkdocs.yml")], work)
    summary = re.search(r"pages ([\d.]+) s, search index, feeds and API ([\d.]+) s; mkdocs ([\d.]+) s", err)
    papers = list((work / "site" / "papers").glob("*/index.html"))
    pages = list((work / "site").rglob("*.html"))
    figures = {
        "papers": size,
        "reference loop (s)": (speed + reference_loop()) / 2,
        "end to end": wall,
        "generator": float(summary.group(1)),
        "search, feeds, API (beside mkdocs)": float(summary.group(2)),
        "mkdocs build": float(summary.group(3)),
        "peak memory (MB)": tree_peak,
        "largest process (MB)": peak,
        "site (MB)": folder_size(work / "site") / 2**20,
        "site files": sum(1 for p in (work / "site").rglob("*") if p.is_file()),
        "paper page (KB)": statistics.mean(p.stat().st_size for p in papers) / 1024,
        "largest paper page (KB)": max(p.stat().st_size for p in papers) / 1024,
        "largest page (KB)": max(p.stat().st_size for p in pages) / 1024,
    }
    if size > BASELINE_UP_TO:
        print(f"({size:,} papers: the plain-Material baseline is skipped above {BASELINE_UP_TO:,}; it takes hours)")
        return figures
    (work / "baseline-theme").mkdir(exist_ok=True)
    (work / "baseline-theme" / "paper.html").write_text('{% extends "main.html" %}\n')
    (work / "baseline.yml").write_text(BASELINE_CONFIG.format(docs=work / "build" / "docs", site=work / "baseline-site",
                                                              theme=work / "baseline-theme"))
    base_wall, base_peak, _, _ = timed([str(Path(sys.executable).with_name("mkdocs")), "build", "-q", "-f", "baseline.yml"], work)
    base_papers = list((work / "baseline-site" / "papers").glob("*/index.html"))
    return figures | {
        "baseline mkdocs build": base_wall,
        "baseline peak memory (MB)": base_peak,
        "baseline site (MB)": folder_size(work / "baseline-site") / 2**20,
        "baseline paper page (KB)": statistics.mean(p.stat().st_size for p in base_papers) / 1024,
        "end to end / baseline": wall / base_wall,
    }


def report(figures: dict[str, float]) -> None:
    ratios = {"mkdocs / baseline": figures["mkdocs build"] / figures["baseline mkdocs build"],
              "paper page / baseline": figures["paper page (KB)"] / figures["baseline paper page (KB)"]
              } if "baseline mkdocs build" in figures else {}
    size = figures["papers"]
    targets = next((targets for at_least, targets in TARGETS if size >= at_least), {})
    print_report(figures, ratios, {name: target for name, target in targets.items() if name in figures})


if __name__ == "__main__":
    run_sizes(__doc__.splitlines()[0], measure, report)
