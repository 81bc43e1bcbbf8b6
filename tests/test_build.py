"""`atlas build`: content/ becomes build/docs/ (reviewed golden pages) and then a static site
whose links all resolve, whose untrusted text stays text, and that rebuilds byte for byte."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from conftest import CONFIG, snapshot

GOLDEN = Path(__file__).parent / "golden" / "build-docs"
XSS = "<img src=x onerror=alert(1)>"

TAXONOMY = """
    topics:
      - slug: reasoning
        name: Reasoning
        description: Thinking in steps.
        aliases: [reasoning, math]
      - slug: alignment
        name: Alignment
        description: Doing what people want.
        aliases: [preference, RLHF]
      - slug: dialogue
        name: Dialogue
        description: Conversation as the task.
        aliases: [dialogue]
    methods:
      - slug: grpo
        name: GRPO
        description: Group-relative advantages.
        aliases: [GRPO, group relative policy optimization]
        reference: {title: DeepSeekMath, url: 'https://arxiv.org/abs/2402.03300'}
      - slug: dpo
        name: DPO
        description: Preference pairs, no reward model.
        aliases: [DPO, direct preference optimization]
      - slug: ppo
        name: PPO
        description: Clipped policy updates.
        aliases: [PPO]
"""

PAPERS = {
    "grpo-for-math": """
        ---
        title: 'GRPO for Math: Group Relative Policy Optimization at Scale'
        authors: [Ada Lovelace, Alan Turing]
        date: 2025-03-14
        tags: [math, scaling]
        links: {arxiv: '2503.01234'}
        ---

        We train a policy $\\pi_\\theta$ with GRPO on math problems, where 50% of the reward comes from a verifier.
        """,
    "hostile": f"""
        ---
        title: '{XSS}'
        authors: ['<script>alert(1)</script>']
        date: 2025-02-01
        ---

        An abstract with <b>bold</b> & [a link](javascript:alert(1)) and $\\text{{<img src=y onerror=alert(2)>}}$ about preference.
        """,
    "undated-dpo": """
        ---
        title: Direct Preference Optimization without a date
        title_inferred: true
        added: 2025-03-10
        ---

        We study direct preference optimization (DPO) for math reasoning.
        """,
    "hand-set": """
        ---
        title: A Study of Dialogue Agents
        authors: [Grace Hopper]
        date: 2025-03-02
        methods: [dpo]
        not_topics: [alignment]
        ---

        Unlike PPO, our dialogue agents learn from preference pairs.
        """,
    "ppo-rlhf": """
        ---
        title: PPO-based RLHF for Dialogue
        authors: [Alan Turing]
        date: 2025-02-20
        ---

        We revisit RLHF with PPO for open-domain dialogue and math.
        """,
}


@pytest.fixture
def project(write, tmp_path):
    """A scratch project: a small taxonomy and five papers, two of them awkward."""
    write("content/taxonomy.yml", TAXONOMY)
    for slug, text in PAPERS.items():
        write(f"content/papers/{slug}.md", text)
    return tmp_path


def build(atlas, project: Path, *extra: str):
    return atlas("build", "--content", project / "content", "--out", project / "build", "--site", project / "site",
                 "--config", CONFIG, *extra)


def test_build_writes_the_reviewed_golden_pages(atlas, project, request):
    result = build(atlas, project, "--strict")
    assert result.exit_code == 0, result.stderr
    # Every page and search file but lunr.js (a copy) and the compressed binary search files
    # (machine data that tests/test_search.py reads back and checks against lunr itself).
    docs = {path: data for path, data in snapshot(project / "build" / "docs").items()
            if not path.endswith(("lunr.js", ".bin"))}
    if request.config.getoption("--update-golden"):
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for relative, data in docs.items():
            (GOLDEN / relative).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / relative).write_bytes(data)
    assert docs == snapshot(GOLDEN)


def test_building_twice_gives_identical_pages_and_writes_nothing(atlas, project):
    build(atlas, project)
    first = snapshot(project / "build" / "docs")
    again = build(atlas, project)
    assert again.exit_code == 0
    assert "(0 written, " in again.stderr
    assert snapshot(project / "build" / "docs") == first


def test_a_removed_paper_loses_its_page(atlas, project):
    build(atlas, project)
    (project / "content" / "papers" / "ppo-rlhf.md").unlink()
    result = build(atlas, project)
    # Its page, and the last of the search's per-paper files (they are numbered): one paper fewer.
    assert "2 removed" in result.stderr
    assert not (project / "build" / "docs" / "search" / "papers" / "000" / "4.json").exists()
    assert not (project / "build" / "docs" / "papers" / "ppo-rlhf.md").exists()
    assert not (project / "site" / "papers" / "ppo-rlhf").exists()


def test_untrusted_text_stays_text_in_every_page(atlas, project):
    assert build(atlas, project).exit_code == 0
    for page in (project / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "<img src=y" not in text, page
        assert "<script>alert" not in text and "href=\"javascript:" not in text and "<b>bold" not in text, page
    paper = (project / "site" / "papers" / "hostile" / "index.html").read_text(encoding="utf-8")
    assert "<title>&lt;img src=x onerror=alert&#40;1&#41;&gt; - Post-Training Atlas</title>" in paper
    assert "<h1>&lt;img src=x onerror=alert&#40;1&#41;&gt;</h1>" in paper
    assert "&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;" in paper


def test_lists_are_newest_first_with_undated_papers_last(atlas, project):
    build(atlas, project)
    page = (project / "site" / "topics" / "reasoning" / "index.html").read_text(encoding="utf-8")
    titles = re.findall(r'<li><a href="[^"]*papers/([^/"]+)/"', page)
    assert titles == ["grpo-for-math", "ppo-rlhf", "undated-dpo"]
    assert page.index('id="2025-03"') < page.index('id="2025-02"') < page.index('id="undated"')


def test_chips_link_to_their_index_and_the_evidence_says_why(atlas, project):
    build(atlas, project)
    page = (project / "site" / "papers" / "hand-set" / "index.html").read_text(encoding="utf-8")
    assert '<a class="atlas-chip atlas-chip--methods" href="../../methods/dpo/">DPO</a>' in page
    chips = page.split('<div class="atlas-chips">', 1)[1].split("</div>", 1)[0]
    assert "../../methods/ppo/" not in chips  # "Unlike PPO" names a baseline: discussed, not used
    assert ('<p class="atlas-paper__mentioned">Also discusses: <a class="atlas-chip atlas-chip--methods" href="../../methods/ppo/">'
            "PPO</a></p>") in page
    assert "../../topics/alignment/" not in page  # removed by hand
    evidence = page.split('<details class="atlas-evidence">', 1)[1].split("</details>", 1)[0]
    assert "<li><strong>DPO</strong>: set by hand in the paper&#39;s front matter</li>" in evidence
    assert "<li><strong>PPO</strong>: named “PPO” in the abstract, as background or a comparison: <q>" in evidence
    page = (project / "site" / "papers" / "grpo-for-math" / "index.html").read_text(encoding="utf-8")
    assert "<li><strong>GRPO</strong>: matched “GRPO” in the title</li>" in page


def test_method_pages_feeds_and_the_api_list_only_papers_that_use_the_method(atlas, project):
    build(atlas, project)  # hand-set.md only names PPO ("Unlike PPO, ...")
    site = project / "site"
    assert "papers/hand-set/" not in (site / "methods" / "ppo" / "index.html").read_text(encoding="utf-8")
    assert "papers/hand-set/" in (site / "methods" / "dpo" / "index.html").read_text(encoding="utf-8")
    assert "hand-set" not in (site / "feeds" / "methods" / "ppo.atom.xml").read_text(encoding="utf-8")
    record = next(p for p in json.loads((site / "api" / "papers.json").read_text())["papers"] if p["slug"] == "hand-set")
    assert (record["methods"], record["mentioned_methods"]) == (["dpo"], ["ppo"])


def test_abstract_math_is_mathml_and_the_bibtex_is_ready(atlas, project):
    build(atlas, project)
    page = (project / "site" / "papers" / "grpo-for-math" / "index.html").read_text(encoding="utf-8")
    assert '<math display="inline"><mrow><msub><mi>π</mi><mi>θ</mi></msub></mrow></math>' in page
    assert "50% of the reward" in page
    assert "@article{lovelace2025grpo," in html.unescape(page) and "eprint        = {2503.01234}" in html.unescape(page)
    assert 'href="https://arxiv.org/abs/2503.01234"' in page


def test_a_paper_page_describes_itself_once_for_the_three_downloads(atlas, project):
    """The page's JSON-LD ScholarlyArticle (no abstract: that is the page's text) is what
    atlas-cite.js turns into the RIS and CSL-JSON files; tests/test_export.py clicks them in a browser."""
    build(atlas, project)
    page = (project / "site" / "papers" / "hostile" / "index.html").read_text(encoding="utf-8")
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    article = json.loads(script)
    assert article["headline"] == XSS and "abstract" not in article and "<" not in script
    assert re.findall(r'<p class="atlas-downloads" data-key="(\w+)"', page) == ["scriptalert1script2025img"]
    assert re.findall(r'data-cite="(\w+)"', page) == ["bib", "ris", "json"]


def test_a_broken_paper_stops_the_build_naming_file_and_line(atlas, project):
    (project / "content" / "papers" / "broken.md").write_text("---\ntitle: Broken\ndate: 2025-13-45\n---\n\nText.\n")
    result = build(atlas, project)
    assert result.exit_code == 1
    assert f"{project / 'content' / 'papers' / 'broken.md'}:3: error:" in result.stderr
    assert not (project / "site").exists()


def test_a_broken_taxonomy_stops_the_build(atlas, project):
    (project / "content" / "taxonomy.yml").write_text("topics: []\nmethods:\n  - slug: Bad\n")
    result = build(atlas, project)
    assert result.exit_code == 1
    assert f"{project / 'content' / 'taxonomy.yml'}:3: error: `slug` must be lowercase" in result.stderr


def test_an_unknown_term_in_front_matter_stops_the_build_as_it_stops_validate(atlas, project):
    path = project / "content" / "papers" / "hand-set.md"
    path.write_text(path.read_text().replace("methods: [dpo]", "methods: [dpo, grpoo]"))
    result = build(atlas, project)
    assert result.exit_code == 1
    message = "`methods` names `grpoo`, which is not one of the methods in content/taxonomy.yml; did you mean `grpo`?"
    assert f"{path}:5: error: {message}" in result.stderr
    assert f"{path}:5: error: {message}" in atlas("validate", "--content", project / "content").stdout


def test_the_shipped_content_builds_strictly_without_warnings(shipped_site):
    assert shipped_site.result.exit_code == 0, shipped_site.result.stderr
    assert "warning" not in shipped_site.result.stderr
    assert len(list((shipped_site.docs / "papers").glob("*.md"))) == 97


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def _internal_links(site: Path, page: Path) -> list[Path]:
    """Files that the page's relative links point to."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    base = "/" + page.relative_to(site).as_posix()
    targets = []
    for link in parser.links:
        parsed = urlparse(link)
        if parsed.scheme or parsed.netloc or link.startswith("#"):
            continue
        path = urlparse(urljoin(base, link)).path
        targets.append(site / (path.lstrip("/") + ("index.html" if path.endswith("/") else "")))
    return targets


def test_every_internal_link_resolves(shipped_site):
    broken = {
        (str(page.relative_to(shipped_site.site)), str(target.relative_to(shipped_site.site)))
        for page in shipped_site.site.rglob("*.html")
        for target in _internal_links(shipped_site.site, page)
        if not target.exists()
    }
    assert broken == set()


def test_every_paper_is_within_three_clicks_of_home(shipped_site):
    site = shipped_site.site
    depth = {site / "index.html": 0}
    frontier = [site / "index.html"]
    for clicks in (1, 2, 3):
        frontier = [t for page in frontier for t in _internal_links(site, page) if t.suffix == ".html" and t not in depth]
        depth.update((page, clicks) for page in frontier)
    papers = {p for p in (site / "papers").glob("*/index.html")}
    assert len(papers) == 97 and papers <= set(depth)


def test_paper_pages_stay_out_of_the_navigation(shipped_site):
    home = (shipped_site.site / "index.html").read_text(encoding="utf-8")
    navigation = home[home.index('<nav class="md-tabs"'): home.index("</nav>", home.index('<nav class="md-tabs"'))]
    assert re.findall(r'class="md-tabs__link"[^>]*>\s*([^<]+?)\s*<', navigation) == ["Home", "Topics", "Methods", "Archive", "Trends", "Search", "Feeds & API", "Contribute"]
    primary = home[home.index('<nav class="md-nav md-nav--primary'):home.index('<nav class="md-nav md-nav--secondary')]
    assert "Home" in primary and "papers/" not in primary


def test_paper_pages_stay_small(shipped_site):
    sizes = [page.stat().st_size for page in (shipped_site.site / "papers").glob("*/index.html")]
    assert max(sizes) < 60_000


def test_a_term_with_more_papers_than_a_page_holds_gets_a_page_per_month(atlas, project, monkeypatch):
    monkeypatch.setattr("generator.render.TERM_PAGE_LIMIT", 2)
    monkeypatch.setattr("generator.render.TERM_LATEST", 1)
    assert build(atlas, project, "--strict").exit_code == 0
    docs = project / "build" / "docs" / "topics"
    assert sorted(p.name for p in (docs / "reasoning").iterdir()) == ["2025-02.md", "2025-03.md", "undated.md"]
    term_page = (project / "site" / "topics" / "reasoning" / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<li><a href="[^"]*papers/', term_page)) == 1  # the latest only
    assert '<a href="2025-02/">February 2025</a>' in term_page
    month = (project / "site" / "topics" / "reasoning" / "2025-02" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../papers/ppo-rlhf/"' in month and '<a href="../../../topics/reasoning/">Reasoning</a>' in month
    assert not (docs / "dialogue").exists()  # two papers fit on one page
