"""content/papers/: paper files round-trip, load safely, and are written all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from generator import store
from generator.model import Paper, Source
from generator.text import slugify

PAPER = Paper(
    slug="q-sharp",
    title="$Q\\sharp$: Provably Optimal Distributional RL for LLM Post-Training",
    abstract="We introduce $Q\\sharp$ {stray brace, 50% of \"quotes\"}.\n\nA second paragraph: Üstün.",
    authors=("Jin Peng Zhou", "Kianté Brantley"),
    date=dt.date(2025, 2, 27),
    sources=(Source("002.txt", "arxiv-digest", 3, dt.date(2025, 3, 2)), Source("000.txt", "abstracts", 3)),
    extra={"notes": "checked", "topics": ["reasoning"], "links": {"arxiv": "2502.20548"}, "zeta": 1},
)


def test_a_paper_file_reads_back_as_the_same_paper(tmp_path):
    store.write_papers(tmp_path, [PAPER])
    paper, problems = store.read_paper(tmp_path / "papers" / "q-sharp.md")
    assert problems == []
    assert paper == PAPER


def test_the_canonical_layout_puts_people_keys_first_and_provenance_last():
    text = store.render_paper(PAPER)
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha() and ":" in line]
    assert keys[:8] == ["title", "authors", "date", "topics", "links", "notes", "zeta", "sources"]
    assert text.startswith("---\ntitle: '$Q\\sharp$: Provably Optimal")
    assert text.endswith("\n---\n\nWe introduce $Q\\sharp$ {stray brace, 50% of \"quotes\"}.\n\nA second paragraph: Üstün.\n")


def test_an_inferred_title_is_flagged_and_an_unknown_date_is_left_out():
    text = store.render_paper(Paper(slug="x", title="Provisional", abstract="Text.", title_inferred=True))
    assert "title_inferred: true\n" in text
    assert "date:" not in text


def write_paper(tmp_path, text: str):
    path = tmp_path / "papers" / "p.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter\n", "1: error: no front matter: a paper file starts with a line `---`"),
        ("---\ntitle: x\nbody\n", "1: error: front matter is not closed by a line `---`"),
        ("---\ntitle: x\nauthors: [a\n---\nA.\n", "4: error: front matter is not valid YAML"),
        ("---\n- a list\n---\nA.\n", "2: error: front matter must be a mapping of keys to values"),
        ("---\ntitle: x\nevil: !!python/object/apply:os.system [echo]\n---\nA.\n", "3: error: front matter is not valid YAML"),
        ("---\ntitle: x\ndate: 2025-13-45\n---\nA.\n", "3: error: front matter is not valid YAML"),
        ("---\nauthors: []\ntitle: ''\n---\nA.\n", "3: error: `title` must be a non-empty text"),
        ("---\ntitle: x\nauthors: Ana, Bo\n---\nA.\n", "3: error: `authors` must be a list of names"),
        ("---\ntitle: x\n\ndate: someday\n---\nA.\n", "4: error: `date` must be a date written YYYY-MM-DD"),
        ("---\ntitle: x\nsources: [1]\n---\nA.\n", "3: error: `sources` must be a list of {digest, format, line}"),
        ("---\ntitle: x\n---\n\n", "4: error: the abstract (the text after the front matter) is empty"),
        ("---\ntitle: x\nnotes: &a [l, l]\ntags: [*a, *a]\n---\nA.\n", "3: error: front matter repeats a value with a YAML anchor"),
    ],
)
def test_a_broken_paper_file_is_reported_with_its_line(tmp_path, text, expected):
    path = write_paper(tmp_path, text)
    paper, problems = store.read_paper(path)
    assert paper is None
    assert str(problems[0]).startswith(f"{path}:{expected}")


def test_crlf_is_read_and_a_byte_order_mark_is_refused_as_validate_refuses_it(tmp_path):
    path = write_paper(tmp_path, "---\r\ntitle: A Title\r\n---\r\n\r\nThe abstract.\r\n")
    paper, problems = store.read_paper(path)
    assert problems == [] and (paper.title, paper.abstract) == ("A Title", "The abstract.")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    paper, problems = store.read_paper(path)
    assert paper is None and [str(p) for p in problems] == [f"{path}:1: error: starts with a byte-order mark; save the file as UTF-8 without BOM"]


@pytest.mark.parametrize("slug", ["../escape", "a/b", ".hidden", "", "a\\b"])
def test_a_slug_cannot_leave_the_papers_folder(tmp_path, slug):
    with pytest.raises(ValueError, match="unsafe slug"):
        store.paper_path(tmp_path, slug)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("$Q\\sharp$: Provably Optimal Distributional RL", "q-sharp-provably-optimal-distributional-rl"),
        ("../../etc/passwd", "etc-passwd"),
        ("Ünïcödé Tïtle — with dashes", "unicode-title-with-dashes"),
        ("数学", "paper"),
        ("word " * 40, ("word-" * 16).rstrip("-")),
    ],
)
def test_slugs_are_ascii_hyphenated_and_bounded(title, slug):
    assert slugify(title) == slug


def test_a_failure_mid_batch_writes_no_file_at_all(tmp_path, monkeypatch):
    from generator.store import journal
    real_stage = journal._stage
    second = Paper(slug="second", title="Second", abstract="Text.")

    def stage_then_fail(content, target, data):
        if target.name == "second.md":
            raise OSError("disk full")
        return real_stage(content, target, data)

    monkeypatch.setattr(journal, "_stage", stage_then_fail)
    with pytest.raises(OSError, match="disk full"):
        store.write_papers(tmp_path, [PAPER, second])
    assert list((tmp_path / "papers").iterdir()) == []  # not even the first paper's staged file


def test_loading_skips_temporary_files_and_sorts_by_slug(tmp_path):
    store.write_papers(tmp_path, [PAPER, Paper(slug="a-first", title="A", abstract="Text.")])
    (tmp_path / "papers" / ".x.abc.tmp").write_text("half a fi", encoding="utf-8")
    papers, problems = store.load_papers(tmp_path)
    assert problems == [] and [p.slug for p in papers] == ["a-first", "q-sharp"]


def test_a_value_met_twice_is_written_twice_never_as_an_alias():
    day = dt.date(2025, 3, 2)  # one object, as the parsers share it between a paper and its source
    paper = Paper(slug="x", title="T", abstract="A.", date=day, sources=(Source("a.txt", "arxiv-digest", 1, day),))
    text = store.render_paper(paper)
    assert "&" not in text and "*" not in text and text.count("2025-03-02") == 2
