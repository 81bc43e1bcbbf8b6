"""Provisional titles for bare abstracts, which come with no title of their own.

The title is a hint for the person who will fix it (the paper is flagged `title_inferred`):
the named system the abstract introduces when it names one ("ByteScale: An efficient ...
training framework"), else the sentence that says what the paper is ("This survey
provides ..."), else the abstract's first clause.
"""

from __future__ import annotations

import re

MAX_WORDS = 12

# "we introduce ByteScale, an efficient ... framework ..." -> name, description
_INTRODUCES = re.compile(
    r"\b(?:we|this (?:paper|work))\s+(?:introduce|introduces|propose|proposes|present|presents|develop|develops)"
    r"\s+(?:the\s+)?(?P<name>\$[^$]{1,40}\$|[A-Z][\w\-]*[A-Z0-9][\w\-]*)"
    r"(?:,\s+(?P<what>(?:an?|the)\s+[^.;]+))?"
)
_SELF_DESCRIPTION = re.compile(r"\bThis (?:survey|paper|work|study|review|position paper)\b[^.;]*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z$])")


def infer_title(abstract: str) -> str:
    """A short provisional title drawn from the abstract's own words."""
    introduced = _INTRODUCES.search(abstract)
    if introduced:
        name = introduced["name"]
        return f"{name}: {_capitalise(_shorten(introduced['what']))}" if introduced["what"] else name
    described = _SELF_DESCRIPTION.search(abstract)
    if described:
        return _shorten(_first_clause(described.group(0)))
    first_sentence = _SENTENCE_END.split(abstract.strip(), maxsplit=1)[0]
    return _shorten(_first_clause(first_sentence).rstrip("."))


def _first_clause(sentence: str) -> str:
    return re.split(r",\s+(?:which|while|where|but|and|analyzing|yet)\b|;|:\s", sentence, maxsplit=1)[0].strip()


def _shorten(text: str) -> str:
    words = text.split()
    return " ".join(words) if len(words) <= MAX_WORDS else " ".join(words[:MAX_WORDS]) + " …"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
