"""A scraped Hugging Face "Daily Papers" page: page chrome, a page date with no year, then
title / abstract pairs. No authors and no paper dates: the page date is the page's, not the
papers', so it is never used as one.

    Daily Papers

    byAK and the research community

    Sep 1

    FinCon: A Synthesized LLM Multi-Agent System with Conceptual Verbal Reinforcement ...

    Large language models (LLMs) have demonstrated notable potential in ...
"""

from __future__ import annotations

import re

from ..model import Entry, Problem, Source, error
from ..text import clean_line, clean_paragraphs
from .common import Paragraph, digest_name, is_abstract_like, is_title_like

NAME = "hf-daily"

CHROME = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "submitted by",
        "upvote",
    }
)
_PAGE_DATE = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:, \d{4})?$", re.IGNORECASE
)


def is_chrome(text: str) -> bool:
    """Page furniture: navigation words, the page date, a bare vote count."""
    stripped = text.strip()
    return stripped.casefold() in CHROME or bool(_PAGE_DATE.match(stripped)) or stripped.isdigit()


def looks_like(paragraphs: list[Paragraph]) -> bool:
    """Page chrome, or at least one one-line title followed by an abstract paragraph."""
    if any(line.text.strip().casefold() in CHROME for p in paragraphs[:12] for line in p.lines):
        return True
    content = [p for p in paragraphs if not all(is_chrome(t) for t in p.texts)]
    return any(
        len(first.lines) == 1 and is_title_like(first.lines[0].text) and is_abstract_like(" ".join(second.texts))
        for first, second in zip(content, content[1:], strict=False)
    )


def parse(path: str, paragraphs: list[Paragraph]) -> tuple[list[Entry], list[Problem]]:
    """The title / abstract pairs of the page, or every problem found in it.

    A title is a title-like paragraph of one line, or the first line of a paragraph that
    follows a complete entry (a title pasted right above its abstract). Anything else is
    abstract text, so an abstract wrapped over several lines stays one paragraph.
    """
    problems: list[Problem] = []
    drafts: list[tuple[str, int, list[str]]] = []  # (title, line, abstract paragraphs)
    for paragraph in paragraphs:
        lines = [line for line in paragraph.lines if not is_chrome(line.text)]
        waiting = bool(drafts) and not drafts[-1][2]  # a title still expects its abstract
        if lines and is_title_like(lines[0].text) and (len(lines) == 1 or not waiting):
            drafts.append((clean_line(lines[0].text), lines[0].number, []))
            lines = lines[1:]
        if lines and not drafts:
            problems.append(error(path, lines[0].number, "abstract with no title before it"))
        elif lines:
            drafts[-1][2].append(" ".join(line.text for line in lines))
    entries = []
    for title, number, abstract in drafts:
        if not abstract:
            problems.append(error(path, number, f"title with no abstract: {title!r}"))
        else:
            entries.append(Entry(clean_paragraphs(abstract), Source(digest_name(path), NAME, number), title))
    return entries, problems
