"""The trends page: four charts, each well-formed SVG with a text alternative, whose bars and
cells say exactly the counts the atlas holds (checked against its own JSON API)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from xml.etree import ElementTree as ET

import pytest
from conftest import serving
from test_api import load
from test_browser import shot
from test_build import TAXONOMY
from test_search_page import reader  # noqa: F401 (a fixture)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def charts(site) -> dict[str, ET.Element]:
    """The trends page's charts by section id, each parsed on its own as an SVG document."""
    html = (site / "trends" / "index.html").read_text(encoding="utf-8")
    found = {}
    for section in ("per-month", "methods-over-time", "methods-together", "topic-shares"):
        after = html[html.index(f'id="{section}"'):]
        found[section] = ET.fromstring(after[after.index("<svg"): after.index("</svg>") + len("</svg>")])
    return found


def bar_titles(svg: ET.Element) -> dict[str, str]:
    """{what a bar or cell is: its count} from the <title> of every rect."""
    titles = (rect.find(f"{SVG}title").text for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None)
    return dict(title.rsplit(": ", 1) for title in titles)


def month_name(date: str) -> str:
    return f"{MONTHS[int(date[5:7])]} {date[:4]}"


def test_every_chart_is_an_svg_image_with_a_text_alternative(shipped_site):
    html = (shipped_site.site / "trends" / "index.html").read_text(encoding="utf-8")
    for section, svg in charts(shipped_site.site).items():
        assert svg.tag == f"{SVG}svg" and svg.get("role") == "img", section
        assert svg.get("aria-label") and svg.find(f"{SVG}title").text == svg.get("aria-label")
    assert html.count("<figcaption>") == 4 and html.count("The figures as a table") == 4


def test_papers_per_month_are_the_dated_papers_by_month(shipped_site):
    papers = load(shipped_site.site, "papers")["papers"]
    expected = Counter(month_name(p["date"]) for p in papers if p["date"])
    assert {k: int(v) for k, v in bar_titles(charts(shipped_site.site)["per-month"]).items()} == expected


def test_methods_over_time_show_the_most_used_methods_by_month(shipped_site):
    papers = load(shipped_site.site, "papers")["papers"]
    methods = {m["slug"]: m for m in load(shipped_site.site, "methods")["methods"]}
    top = sorted(methods.values(), key=lambda m: (-m["papers"], m["name"]))[:8]
    expected = Counter(f"{m['name']}, {month_name(p['date'])}" for p in papers if p["date"] for m in top if m["slug"] in p["methods"])
    assert {k: int(v) for k, v in bar_titles(charts(shipped_site.site)["methods-over-time"]).items()} == expected


def test_the_matrix_counts_papers_that_use_both_methods(shipped_site):
    papers = load(shipped_site.site, "papers")["papers"]
    names = {m["slug"]: m["name"] for m in load(shipped_site.site, "methods")["methods"]}
    pairs = Counter()
    for paper in papers:
        for a, b in combinations(sorted(set(paper["methods"])), 2):
            pairs[(names[a], names[b])] += 1
            pairs[(names[b], names[a])] += 1
    cells = bar_titles(charts(shipped_site.site)["methods-together"])
    assert len(cells) == 12 * 11  # the twelve most used methods, each with each other
    for cell, count in cells.items():
        a, b = cell.split(" + ")
        assert int(count.removesuffix(" papers")) == pairs[(a, b)], cell
    assert max(int(c.removesuffix(" papers")) for c in cells.values()) == max(pairs.values())


def test_topic_shares_are_each_topics_papers(shipped_site):
    topics = load(shipped_site.site, "topics")["topics"]
    shares = bar_titles(charts(shipped_site.site)["topic-shares"])
    assert shares == {t["name"]: f"{t['papers']} papers, {100 * t['papers'] / 97:.0f}%" for t in topics}


def test_names_with_markup_characters_stay_text_in_charts(build_project, tmp_path):
    taxonomy = TAXONOMY.replace("name: Reasoning", "name: Reasoning & <b>math</b>").replace("name: DPO", 'name: "DPO <script>"')
    assert build_project(taxonomy=taxonomy).exit_code == 0
    found = charts(tmp_path / "site")
    assert "Reasoning & <b>math</b>" in bar_titles(found["topic-shares"])
    assert any(key.startswith("DPO <script>") for key in bar_titles(found["methods-over-time"]))
    html = (tmp_path / "site" / "trends" / "index.html").read_text(encoding="utf-8")
    assert "<b>math" not in html and "DPO <script>" not in html and "DPO &lt;script&gt;" in html


@pytest.mark.parametrize("section, message", [("per-month", "No paper has a date yet."),
                                              ("methods-over-time", "No dated paper uses a method yet.")])
def test_an_atlas_without_dated_papers_says_so_instead_of_drawing(build_project, tmp_path, section, message):
    undated = "---\ntitle: Undated GRPO\n---\n\nAn undated paper on GRPO and DPO, long enough to read.\n"
    assert build_project({"undated": undated}).exit_code == 0
    html = (tmp_path / "site" / "trends" / "index.html").read_text(encoding="utf-8")
    after = html[html.index(f'id="{section}"'):]
    section_html = after[: after.index("<h2", 1)]
    assert message in section_html and "<svg" not in section_html


def test_charts_follow_the_light_and_dark_schemes_without_errors(reader, shipped_site):  # noqa: F811
    with serving(shipped_site.site) as url:
        reader.goto(url + "trends/")
        bar = reader.locator("#topic-shares ~ figure rect").first
        light = bar.evaluate("rect => getComputedStyle(rect).fill")
        reader.locator("label[title='Switch to dark mode']").first.click()
        dark = bar.evaluate("rect => getComputedStyle(rect).fill")
        label = reader.locator("#topic-shares ~ figure text.atlas-chart__name").first.evaluate("t => getComputedStyle(t).fill")
        shot(reader, "trends-dark")
        reader.goto(url + "api/")
        assert reader.locator("table.atlas-feeds a[type='application/atom+xml']").count() > 10
    assert light != dark and dark == "rgb(140, 158, 255)"
    assert label.startswith("rgba(226, 228, 233") or label.startswith("rgb(226, 228, 233")  # Material's light text on slate
    assert reader.errors == []
