"""Exporting a search in the browser: the papers the reader sees, with the query and facets they
chose, downloaded as BibTeX, CSV or JSON files that real parsers read back whole."""

from __future__ import annotations

import csv
import io
import json

import bibtexparser
import pytest
from conftest import CONFIG, serving
from test_build import PAPERS, TAXONOMY, XSS
from test_search_page import reader, settled, titles  # noqa: F401 (reader is a fixture)

AWKWARD = {  # titles that break naive BibTeX and CSV, and two papers that make the same citation key
    "percent": """
        ---
        title: '100% {unbalanced & #1: "GRPO", quoted, with commas'
        authors: [Ada Lovelace]
        date: 2025-01-05
        ---

        A GRPO study with a "quoted" abstract, commas, and a line
        break.
        """,
    "formula": """
        ---
        title: '=HYPERLINK("https://example.org") GRPO'
        authors: [Ada Lovelace]
        date: 2025-01-06
        ---

        GRPO in a spreadsheet.
        """,
    "again": """
        ---
        title: 'GRPO, Again: A Second Look'
        authors: [Ada Lovelace]
        date: 2025-03-14
        ---

        GRPO once more, by the author of GRPO for Math, in the same year: the same citation key.
        """,
    "odd-arxiv": """
        ---
        title: '100% {balanced} & #1: $Q\\sharp$ <b>bold</b>'
        authors: [Jin Peng Zhou, Kaiwen Wang, Plato]
        date: 2025-02-27
        links: {arxiv: '2502.20548'}
        categories: [cs.LG]
        ---

        A study with an odd title, on arXiv.
        """,
}


@pytest.fixture(scope="module")
def export_site(tmp_path_factory):
    import contextlib
    import textwrap

    from generator.cli import main

    root = tmp_path_factory.mktemp("export")
    (root / "content" / "papers").mkdir(parents=True)
    (root / "content" / "taxonomy.yml").write_text(textwrap.dedent(TAXONOMY), encoding="utf-8")
    for slug, text in {**PAPERS, **AWKWARD}.items():
        (root / "content" / "papers" / f"{slug}.md").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["build", "--content", str(root / "content"), "--out", str(root / "build"), "--site", str(root / "site"),
                     "--config", str(CONFIG)]) == 0
    return root / "site"


def export(page, url: str, form: str) -> tuple[list[str], str, str]:
    """Open the search at `url`, then click the export button for `form`: the titles the page
    shows, and the downloaded file's name and text."""
    page.goto(url)
    settled(page)
    shown = titles(page)
    with page.expect_download() as downloading:
        page.locator(f".atlas-export__button[data-format='{form}']").click()
    download = downloading.value
    return shown, download.suggested_filename, open(download.path(), encoding="utf-8", newline="").read()


def test_bibtex_export_of_a_search_parses_whole(reader, export_site):  # noqa: F811
    with serving(export_site) as url:
        shown, name, text = export(reader, url + "search/?q=grpo", "bib")
    assert name == "atlas-grpo.bib"
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [] and len(library.entries) == len(shown) == 4
    by_key = {entry.key: entry.fields_dict["title"].value for entry in library.entries}
    assert sorted(by_key) == ["lovelace2025100", "lovelace2025grpo", "lovelace2025grpob", "lovelace2025hyperlink"]
    assert by_key["lovelace2025100"] == "{100\\% \\{unbalanced \\& \\#1: \"GRPO\", quoted, with commas}"
    assert reader.errors == []


def test_ris_export_of_a_search_reads_back_with_unique_ids(reader, export_site):  # noqa: F811
    import rispy

    with serving(export_site) as url:
        shown, name, text = export(reader, url + "search/?q=grpo", "ris")
    entries = rispy.loads(text)
    assert name == "atlas-grpo.ris" and len(entries) == len(shown) == 4 and text.count("\r\nER  -") == 4
    assert sorted(entry["id"] for entry in entries) == ["lovelace2025100", "lovelace2025grpo", "lovelace2025grpob", "lovelace2025hyperlink"]
    assert all(entry["authors"] for entry in entries) and reader.errors == []


def test_csv_export_keeps_the_facets_and_guards_formulas(reader, export_site):  # noqa: F811
    with serving(export_site) as url:
        shown, name, text = export(reader, url + "search/?q=grpo&year=2025&sort=date", "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert name == "atlas-grpo-2025.csv"
    assert [row["title"] for row in rows] == [("'" + t if t.startswith("=") else t) for t in shown]
    assert "'=HYPERLINK(\"https://example.org\") GRPO" in [row["title"] for row in rows]  # shown, never run, by a spreadsheet
    percent = next(row for row in rows if row["title"].startswith("100%"))
    assert percent["authors"] == "Ada Lovelace" and percent["date"] == "2025-01-05" and percent["methods"] == "GRPO"
    assert percent["abstract"] == 'A GRPO study with a "quoted" abstract, commas, and a line\nbreak.'  # a quoted field may span lines
    assert percent["url"].endswith("/papers/percent/") and percent["arxiv"] == ""


def test_json_export_holds_what_the_reader_sees(reader, export_site):  # noqa: F811
    with serving(export_site) as url:
        shown, name, text = export(reader, url + "search/?method=dpo", "json")
        _, _, hostile = export(reader, url + "search/?q=onerror", "json")
    records = json.loads(text)
    assert name == "atlas-dpo.json" and [r["title"] for r in records] == shown
    assert set(records[0]) == {"key", "title", "authors", "date", "topics", "methods", "url", "arxiv", "code", "abstract"}
    assert all("DPO" in r["methods"] for r in records)
    assert json.loads(hostile)[0]["title"] == XSS and json.loads(hostile)[0]["authors"] == ["<script>alert(1)</script>"]
    assert reader.dialogs == [] and reader.errors == []


def _downloads(page, url: str) -> dict[str, tuple[str, str]]:
    """{format: (file name, text)} of the three downloads a paper page offers, clicked in turn."""
    page.goto(url)
    files = {}
    for label, form in (("BibTeX", "bib"), ("RIS", "ris"), ("CSL-JSON", "json")):
        with page.expect_download() as downloading:
            page.get_by_role("link", name=label, exact=True).click()
        with open(downloading.value.path(), encoding="utf-8", newline="") as file:  # RIS lines end in CRLF
            files[form] = (downloading.value.suggested_filename, file.read())
    return files


def test_a_paper_page_downloads_its_bibtex_ris_and_csl_json_files(reader, export_site):  # noqa: F811
    import rispy

    with serving(export_site) as url:
        files = _downloads(reader, url + "papers/odd-arxiv/")
        shown = reader.locator(".atlas-bibtex code").inner_text()
        plain = _downloads(reader, url + "papers/percent/")
    assert {form: name for form, (name, _) in files.items()} == {form: f"zhou2025100.{form}" for form in ("bib", "ris", "json")}
    assert files["bib"][1] == shown + "\n" and bibtexparser.parse_string(files["bib"][1]).failed_blocks == []
    entry = rispy.loads(files["ris"][1])[0]
    assert entry["type_of_reference"] == "UNPB" and entry["id"] == "zhou2025100"
    assert entry["title"] == "100% {balanced} & #1: Q♯ <b>bold</b>"  # math as the page shows it: no reference manager reads TeX
    assert entry["authors"] == ["Zhou, Jin Peng", "Wang, Kaiwen", "Plato"]
    assert entry["year"] == "2025" and entry["date"] == "2025/02/27"
    assert entry["doi"] == "10.48550/arXiv.2502.20548" and entry["urls"] == ["https://arxiv.org/abs/2502.20548"]
    assert files["ris"][1].endswith("N1  - arXiv:2502.20548 [cs.LG]\r\nER  -\r\n")
    csl = json.loads(files["json"][1])
    assert csl[0]["author"] == [{"family": "Zhou", "given": "Jin Peng"}, {"family": "Wang", "given": "Kaiwen"}, {"literal": "Plato"}]
    assert csl[0]["issued"] == {"date-parts": [[2025, 2, 27]]} and csl[0]["number"] == "2502.20548"
    assert (csl[0]["id"], csl[0]["type"], csl[0]["publisher"], csl[0]["archive"], csl[0]["archive_location"]) == (
        "zhou2025100", "article", "arXiv", "arXiv", "2502.20548")
    assert csl[0]["DOI"] == "10.48550/arXiv.2502.20548" and "abstract" not in csl[0]
    assert rispy.loads(plain["ris"][1])[0]["title"] == '100% {unbalanced & #1: "GRPO", quoted, with commas'
    assert rispy.loads(plain["ris"][1])[0]["type_of_reference"] == "GEN"
    assert json.loads(plain["json"][1])[0]["title"] == '100% {unbalanced & #1: "GRPO", quoted, with commas'
    assert reader.errors == []

def test_exporting_every_paper_fetches_them_all_and_shows_progress(reader, shipped_site):  # noqa: F811
    """Past the first page: each paper's file is fetched for the export, and the count of those
    fetched shows meanwhile."""
    with serving(shipped_site.site) as url:
        reader.goto(url + "search/?sort=date")
        settled(reader)
        reader.evaluate("""() => {
            window.exportMessages = [];
            const message = document.querySelector('.atlas-export__message');
            new MutationObserver(() => window.exportMessages.push(message.textContent.trim()))
                .observe(message, { childList: true, characterData: true, subtree: true });
        }""")
        with reader.expect_download() as downloading:
            reader.locator(".atlas-export__button[data-format='json']").click()
        records = json.loads(open(downloading.value.path(), encoding="utf-8").read())
        messages = reader.evaluate("window.exportMessages")
    assert len(records) == 97 and len(titles(reader)) == 20
    assert "Fetching papers: 50 of 97…" in messages and messages[-1] == "Exported 97."
    dates = [record["date"] or "" for record in records]
    assert dates[:90] == sorted(dates[:90], reverse=True) and records[0]["title"] == titles(reader)[0]
    assert reader.errors == []
