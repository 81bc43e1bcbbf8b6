"""arXiv's Atom feed as a source: parsed with a real feed parser, merged by arXiv id, and the
shipped papers complete because of it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import bibtexparser
import pytest
from conftest import REPO

from generator import pipeline, store
from generator.cite import arxiv_id
from generator.formats import parse_digest, read_digest

SEED = REPO / "content" / "digests" / "003_seed-papers.atom"
ABSTRACT = ("We train language models with reinforcement learning from verifiable rewards and study how the "
            "choice of base model changes what the training appears to teach, across many benchmarks.")


def feed(*entries: str) -> str:
    """An Atom document shaped as the arXiv API answers, holding these <entry> elements."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n'
            '  <id>https://arxiv.org/api/test</id>\n  <title>arXiv Query</title>\n  <updated>2025-09-01T00:00:00Z</updated>\n'
            + "".join(entries) + "</feed>\n")


def entry(identifier: str, title: str | None = "A Title", summary: str | None = ABSTRACT, extra: str = "") -> str:
    parts = [f"  <entry>\n    <id>http://arxiv.org/abs/{identifier}</id>\n    <published>2025-08-28T17:59:01Z</published>\n"]
    parts.append(f"    <title>{html.escape(title)}</title>\n" if title is not None else "")
    parts.append(f"    <summary>{html.escape(summary)}</summary>\n" if summary is not None else "")
    parts.append(f"    <author><name>Ada Lovelace</name></author>\n    <author><name>Alan Turing</name></author>\n{extra}  </entry>\n")
    return "".join(parts)


def test_the_seed_feed_gives_every_shipped_paper_its_identifier_authors_and_date():
    digest = read_digest(SEED, "003_seed-papers.atom")
    assert digest.format == "arxiv-atom" and digest.problems == ()
    assert len(digest.entries) == 97 and len({e.arxiv for e in digest.entries}) == 97
    first = digest.entries[0]
    assert (first.arxiv, first.date.isoformat(), first.authors[0], first.source.line) == ("2502.20548", "2025-02-27", "Jin Peng Zhou", 10)
    assert first.title == "$Q\\sharp$: Provably Optimal Distributional RL for LLM Post-Training"
    assert all(e.authors and e.date and e.categories == () for e in digest.entries)  # hand-made: no categories
    lines = [e.source.line for e in digest.entries]
    assert lines == sorted(lines) and len(set(lines)) == 97


def test_a_live_style_entry_gives_categories_primary_first_doi_and_journal_reference():
    text = feed(entry("2508.21188v3", title="Mirage or Method?\n  How Model-Task Alignment", extra=(
        '    <arxiv:comment>12 pages</arxiv:comment>\n    <arxiv:journal_ref>NeurIPS 2025</arxiv:journal_ref>\n'
        '    <arxiv:doi>10.1000/xyz123</arxiv:doi>\n    <arxiv:primary_category term="cs.LG"/>\n'
        '    <category term="cs.AI"/>\n    <category term="cs.LG"/>\n    <category term="stat.ML"/>\n')))
    (parsed,) = parse_digest(text, "live.atom").entries
    assert parsed.arxiv == "2508.21188" and parsed.title == "Mirage or Method? How Model-Task Alignment"
    assert parsed.categories == ("cs.LG", "cs.AI", "stat.ML") and parsed.doi == "10.1000/xyz123"
    assert parsed.journal_ref == "NeurIPS 2025" and parsed.authors == ("Ada Lovelace", "Alan Turing")


def test_old_style_identifiers_lose_only_their_version():
    (parsed,) = parse_digest(feed(entry("hep-th/9901001v2")), "old.atom").entries
    assert parsed.arxiv == "hep-th/9901001"


def test_entries_without_abstract_or_title_and_arxivs_own_errors_are_handled_plainly():
    text = feed(entry("2501.00001v1", summary=None), entry("2501.00002v1", title=None),
                '  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>\n'
                '    <title>Error</title>\n    <summary>incorrect id format for 1234</summary>\n  </entry>\n')
    digest = parse_digest(text, "odd.atom")
    assert [str(p) for p in digest.problems] == [
        "odd.atom:6: warning: entry 2501.00001 skipped: it has no abstract (a paper needs one)",
        "odd.atom:20: error: arXiv answered with an error: incorrect id format for 1234"]
    assert [(e.arxiv, e.title) for e in digest.entries] == [("2501.00002", None)]  # ingest infers a provisional title


def test_a_broken_feed_is_an_error_at_its_line():
    digest = parse_digest(feed(entry("2501.00001v1")).replace("</entry>", "</entri>"), "broken.atom")
    assert [str(p) for p in digest.problems] == ["broken.atom:13: error: not well-formed XML: mismatched tag"]


def test_a_retitled_paper_merges_by_its_id_and_shows_arxivs_title_beside_its_own(atlas, write, tmp_path):
    write("content/papers/old-title.md", f"---\ntitle: The Old Title\nlinks:\n  arxiv: '2508.21188'\n---\n\n{ABSTRACT}\n")
    changed = ABSTRACT.replace("study how", "show why")  # arXiv shows its latest abstract
    digest = write("retitled.atom", feed(entry("2508.21188v2", title="A Completely New Title", summary=changed)))
    result = atlas("ingest", "--content", tmp_path / "content", digest)
    assert result.exit_code == 0 and "1 updated" in result.stderr
    assert "keeps its title 'The Old Title'; this digest says 'A Completely New Title'" in result.stderr
    paper, _ = store.read_paper(tmp_path / "content" / "papers" / "old-title.md")
    assert (paper.title, paper.arxiv_title, paper.abstract) == ("The Old Title", "A Completely New Title", ABSTRACT)
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    again = atlas("ingest", "--content", tmp_path / "content", digest)
    assert ": warning:" not in again.stderr and "0 updated" in again.stderr  # said once, not at every run


def test_papers_with_different_ids_never_merge_by_title(tmp_path):
    text = feed(entry("2501.00001v1", title="Same Title"), entry("2501.00002v1", title="Same Title", summary=ABSTRACT + " More."))
    (tmp_path / "two.atom").write_text(text, encoding="utf-8")
    report = pipeline.ingest([str(tmp_path / "two.atom")], tmp_path / "content")
    assert report.errors == [] and sorted(arxiv_id(p) for p in report.created) == ["2501.00001", "2501.00002"]


def test_every_shipped_paper_has_an_arxiv_id_authors_and_a_date():
    papers, problems = store.load_papers(REPO / "content")
    assert problems == [] and len(papers) == 97
    assert [p.slug for p in papers if not (arxiv_id(p) and p.authors and p.date)] == []
    assert {p.date.year for p in papers} == {2018, 2020, 2022, 2023, 2024, 2025}


def _page(site: Path, slug: str) -> str:
    return (site / "papers" / slug / "index.html").read_text(encoding="utf-8")


def test_paper_pages_link_arxiv_and_the_pdf_and_cite_the_eprint(shipped_site):
    page = _page(shipped_site.site, "q-sharp-provably-optimal-distributional-rl-for-llm-post-training")
    assert 'href="https://arxiv.org/abs/2502.20548"' in page and 'href="https://arxiv.org/pdf/2502.20548"' in page
    entry_text = html.unescape(re.search(r'<div class="language-bibtex highlight[^"]*"><pre><span></span><code>(.*?)</code>', page, re.S).group(1))
    library = bibtexparser.parse_string(entry_text)
    assert library.failed_blocks == []
    fields = {field.key: field.value for field in library.entries[0].fields}
    assert (fields["eprint"], fields["archivePrefix"], fields["year"]) == ("2502.20548", "arXiv", "2025")
    assert "Zhou, Jin Peng" in fields["author"]


def test_a_retitled_paper_page_says_what_arxiv_calls_it(shipped_site):
    page = _page(shipped_site.site, "model-task-alignment-drives-distinct-rl-outcomes")
    assert "<h1>Model-Task Alignment Drives Distinct RL Outcomes</h1>" in html.unescape(page)
    assert "On arXiv as: Mirage or Method? How Model-Task Alignment Induces Divergent RL Conclusions" in html.unescape(page)


def test_trends_and_the_archive_show_the_real_spread_of_dates(shipped_site):
    trends = html.unescape((shipped_site.site / "trends" / "index.html").read_text(encoding="utf-8"))
    assert "December 2018" in trends and "August 2025" in trends
    archive = (shipped_site.site / "archive" / "index.html").read_text(encoding="utf-8")
    assert "Papers with no date" not in archive and not (shipped_site.site / "archive" / "undated").exists()
    review = html.unescape((shipped_site.site / "review" / "index.html").read_text(encoding="utf-8"))
    reasons = re.findall(r'<span class="atlas-item__meta">([^·]*) ·', review)
    assert set(reasons) <= {"no topic"}  # all that is truly unknown now: no paper lacks a date or a real title


@pytest.mark.parametrize("key, value, message", [
    ("categories", "cs.LG", "`categories` must be a list of arXiv categories such as cs.LG"),
    ("doi", "[1, 2]", "`doi` must be a text"),
])
def test_validate_knows_the_keys_arxiv_fills(atlas, write, tmp_path, key, value, message):
    path = write("content/papers/p.md", f"---\ntitle: A Title\n{key}: {value}\n---\n\n{ABSTRACT}\n")
    write("content/taxonomy.yml", (REPO / "content" / "taxonomy.yml").read_text(encoding="utf-8"))
    assert f"{path}:3: error: {message}" in atlas("validate", "--content", tmp_path / "content").stdout


def test_bibtex_carries_the_eprint_its_archive_primary_class_and_year():
    """(The RIS and CSL-JSON files are made in the browser from the page: tests/test_export.py.)"""
    from generator import cite
    from generator.model import Paper

    paper = Paper(slug="p", title="A Title", abstract=ABSTRACT, authors=("Ada Lovelace",), date=__import__("datetime").date(2025, 8, 28),
                  categories=("cs.LG", "cs.AI"), doi="10.1000/xyz", extra={"links": {"arxiv": "2508.21188"}})
    fields = {f.key: f.value for f in bibtexparser.parse_string(cite.bibtex(paper)).entries[0].fields}
    assert (fields["eprint"], fields["archivePrefix"], fields["primaryClass"], fields["year"], fields["doi"]) == (
        "2508.21188", "arXiv", "cs.LG", "2025", "10.1000/xyz")


def test_a_feed_that_declares_an_encoding_no_codec_knows_is_an_error_not_a_crash():
    digest = parse_digest(feed(entry("2501.00001v1")).replace('encoding="UTF-8"', 'encoding="klingon"'), "odd.atom", "arxiv-atom")
    assert [str(p) for p in digest.problems] == ["odd.atom:1: error: cannot be read as XML: unknown encoding: klingon"]
