"""Sitemaps for search engines and scholarly crawlers: `sitemap.xml` is a sitemap index, and
`sitemaps/sitemap-N.xml` list every page of the built site, at most MAX_URLS each.

The sitemap protocol allows 50,000 URLs a file; MkDocs writes one file of every page, which at
100,000 papers search engines would reject. Written after MkDocs, whenever `site_url` is set
(a sitemap holds absolute URLs only). It replaces MkDocs' own `sitemap.xml`, and removes its
`sitemap.xml.gz`, which would list every page again (crawlers try both names).
No dates: a build of the same content gives the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

MAX_URLS = 50_000  # the protocol's limit for one sitemap file
FOLDER = "sitemaps"
_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NOT_PAGES = {"404.html"}  # served for missing pages, not a page of its own


def write_sitemaps(site: Path, site_url: str) -> list[str]:
    """Write the index and its sitemaps for every HTML page of `site`, under `site_url` (which
    ends in "/"); the files written, relative to `site`."""
    urls = [site_url + quote(path) for path in page_paths(site)]
    chunks = [urls[start : start + MAX_URLS] for start in range(0, len(urls), MAX_URLS)] or [[]]
    names = [f"{FOLDER}/sitemap-{number}.xml" for number in range(1, len(chunks) + 1)]
    (site / FOLDER).mkdir(exist_ok=True)
    for stale in set(os.listdir(site / FOLDER)) - {name.split("/")[-1] for name in names}:
        os.unlink(site / FOLDER / stale)  # from a larger atlas built here before
    for name, chunk in zip(names, chunks, strict=True):
        _write(site / name, _document("urlset", "url", chunk))
    index = _document("sitemapindex", "sitemap", [site_url + name for name in names])
    _write(site / "sitemap.xml", index)
    (site / "sitemap.xml.gz").unlink(missing_ok=True)
    return [*names, "sitemap.xml"]


def page_paths(site: Path) -> list[str]:
    """The path of every page of the site as a reader's URL ends: `papers/x/` for
    `papers/x/index.html` (MkDocs' directory URLs), `` for the home page; sorted."""
    root, paths = str(site), []
    for folder, _, files in os.walk(root):
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in files:
            if name.endswith(".html") and not (prefix == "" and name in _NOT_PAGES):
                paths.append(prefix if name == "index.html" else prefix + name)
    return sorted(paths)


def _document(root: str, item: str, locations: list[str]) -> str:
    entries = "".join(f"<{item}><loc>{escape(location)}</loc></{item}>\n" for location in locations)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{_NAMESPACE}">\n{entries}</{root}>\n'


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
