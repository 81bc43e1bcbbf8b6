"""A stranger's pull request cannot put script in a reader's browser.

A site is built from content where every field a contributor controls holds a payload: raw
HTML, `javascript:` links, Markdown attribute lists (`{: onfocus=… }`), blank lines that would
end an HTML block, and quotes that would end an attribute. Every HTML file of the built site
is then walked with a real HTML parser: no event-handler attribute, no `javascript:` URL, no
script we did not write. What the site must refuse (a file name that is no slug, a link that
is no http(s) URL, a symlink out of content/) stops the build as it stops `atlas validate`.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import serving

# Each payload tries one way into the page; every one ends in alert() so a script that slips
# through is easy to spot.
ATTR_LIST = "x {: tabindex=0 autofocus onfocus=alert(1) }"
LINK = "[click](javascript:alert(2))"
HTML = "<img src=x onerror=alert(3)>"
BREAKOUT = '"><svg onload=alert(4)>'
BLOCK_END = "a\n\n<script>alert(5)</script>\n\n# h {: onclick=alert(6) }"
FRAGMENT_MARK = "<!-- /atlas:html --><script>alert(7)</script>"
URL_BREAKOUT = 'https://example.org/"><svg/onload=alert(8)>'  # a valid http(s) link that closes its attribute
PAYLOADS = (ATTR_LIST, LINK, HTML, BREAKOUT, BLOCK_END, FRAGMENT_MARK)


def _yaml(value) -> str:
    return json.dumps(value)  # JSON is YAML: every payload written exactly, newlines and all


TAXONOMY = f"""\
topics:
  - slug: evil
    name: {_yaml("Evil " + ATTR_LIST)}
    description: {_yaml(LINK + " " + BLOCK_END + " " + HTML)}
    aliases: [preference]
    reference: {{title: {_yaml(BREAKOUT + FRAGMENT_MARK)}, url: {_yaml("https://example.org/?q=" + BREAKOUT)}}}
  - slug: plain
    name: Plain
    description: A benign topic.
    aliases: [reasoning]
methods:
  - slug: wicked
    name: {_yaml(HTML + " " + ATTR_LIST)}
    description: {_yaml(BLOCK_END)}
    aliases: [GRPO]
    reference: {{title: {_yaml(LINK)}, url: "https://example.org/a_(b)"}}
"""


def _paper(title: str, authors: list[str], tags: list[str], extra: str = "") -> str:
    return (f"---\ntitle: {_yaml(title)}\nauthors: {_yaml(authors)}\ndate: 2025-03-01\ntags: {_yaml(tags)}\n"
            f"notes: {_yaml(BLOCK_END + ATTR_LIST)}\n"
            f"links: {{code: {_yaml(URL_BREAKOUT)}, {_yaml(LINK + ATTR_LIST)}: 'https://example.org/'}}\n{extra}---\n\n"
            f"We study preference learning with GRPO for reasoning. {' '.join(PAYLOADS)} $\\text{{{ATTR_LIST}}}$\n")


# Titles, names and tags may not hold line breaks (validate refuses them), so there the
# block-ending payload arrives on one line; descriptions, notes and abstracts keep theirs.
PAPERS = {
    f"hostile-{number}": _paper(f"{one_line} title {number}", [one_line, "Ada Lovelace"], [one_line, f"tag {number}"])
    for number, payload in enumerate(PAYLOADS) for one_line in [payload.replace("\n", " ")]
}


@pytest.fixture
def hostile_site(build_project, tmp_path) -> Path:
    result = build_project(PAPERS, taxonomy=TAXONOMY)
    assert result.exit_code == 0, result.stderr
    return tmp_path / "site"


class _Audit(HTMLParser):
    """Every element and attribute of a page that could run script."""

    FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "img", "applet"}
    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
    DATA_TYPES = {"application/ld+json", "application/json"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self._in_script = self._in_data = False

    def handle_starttag(self, tag, attrs):
        if tag in self.FORBIDDEN_TAGS:
            self.findings.append(f"<{tag}> element")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.findings.append(f"event handler {name}= on <{tag}>")
            if name in self.URL_ATTRIBUTES and value.replace("\t", "").replace("\n", "").startswith(("javascript:", "vbscript:", "data:text/html")):
                self.findings.append(f"{name}={value!r} on <{tag}>")
            if tag == "script" and name == "src" and ("//" in value or ":" in value):
                self.findings.append(f"script from elsewhere: {value}")
        self._in_script = tag == "script"
        # A data block (JSON-LD) never runs, but a payload that ended it early would: it must
        # hold one whole JSON value, all of it.
        self._in_data = tag == "script" and dict(attrs).get("type") in self.DATA_TYPES

    def handle_endtag(self, tag):
        self._in_script = self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            try:
                json.loads(data)
            except ValueError:
                self.findings.append(f"a data block that is not JSON: {data.strip()[:80]!r}")
        elif self._in_script and "alert(" in data:
            self.findings.append(f"a script we did not write: {data.strip()[:80]!r}")


def audit(site: Path) -> dict[str, list[str]]:
    """{page: what could run script in it} for every HTML file of the site."""
    found = {}
    for page in sorted(site.rglob("*.html")):
        parser = _Audit()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        if parser.findings:
            found[str(page.relative_to(site))] = parser.findings
    return found


def test_no_page_of_a_site_built_from_hostile_content_can_run_script(hostile_site):
    assert audit(hostile_site) == {}


def test_the_audit_sees_what_it_looks_for(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<h3 id="t" onfocus="alert(1)">x</h3><a href=" JavaScript:alert(2)">y</a><script>alert(3)</script>'
                    '<script src="https://cdn.example/x.js"></script><img src=x>'
                    '<script type="application/ld+json">{"headline":"alert(4)"}</script>'
                    '<script type="application/ld+json">{"headline":"</script><script>alert(5)</script>')
    assert audit(tmp_path) == {"index.html": [
        "event handler onfocus= on <h3>", "href='javascript:alert(2)' on <a>", "a script we did not write: 'alert(3)'",
        "script from elsewhere: https://cdn.example/x.js", "<img> element",
        """a data block that is not JSON: '{"headline":"'""", "a script we did not write: 'alert(5)'"]}


def test_a_hostile_paper_s_head_tells_tools_its_values_as_typed(hostile_site):
    """The <head> of each hostile paper: its Highwire tags and JSON-LD hold the title and
    authors exactly as typed (read back by a real parser), and nothing ended them early."""
    from test_metadata import meta_tags

    for number, payload in enumerate(PAYLOADS):
        one_line = payload.replace("\n", " ")
        page = (hostile_site / "papers" / f"hostile-{number}" / "index.html").read_text(encoding="utf-8")
        tags = meta_tags(page)
        assert tags.one("citation_title") == f"{one_line} title {number}"
        assert tags.all("citation_author") == [one_line, "Ada Lovelace"]
        head = page.split("</head>", 1)[0]
        [data] = [block.split("</script>", 1)[0] for block in head.split('<script type="application/ld+json">')[1:]]
        article = json.loads(data)
        assert article["headline"] == f"{one_line} title {number}" and article["author"][0]["name"] == one_line
        assert "<" not in data and ">" not in data and "&" not in data


def test_hostile_values_still_read_as_the_characters_typed(hostile_site):
    tags = (hostile_site / "tags" / "index.html").read_text(encoding="utf-8")
    assert "x {: tabindex=0 autofocus onfocus=alert(1) }" in _text_of(tags)
    topic = _text_of((hostile_site / "topics" / "evil" / "index.html").read_text(encoding="utf-8"))
    assert "Evil x {: tabindex=0 autofocus onfocus=alert(1) }" in topic and "[click](javascript:alert(2))" in topic
    paper = _text_of((hostile_site / "papers" / "hostile-2" / "index.html").read_text(encoding="utf-8"))
    assert "<img src=x onerror=alert(3)> title 2" in paper


def _text_of(html: str) -> str:
    """The text a reader sees (entities decoded, tags dropped, whitespace collapsed)."""
    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_no_dialog_opens_while_a_reader_visits_the_hostile_pages(browser, hostile_site):
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with serving(hostile_site) as url:
        for path in ("tags/", "topics/evil/", "methods/wicked/", "topics/", "methods/", "papers/hostile-0/",
                     "papers/hostile-4/", "", "archive/2025-03/", "search/?q=alert"):
            page.goto(url + path)
            page.keyboard.press("Tab")
            page.wait_for_timeout(50)
    page.close()
    assert dialogs == []


@pytest.mark.parametrize("name, why", [
    ('quote".md', "is no slug"),
    ("..md", "is no slug"),
    (".hidden.md", "is no slug"),
    ("Upper-Case.md", "is no slug"),
])
def test_the_build_refuses_a_file_name_that_validate_refuses(build_project, atlas, tmp_path, name, why):
    result = build_project(extra={})
    assert result.exit_code == 0
    (tmp_path / "content" / "papers" / name).write_text(_paper("A fine title", ["Ada"], ["t"]), encoding="utf-8")
    validated = atlas("validate", "--content", tmp_path / "content")
    built = build_project(extra={})
    assert validated.exit_code == built.exit_code == 1
    line = next(line for line in validated.stdout.splitlines() if name in line and why in line)
    assert line in built.stderr


def test_the_build_refuses_a_link_that_is_no_web_address(build_project, tmp_path):
    paper = _paper("A fine title", ["Ada"], ["t"]).replace("links: {code:", "links: {home: 'javascript:alert(1)', code:")
    result = build_project(extra={"fine": paper})
    assert result.exit_code == 1
    assert "`links.home` `javascript:alert(1)` is no http(s) URL" in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_symlink_out_of_content_is_refused_by_validate_build_and_ingest(build_project, atlas, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(_paper("A secret outside the atlas", ["Eve"], ["t"]), encoding="utf-8")
    build_project(extra={})
    link = tmp_path / "content" / "papers" / "secret.md"
    os.symlink(secret, link)
    message = f"{link}: error: a symbolic link to a file outside content/; copy the file in instead"
    validated = atlas("validate", "--content", tmp_path / "content")
    assert validated.exit_code == 1 and message in validated.stdout
    built = build_project(extra={})
    assert built.exit_code == 1 and message in built.stderr
    digest = tmp_path / "digest.txt"
    digest.write_text("An abstract about preference learning that is long enough to count as one abstract, with many more "
                      "words in it than any title would ever have.\n")
    ingested = atlas("ingest", "--content", tmp_path / "content", digest)
    assert ingested.exit_code == 1 and message in ingested.stderr


def test_a_taxonomy_that_links_out_of_content_is_refused(build_project, atlas, tmp_path):
    build_project(extra={})
    elsewhere = tmp_path / "elsewhere.yml"
    taxonomy = tmp_path / "content" / "taxonomy.yml"
    taxonomy.rename(elsewhere)
    os.symlink(elsewhere, taxonomy)
    validated = atlas("validate", "--content", tmp_path / "content")
    assert f"{taxonomy}: error: a symbolic link to a file outside content/; copy the file in instead" in validated.stdout
