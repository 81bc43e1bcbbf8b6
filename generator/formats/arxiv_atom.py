"""arXiv's own Atom feed: what `export.arxiv.org/api/query` answers, and `atlas fetch` saves.

    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <entry>
        <id>http://arxiv.org/abs/2502.20548v1</id>
        <published>2025-02-27T21:43:00Z</published>
        <title>...</title> <summary>...</summary> <author><name>...</name></author>
        <arxiv:primary_category term="cs.LG"/> <category term="cs.LG"/> <category term="cs.AI"/>
        <arxiv:doi>...</arxiv:doi> <arxiv:journal_ref>...</arxiv:journal_ref>
      </entry>
    </feed>

feedparser reads the feed (never regular expressions); expat, a real XML parser too, finds the
line where each entry starts, for provenance. Each entry gives the identifier without its
version, the title, the authors, the date of version 1 (`<published>`), the abstract, the
categories (the primary one first) and, when present, the DOI and the journal reference.
Categories, DOI, journal reference and comment may all be missing, as in hand-made feeds.
An entry that cannot become a paper is skipped with a warning, and the others go in: one with
no abstract, an identifier that is no arXiv identifier (digits of other scripts included;
fullwidth ones are normalised), a title or abstract over the atlas's limits, or a date that is
no paper's, or lies beyond tomorrow (arXiv stamps dates when a paper arrives: a later one is not
believed). An entry with no title is read like a bare abstract (ingest infers a provisional
title). An entry that is arXiv's own error report (its id is under `/api/errors`) is an error.
"""

from __future__ import annotations

import datetime as dt
import xml.parsers.expat

import feedparser

from ..limits import bare_arxiv_identifier, entry_problems, is_future
from ..model import Entry, Problem, Skipped, Source, error, warning
from ..text import clean_line
from .common import digest_name

NAME = "arxiv-atom"
_ATOM_ENTRY = "http://www.w3.org/2005/Atom entry"


def looks_like(text: str) -> bool:
    """An XML document whose root is an Atom feed from arXiv."""
    head = text.lstrip()[:2000]
    return head.startswith(("<?xml", "<feed")) and "http://www.w3.org/2005/Atom" in head and "arxiv" in head.lower()


def parse_text(path: str, text: str) -> tuple[list[Entry], list[Problem], list[Skipped]]:
    """The entries of an arXiv Atom feed, the problems with it (a warning for each entry
    skipped), and the entries skipped, with why."""
    lines, problem = _entry_lines(path, text)
    if problem is not None:
        return [], [problem], []
    feed = feedparser.parse(text.encode("utf-8"), sanitize_html=False, resolve_relative_uris=False)
    entries, problems, skipped = [], [], []
    for number, item in enumerate(feed.entries):
        line = lines[number] if number < len(lines) else 1
        if "/api/errors" in item.get("id", ""):
            problems.append(error(path, line, f"arXiv answered with an error: {clean_line(item.get('summary', '')) or 'no details'}"))
            continue
        entry, reason = _entry(path, line, item)
        if entry is None or reason:
            identifier = entry.arxiv if entry else _shown_identifier(item.get("id", ""))
            skipped.append(Skipped(line, identifier, reason))
            problems.append(warning(path, line, f"entry {identifier or '(no id)'} skipped: {reason}"))
        else:
            entries.append(entry)
    return entries, problems, skipped


def _entry_lines(path: str, text: str) -> tuple[list[int], Problem | None]:
    """The line where each `<entry>` starts, or the XML error that stops the feed."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    lines: list[int] = []
    parser.StartElementHandler = lambda name, _: lines.append(parser.CurrentLineNumber) if name == _ATOM_ENTRY else None
    try:
        parser.Parse(text.encode("utf-8"), True)
    except xml.parsers.expat.ExpatError as exc:
        return [], error(path, exc.lineno, f"not well-formed XML: {xml.parsers.expat.ErrorString(exc.code)}")
    except (LookupError, ValueError) as exc:  # the declared encoding is none Python's codecs know
        return [], error(path, 1, f"cannot be read as XML: {exc}")
    return lines, None


def _entry(path: str, line: int, item) -> tuple[Entry | None, str]:
    """The entry, and why it cannot become a paper ("" when it can)."""
    written = _identifier(item.get("id", ""))
    identifier = bare_arxiv_identifier(written) if written else None
    if written and not identifier:
        return None, f"`{clean_line(written)[:60]}` is no arXiv identifier"
    abstract = clean_line(item.get("summary", ""))
    if not abstract:
        return None, "it has no abstract (a paper needs one)"
    published = item.get("published_parsed") or item.get("updated_parsed")
    entry = Entry(
        abstract=abstract,
        source=Source(digest_name(path), NAME, line),
        title=clean_line(item.get("title", "")) or None,
        authors=tuple(name for author in item.get("authors", []) if (name := clean_line(author.get("name", "")))),
        date=dt.date(published.tm_year, published.tm_mon, published.tm_mday) if published else None,
        arxiv=identifier,
        categories=_categories(item),
        doi=clean_line(item.get("arxiv_doi", "")) or None,
        journal_ref=clean_line(item.get("arxiv_journal_ref", "")) or None,
    )
    reasons = entry_problems(entry)
    if entry.date is not None and is_future(entry.date):
        reasons.append(f"its date {entry.date.isoformat()} lies in the future")
    return entry, "; ".join(reasons)


def _identifier(entry_id: str) -> str | None:
    """`2502.20548v1` from `http://arxiv.org/abs/2502.20548v1` (old style: `hep-th/9901001`)."""
    if "/abs/" not in entry_id:
        return None
    return entry_id.split("/abs/", 1)[1].strip().strip("/") or None


def _shown_identifier(entry_id: str) -> str | None:
    """The identifier to name an entry by in a warning: checked when it is one, else cut short."""
    written = _identifier(entry_id)
    return (bare_arxiv_identifier(written) or clean_line(written)[:60]) if written else None


def _categories(item) -> tuple[str, ...]:
    primary = (item.get("arxiv_primary_category") or {}).get("term")
    terms = [primary] if primary else []
    terms += [tag.get("term") for tag in item.get("tags", [])]
    return tuple(dict.fromkeys(term.strip() for term in terms if term and term.strip()))
