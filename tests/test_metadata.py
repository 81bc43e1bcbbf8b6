"""Every page speaks the conventions researchers' tools read: Highwire Press tags (Zotero, Google
Scholar), a JSON-LD ScholarlyArticle (search engines), a page's own description and Open Graph
tags (link previews). Read back with real parsers: extruct for JSON-LD and Open Graph, the
standard library's HTML parser for the meta tags."""

from __future__ import annotations

import contextlib
import io
from html.parser import HTMLParser
from pathlib import Path

import extruct
import frontmatter
import pytest
from conftest import REPO

from generator.cli import main
from generator.mathml import plain_text
from generator.metadata import DESCRIPTION_LENGTH, description, script_json

SITE_URL = "https://atlas.example.org/"


class MetaTags(HTMLParser):
    """Every <meta> of a page's <head>: (name or property, content) in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, str]] = []
        self.in_head = True

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self.in_head = False
        if tag == "meta" and self.in_head and "content" in attributes:
            self.tags.append((attributes.get("name") or attributes.get("property") or "", attributes["content"]))

    def all(self, name: str) -> list[str]:
        return [content for key, content in self.tags if key == name]

    def one(self, name: str) -> str:
        found = self.all(name)
        assert len(found) == 1, f"{name}: {found}"
        return found[0]


def meta_tags(html: str) -> MetaTags:
    parser = MetaTags()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def site_under_url(tmp_path_factory) -> Path:
    """The shipped content/, built as the deploy workflow builds it: under SITE_URL."""
    out = tmp_path_factory.mktemp("metadata")
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(io.StringIO()):
        patch.chdir(REPO)
        patch.setenv("SITE_URL", SITE_URL)
        assert main(["build", "--out", str(out / "build"), "--site", str(out / "site"), "--quiet"]) == 0
    return out / "site"


def shipped_papers() -> list[Path]:
    return sorted((REPO / "content" / "papers").glob("*.md"))


def test_every_shipped_paper_page_tells_tools_what_its_front_matter_says(site_under_url):
    for source in shipped_papers():
        meta, slug = frontmatter.load(source).metadata, source.stem
        html = (site_under_url / "papers" / slug / "index.html").read_text(encoding="utf-8")
        url, arxiv = f"{SITE_URL}papers/{slug}/", str(meta["links"]["arxiv"])
        title, authors, day = plain_text(meta["title"]), meta["authors"], meta["date"]

        tags = meta_tags(html)
        assert tags.one("citation_title") == title
        assert tags.all("citation_author") == authors  # every author, in order
        assert tags.one("citation_publication_date") == tags.one("citation_date") == day.strftime("%Y/%m/%d")
        assert tags.one("citation_online_date") == day.strftime("%Y/%m/%d")
        assert tags.one("citation_arxiv_id") == arxiv
        assert tags.one("citation_pdf_url") == f"https://arxiv.org/pdf/{arxiv}"
        assert tags.one("citation_abstract_html_url") == f"https://arxiv.org/abs/{arxiv}"
        assert tags.one("citation_keywords")  # the paper's topics and methods
        assert tags.one("twitter:card") == "summary"

        data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)
        [article] = data["json-ld"]
        assert article["@type"] == "ScholarlyArticle"
        assert article["headline"] == title
        assert [author["name"] for author in article["author"]] == authors
        assert all(author["@type"] == "Person" for author in article["author"])
        assert article["datePublished"] == day.isoformat()
        assert article["identifier"] == arxiv
        assert f"https://arxiv.org/abs/{arxiv}" in article["sameAs"]
        assert article["url"] == url
        assert article["keywords"] == tags.one("citation_keywords").split("; ")
        assert "description" not in article and "abstract" not in article  # the page prints the abstract once

        [graph] = data["opengraph"]
        assert graph["og:title"] == title
        assert graph["@type"] == "article"  # extruct reads og:type as the item's type
        assert graph["og:url"] == url
        assert graph["og:site_name"] == "Post-Training Atlas"
        assert graph["article:published_time"] == day.isoformat()
        assert graph["og:description"] == tags.one("description")
        opening = " ".join(frontmatter.load(source).content.split())
        assert plain_text(opening).startswith(tags.one("description").rstrip("…"))
        assert len(tags.one("description")) <= DESCRIPTION_LENGTH + 1


def test_term_and_month_pages_describe_themselves(site_under_url):
    site_wide = "A browsable, searchable atlas of LLM post-training and reinforcement learning papers."
    for page, name in [("topics/reasoning/index.html", "Reasoning"), ("methods/grpo/index.html", "GRPO")]:
        html = (site_under_url / page).read_text(encoding="utf-8")
        tags = meta_tags(html)
        assert tags.one("description").startswith(name) and tags.one("description") != site_wide
        [graph] = extruct.extract(html, syntaxes=["opengraph"], uniform=True)["opengraph"]
        assert graph["og:description"] == tags.one("description")
        assert graph["@type"] == "website" and graph["og:url"] == f"{SITE_URL}{page[:-len('index.html')]}"
        assert graph["og:title"].startswith(name)
    month = next(path for path in sorted((site_under_url / "archive").glob("20*/index.html")))
    tags = meta_tags(month.read_text(encoding="utf-8"))
    assert "paper" in tags.one("description") and tags.one("description") != site_wide


def test_a_description_is_the_opening_cut_at_a_word():
    text = "Reinforcement learning from human feedback " * 10
    cut = description(text)
    assert len(cut) <= DESCRIPTION_LENGTH + 1 and cut.endswith("…")
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "  # cut where a word ends
    assert description("Short   and\nsweet.") == "Short and sweet."
    assert description("We bound $\\epsilon$ regret.") == "We bound \u03f5 regret."


def test_json_ld_cannot_end_its_script():
    written = script_json({"headline": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in written and ">" not in written and "&" not in written
    assert written == '{"headline":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 \\u003c!--"}'
