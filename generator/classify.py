"""Classify: tag each paper with the taxonomy's topics and methods, each with its evidence and
its strength.

A term is *found* when one of its aliases or patterns occurs in the title or abstract as a whole
word and the alias's context rule holds (see the top of content/taxonomy.yml). Where and how the
phrase occurs then decides its *strength*: **central** when the paper proposes, uses or studies
the term, **mentioned** when it is background, a baseline or a comparison. The strength never
decides whether a term is found, only how it is filed. A person's front matter wins.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .model import Paper
from .phrases import Hit, is_capitals
from .taxonomy import KINDS, Taxonomy

CENTRAL, MENTIONED = "central", "mentioned"
# Before a method in its clause, these make it context, not something the paper uses.
_CONTRAST = re.compile(
    r"\b(such as|unlike|existing|prior|previous|compared (to|with)|outperform\w*|surpass\w*|than|instead of|"
    r"rather than|traditional|conventional|e\.g\.|including|like|without|no|not|baselines?|versus|vs\.?|"
    r"alternatives? to|minimal|(gains?|improvements?) over|(drops?|removes?|eliminates?|replaces?|discards?) (the|its|their|a)|"
    r"beats?|beating|match(es|ing)?|comparabl[ey] to|on par with|rivals?)\b",
    re.IGNORECASE,
)
_CONTRAST_LOWERCASE = re.compile(_CONTRAST.pattern)  # on lowercased ASCII text: three times faster
# After a method, this makes it a baseline: "a supervised fine-tuning baseline".
_BASELINE_AFTER = re.compile(r"(?:[\s-]+\w+){0,2}?[\s-]+baselines?\b", re.IGNORECASE)
# A sentence opening like this tells of others' work, all through the sentence.
_CONTEXT_OPENER = re.compile(
    r"\s*(traditionally|conventionally|typically|usually|existing|prior|previous|(most|many) (existing|prior|previous)|"
    r"recent (approaches|methods|works?|studies|efforts|alternatives)|current (approaches|methods))\b",
    re.IGNORECASE,
)
_CLAUSE_SUBJECTS = frozenset("we our it its this they their which while whereas".split())
_ABBREVIATED = frozenset(("e.g", "i.e", "vs", "cf", "al"))
# A sentence that speaks of the paper itself; the sentences before the first one are background.
_OWN_WORK = re.compile(r"\b(we|our|this (paper|work|study|survey|report|article)|the proposed)\b", re.IGNORECASE)
# The end of a sentence, but not the dot of "e.g.", "i.e.", "vs.", "et al." or "cf." (the mark
# first, so the scan skips along in C).
_SENTENCE_END = re.compile(r"[.!?](?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<!\bal\.)(?<!\bcf\.)(?=\s+[A-Z0-9(\[\"'\u201c$\\])")
_URL = re.compile(r"https?://\S+")
# Where a clause ends (see _clause_ends): the contrast of "Unlike PPO," does not reach past its
# comma. One character class first, so the scan skips along in C.
_CLAUSE_MARK = re.compile(r"[-.!?,;:\u2014](?=\s)")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._+/")
_NAME_PARTS = re.compile(r"[-._+/]")
_MODEL_SIZE = re.compile(r"^\d+(\.\d+)?[bmk]$", re.IGNORECASE)
_SMALL_WORDS = frozenset("a an and as at by for from in of on the to via with".split())


@dataclass(frozen=True)
class Assignment:
    """A term given to a paper, and why: the phrase that matched, or set by hand."""

    slug: str
    evidence: str  # the matched text as it appears in the paper; "" when set by hand
    where: str  # "title", "abstract" or "front matter"
    strength: str = CENTRAL
    sentence: str = ""  # the sentence holding the evidence

    @property
    def by_hand(self) -> bool:
        return self.where == "front matter"

    @property
    def central(self) -> bool:
        return self.strength == CENTRAL


@dataclass(frozen=True)
class Classification:
    """A paper's terms in taxonomy order. The site files a paper under its central terms only."""

    topics: tuple[Assignment, ...]
    methods: tuple[Assignment, ...]
    mentioned_topics: tuple[Assignment, ...] = ()
    mentioned_methods: tuple[Assignment, ...] = ()


def classify(paper: Paper, taxonomy: Taxonomy) -> Classification:
    """The topics and methods of one paper, central and mentioned, each with its evidence."""
    found = find_terms(paper.title, paper.abstract, taxonomy)
    by_strength: dict[tuple[str, str], list[Assignment]] = {(kind, s): [] for kind in KINDS for s in (CENTRAL, MENTIONED)}
    for kind in KINDS:
        central, mentioned, removed = (set(front_matter_slugs(paper.extra.get(key)))
                                       for key in (kind, f"mentioned_{kind}", f"not_{kind}"))
        for term in taxonomy.terms(kind):
            if term.slug in central or term.slug in mentioned:
                assignment = Assignment(term.slug, "", "front matter", CENTRAL if term.slug in central else MENTIONED)
            else:
                assignment = found.get((kind, term.slug))
            if assignment is not None and term.slug not in removed:
                by_strength[(kind, assignment.strength)].append(assignment)
    return Classification(*(tuple(by_strength[(kind, s)]) for s in (CENTRAL, MENTIONED) for kind in KINDS))


def find_terms(title: str, abstract: str, taxonomy: Taxonomy) -> dict[tuple[str, str], Assignment]:
    """Every term the title and abstract give evidence of, with its strongest occurrence."""
    texts = [_Text(title, "title", taxonomy), _Text(abstract, "abstract", taxonomy)]
    definitions = {word: meaning for text in texts for word, meaning in text.definitions().items()}
    occurrences: dict[tuple[str, str], list[tuple[_Text, Hit, str]]] = {}
    for text in texts:
        for hit in text.hits:
            if text.counts(hit, definitions):
                key = hit.payload[:2]
                occurrences.setdefault(key, []).append((text, hit, text.strength(hit)))
    return {key: _strongest(found) for key, found in occurrences.items()}


def _strongest(found: list[tuple[_Text, Hit, str]]) -> Assignment:
    """A term's assignment from its occurrences, first in the text: its first central one; else,
    when the background dwells on it (two sentences or more), its first background one as
    central; else its first occurrence, as mentioned."""
    for wanted in ("central", "background"):
        chosen = [(text, hit) for text, hit, strength in found if strength == wanted]
        sentences = {(text.where, text.sentence_number(hit.start)) for text, hit in chosen}
        if chosen and (wanted == "central" or len(sentences) >= 2):
            return chosen[0][0].assignment(chosen[0][1], CENTRAL)
    text, hit, _ = found[0]
    return text.assignment(hit, MENTIONED)


class _Text:
    """A title or an abstract as the classifier reads it: its phrase hits, found at once, and its
    sentences and clauses, worked out only as far as a hit needs them."""

    def __init__(self, original: str, where: str, taxonomy: Taxonomy) -> None:
        self.original, self.text, self.where, self.taxonomy = original, _plain(original), where, taxonomy
        self.hits = taxonomy.index.find(self.text)
        self._sentence_starts: list[int] | None = None
        self._own_from: int | None = None
        self._clauses: _Clauses | None = None
        self._near: dict[tuple[int, int], bool] = {}

    def counts(self, hit: Hit, definitions: dict[str, bool]) -> bool:
        """Whether a phrase hit is evidence of its term: its context rule holds, and an
        abbreviation means here what the taxonomy means by it."""
        matched = _singular(self.text[hit.start : hit.end])
        if definitions.get(matched) is False:
            return False  # the paper spells the abbreviation out as something else
        rule = self.taxonomy.rule(hit.payload)
        if rule is None:
            return True
        if rule.defined and definitions.get(matched) is not True:
            return False
        if rule.not_in_names and self._in_model_name(hit):
            return False
        if rule.near_index is not None:
            start, end = self.sentence_span(hit.start)
            key = (id(rule), start)  # once a sentence, however often the alias recurs in it
            if key not in self._near:
                self._near[key] = bool(rule.near_index.find(self.text[start:end]))
            return self._near[key]
        return True

    def strength(self, hit: Hit) -> str:
        """"central", "mentioned" (named after a contrast in its clause, methods only) or
        "background" (in the sentences before the paper speaks of itself)."""
        if hit.payload[0] == "methods" and (self._contrasted(hit) or self._opens_with_context(hit.start)):
            return MENTIONED
        if self.where == "title" or self.sentence_number(hit.start) >= self._own_work_from():
            return CENTRAL
        return "background"

    def assignment(self, hit: Hit, strength: str) -> Assignment:
        start, end = self.sentence_span(hit.start)
        sentence = " ".join(self.original[start:end].split())  # math and links as written
        return Assignment(hit.payload[1], self.original[hit.start : hit.end].replace("$", ""), self.where, strength, sentence)

    def definitions(self) -> dict[str, bool]:
        """Abbreviations this text spells out ("Proximal Policy Optimization (PPO)"): True when
        the words before it are a phrase of a term that has the abbreviation as an alias, False
        when they are something else."""
        found: dict[str, bool] = {}
        by_word: dict[str, set[tuple[str, str]]] = {}  # abbreviation -> the terms it is an alias of
        for hit in self.hits:
            if self.text[hit.end : hit.end + 1] in "s),;" and self.text[hit.start - 1 : hit.start] in "( ":
                word = _singular(self.text[hit.start : hit.end])
                if _is_abbreviation(word):
                    by_word.setdefault(word, set()).add(hit.payload[:2])
        by_word = {word: owners for word, owners in by_word.items() if "(" + word in self.text}  # once a word
        by_end: dict[int, list[Hit]] = {}
        for hit in self.hits if by_word else ():
            by_end.setdefault(hit.end, []).append(hit)
        for word, owners in by_word.items():
            for match in re.finditer(r"\(\s*" + re.escape(word) + r"s?\s*[),;]", self.text):
                start = _expansion_start(self.text, match.start(), word)
                if start is not None and not found.get(word):
                    end = match.start()
                    while end > start and self.text[end - 1].isspace():
                        end -= 1
                    found[word] = any(h.start <= start and h.payload[:2] in owners for h in by_end.get(end, ()))
        return found

    def _in_model_name(self, hit: Hit) -> bool:
        """Whether the hit is part of a model's name: a word joined by hyphens or dots whose parts
        include a model family from the taxonomy's `model_names` or a size (7B)."""
        start, end = hit.start, hit.end
        while start > max(0, hit.start - 40) and self.text[start - 1] in _NAME_CHARS:  # names are short:
            start -= 1  # a bound keeps a text of one endless "word" linear
        while end < min(len(self.text), hit.end + 40) and self.text[end] in _NAME_CHARS:
            end += 1
        parts = [part for part in _NAME_PARTS.split(self.text[start:end]) if part]
        return any(_MODEL_SIZE.match(part) or part.lower().rstrip("0123456789") in self.taxonomy.model_names for part in parts)

    def _contrasted(self, hit: Hit) -> bool:
        self._clauses = self._clauses or _Clauses(self.text)
        return self._clauses.contrasted(hit.start, hit.end)

    def _opens_with_context(self, position: int) -> bool:
        return bool(_CONTEXT_OPENER.match(self.text, self.sentence_span(position)[0]))

    def sentence_number(self, position: int) -> int:
        return bisect_right(self._starts(), position) - 1

    def sentence_span(self, position: int) -> tuple[int, int]:
        starts, number = self._starts(), self.sentence_number(position)
        return starts[number], (starts[number + 1] if number + 1 < len(starts) else len(self.text))

    def _starts(self) -> list[int]:
        if self._sentence_starts is None:
            self._sentence_starts = [0] + [end.end() for end in _SENTENCE_END.finditer(self.text)]
        return self._sentence_starts

    def _own_work_from(self) -> int:
        """The first sentence that speaks of the paper itself (all of them when none does)."""
        if self._own_from is None:
            found = _OWN_WORK.search(self.text)
            self._own_from = self.sentence_number(found.start()) if found else 0
        return self._own_from


def _singular(word: str) -> str:
    """"PRMs" as "PRM": an abbreviation's plural spells out the same way."""
    return word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word


def _is_abbreviation(word: str) -> bool:
    """A single word of two or more capitals ("PPO", "RFT"), digits allowed."""
    return word.isalnum() and is_capitals(word)


def _expansion_start(text: str, paren: int, abbreviation: str) -> int | None:
    """Where the words an abbreviation stands for begin, reading back from its parenthesis and
    matching its letters to the initials of the words (and of the parts of hyphenated words);
    small words such as "from" may be skipped. None when the initials do not fit."""
    letters = [c.lower() for c in abbreviation if c.isalpha()]
    words = list(re.finditer(r"[A-Za-z0-9]+", text[max(0, paren - 200) : paren]))
    offset = max(0, paren - 200)
    index = len(letters) - 1
    for word in reversed(words[-(len(letters) + 4) :]):
        written = word.group()
        # "AI" in "Reinforcement Learning from AI Feedback (RLAIF)" gives both its letters
        spelled = written.lower() if written.isupper() and len(written) > 1 else written[0].lower()
        if "".join(letters[max(0, index + 1 - len(spelled)) : index + 1]) == spelled:
            index -= len(spelled)
            if index < 0:
                return offset + word.start()
        elif written.lower() not in _SMALL_WORDS:
            return None
    return None


class _Clauses:
    """A text's clauses, found left to right as far as a hit needs them, and where the contrast
    of each begins: at its first contrasting phrase, or at its start when it continues a list
    that a contrast opened ("such as PPO, DPO, and GRPO"). Each clause is searched at most once,
    and only when a hit or a list needs it, so asking about every hit costs a binary search, not
    a rescan ("Unlike PPO PPO ..." stays linear)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lowered = text.lower() if text.isascii() else None  # lower() keeps the offsets of ASCII only
        self.starts = [0]
        self.after_comma = [False]  # whether each clause began after a comma
        self._ends = _clause_ends(text)
        self.contrast_from: dict[int, int | None] = {}  # clause -> where its contrast begins

    def contrasted(self, start: int, end: int) -> bool:
        """Whether the hit at start..end is named after a contrast in its clause, or right
        before "baseline(s)" ("a supervised fine-tuning baseline")."""
        while self.starts[-1] <= start and (found := next(self._ends, None)) is not None:
            self.starts.append(found[0])
            self.after_comma.append(found[1] == ",")
        clause = bisect_right(self.starts, start) - 1
        first = self._contrast(clause)
        return (first is not None and first <= start) or bool(_BASELINE_AFTER.match(self.text, end, self._end(clause)))

    def _contrast(self, clause: int) -> int | None:
        """Where the contrast of `clause` begins, if it has one: a list is walked back to the
        clause that opened it, once."""
        items = []  # clauses that may continue a list, nearest first
        while clause not in self.contrast_from:
            own = self._first_contrast(clause)
            if own is not None or not self._may_continue_list(clause):
                self.contrast_from[clause] = own
                break
            items.append(clause)
            clause -= 1
        opened = self.contrast_from[clause]
        for item in reversed(items):
            opened = self.starts[item] if opened is not None else None
            self.contrast_from[item] = opened
        return self.contrast_from[items[0]] if items else opened

    def _first_contrast(self, clause: int) -> int | None:
        start, end = self.starts[clause], self._end(clause)
        found = (_CONTRAST_LOWERCASE.search(self.lowered, start, end) if self.lowered is not None
                 else _CONTRAST.search(self.text, start, end))
        return found.end() if found else None

    def _may_continue_list(self, clause: int) -> bool:
        """A short clause after a comma that does not start a sentence of its own ("DPO", "and GRPO")."""
        if clause == 0 or not self.after_comma[clause]:
            return False
        words = self.text[self.starts[clause] : self._end(clause)].split()
        return 0 < len(words) <= 4 and words[0].lower() not in _CLAUSE_SUBJECTS

    def _end(self, clause: int) -> int:
        return self.starts[clause + 1] if clause + 1 < len(self.starts) else len(self.text)


def _clause_ends(text: str) -> Iterator[tuple[int, str]]:
    """Where each clause ends, left to right, and the mark that ends it: `.`, `!`, `?`, `,`, `;`
    or `:` followed by a space (not the dot or comma of "e.g.,"), or a dash standing alone
    between spaces (` - `, ` -- `, ` \u2014 `)."""
    for mark in _CLAUSE_MARK.finditer(text):
        first = mark.start()
        if text[first] in "-\u2014":
            first -= text[first] == "-" and first > 0 and text[first - 1] == "-"  # the first of "--"
            if first == 0 or not text[first - 1].isspace():
                continue  # a hyphen ending a word ("pre- and post-training"), not a dash
        elif text[max(0, first - 5) : first + 1].lower().lstrip("( ").rstrip(".,") in _ABBREVIATED:
            continue  # "(e.g., DPO)" goes on
        yield mark.end(), text[mark.start()]


def _plain(text: str) -> str:
    """Text as the matcher reads it, each character where it was: URLs blanked (a github.com
    link says nothing about the topic) and LaTeX math delimiters made spaces, so `$Q$-learning`
    reads Q-learning."""
    return _URL.sub(lambda url: " " * len(url.group()), text).replace("$", " ")


def front_matter_slugs(value: Any) -> list[str]:
    """Term slugs written in front matter: a list of slugs, or one slug."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
