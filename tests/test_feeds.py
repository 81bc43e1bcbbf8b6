"""Feeds: Atom and RSS for the atlas, each topic and each method, as a feed reader reads them."""

from __future__ import annotations

import feedparser
import pytest
from test_build import XSS

NEWEST_FIRST = [  # by date, the undated paper by the day it was added (2025-03-10)
    "GRPO for Math: Group Relative Policy Optimization at Scale",
    "Direct Preference Optimization without a date",
    "A Study of Dialogue Agents",
    "PPO-based RLHF for Dialogue",
    XSS,
]


def parsed(site, relative: str, base: str = "https://example.org/atlas/"):
    """The feed as feedparser reads it when fetched from `base` + its path."""
    data = (site / relative).read_bytes()
    content_type = "application/atom+xml" if relative.endswith(".atom.xml") else "application/rss+xml"
    feed = feedparser.parse(data, response_headers={"content-location": base + relative, "content-type": content_type})
    assert not feed.bozo, (relative, feed.get("bozo_exception"))
    return feed


@pytest.mark.parametrize("form, version", [("atom", "atom10"), ("rss", "rss20")])
def test_the_atlas_feed_lists_every_paper_newest_first(scratch_site, form, version):
    feed = parsed(scratch_site, f"feeds/atlas.{form}.xml")
    assert feed.version == version
    assert feed.feed.title == "Post-Training Atlas"
    assert [entry.title for entry in feed.entries] == NEWEST_FIRST
    first = feed.entries[0]
    assert first.link == "https://example.org/atlas/papers/grpo-for-math/"  # relative links resolve against the feed
    assert [author.name for author in first.authors] == ["Ada Lovelace", "Alan Turing"]
    assert first.published_parsed[:3] == (2025, 3, 14)
    assert first.summary.startswith("We train a policy πθ with GRPO")  # math as plain text, no markup
    assert feed.entries[1].published_parsed[:3] == (2025, 3, 10)


@pytest.mark.parametrize("form", ["atom", "rss"])
def test_a_method_feed_holds_that_methods_papers_only(scratch_site, form):
    feed = parsed(scratch_site, f"feeds/methods/dpo.{form}.xml")
    assert feed.feed.title == "Post-Training Atlas: DPO"
    assert [entry.title for entry in feed.entries] == ["Direct Preference Optimization without a date", "A Study of Dialogue Agents"]
    # Atom categories are slugs with names as labels; RSS categories are the names.
    assert [tag.term for tag in feed.entries[1].tags] == (["dialogue", "dpo"] if form == "atom" else ["Dialogue", "DPO"])


def test_every_topic_and_method_has_both_feeds(scratch_site):
    names = {path.name for path in (scratch_site / "feeds").rglob("*.xml")}
    for slug in ("reasoning", "alignment", "dialogue", "grpo", "dpo", "ppo"):
        assert {f"{slug}.atom.xml", f"{slug}.rss.xml"} <= names


def test_untrusted_titles_and_abstracts_stay_text_in_feeds(scratch_site):
    for path in (scratch_site / "feeds").rglob("*.xml"):
        xml = path.read_text(encoding="utf-8")
        assert "<img" not in xml and "<script" not in xml and "<b>" not in xml, path
    feed = parsed(scratch_site, "feeds/atlas.atom.xml")
    hostile = feed.entries[-1]
    assert hostile.title == XSS  # a text title, shown as the characters typed
    assert "&lt;img src=x onerror=alert(1)&gt;" in (scratch_site / "feeds" / "atlas.atom.xml").read_text(encoding="utf-8")


def test_a_paper_with_neither_date_nor_added_day_stays_out_of_feeds(build_project, tmp_path):
    result = build_project(extra={"nowhen": "---\ntitle: No date, no added day\n---\n\nA GRPO study of nothing in particular.\n"})
    assert result.exit_code == 0, result.stderr
    feed = parsed(tmp_path / "site", "feeds/methods/grpo.atom.xml")
    assert [entry.title for entry in feed.entries] == ["GRPO for Math: Group Relative Policy Optimization at Scale"]


def test_control_characters_never_reach_a_feed_they_stop_the_build_as_validate_does(build_project, tmp_path):
    result = build_project(extra={"bell": "---\ntitle: \"A bell \\a in GRPO\"\ndate: 2025-04-01\n---\n\nGRPO rings \x0b twice.\n"})
    bell = tmp_path / "content" / "papers" / "bell.md"
    assert result.exit_code == 1
    assert f"{bell}:2: error: `title` holds the control character U+0007; remove it or write a space" in result.stderr
    assert f"{bell}:6: error: the abstract holds the control character U+000B; remove it or write a space" in result.stderr


def test_feeds_link_absolutely_under_the_configured_site_url(project_site_with_url):
    feed = feedparser.parse((project_site_with_url / "feeds" / "atlas.rss.xml").read_bytes())
    assert feed.entries[0].link == "https://atlas.example.org/papers/grpo-for-math/"
    assert feed.feed.link == "https://atlas.example.org/"


@pytest.fixture
def project_site_with_url(build_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://atlas.example.org/")
    assert build_project().exit_code == 0
    return tmp_path / "site"


def test_topic_and_method_pages_offer_their_feeds(scratch_site):
    page = (scratch_site / "methods" / "grpo" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="Post-Training Atlas: GRPO (Atom)" href="../../feeds/methods/grpo.atom.xml">' in page
    assert 'href="../../feeds/methods/grpo.rss.xml" type="application/rss+xml">RSS</a>' in page
    home = (scratch_site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="Post-Training Atlas (Atom)" href="feeds/atlas.atom.xml">' in home
