"""Benchmark `atlas serve`: how soon a saved change is served; prints figures, asserts nothing.

    .venv/bin/python bench/serve_bench.py [--sizes 10000] [--keep DIR]

For each size: writes a realistic corpus (bench/corpus.py), starts `atlas serve` on it, waits for
the first build, then makes the changes a contributor makes and, for each, polls the page that
shows it until it does: a paper's title edited (target: served within 3 s), a new paper file
(5 s), and the taxonomy edited (everything may be rebuilt; the time is reported, with what serve
said). Timings on a shared machine are noisy: rerun before concluding.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, print_report, run_sizes, write_corpus  # noqa: E402

TARGETS = {"title edit served (s)": ("at most", 3.0), "new paper served (s)": ("at most", 5.0)}
NEW_PAPER = """---
title: A Freshly Added Paper on Process Rewards
authors: [Grace Hopper]
date: 2025-03-20
---

We train a process reward model for step-level verification of math reasoning with GRPO.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seconds_until(url: str, wanted: str, started: float, timeout: float = 600) -> float:
    """Seconds from `started` until the page at `url` holds `wanted`."""
    while time.perf_counter() - started < timeout:
        try:
            if wanted in urllib.request.urlopen(url, timeout=5).read().decode("utf-8"):
                return time.perf_counter() - started
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} never showed {wanted!r} within {timeout} s")


def measure(size: int, work: Path) -> dict[str, float]:
    content = write_corpus(work, size)
    port = free_port()
    log = (work / "serve.log").open("w")
    atlas = str(Path(sys.executable).with_name("atlas"))
    server = subprocess.Popen([atlas, "serve", "--config", str(REPO / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=work, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        started = time.perf_counter()
        paper = sorted((content / "papers").glob("*.md"))[size // 2]
        first = seconds_until(base + f"papers/{paper.stem}/", "</html>", started)
        time.sleep(3)  # let the first build's data files land
        text = paper.read_text(encoding="utf-8")
        title = text.split("title: ", 1)[1].split("\n", 1)[0]
        started = time.perf_counter()
        paper.write_text(text.replace(f"title: {title}", "title: Retitled While Serving", 1), encoding="utf-8")
        edited = seconds_until(base + f"papers/{paper.stem}/", "Retitled While Serving", started)
        time.sleep(3)
        started = time.perf_counter()
        (content / "papers" / "a-freshly-added-paper.md").write_text(NEW_PAPER, encoding="utf-8")
        added = seconds_until(base + "papers/a-freshly-added-paper/", "A Freshly Added Paper on Process Rewards", started)
        time.sleep(3)
        taxonomy = content / "taxonomy.yml"
        started = time.perf_counter()
        taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace("name: Reasoning & math", "name: Reasoning and maths", 1),
                            encoding="utf-8")
        retaxed = seconds_until(base + "topics/reasoning/", "Reasoning and maths", started)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    said = [line for line in (work / "serve.log").read_text(encoding="utf-8").splitlines() if "rebuil" in line or "every" in line]
    print("\n".join(f"  serve said: {line}" for line in said[-3:]))
    return {"papers": size, "first build served (s)": first, "title edit served (s)": edited, "new paper served (s)": added,
            "taxonomy edit served (s)": retaxed}


def report(figures: dict[str, float]) -> None:
    print_report(figures, {}, TARGETS)


if __name__ == "__main__":
    run_sizes(__doc__.splitlines()[0], measure, report, default_sizes=(10_000,))
