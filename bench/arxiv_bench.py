"""`atlas enrich --offline` at scale: 10,000 papers that know their arXiv id but not their
authors or date, completed from a warm cache (the loopback arXiv of the tests warms it).

    python bench/arxiv_bench.py --sizes 10000
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]
from arxiv_server import Arxiv, Paper, serving  # noqa: E402
from corpus import REPO, paper, plain_sentences, run_sizes  # noqa: E402

from generator.sources.arxiv import ArxivClient  # noqa: E402
from generator.sources.update import enrich  # noqa: E402


def corpus(size: int) -> tuple[list[Paper], dict[str, str]]:
    """The arXiv records, and the paper files that know only title, abstract and id."""
    rng, pool, records, files = random.Random(17), plain_sentences(), [], {}
    for number in range(size):
        text = paper(rng, number, pool)[1]
        title = text.split("title: ", 1)[1].split("\n", 1)[0].strip("'\"")
        abstract = text.rsplit("---", 1)[1].strip()
        identifier = f"2507.{number:05d}"
        records.append(Paper(f"{identifier}v1", title, abstract, f"2025-07-{1 + number % 28:02d}T12:00:00Z",
                             ("Ada Lovelace", "Alan Turing"), ("cs.LG",)))
        files[f"paper-{number:05d}"] = f"---\ntitle: {title!r}\nlinks:\n  arxiv: '{identifier}'\n---\n\n{abstract}\n"
    return records, files


def measure(size: int, work: Path) -> dict[str, float]:
    records, files = corpus(size)
    content = work / "content"
    (content / "papers").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "content" / "taxonomy.yml", content / "taxonomy.yml")
    for slug, text in files.items():
        (content / "papers" / f"{slug}.md").write_text(text, encoding="utf-8")
    cache = work / "cache"
    with serving(Arxiv(papers=records)) as url:
        os.environ.update(ATLAS_ARXIV_API=url, ATLAS_ARXIV_INTERVAL="0")
        warm = enrich(content, ArxivClient(cache), dry_run=True)  # fills the cache, writes nothing
    started = time.perf_counter()
    report = enrich(content, ArxivClient(cache, offline=True))
    seconds = time.perf_counter() - started
    assert report.errors == [] and len(report.updated) == size, report.problems[:3]
    return {"papers": size, "warming requests": warm.requests, "enrich --offline s": seconds,
            "resolved": sum(lookup.outcome == "resolved" for lookup in report.lookups)}


def report(figures: dict[str, float]) -> None:
    print(f"\n== {figures['papers']:,} papers ==")
    for name, value in figures.items():
        if name != "papers":
            print(f"  {name:28} {value:10.2f}")
    if figures["papers"] >= 10_000:
        print(f"  target enrich --offline s at most 10: {'meets' if figures['enrich --offline s'] <= 10 else 'MISSES'}")


if __name__ == "__main__":
    run_sizes(__doc__.splitlines()[0], measure, report, default_sizes=(10_000,))
