"""The plain data passed between pipeline stages: frozen dataclasses, no behaviour."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Front-matter keys that people curate and ingest never touches.
CURATED_KEYS = ("topics", "methods", "tags", "links", "notes")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    path: str
    line: int | None  # None when the problem is with the file as a whole
    message: str
    is_error: bool = True

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        kind = "error" if self.is_error else "warning"
        return f"{where}: {kind}: {self.message}"


def warning(path: str | Path, line: int | None, message: str) -> Problem:
    """A problem that is reported but does not stop the run."""
    return Problem(str(path), line, message, is_error=False)


def error(path: str | Path, line: int | None, message: str) -> Problem:
    """A problem that stops the run before anything is written."""
    return Problem(str(path), line, message, is_error=True)


@dataclass(frozen=True, order=True)
class Source:
    """One place a paper was seen: a digest file, its format, the entry's first line."""

    digest: str
    format: str
    line: int
    digest_date: dt.date | None = None


@dataclass(frozen=True)
class Entry:
    """One paper as a digest states it, before merging. Title, authors and date may be absent."""

    abstract: str
    source: Source
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    arxiv: str | None = None  # the identifier without its version, from arXiv's own feed
    categories: tuple[str, ...] = ()  # arXiv's, the primary one first
    doi: str | None = None
    journal_ref: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An entry of arXiv's feed that cannot become a paper (its line, its id, and why): it is
    left out with a warning, and the feed's other entries go in."""

    line: int
    arxiv: str | None
    reason: str


@dataclass(frozen=True)
class Digest:
    """A parsed digest file: its entries, or the problems that stopped parsing it."""

    path: str
    format: str | None
    entries: tuple[Entry, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: tuple[Skipped, ...] = ()  # also among the problems, as warnings


@dataclass(frozen=True)
class Paper:
    """One paper of the atlas: what `content/papers/<slug>.md` holds."""

    slug: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    added: dt.date | None = None  # when the paper entered the atlas (feeds order undated papers by it)
    sources: tuple[Source, ...] = ()
    title_inferred: bool = False
    # What arXiv says of the paper (ingest fills them when empty, as it fills authors and date).
    categories: tuple[str, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    arxiv_title: str | None = None  # arXiv's title, kept when it differs from the atlas's own
    # Curated and unknown front-matter keys, kept verbatim and in the file's order.
    extra: dict[str, Any] = field(default_factory=dict, compare=True)
