"""arXiv-style daily digest: a `TOPIC - YYYY-MM-DD` header, then per paper a title,
`Authors:` and `Date:` lines, and an abstract, separated by blank lines.

    LLM-RL - 2025-03-02

    SoRFT: Issue Resolving with Subtask-oriented Reinforced Fine-Tuning

    Authors:Zexiong Ma, Chao Peng, Pengfei Gao
    Date:2025-02-27 14:19:45

    Mainstream issue-resolving frameworks predominantly rely on ...
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..model import Entry, Problem, Source, error
from ..text import clean_line, clean_paragraphs
from .common import Paragraph, digest_name, is_title_like

NAME = "arxiv-digest"

_HEADER = re.compile(r"^(?P<topic>.+?)\s+-\s+(?P<date>\d{4}-\d{2}-\d{2})$")
_META = re.compile(r"^(?P<key>Authors|Date)\s*:\s*(?P<value>.*)$")
_DATE = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:Z|[+-]00:?00| UTC)?)?$"
)
_AUTHOR_SEPARATOR = re.compile(r"\s*,\s*|\s*;\s*|\s+and\s+")


def looks_like(paragraphs: list[Paragraph]) -> bool:
    """Any `Authors:` line gives this format away."""
    return any(line.text.startswith("Authors:") for p in paragraphs for line in p.lines)


@dataclass
class _Draft:
    """An entry being assembled while the parser walks the paragraphs."""

    title: str
    line: int
    authors: tuple[str, ...] | None = None
    date: dt.date | None = None
    abstract: list[str] = field(default_factory=list)


def parse(path: str, paragraphs: list[Paragraph]) -> tuple[list[Entry], list[Problem]]:
    """The entries of an arXiv-style digest, or every problem found in it."""
    problems: list[Problem] = []
    digest_date, paragraphs = _read_header(path, paragraphs, problems)
    drafts: list[_Draft] = []
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if _is_meta(paragraph):
            _read_meta(path, paragraph, drafts[-1] if drafts else None, problems)
        elif following is not None and _is_meta(following):
            drafts.append(_Draft(clean_line(" ".join(paragraph.texts)), paragraph.number))
        else:
            _read_text(path, paragraph, drafts, problems)
    entries = []
    for draft in drafts:
        if not draft.abstract:
            problems.append(error(path, draft.line, f"title with no abstract: {draft.title!r}"))
            continue
        source = Source(digest_name(path), NAME, draft.line, digest_date)
        abstract = clean_paragraphs(draft.abstract)
        entries.append(Entry(abstract, source, draft.title, draft.authors or (), draft.date))
    return entries, problems


def _read_header(path, paragraphs, problems) -> tuple[dt.date | None, list[Paragraph]]:
    """The date of the `TOPIC - YYYY-MM-DD` header line, if any, and the paragraphs after it."""
    first = paragraphs[0].lines if paragraphs else ()
    # Whitespace collapsed first: on a long run of spaces the pattern would backtrack quadratically.
    match = _HEADER.match(" ".join(first[0].text.split())) if len(first) == 1 else None
    if not match:
        return None, paragraphs
    try:
        return dt.date.fromisoformat(match["date"]), paragraphs[1:]
    except ValueError:
        problems.append(error(path, first[0].number, f"digest header has an impossible date: {match['date']!r}"))
        return None, paragraphs[1:]


def _is_meta(paragraph: Paragraph) -> bool:
    return any(_META.match(line.text) for line in paragraph.lines)


def _read_meta(path: str, paragraph: Paragraph, draft: _Draft | None, problems: list[Problem]) -> None:
    """Read `Authors:`/`Date:` lines into the entry they follow."""
    for line in paragraph.lines:
        match = _META.match(line.text)
        if not match:
            problems.append(error(path, line.number, f"expected an `Authors:` or `Date:` line, found {line.text.strip()[:60]!r}"))
        elif draft is None or draft.abstract:
            problems.append(error(path, line.number, f"`{match['key']}:` line with no title before it"))
        elif match["key"] == "Authors":
            draft.authors = _split_authors(match["value"])
            if not draft.authors:
                problems.append(error(path, line.number, "`Authors:` line names nobody"))
        else:
            draft.date = _parse_date(path, line.number, match["value"], problems)


def _read_text(path, paragraph, drafts, problems) -> None:
    """A paragraph that is not metadata: an abstract, its continuation, or a title without metadata."""
    current = drafts[-1] if drafts else None
    starts_entry = (
        len(paragraph.lines) == 1
        and is_title_like(paragraph.lines[0].text)
        and (current is None or current.abstract)
    )
    if starts_entry:
        drafts.append(_Draft(clean_line(paragraph.lines[0].text), paragraph.number))
    elif current is not None:
        current.abstract.append(" ".join(paragraph.texts))
    else:
        problems.append(error(path, paragraph.number, "text before the first title: expected a title, then `Authors:` and `Date:` lines"))


def _split_authors(value: str) -> tuple[str, ...]:
    names = (clean_line(name) for name in _AUTHOR_SEPARATOR.split(" ".join(value.split())))  # linear, as above
    return tuple(name for name in names if name)


def _parse_date(path: str, number: int, value: str, problems: list[Problem]) -> dt.date | None:
    """The calendar date of a `Date:` value such as `2025-02-27 14:19:45`."""
    match = _DATE.match(value.strip())
    try:
        if not match:
            raise ValueError
        if match["time"]:
            dt.datetime.strptime(match["time"], "%H:%M:%S" if match["time"].count(":") == 2 else "%H:%M")
        return dt.date.fromisoformat(match["date"])
    except ValueError:
        problems.append(error(path, number, f"unparsable `Date:` {value.strip()!r}: expected YYYY-MM-DD, optionally followed by HH:MM:SS"))
        return None
