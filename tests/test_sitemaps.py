"""Sitemaps under SITE_URL: an index whose files hold at most 50,000 URLs each (the protocol's
limit), read back by a real crawler (ultimate-sitemap-parser) from the site served over HTTP."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree

import pytest
from conftest import serving

from generator.sitemaps import page_paths

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def served_site(build_project, tmp_path, monkeypatch):
    """test_build's scratch atlas, built under SITE_URL with sitemaps of at most 7 URLs (so that a
    handful of pages makes several files, as 100,000 papers make several of 50,000), and served."""
    monkeypatch.setattr("generator.sitemaps.MAX_URLS", 7)
    site = tmp_path / "site"
    site.mkdir()
    with serving(site) as url:
        monkeypatch.setenv("SITE_URL", url)
        assert build_project().exit_code == 0
        yield site, url


def test_a_crawler_finds_every_page_of_the_site_exactly_once(served_site):
    from usp.tree import sitemap_tree_for_homepage

    site, url = served_site
    listed = [page.url for page in sitemap_tree_for_homepage(url).all_pages()]
    html = [path for path in (p.relative_to(site).as_posix() for p in site.rglob("*.html")) if path != "404.html"]
    assert len(listed) == len(set(listed)) == len(html) > 20
    assert sorted(listed) == sorted(url + path.removesuffix("index.html") for path in html)


def test_the_index_names_files_of_at_most_max_urls_and_mkdocs_own_sitemap_is_replaced(served_site):
    site, url = served_site
    index = ElementTree.parse(site / "sitemap.xml").getroot()
    assert index.tag == "{%s}sitemapindex" % NS["s"]
    files = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    pages = len(page_paths(site))
    assert files == [f"{url}sitemaps/sitemap-{n}.xml" for n in range(1, math.ceil(pages / 7) + 1)]
    counts = [len(ElementTree.parse(site / name.removeprefix(url)).getroot().findall("s:url", NS)) for name in files]
    assert all(count <= 7 for count in counts) and sum(counts) == pages


def test_without_site_url_no_index_is_written(build_project, tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    assert build_project().exit_code == 0
    assert not (tmp_path / "site" / "sitemaps").exists()
