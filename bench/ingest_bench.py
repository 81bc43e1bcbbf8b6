"""Ingest at scale: digests of N lines, duplicates or not, and whether the cost stays linear.

For each size it ingests, into an empty content/ folder:
- `repeated`: one abstract repeated N times (one paper seen N times; refused at the end, since
  its file would hold N sources, but only after the whole digest was merged);
- `distinct`: N different papers as Hugging Face Daily Papers digests (title / abstract pairs
  built like bench/corpus.py's papers), then the same digests again (nothing to write);
- `atom`: 10,000 of those papers as one arXiv API response (Atom, with ids, authors, dates and
  categories), as `atlas fetch` would save it.
It also times creating and renaming N small files in one folder, the floor that writing N
papers cannot go below on this disk, and prints each figure's growth from the smallest size.

    python bench/ingest_bench.py --sizes 25000 100000
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus import paper, plain_sentences, run_sizes  # noqa: E402

from generator import pipeline  # noqa: E402

ABSTRACT = ("We align a language model with human preferences using group relative advantages and a verifier "
            "that checks each answer, and report gains on mathematical reasoning benchmarks.")
FIRST: dict[str, float] = {}


def distinct_digests(folder: Path, size: int, per_file: int = 10_000) -> None:
    """`size` different papers in Daily Papers digests of `per_file` each (a digest is at most 20 MB)."""
    rng, pool = random.Random(11), plain_sentences()
    folder.mkdir()
    for first in range(0, size, per_file):
        with (folder / f"{first:06d}.txt").open("w", encoding="utf-8") as out:
            out.write("Daily Papers\n\n")
            for number in range(first, min(size, first + per_file)):
                text = paper(rng, number, pool)[1]
                title = text.split("title: ", 1)[1].split("\n", 1)[0].strip("'\"")
                out.write(f"{title}\n\n{text.rsplit('---', 1)[1].strip()}\n\n")


def atom_response(path: Path, size: int) -> None:
    """`size` papers as one Atom response of the arXiv API."""
    from xml.sax.saxutils import escape

    rng, pool = random.Random(13), plain_sentences()
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
                  'xmlns:arxiv="http://arxiv.org/schemas/atom">\n<id>https://arxiv.org/api/bench</id>\n'
                  '<title>arXiv Query</title>\n<updated>2025-09-01T00:00:00Z</updated>\n')
        for number in range(size):
            text = paper(rng, number, pool)[1]
            title = text.split("title: ", 1)[1].split("\n", 1)[0].strip("'\"")
            day = 1 + number % 28
            out.write(f"<entry>\n<id>http://arxiv.org/abs/2507.{number:05d}v1</id>\n"
                      f"<published>2025-07-{day:02d}T12:00:00Z</published>\n<updated>2025-07-{day:02d}T12:00:00Z</updated>\n"
                      f"<title>{escape(title)}</title>\n<summary>{escape(text.rsplit('---', 1)[1].strip())}</summary>\n"
                      "<author><name>Ada Lovelace</name></author>\n<author><name>Alan Turing</name></author>\n"
                      '<arxiv:primary_category term="cs.LG"/>\n<category term="cs.LG"/>\n<category term="cs.CL"/>\n</entry>\n')
        out.write("</feed>\n")


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def file_floor(folder: Path, size: int) -> float:
    folder.mkdir()
    started = time.perf_counter()
    for number in range(size):
        descriptor = os.open(folder / f".p{number}.md.new", os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(descriptor, b"x" * 900)
        os.close(descriptor)
    for number in range(size):
        os.replace(folder / f".p{number}.md.new", folder / f"p{number}.md")
    os.sync()
    return time.perf_counter() - started


def measure(size: int, work: Path) -> dict[str, float]:
    work.mkdir(parents=True, exist_ok=True)
    repeated, distinct = work / "repeated.txt", work / "distinct"
    repeated.write_text("\n\n".join([ABSTRACT] * size) + "\n", encoding="utf-8")
    distinct_digests(distinct, size)
    figures: dict[str, float] = {"papers": size}
    figures["repeated s"], report = timed(lambda: pipeline.ingest([str(repeated)], work / "content-repeated"))
    assert report.entries == size
    figures["distinct s"], report = timed(lambda: pipeline.ingest([str(distinct)], work / "content-distinct"))
    assert not report.errors, report.errors[:3]
    figures["distinct papers"] = len(report.created)
    figures["distinct again s"], report = timed(lambda: pipeline.ingest([str(distinct)], work / "content-distinct"))
    assert not report.created and not report.updated
    figures["create+rename floor s"] = file_floor(work / "floor", size)
    if not FIRST:  # once: one response of 10,000 entries, the size the issue asks about
        atom = work / "response.atom"
        atom_response(atom, 10_000)
        figures["atom 10k entries s"], report = timed(lambda: pipeline.ingest([str(atom)], work / "content-atom"))
        assert not report.errors, report.errors[:3]
        figures["atom papers"] = len(report.created)
    return figures


def report(figures: dict[str, float]) -> None:
    size = figures["papers"]
    print(f"\n== {size:,} lines ==")
    for name, value in figures.items():
        if name != "papers":
            print(f"  {name:28} {value:10.2f}")
    if not FIRST:
        FIRST.update(figures)
        print(f"  target atom 10k entries s at most 15: {'meets' if figures['atom 10k entries s'] <= 15 else 'MISSES'}")
        return
    grown = size / FIRST["papers"]
    for name in ("repeated s", "distinct s", "distinct again s"):
        print(f"  {name} grew {figures[name] / FIRST[name]:.2f}x for {grown:.0f}x the lines (linear: {grown:.0f}x)")
    print(f"  distinct s / floor: {figures['distinct s'] / figures['create+rename floor s']:.2f}x")
    if size >= 100_000:
        for name in ("repeated s", "distinct s"):
            print(f"  target {name} at most 30: {'meets' if figures[name] <= 30 else 'MISSES'}")


if __name__ == "__main__":
    run_sizes(__doc__.splitlines()[0], measure, report, default_sizes=(25_000, 100_000))
