"""Text normalisation shared by the parsers, the merger and the store.

Two kinds of function live here: `clean_*` ones produce text we keep (verbatim but for
whitespace and Unicode normalisation), `*_key`/`*_words` ones produce comparison keys that
are never shown to anyone.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zlib

_WHITESPACE = re.compile(r"\s+")
# Control characters: YAML may not hold them raw, and no title or name needs one.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Citation-like LaTeX commands whose argument carries no meaning for matching.
_CITATION = re.compile(r"\\(?:cite[pt]?|ref|eqref|footnote|label)\*?\{[^{}]*\}")
_WORD = re.compile(r"\w+")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # what slugify() makes
SLUG_MAX_LENGTH = 80


def clean_line(text: str) -> str:
    """Unicode NFC with every control character made a space and every run of whitespace
    collapsed to one space, trimmed."""
    return _WHITESPACE.sub(" ", _CONTROL.sub(" ", unicodedata.normalize("NFC", text))).strip()


def control_character(text: str, allowed: str = "") -> str | None:
    """The first control character in `text` (C0, DEL or C1) that is not in `allowed`, if any."""
    found = _CONTROL.search(text)
    while found is not None and found.group() in allowed:
        found = _CONTROL.search(text, found.end())
    return found.group() if found else None


def clean_paragraphs(paragraphs: list[str]) -> str:
    """Join paragraphs with a blank line, each one cleaned with `clean_line`."""
    return "\n\n".join(p for p in map(clean_line, paragraphs) if p)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded.replace("_", " "))


def title_key(title: str) -> str:
    """The key under which two titles count as the same: case, punctuation and markup folded."""
    return " ".join(_words(title))


def abstract_words(abstract: str) -> list[str]:
    """The words of an abstract, with citations, math delimiters and punctuation dropped."""
    return _words(_CITATION.sub(" ", abstract))


def shingles(words: list[str], size: int = 3) -> frozenset[tuple[str, ...]]:
    """Every run of `size` consecutive words (the whole text if it is shorter)."""
    if len(words) <= size:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def fingerprints(words: list[str], size: int = 3) -> frozenset[int]:
    """The shingles of `words` as 64-bit numbers (CRC-32 and Adler-32 of each): set operations on
    numbers are several times faster than on tuples of words, the same in every run (unlike
    hash()), and two different shingles share a number about once in 10^19 comparisons."""
    return frozenset(zlib.crc32(key) << 32 | zlib.adler32(key) for key in ("\x1f".join(g).encode() for g in shingles(words, size)))


def jaccard(a: frozenset, b: frozenset) -> float:
    """Size of the intersection over size of the union; 0 for two empty sets."""
    if not a or not b:
        return 0.0
    shared = len(a & b) if len(a) <= len(b) else len(b & a)
    return shared / (len(a) + len(b) - shared)


def slugify(title: str) -> str:
    """An ASCII, lower-case, hyphenated slug of at most SLUG_MAX_LENGTH characters.

    The result can never contain a path separator or a dot, so it cannot escape its folder.
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG_JUNK.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        cut = slug[: SLUG_MAX_LENGTH + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:SLUG_MAX_LENGTH]
    return slug.strip("-") or "paper"


def did_you_mean(word: str, choices: list[str] | tuple[str, ...], aliases: dict[str, str] | None = None) -> str:
    """"; did you mean `x`?" for the closest choice (or a choice whose name is `word`), else ""."""
    if aliases and word.lower() in aliases:
        return f"; did you mean `{aliases[word.lower()]}`?"
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""
