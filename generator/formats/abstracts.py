"""Bare abstracts: one abstract per line, nothing else (no title, authors or date).

    Large Language Models (LLMs) have transformed the natural language processing ...
    Scaling long-context ability is essential for Large Language Models (LLMs). ...
"""

from __future__ import annotations

from ..model import Entry, Problem, Source, error
from ..text import clean_line
from .common import ABSTRACT_MIN_WORDS, Paragraph, digest_name, is_abstract_like

NAME = "abstracts"


def looks_like(paragraphs: list[Paragraph]) -> bool:
    """Every non-blank line is long enough to be an abstract."""
    return bool(paragraphs) and all(is_abstract_like(t) for p in paragraphs for t in p.texts)


def parse(path: str, paragraphs: list[Paragraph]) -> tuple[list[Entry], list[Problem]]:
    """One entry per non-blank line, or a problem for each line too short to be an abstract."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for line in (line for p in paragraphs for line in p.lines):
        if is_abstract_like(line.text):
            entries.append(Entry(clean_line(line.text), Source(digest_name(path), NAME, line.number)))
        else:
            words = len(line.text.split())
            problems.append(
                error(path, line.number, f"too short for an abstract ({words} words, at least {ABSTRACT_MIN_WORDS} expected): one abstract per line, no titles")
            )
    return entries, problems
