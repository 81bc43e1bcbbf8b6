"""Long lists are cut into pages: a month, a term's month, the undated papers and the review
list each hold at most render.PAGE_ITEMS papers a page, every paper is on exactly one of them,
and the pager's links lead to the pages (with a page size of 2 here, not 500)."""

from __future__ import annotations

import posixpath
import re

from conftest import CONFIG
from test_build import TAXONOMY

from generator import render


def _paper(number: int, date: str) -> str:
    return (f"---\ntitle: GRPO for Reasoning, Part {number}\nauthors: [Ada Lovelace]\n{date}---\n\n"
            f"We train reasoning models with GRPO on math problems, part {number} of a series.\n")


def _listed(page: str) -> list[str]:
    return re.findall(r'<li><a href="[^"]*papers/([^/"]+)/"', page)


def _pager(page: str) -> list[str]:
    nav = re.search(r'<nav class="atlas-pager"[^>]*>(.*?)</nav>', page)
    return re.findall(r'href="([^"]*)"', nav.group(1)) if nav else []


def test_a_long_month_is_cut_into_pages_that_link_to_each_other(atlas, write, tmp_path, monkeypatch):
    monkeypatch.setattr(render, "PAGE_ITEMS", 2)
    write("content/taxonomy.yml", TAXONOMY)
    for number in range(1, 6):
        write(f"content/papers/grpo-part-{number}.md", _paper(number, f"date: 2025-03-{number:02d}\n"))
    write("content/papers/undated-part.md", _paper(9, ""))
    result = atlas("build", "--content", tmp_path / "content", "--out", tmp_path / "build", "--site", tmp_path / "site",
                   "--config", CONFIG, "--strict")
    assert result.exit_code == 0, result.stderr
    site = tmp_path / "site"
    pages = {url: (site / url / "index.html").read_text(encoding="utf-8") for url in ("archive/2025-03/", "archive/2025-03/2/",
                                                                                     "archive/2025-03/3/")}
    assert not (site / "archive" / "2025-03" / "4").exists()
    assert [len(_listed(page)) for page in pages.values()] == [2, 2, 1]
    assert sorted(slug for page in pages.values() for slug in _listed(page)) == [f"grpo-part-{n}" for n in range(1, 6)]
    assert "5 papers, 3 to 4 here." in pages["archive/2025-03/2/"]
    for url, page in pages.items():
        others = {posixpath.normpath(posixpath.join(url, link)) + "/" for link in _pager(page)}
        assert others == set(pages) - {url}  # every other page, and not this one
        assert f'href="{"../" * url.count("/")}archive/">All months</a>' in page
    topic = (site / "topics" / "reasoning" / "index.html").read_text(encoding="utf-8")
    assert _pager(topic) == []  # a list that fits one page has no pager
