"""What every digest parser needs: paragraphs with line numbers, and the shape of a title."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import PurePath

# A title is a short line that does not read like a sentence; an abstract is a long one.
TITLE_MAX_WORDS = 40
TITLE_MAX_CHARS = 400
ABSTRACT_MIN_WORDS = 20


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as an editor shows it
    text: str  # right-stripped


@dataclass(frozen=True)
class Paragraph:
    """A run of non-blank lines."""

    lines: tuple[Line, ...]

    @property
    def number(self) -> int:
        return self.lines[0].number

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


def split_paragraphs(text: str) -> list[Paragraph]:
    """The runs of non-blank lines of `text`, each line numbered from 1."""
    paragraphs: list[Paragraph] = []
    run: list[Line] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if line.strip():
            run.append(Line(number, line))
        elif run:
            paragraphs.append(Paragraph(tuple(run)))
            run = []
    if run:
        paragraphs.append(Paragraph(tuple(run)))
    return paragraphs


def is_title_like(text: str) -> bool:
    """A short line that does not end like a sentence."""
    stripped = text.strip()
    return (
        0 < len(stripped) <= TITLE_MAX_CHARS
        and len(stripped.split()) <= TITLE_MAX_WORDS
        and not stripped.endswith(".")
    )


def is_abstract_like(text: str) -> bool:
    """Long enough to be an abstract rather than a title or a stray heading."""
    return len(text.split()) >= ABSTRACT_MIN_WORDS


@functools.lru_cache(maxsize=256)  # asked once an entry: 100,000 times for a large digest
def digest_name(path: str) -> str:
    """How provenance names a digest: its file name, the same wherever it was ingested from."""
    return PurePath(path).name
