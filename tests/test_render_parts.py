"""The small renderers: math to safe MathML, citations (BibTeX, RIS, CSL-JSON) that survive odd
titles and parse in the tools that read them, related papers."""

from __future__ import annotations

import datetime as dt

import bibtexparser
import pytest

from generator.cite import bibtex, citation_key, find_links, headline_links
from generator.mathml import abstract_html, plain_text, text_html
from generator.model import Paper
from generator.related import bag_of_words, related_papers


@pytest.mark.parametrize(
    "latex",
    [
        r"\text{<img src=x onerror=alert(1)>}",
        r"\href{javascript:alert(1)}{x}",
        r"\mathrm{<script>alert(1)</script>}",
        r"a<b & c",
        r"\operatorname{\"onmouseover=alert(1)}",
    ],
)
def test_math_from_contributors_cannot_become_markup(latex):
    html = str(text_html(f"before ${latex}$ after"))
    assert "<img" not in html and "<script" not in html and "href" not in html and "onmouseover=" not in html.replace("&quot;", "")
    assert html.startswith("before <math") and html.endswith("</math> after")


def test_math_renders_as_mathml_and_text_stays_escaped():
    assert str(text_html(r"$Q\sharp$ beats <b>PPO</b>")) == (
        '<math display="inline"><mrow><mi>Q</mi><mi>♯</mi></mrow></math> beats &lt;b&gt;PPO&lt;/b&gt;'
    )


def test_dollar_amounts_and_latex_text_escapes_read_naturally():
    assert str(text_html("costs $5 and $10, saving 0.02\\% of ``compute''")) == "costs $5 and $10, saving 0.02% of \u201ccompute\u201d"


def test_unparseable_math_is_shown_as_its_source():
    # Backslash and braces as character references: Markdown can read neither as syntax.
    assert str(text_html(r"$\frac{1}{$ x")) == '<code class="atlas-latex">&#92;frac&#123;1&#125;&#123;</code> x'


def test_abstract_paragraphs_become_paragraphs():
    assert str(abstract_html("One.\n\nTwo.")) == "<p>One.</p>\n<p>Two.</p>"


def test_plain_text_turns_math_into_its_characters():
    assert plain_text(r"$Q\sharp$: Provably Optimal") == "Q♯: Provably Optimal"


def paper(title: str, **extra) -> Paper:
    return Paper(slug="p", title=title, abstract="x", authors=("Jin Peng Zhou", "Kaiwen Wang"), date=dt.date(2025, 2, 27), extra=extra)


def test_bibtex_escapes_what_would_break_it():
    entry = bibtex(paper("100% {unbalanced & #1"))
    assert r"{{100\% \{unbalanced \& \#1}}" in entry
    assert entry.startswith("@misc{zhou2025100,") and entry.endswith("\n}")


def test_bibtex_uses_the_arxiv_id_when_known():
    entry = bibtex(paper("$Q\\sharp$: Provably Optimal", links={"arxiv": "2502.20548"}))
    assert entry.splitlines()[0] == "@article{zhou2025q,"
    assert "  author        = {Zhou, Jin Peng and Wang, Kaiwen}," in entry
    assert "  eprint        = {2502.20548}," in entry


ODD_TITLE = "100% {balanced} & #1: $Q\\sharp$ <b>bold</b>"
ABSTRACT = "First line of the abstract,\nsecond line with $x^2$ and {braces}.\n\nA new paragraph."


def test_bibtex_of_an_odd_title_parses_back_to_that_title():
    library = bibtexparser.parse_string(bibtex(paper(ODD_TITLE, links={"arxiv": "2502.20548"})))
    assert library.failed_blocks == [] and len(library.entries) == 1
    # Balanced braces stay BibTeX groups; %, & and # are escaped.
    assert library.entries[0].fields_dict["title"].value == "{100\\% {balanced} \\& \\#1: $Q\\sharp$ <b>bold</b>}"


def test_links_search_by_title_unless_the_arxiv_id_is_known():
    assert find_links(paper("A & B"))[0] == ("Search arXiv by title", "https://arxiv.org/search/?query=A+%26+B&searchtype=title")
    assert headline_links(paper("X", links={"arxiv": "2502.20548", "code": "https://github.com/a/b"})) == [
        ("arXiv", "https://arxiv.org/abs/2502.20548"), ("PDF", "https://arxiv.org/pdf/2502.20548"), ("Code", "https://github.com/a/b")]
    assert find_links(paper("X", links={"arxiv": "2502.20548", "code": "https://github.com/a/b"}))[0][0] == "Search Semantic Scholar"
    assert headline_links(paper("X", links={"code": "javascript:alert(1)"})) == []
    assert find_links(paper("X", links={"arxiv": "not an id", "code": "javascript:alert(1)"}))[0][0] == "Search arXiv by title"
    assert all(not url.startswith("javascript") for _, url in find_links(paper("X", links={"code": "javascript:alert(1)"})))


def test_citation_key_is_ascii():
    assert citation_key(Paper(slug="p", title="Über Lernen", abstract="x", authors=("Kianté Brantley",))) == "brantleyuber"


def test_related_papers_share_distinctive_words_and_never_include_themselves():
    texts = {
        "grpo-math": ("GRPO for math reasoning", "Group relative policy optimization improves math reasoning with verifiable rewards."),
        "grpo-code": ("GRPO for code", "Group relative policy optimization with verifiable rewards from unit tests."),
        "dialogue": ("Dialogue agents", "Offline reinforcement learning for persuasive dialogue with simulated users."),
        "dialogue-2": ("Persuasive dialogue", "Simulated users train persuasive dialogue agents."),
    }
    bags = {slug: bag_of_words(*text) for slug, text in texts.items()}
    related = related_papers(bags, count=2)
    assert related["grpo-math"][0] == "grpo-code"
    assert related["dialogue"][0] == "dialogue-2"
    assert all(slug not in others for slug, others in related.items())
    assert related == related_papers(dict(reversed(list(bags.items()))), count=2)  # order of input does not matter
