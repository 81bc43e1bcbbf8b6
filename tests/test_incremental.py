"""Incremental equals full: after an edit, an addition or a removal, the build/docs/ and the site
that a rebuild over the previous build leaves are byte for byte those of a clean build of the
same content, for each kind of change a contributor makes."""

from __future__ import annotations

import shutil
import textwrap
import time
from pathlib import Path

import pytest
from conftest import CONFIG, snapshot
from test_build import PAPERS, TAXONOMY


def _build(atlas, content: Path, out: Path) -> None:
    result = atlas("build", "--content", content, "--out", out / "build", "--site", out / "site", "--config", CONFIG, "--strict")
    assert result.exit_code == 0, result.stderr


def _replace(old: str, new: str):
    def edit(papers: Path) -> None:
        path = next(p for p in papers.glob("*.md") if old in p.read_text(encoding="utf-8"))
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return edit


def _add(papers: Path) -> None:
    (papers / "a-new-paper.md").write_text(textwrap.dedent("""\
        ---
        title: A New Paper on GRPO for Dialogue
        authors: [Grace Hopper]
        date: 2025-03-20
        ---

        We apply GRPO to dialogue agents and find that group relative advantages help with preference data.
        """), encoding="utf-8")


CHANGES = {
    "a title": _replace("PPO-based RLHF for Dialogue", "PPO-based RLHF for Open Dialogue"),
    "an abstract that moves a paper to another topic": _replace("open-domain dialogue and math", "open-domain chit-chat"),
    "a new paper": _add,
    "a removed paper": lambda papers: (papers / "ppo-rlhf.md").unlink(),
    "a date that moves a paper to another month": _replace("date: 2025-02-20", "date: 2025-03-21"),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_rebuild_after_a_change_equals_a_clean_build(atlas, write, tmp_path, change):
    write("content/taxonomy.yml", TAXONOMY)
    for slug, text in PAPERS.items():
        write(f"content/papers/{slug}.md", text)
    content, incremental, clean = tmp_path / "content", tmp_path / "incremental", tmp_path / "clean"
    _build(atlas, content, incremental)
    before = snapshot(incremental / "site")
    CHANGES[change](content / "papers")
    _build(atlas, content, incremental)
    _build(atlas, content, clean)
    assert snapshot(incremental / "build" / "docs") == snapshot(clean / "build" / "docs")
    after = snapshot(incremental / "site")
    assert after == snapshot(clean / "site") and after != before


def test_a_clean_build_is_one_folder_away(atlas, write, tmp_path):
    """Deleting build/ is the clean build: nothing else holds state between builds."""
    write("content/taxonomy.yml", TAXONOMY)
    for slug, text in PAPERS.items():
        write(f"content/papers/{slug}.md", text)
    _build(atlas, tmp_path / "content", tmp_path / "first")
    shutil.rmtree(tmp_path / "first" / "build")
    _build(atlas, tmp_path / "content", tmp_path / "first")
    _build(atlas, tmp_path / "content", tmp_path / "second")
    assert snapshot(tmp_path / "first" / "site") == snapshot(tmp_path / "second" / "site")


def _retaxed(content: Path) -> None:
    taxonomy = content.parent / "taxonomy.yml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace("name: Reasoning", "name: Reasoning and maths", 1),
                        encoding="utf-8")


def test_the_previews_generation_after_each_change_equals_a_clean_one(write, tmp_path):
    """`atlas serve` keeps what it read, classified and rendered between generations (Preview):
    after every kind of change, one after another, build/docs/ is what a clean generation makes."""
    from generator.pipeline import Preview, generate_pages, write_data, write_edited_papers

    write("content/taxonomy.yml", TAXONOMY)
    for slug, text in PAPERS.items():
        write(f"content/papers/{slug}.md", text)
    content, preview = tmp_path / "content", Preview()

    def generated(docs: Path, kept: Preview | None) -> dict[str, bytes]:
        if kept is not None:
            write_edited_papers(content, docs, kept)  # as serve does, first
        report, corpus = generate_pages(content, docs, preview=kept)
        assert report.errors == [] and corpus is not None
        write_data(corpus, docs)
        return snapshot(docs)

    generated(tmp_path / "served", preview)
    order = ["a title", "an abstract that moves a paper to another topic", "a new paper",
             "a date that moves a paper to another month", "a removed paper"]
    for number, change in enumerate([*(CHANGES[name] for name in order), _retaxed]):
        time.sleep(0.01)  # a file's time must tell the edit from the previous one
        change(content / "papers")
        assert generated(tmp_path / "served", preview) == generated(tmp_path / f"clean-{number}", None), number


def test_the_preview_writes_an_edited_papers_page_first(write, tmp_path):
    from generator.pipeline import Preview, generate_pages, write_edited_papers

    write("content/taxonomy.yml", TAXONOMY)
    for slug, text in PAPERS.items():
        write(f"content/papers/{slug}.md", text)
    content, docs, preview = tmp_path / "content", tmp_path / "docs", Preview()
    assert write_edited_papers(content, docs, preview) == []  # nothing generated yet
    generate_pages(content, docs, preview=preview)
    assert write_edited_papers(content, docs, preview) == []  # nothing changed
    time.sleep(0.01)
    CHANGES["a title"](content / "papers")
    assert write_edited_papers(content, docs, preview) == ["papers/ppo-rlhf.md"]
    assert "PPO-based RLHF for Open Dialogue" in (docs / "papers" / "ppo-rlhf.md").read_text(encoding="utf-8")
    assert "PPO-based RLHF for Open Dialogue" not in (docs / "archive" / "2025-02.md").read_text(encoding="utf-8")  # not yet
