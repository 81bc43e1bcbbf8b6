"""The phrase finder against the plainest possible reading of its rules: every phrase tried at
every word of the text. The finder's indexes (anchor word, neighbouring word) must find
exactly the same hits."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.phrases import _TOKEN, Hit, PhraseIndex, _separated, compile_phrases, is_capitals
from generator.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
TAXONOMY, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
PHRASES = [phrase for kind in ("topics", "methods") for term in TAXONOMY.terms(kind) for phrase in term.phrases]
PHRASES += compile_phrases("(tree|graph) * search", ("methods", "extra")) + compile_phrases("RL-* tuning", ("methods", "other"))
INDEX = PhraseIndex(PHRASES)
WORDS = {word for phrase in PHRASES for word in phrase.words if word}
VOCABULARY = sorted(WORDS | {word + "s" for word in WORDS} | {word.lower() for word in WORDS} | {"the", "a", "of", "Models"})


def every_hit(phrases, text: str) -> list[Hit]:
    parts = _TOKEN.split(text)
    words = parts[1::2]
    ends = [sum(map(len, parts[: k + 1])) for k in range(len(parts))]
    hits = []
    for phrase in phrases:
        for first in range(len(words) - len(phrase.words) + 1):
            for offset, wanted in enumerate(phrase.words):
                seen = words[first + offset]
                if wanted is None:
                    continue
                same = seen == wanted if is_capitals(wanted) else seen.lower() == wanted.lower()
                last = offset == len(phrase.words) - 1
                plural = last and seen.lower() in (wanted.lower() + "s", wanted.lower() + "es") and not is_capitals(wanted)
                plural = plural or (last and is_capitals(wanted) and seen in (wanted + "s", wanted + "es"))
                if not (same or plural):
                    break
            else:
                if _separated(phrase, parts, first):
                    hits.append(Hit(phrase.payload, ends[2 * first], ends[2 * (first + len(phrase.words) - 1) + 1]))
    return sorted(hits, key=lambda hit: (hit.start, -hit.end, hit.payload))


@st.composite
def written(draw, phrase) -> str:
    """A phrase as a text might say it: a word for each `*`, perhaps a plural, perhaps lowercase."""
    words = [word or draw(st.sampled_from(VOCABULARY)) for word in phrase.words]
    if draw(st.booleans()):
        words[-1] += draw(st.sampled_from(["s", "es"]))
    if draw(st.booleans()):
        words = [word.lower() for word in words]
    separators = ["-" if hyphen else draw(st.sampled_from([" ", "-", "  "])) for hyphen in phrase.hyphenated]
    return "".join(word + separator for word, separator in zip(words, separators + [""], strict=True))


PIECES = st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(PHRASES).flatmap(written))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(PIECES, st.sampled_from([" ", " ", "-", ", "])), max_size=30))
def test_the_index_finds_what_trying_every_phrase_everywhere_finds(pieces):
    text = "".join(piece + separator for piece, separator in pieces)
    assert INDEX.find(text) == every_hit(PHRASES, text)
