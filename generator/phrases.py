"""Find many phrases in a text at once, as whole words, in one pass over its words.

Regular expressions cost a pass over the text each, which at hundreds of aliases and ten
thousand papers is minutes; looking each word up in an index of the phrases that can start
there is a pass in all. A phrase is words separated by spaces or hyphens, with `(a|b|)` for
alternatives (expanded when compiled) and `*` for any one word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

_TOKEN = re.compile(r"([A-Za-z0-9]+)")  # captured, so that split() keeps the words
_GROUP = re.compile(r"\(([^()]*)\)")
_ALLOWED = re.compile(r"^[A-Za-z0-9 *\-()|]+$")
_HYPHENS = "-\u2010\u2011"
_SEPARATOR_CHARS = frozenset(" \t\n\u00a0" + _HYPHENS)


@dataclass(frozen=True)
class Phrase:
    words: tuple[str | None, ...]  # as written; None is the wildcard
    hyphenated: tuple[bool, ...]  # whether the text must have a hyphen after each word but the last
    payload: Any

    def checks(self, anchor: int) -> tuple[tuple[int, str, bool, bool], ...]:
        """(offset, word to compare, case matters, plural allowed) for each literal word still to
        compare once the anchor word has been found, the word farthest from the anchor first."""
        last = len(self.words) - 1
        return tuple(
            (offset, word if is_capitals(word) else word.lower(), is_capitals(word), offset == last)
            for offset, word in sorted(enumerate(self.words), key=lambda ow: -abs(ow[0] - anchor))
            if word is not None and (offset != anchor or is_capitals(word))
        )


@dataclass(frozen=True)
class Hit:
    payload: Any
    start: int
    end: int


def compile_phrases(pattern: str, payload: Any) -> list[Phrase]:
    """Every phrase a pattern stands for; ValueError with the reason if it is malformed."""
    if not _ALLOWED.match(pattern):
        raise ValueError("may only hold words, spaces, hyphens, `(a|b)` alternatives and `*`")
    phrases = []
    for variant in _expand(pattern):
        parts = re.split(r"(\s+|-)", variant.strip())
        words = [part for part in parts[::2] if part]
        if not words or all(word == "*" for word in words):
            raise ValueError("needs at least one word that is not `*`")
        if any(not _TOKEN.fullmatch(word) and word != "*" for word in words):
            raise ValueError(f"`{variant}` holds something that is not a whole word")
        hyphenated = tuple(sep == "-" for sep in parts[1::2])
        phrases.append(Phrase(tuple(None if w == "*" else w for w in words), hyphenated, payload))
    return phrases


def _expand(pattern: str) -> list[str]:
    """"(a|b) c" as ["a c", "b c"]; an empty alternative drops out."""
    match = _GROUP.search(pattern)
    if match is None:
        if "(" in pattern or ")" in pattern or "|" in pattern:
            raise ValueError("has unbalanced or nested parentheses, or a `|` outside them")
        return [" ".join(pattern.split())]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [variant for option in match.group(1).split("|") for variant in _expand(head + option + tail)]


class PhraseIndex:
    """Phrases indexed by their first literal word, ready to be found in many texts."""

    def __init__(self, phrases: list[Phrase]) -> None:
        # anchor word -> (phrase, the anchor's offset in the phrase, the phrase's word checks).
        # The anchor is the phrase's longest word: long words are rare, so few candidates are tried.
        self._by_word: dict[str, list[tuple[Phrase, int, tuple]]] = {}
        for phrase in phrases:
            anchor = max((i for i, word in enumerate(phrase.words) if word is not None), key=lambda i: len(phrase.words[i]))
            word = phrase.words[anchor].lower()
            keys = {word, word + "s", word + "es"} if anchor == len(phrase.words) - 1 else {word}
            for key in keys:
                self._by_word.setdefault(key, []).append((phrase, anchor, phrase.checks(anchor)))

    def find(self, text: str) -> list[Hit]:
        """Every occurrence of every phrase, in order of position."""
        # The hot spot of classification: one split into words in C, one lookup per word, and
        # checks (inlined) only for the phrases anchored at that word. parts: separator, word, ...
        parts = _TOKEN.split(text)
        words = parts[1::2]
        lowered = " ".join(words).lower().split(" ")  # words are ASCII: lowering keeps them apart
        hits, offsets, by_word = [], None, self._by_word
        for position, word in enumerate(lowered if words else ()):
            if word not in by_word:
                continue
            for phrase, anchor, checks in by_word[word]:
                first = position - anchor
                last = first + len(phrase.words) - 1
                if first < 0 or last >= len(words):
                    continue
                for offset, written, capitals, plural in checks:
                    seen = words[first + offset] if capitals else lowered[first + offset]
                    if seen != written and not (plural and (seen == written + "s" or seen == written + "es")):
                        break
                else:
                    if _separated(phrase, parts, first):
                        offsets = offsets or list(accumulate(map(len, parts)))  # offsets[k]: where parts[k] ends
                        hits.append(Hit(phrase.payload, offsets[2 * first], offsets[2 * last + 1]))
        return sorted(hits, key=lambda hit: (hit.start, -hit.end, hit.payload))


def _separated(phrase: Phrase, parts: list[str], first: int) -> bool:
    """Whether only spaces and hyphens (a hyphen where the phrase has one) lie between its words."""
    for offset, needs_hyphen in enumerate(phrase.hyphenated):
        separator = parts[2 * (first + offset) + 2]
        if not _SEPARATOR_CHARS.issuperset(separator):
            return False
        if needs_hyphen and not any(h in separator for h in _HYPHENS):
            return False
    return True


def is_capitals(word: str) -> bool:
    """A word written in capitals (PPO, RLHF) matches only in capitals."""
    return word.upper() == word and sum(c.isalpha() for c in word) >= 2
