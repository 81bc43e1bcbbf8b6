"""Paper pages are stamped from one page MkDocs renders (generator/stamp.py), and a
stamped page is byte for byte the page MkDocs itself makes of that paper: for every shipped
paper and for papers whose titles are hostile, with and without a site URL."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import CONFIG, REPO, snapshot
from test_hostile import PAPERS as HOSTILE

from generator import site, stamp


def _content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content, ignore=shutil.ignore_patterns("digests"))
    for slug, text in HOSTILE.items():
        (content / "papers" / f"{slug}.md").write_text(text, encoding="utf-8")
    (content / "papers" / "ampersands-and-quotes.md").write_text(textwrap.dedent("""\
        ---
        title: "Q&A \\"RL\\" <b>for</b> LLMs: ATLASSHELL0X and ATLASSHELLBODYX papers/_shell/"
        authors: [Ada Lovelace]
        date: 2025-03-01
        ---

        We study reinforcement learning from human feedback with PPO for question answering.
        """), encoding="utf-8")
    return content


def _site(atlas, monkeypatch, content: Path, out: Path, stamp: bool) -> dict[str, bytes]:
    monkeypatch.setenv("ATLAS_STAMP", "1" if stamp else "0")
    result = atlas("build", "--content", content, "--out", out / "build", "--site", out / "site", "--config", CONFIG, "--quiet")
    assert result.exit_code == 0, result.stderr
    return snapshot(out / "site")


@pytest.mark.parametrize("site_url", ["", "https://example.org/atlas/"], ids=["relative", "under SITE_URL"])
def test_a_stamped_site_is_the_site_mkdocs_renders_page_by_page(atlas, monkeypatch, tmp_path, site_url):
    monkeypatch.setenv("SITE_URL", site_url)
    content = _content(tmp_path)
    stamped = _site(atlas, monkeypatch, content, tmp_path / "stamped", stamp=True)
    rendered = _site(atlas, monkeypatch, content, tmp_path / "rendered", stamp=False)
    papers = [path for path in rendered if path.startswith("papers/")]
    assert len(papers) == len(list((content / "papers").glob("*.md"))) > 100
    assert sorted(stamped) == sorted(rendered)
    assert [path for path in rendered if stamped[path] != rendered[path]] == []
    assert not any("_shell" in path for path in stamped)
    page = stamped["papers/ampersands-and-quotes/index.html"].decode()
    assert "<title>Q&amp;A &#34;RL&#34; &lt;b&gt;for&lt;/b&gt; LLMs: ATLASSHELL0X and ATLASSHELLBODYX papers/&#95;shell/ - " in page


def test_a_paper_page_that_is_not_one_block_of_html_stops_the_build_naming_it(tmp_path):
    page = "---\ntitle: \"A\"\nhide: [navigation, toc]\ntemplate: paper.html\n---\n\n{}\n"
    docs = tmp_path / "docs"
    (docs / "papers").mkdir(parents=True)
    for name in ("index.md", "topics/index.md", "methods/index.md", "archive/index.md", "trends.md", "search.md",
                 "api.md", "contribute.md"):
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text("# Page\n", encoding="utf-8")
    (docs / "papers" / "a-fine-paper.md").write_text(page.format(stamp.FRAGMENT_START + "\n<p>ok</p>\n"
                                                                + stamp.FRAGMENT_END), encoding="utf-8")
    (docs / "papers" / "written-by-hand.md").write_text(page.format("Some *Markdown*."), encoding="utf-8")
    with pytest.raises(site.SiteError) as stopped:
        site.run_mkdocs(CONFIG, docs, tmp_path / "site", strict=False)
    assert "papers/written-by-hand.md: a paper page must be one block of the generator's HTML" in str(stopped.value)


def test_collapsing_white_space_keeps_preformatted_text():
    html = "<div>\n    <p>a</p>   \n\n  <pre>x\n    y\n\n</pre>\n   <textarea>\n  t\n</textarea>  \n</div>"
    assert stamp.collapse_space(html) == "<div>\n<p>a</p>\n<pre>x\n    y\n\n</pre>\n<textarea>\n  t\n</textarea>\n</div>"

