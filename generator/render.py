"""Render: the corpus as MkDocs pages, {path under docs/: Markdown text}.

render_indexes() writes the pages that list papers, render_papers() each paper's own page (the
pipeline spreads those over the cores).

Pages are Markdown with front matter for MkDocs. Most of what carries contributed text
(titles, authors, abstracts, evidence) is finished HTML that Markdown never parses (see
fragment()); the rest, such as a term's name in a heading, is printed through
safe_html.escape_text, which every template applies to every value, so nothing a contributor
types becomes HTML or Markdown syntax. Page titles for <title> go through the front matter
already escaped, because MkDocs' own templates print them unescaped.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator
from itertools import groupby

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from . import charts, cite, metadata
from .charts import MONTH_NAMES, month_chart, month_name
from .classify import Assignment
from .group import Corpus, Item
from .mathml import abstract_html, plain_text, text_html
from .safe_html import escape_lines, escape_text
from .text import slugify

# Around HTML that MkDocs must not parse as Markdown; see fragment().
FRAGMENT_START, FRAGMENT_END = "<!-- atlas:html -->", "<!-- /atlas:html -->"

LATEST = 12  # papers on the home page
TERM_PAGE_LIMIT = 200  # a topic or method with more papers gets a page per month
TERM_LATEST = 30  # papers listed on such a term's own page
# Papers on one page of a long list (a month, a term's month, undated, needs review): about
# 250 KB of HTML, half of what a page may weigh; the rest of the list is on pages 2, 3, ...
PAGE_ITEMS = 500
TOP_METHODS = 10


def render_papers(corpus: Corpus, items, site_url: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) of the page of each paper in `items`, one at a time (a worker's share of
    100,000 pages, held at once, would be a hundred megabytes). `site_url` (ending in "/", or
    "") gives the pages their absolute address in their metadata."""
    snippets = Snippets(corpus)
    env = _environment()
    for item in items:
        path = paper_page_path(item.paper.slug)
        context = _paper_context(corpus, item, snippets, f"{site_url}papers/{item.paper.slug}/" if site_url else "")
        yield path, _render(env, corpus, snippets, path, "paper.md.j2", **context)


def paper_page_path(slug: str) -> str:
    return f"papers/{slug}.md"


def _page_renderer(corpus: Corpus, pages: dict[str, str]):
    """A function that renders a template as the page at `path`, records it in `pages` and returns it."""
    env, snippets = _environment(), Snippets(corpus)

    def page(path: str, template: str, **context) -> str:
        pages[path] = _render(env, corpus, snippets, path, template, **context)
        return pages[path]

    return page


def _render(env, corpus: Corpus, snippets: Snippets, path: str, template: str, **context) -> str:
    root = _root(path)
    return env.get_template(template).render(
        corpus=corpus, root=root, chip=functools.partial(snippets.chip, root=root),
        paper_list=functools.partial(snippets.paper_list, root=root), **context)


def render_indexes(corpus: Corpus, site_url: str = "") -> dict[str, str]:
    """Every page but the papers' own: home, topics, methods, archive, index, review, search,
    saved papers, contribute, trends, and the feeds and API page (whose examples use `site_url` when known)."""
    pages: dict[str, str] = {}
    page = _page_renderer(corpus, pages)

    topic_counts = [(term, len(corpus.by_topic[term.slug])) for term in corpus.taxonomy.topics]
    method_counts = [(term, len(corpus.by_method[term.slug])) for term in corpus.taxonomy.methods]
    page("index.md", "home.md.j2", latest=corpus.items[:LATEST], topics=topic_counts,
         top_methods=sorted(method_counts, key=lambda tc: (-tc[1], tc[0].name))[:TOP_METHODS],
         methods=method_counts, review=_review(corpus))
    page("topics/index.md", "terms.md.j2", kind="topics", heading="Topics", terms=topic_counts,
         intro="Research areas of the atlas. A paper can belong to several.")
    page("methods/index.md", "terms.md.j2", kind="methods", heading="Methods", terms=method_counts,
         intro="Techniques the papers use or propose, with what each one is.")
    for term in corpus.taxonomy.topics:
        items = corpus.by_topic[term.slug]
        page(f"topics/{term.slug}.md", "topic.md.j2", term=term, items=items, months=_term_months(page, term, items))
    for term in corpus.taxonomy.methods:
        items = corpus.by_method[term.slug]
        page(f"methods/{term.slug}.md", "method.md.j2", term=term, items=items, months=_term_months(page, term, items),
             chart=month_chart(items), cooccurring=corpus.cooccurring.get(term.slug, ())[:8])
    page("tags/index.md", "tags.md.j2", entries=_index_entries(corpus, topic_counts, method_counts))
    page("archive/index.md", "archive.md.j2", years=_years(corpus))
    for month, items in corpus.by_month.items():
        _paginated(page, f"archive/{month}.md", "month.md.j2", items, heading=month_name(month), up=("archive/", "All months"))
    if corpus.undated:
        _paginated(page, "archive/undated.md", "month.md.j2", corpus.undated, heading="Undated papers", up=("archive/", "All months"))
    _paginated(page, "review.md", "review.md.j2", _review(corpus))
    page("search.md", "search.md.j2")
    page("saved.md", "saved.md.j2")
    page("contribute.md", "contribute.md.j2")
    page("trends.md", "trends.md.j2", per_month=charts.papers_per_month(corpus.items), over_time=charts.methods_over_time(corpus),
         matrix=charts.cooccurrence(corpus), shares=charts.topic_shares(corpus))
    page("api.md", "api.md.j2", site_url=site_url, topics=topic_counts, methods=method_counts)
    return pages


def _environment() -> Environment:
    """Templates that escape every value unless it is Markup we built."""
    env = Environment(
        loader=PackageLoader("generator", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a build: no stat() per page
        # Every printed value that is not markup we built is escaped for HTML and for the
        # Markdown that MkDocs parses after us (headings, descriptions and attributes alike).
        finalize=escape_text,
    )
    env.filters.update(long_date=long_date, month_name=month_name, yaml_text=yaml_text, slug=slugify,
                       groupby_month=groupby_month, rich=text_html, lines=escape_lines, plain=plain_text, fragment=fragment,
                       describe=metadata.description)
    env.globals.update(why=why, term_latest=TERM_LATEST)
    return env


def fragment(html: str) -> Markup:
    """Mark finished HTML so that MkDocs passes it through instead of parsing it as Markdown.

    Python-Markdown runs raw HTML through a pure-Python HTML parser twice (its own and MkDocs'
    anchor collector); on pages listing thousands of papers that was most of the build time.
    generator/mkdocs_hooks.py lifts these blocks out before Markdown runs and puts them back after.
    """
    return Markup(f"{FRAGMENT_START}\n{html.strip()}\n{FRAGMENT_END}")


class Snippets:
    """The HTML pieces that repeat across pages (paper list items, chips), built once each."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._items: dict[tuple, Markup] = {}
        self._chips: dict[tuple, Markup] = {}  # the same evidence ("GRPO" in the abstract) recurs a lot

    def chip(self, kind: str, assignment: Assignment, root: str, explain: bool = True) -> Markup:
        """A link to the term; with `explain`, its title says why the paper has it. Lists leave
        that out: it was a quarter of their bytes, and the paper's page says it."""
        key = (kind, assignment.slug, root) + ((assignment.evidence, assignment.where, assignment.strength) if explain else ())
        if key not in self._chips:
            # f-strings with escape(): Markup.format is several times slower, and this runs ~10 times a paper.
            name = escape_text(self.corpus.taxonomy.find(kind, assignment.slug).name)
            title = f' title="{escape_text(why(assignment))}"' if explain else ""
            self._chips[key] = Markup(f'<a class="atlas-chip atlas-chip--{kind}" href="{root}{kind}/{assignment.slug}/"{title}>{name}</a>')
        return self._chips[key]

    def paper_list(self, items, root: str, show_methods: bool = True, brief: bool = False) -> Markup:
        """A list of papers: title, byline (with a link to the code, when known) and methods;
        `brief` names the first author and the year only, and no methods (the related papers on
        every paper's page)."""
        rows = "\n".join(self._item(item, root, show_methods and not brief, brief) for item in items)
        return Markup(f'<ul class="atlas-list">\n{rows}\n</ul>')

    def _item(self, item: Item, root: str, show_methods: bool, brief: bool = False) -> str:
        key = (item.paper.slug, root, show_methods, brief)
        if key not in self._items:
            chips = "".join(self.chip("methods", a, root, explain=False) for a in item.methods) if show_methods else ""
            meta = byline(item.paper, limit=1, year_only=True) if brief else byline(item.paper)
            code = cite.link(item.paper, "code")
            code_mark = f' · <a class="atlas-code" href="{escape_text(code)}">code</a>' if code else ""
            self._items[key] = (
                f'<li><a href="{root}papers/{escape_text(item.paper.slug)}/">'
                f'{text_html(item.paper.title)}</a>\n<small>{escape_text(meta)}{code_mark}</small>'
                + (f'\n<span class="atlas-chips">{chips}</span>' if chips else "")
                + "</li>"
            )
        return self._items[key]


def why(assignment: Assignment) -> str:
    """Why a paper has a term, in words."""
    if assignment.by_hand:
        return "set by hand in the paper's front matter" + ("" if assignment.central else " as only discussed")
    if not assignment.central:
        return f"named \u201c{assignment.evidence}\u201d in the {assignment.where}, as background or a comparison"
    return f"matched \u201c{assignment.evidence}\u201d in the {assignment.where}"


def byline(paper, limit: int = 4, year_only: bool = False) -> str:
    authors = ", ".join(paper.authors[:limit]) + (" et al." if len(paper.authors) > limit else "")
    when = (str(paper.date.year) if paper.date else "undated") if year_only else long_date(paper.date)
    return f"{authors or 'Authors unknown'} \u00b7 {when}"


def _root(path: str) -> str:
    """The relative URL from the page at `path` to the site root (pages are served as folders)."""
    depth = path.count("/") + (0 if path.rsplit("/", 1)[-1] == "index.md" else 1)
    return "../" * depth


def _paper_context(corpus: Corpus, item: Item, snippets: Snippets, url: str) -> dict:
    """What a paper's page shows, worked out here so that the template only lays it out."""
    paper, root = item.paper, "../../"
    key = cite.citation_key(paper)
    bibtex = cite.bibtex(paper, key)
    assigned = [("topics", a) for a in item.topics] + [("methods", a) for a in item.methods]
    keywords = [corpus.taxonomy.find(kind, a.slug).name for kind, a in assigned]
    mentioned = [("methods", a) for a in item.mentioned_methods]
    return {
        "item": item,
        "paper": paper,
        # The evidence below says why the paper has each term: the chips need not say it again.
        "chips": Markup("").join(snippets.chip(kind, a, root, explain=False) for kind, a in assigned),
        "mentioned": Markup(" ").join(snippets.chip(kind, a, root, explain=False) for kind, a in mentioned),
        "evidence": [_evidence(corpus, kind, a) for kind, a in assigned],
        "mentioned_evidence": [_evidence(corpus, kind, a) for kind, a in mentioned],
        "abstract": abstract_html(paper.abstract),
        "related": [corpus.by_slug[slug] for slug in corpus.related.get(paper.slug, ())],
        "bibtex": bibtex,
        "key": key,
        "links": cite.find_links(paper),
        "headline_links": cite.headline_links(paper),
        "description": metadata.description(paper.abstract),
        "head": metadata.paper_head(paper, keywords, url),
    }


def _evidence(corpus: Corpus, kind: str, assignment: Assignment) -> tuple[str, str, Markup]:
    """(term name, why, what of the abstract shows it) for the page's evidence list. The words
    that matched are marked in the quote; a central term's quote then says all its "why" says."""
    sentence = assignment.sentence if assignment.where == "abstract" else ""  # the title is on the page already
    return (corpus.taxonomy.find(kind, assignment.slug).name, why(assignment), _quote(excerpt(sentence, assignment.evidence),
                                                                                   assignment.evidence))


def _quote(text: str, phrase: str) -> Markup:
    at = text.lower().find(phrase.lower()) if phrase else -1
    if at < 0 or "$" in text:  # math is rendered whole, never cut by a mark
        return text_html(text)
    end = at + len(phrase)
    return Markup(f"{text_html(text[:at])}<mark>{text_html(text[at:end])}</mark>{text_html(text[end:])}")


def excerpt(sentence: str, phrase: str, around: int = 45) -> str:
    """The words of `sentence` within about `around` characters of `phrase`, with "…" where it
    was cut: the abstract is on the same page, so the evidence quotes only what shows the match.
    A sentence holding math is kept whole, as cutting it could split a formula."""
    at = sentence.lower().find(phrase.lower())
    if at < 0 or "$" in sentence or len(sentence) <= len(phrase) + 2 * around + 20:
        return sentence
    start, end = max(0, at - around), at + len(phrase) + around
    start = sentence.rfind(" ", 0, start) + 1 if start > 0 else 0
    end = sentence.find(" ", end) if end < len(sentence) else -1
    end = len(sentence) if end < 0 else end
    return ("…" if start > 0 else "") + sentence[start:end].strip() + ("…" if end < len(sentence) else "")


def _term_months(page, term, items) -> list[tuple[str, int]] | None:
    """For a term with more papers than one page should hold, a page per month (written here)
    and the (month, count) list for the term's page to link; None when one page holds them all."""
    if len(items) <= TERM_PAGE_LIMIT:
        return None
    months = []
    for month, group in groupby_month(items):
        name = month or "undated"
        _paginated(page, f"{term.kind}/{term.slug}/{name}.md", "month.md.j2", group,
                   heading=f"{term.name}: {month_name(month)}", up=(f"{term.kind}/{term.slug}/", term.name))
        months.append((name, len(group)))
    return months


def _paginated(page, path: str, template: str, items: list, **context) -> None:
    """`items` on as many pages as they need, PAGE_ITEMS each: the first at `path`, the k-th at
    `<path without .md>/<k>.md` (so at URL <first page's URL>k/). Each page gets its share as
    `items`, how many there are in all as `total`, the number of its first as `first`, and
    `pager`: (label, relative URL or "" for the page itself) of every page, when there are several."""
    chunks = [items[start:start + PAGE_ITEMS] for start in range(0, len(items), PAGE_ITEMS)] or [items]
    for number, chunk in enumerate(chunks, start=1):
        here = path if number == 1 else f"{path[:-3]}/{number}.md"
        pager = [(str(other), "" if other == number else _page_url(number, other)) for other in range(1, len(chunks) + 1)]
        page(here, template, items=chunk, total=len(items), first=(number - 1) * PAGE_ITEMS + 1,
             pager=pager if len(chunks) > 1 else [], **context)


def _page_url(number: int, other: int) -> str:
    """The URL of page `other` of a paginated list, relative to page `number`."""
    to_first = "./" if number == 1 else "../"
    return to_first if other == 1 else f"{to_first}{other}/"


def _review(corpus: Corpus) -> list[Item]:
    return [item for item in corpus.items if item.needs_review]


def _years(corpus: Corpus) -> list[tuple[str, list[tuple[str, int]]]]:
    months = [(month, len(items)) for month, items in corpus.by_month.items()]
    return [(year, list(group)) for year, group in groupby(months, key=lambda mc: mc[0][:4])]


def _index_entries(corpus: Corpus, topic_counts, method_counts) -> list[tuple[str, str, int, str]]:
    """(name, url relative to tags/, count, kind) for every topic, method and tag, A to Z."""
    entries = [(t.name, f"../topics/{t.slug}/", n, "topic") for t, n in topic_counts]
    entries += [(t.name, f"../methods/{t.slug}/", n, "method") for t, n in method_counts]
    entries += [(corpus.tag_names[slug], f"#{slug}", len(items), "tag") for slug, items in corpus.by_tag.items()]
    return sorted(entries, key=lambda entry: (entry[0].lower(), entry[3]))


def long_date(date: dt.date | None) -> str:
    return f"{date.day} {MONTH_NAMES[date.month]} {date.year}" if date else "undated"


def yaml_text(text: str) -> Markup:
    """A front-matter value that MkDocs' templates can print as is: escaped, then YAML-quoted."""
    return Markup(json.dumps(str(escape_text(text)), ensure_ascii=False))


def groupby_month(items) -> list[tuple[str | None, list[Item]]]:
    return [(month, list(group)) for month, group in groupby(items, key=lambda item: item.month)]
