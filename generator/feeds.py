"""Feeds: Atom 1.0 and RSS 2.0 for the whole atlas and for each topic and method, so that
"every new GRPO paper" is a subscription.

An entry is dated by the paper's date or, for an undated paper, by the day it entered the
atlas (`added`); a paper with neither is left out, as a feed reader could not place it.
Nothing depends on the build's clock, so two builds write identical feeds. Entries carry the
abstract as plain text (math as its LaTeX source); ElementTree escapes every value, after
characters that XML 1.0 cannot hold at all are dropped.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
import uuid
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from .group import Corpus, Item
from .mathml import plain_text
from .text import title_key

FEEDS_DIR = "feeds"
FEED_SIZE = 50  # newest entries a feed holds
ATLAS = "Post-Training Atlas"
ATOM_NS, DC_NS = "http://www.w3.org/2005/Atom", "http://purl.org/dc/elements/1.1/"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_IDS = uuid.UUID("0d6f7a52-3c1e-5b8e-9a55-6c0f1f6a2e11")  # namespace of the feeds' and entries' urn:uuid ids

_EMPTY_SITEMAP = '<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n'

ET.register_namespace("dc", DC_NS)


def feed_path(kind: str | None, slug: str | None, form: str) -> str:
    """Where a feed lives under the site root: feeds/atlas.atom.xml, feeds/methods/grpo.rss.xml."""
    return f"{FEEDS_DIR}/{kind}/{slug}.{form}.xml" if kind else f"{FEEDS_DIR}/atlas.{form}.xml"


def entry_date(item: Item) -> dt.date | None:
    """The date a feed gives a paper: its own, else the day it entered the atlas."""
    return item.paper.date or item.paper.added


def feed_files(corpus: Corpus, site_url: str = "") -> dict[str, str]:
    """{path under docs/: XML} of every feed. Links are absolute under `site_url` (ending in "/") when it is
    known, else relative to the feed (which feed readers resolve against the feed's address)."""
    rank = {item.paper.slug: number for number, item in enumerate(sorted(
        (item for item in corpus.items if entry_date(item)), key=_newest_first))}
    feeds = [(None, None, ATLAS, "", corpus.items)]
    for kind, groups in (("topics", corpus.by_topic), ("methods", corpus.by_method)):
        for term in getattr(corpus.taxonomy, kind):
            feeds.append((kind, term.slug, f"{ATLAS}: {term.name}", f"{kind}/{term.slug}/", groups[term.slug]))
    # Material's instant navigation takes every <link rel="alternate"> for a language version of
    # the site and fetches sitemap.xml beside it; an empty one in each feed folder answers that
    # instead of a 404 on every page.
    files = {f"{folder}/sitemap.xml": _EMPTY_SITEMAP for folder in (FEEDS_DIR, f"{FEEDS_DIR}/topics", f"{FEEDS_DIR}/methods")}
    texts: dict[str, tuple[str, str]] = {}  # slug -> plain title and abstract, shared: a paper is in many feeds
    for kind, slug, title, page, items in feeds:
        newest = heapq.nsmallest(FEED_SIZE, (item for item in items if item.paper.slug in rank),
                                 key=lambda item: rank[item.paper.slug])
        for form, write in (("atom", _atom), ("rss", _rss)):
            path = feed_path(kind, slug, form)
            files[path] = write(Feed(corpus, title, path, page, newest, site_url, texts))
    return files


def _newest_first(item: Item) -> tuple:
    return (-entry_date(item).toordinal(), title_key(item.paper.title), item.paper.slug)


class Feed:
    """What both formats say about one feed; URLs worked out once for the feed's place."""

    def __init__(self, corpus: Corpus, title: str, path: str, page: str, items: list[Item], site_url: str,
                 texts: dict[str, tuple[str, str]]) -> None:
        self.corpus, self.title, self.path, self.items, self.texts = corpus, title, path, items, texts
        self.root = site_url or "../" * path.count("/")
        self.self_url = self.url(path)
        self.page_url = self.url(page)
        newest = max((entry_date(item) for item in items), default=dt.date(1970, 1, 1))
        self.updated = _midnight(newest)
        self.description = (f"The newest papers of the atlas on {title.split(': ', 1)[1]}" if ": " in title
                            else "The newest papers of the atlas of LLM post-training and reinforcement learning")

    def url(self, relative: str) -> str:
        return self.root + relative

    def text(self, item: Item) -> tuple[str, str]:
        """The paper's title and abstract as plain text (math as its characters)."""
        slug = item.paper.slug
        if slug not in self.texts:
            self.texts[slug] = (plain_text(item.paper.title), plain_text(item.paper.abstract))
        return self.texts[slug]

    def paper_url(self, item: Item) -> str:
        return self.url(f"papers/{item.paper.slug}/")

    def terms(self, item: Item) -> list[tuple[str, str, str]]:
        """(kind, slug, name) of the paper's topics and methods."""
        find = self.corpus.taxonomy.find
        return [(kind, a.slug, find(kind, a.slug).name) for kind, assigned in (("topics", item.topics), ("methods", item.methods))
                for a in assigned]


def _atom(feed: Feed) -> str:
    root = ET.Element("feed", xmlns=ATOM_NS)  # bare tags in the default namespace
    _add(root, "title", feed.title)
    _add(root, "subtitle", feed.description)
    _add(root, "id", _urn(feed.path))
    _add(root, "updated", feed.updated.isoformat().replace("+00:00", "Z"))
    _add(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    _add(root, "link", rel="alternate", type="text/html", href=feed.page_url)
    _add(_add(root, "author"), "name", ATLAS)
    _add(root, "generator", "atlas (Post-Training Atlas generator)")
    for item in feed.items:
        entry = _add(root, "entry")
        title, abstract = feed.text(item)
        _add(entry, "title", title)
        _add(entry, "id", _urn(item.paper.slug))
        when = _midnight(entry_date(item)).isoformat().replace("+00:00", "Z")
        _add(entry, "published", when)
        _add(entry, "updated", when)
        _add(entry, "link", rel="alternate", type="text/html", href=feed.paper_url(item))
        for name in item.paper.authors:
            _add(_add(entry, "author"), "name", name)
        for kind, slug, name in feed.terms(item):
            _add(entry, "category", term=slug, label=name, scheme=feed.url(f"{kind}/"))
        _add(entry, "summary", abstract, type="text")
    return _xml(root)


def _rss(feed: Feed) -> str:
    rss = ET.Element("rss", version="2.0")
    channel = _add(rss, "channel")
    _add(channel, "title", feed.title)
    _add(channel, "link", feed.page_url)
    _add(channel, "description", feed.description)
    _add(channel, "lastBuildDate", format_datetime(feed.updated))
    _add(channel, "generator", "atlas (Post-Training Atlas generator)")
    for item in feed.items:
        entry = _add(channel, "item")
        title, abstract = feed.text(item)
        _add(entry, "title", title)
        _add(entry, "link", feed.paper_url(item))
        _add(entry, "guid", _urn(item.paper.slug), isPermaLink="false")
        _add(entry, "pubDate", format_datetime(_midnight(entry_date(item))))
        for name in item.paper.authors:
            _add(entry, f"{{{DC_NS}}}creator", name)
        for kind, _, name in feed.terms(item):
            _add(entry, "category", name, domain=feed.url(f"{kind}/"))
        _add(entry, "description", abstract)
    return _xml(rss)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """A child element, with its text and attributes made fit for XML."""
    element = ET.SubElement(parent, tag, {name: _clean(value) for name, value in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    """Text without the control characters that no XML 1.0 document may contain, even escaped."""
    return _NOT_XML.sub("", text)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _urn(name: str) -> str:
    """A permanent id that survives a move of the site: urn:uuid, derived from a slug or a feed's path."""
    return uuid.uuid5(_IDS, name).urn


def _midnight(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
