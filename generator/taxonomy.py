"""Classify: load content/taxonomy.yml and tag each paper with topics and methods, with evidence.

A term matches when one of its aliases or patterns occurs in the title or abstract as a whole
word. The phrase that matched is kept, so every tag on the site can say why it is there. A
person's front matter wins: `topics`/`methods` add terms by hand, `not_topics`/`not_methods`
remove terms the matcher got wrong.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import files
from .model import Paper, Problem, error
from .phrases import Hit, Phrase, PhraseIndex, compile_phrases
from .store import alias_line
from .text import SLUG

KINDS = ("topics", "methods")
MAX_TAXONOMY_BYTES = 1_000_000
# In a sentence like this, a method is usually a baseline being compared against, not used.
_CONTRAST = re.compile(
    r"\b(such as|unlike|existing|prior|previous|compared (to|with)|outperform\w*|than|instead of|"
    r"rather than|traditional|conventional|e\.g\.|including|like|without|no|not)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")
# Where a sentence or clause ends (see _clause_ends): the contrast of "Unlike PPO," does not
# reach past its comma. One character class first, so the scan skips along in C.
_CLAUSE_MARK = re.compile(r"[-.!?,;:\u2014](?=\s)")


@dataclass(frozen=True)
class Term:
    """One topic or method of the taxonomy."""

    kind: str  # "topics" or "methods"
    slug: str
    name: str
    description: str
    phrases: tuple[Phrase, ...]
    reference: dict[str, str] | None = None


@dataclass(frozen=True)
class Assignment:
    """A term given to a paper, and why: the phrase that matched, or set by hand."""

    slug: str
    evidence: str  # the matched text as it appears in the paper; "" when set by hand
    where: str  # "title", "abstract" or "front matter"

    @property
    def by_hand(self) -> bool:
        return self.where == "front matter"


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Term, ...]
    methods: tuple[Term, ...]
    index: PhraseIndex = field(init=False, compare=False, repr=False)
    _by_slug: dict[tuple[str, str], Term] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        phrases = [phrase for kind in KINDS for term in self.terms(kind) for phrase in term.phrases]
        object.__setattr__(self, "index", PhraseIndex(phrases))
        object.__setattr__(self, "_by_slug", {(term.kind, term.slug): term for kind in KINDS for term in self.terms(kind)})

    def terms(self, kind: str) -> tuple[Term, ...]:
        return self.topics if kind == "topics" else self.methods

    def find(self, kind: str, slug: str) -> Term | None:
        return self._by_slug.get((kind, slug))


def load_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem]]:
    """The taxonomy in `path`, or every problem that makes it unusable."""
    if files.leaves(path, path.parent):
        return None, [error(path, None, "a symbolic link to a file outside content/; copy the file in instead")]
    try:
        raw, node = _load(files.read_capped(path, MAX_TAXONOMY_BYTES, "taxonomy").decode("utf-8"))
    except files.UnreadableFile as exc:
        return None, [error(path, None, str(exc))]
    except UnicodeDecodeError as exc:
        return None, [error(path, None, f"cannot read the taxonomy: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [error(path, mark.line + 1 if mark else 1, f"taxonomy is not valid YAML: {getattr(exc, 'problem', exc)}")]
    if line := alias_line(node):
        # A nest of aliases ("billion laughs") expands to more than memory holds; no taxonomy needs one.
        return None, [error(path, line, "the taxonomy repeats a value with a YAML anchor and alias (`&name`, `*name`); write it out instead")]
    lines = _item_lines(node)
    if not isinstance(raw, dict) or not all(isinstance(raw.get(kind), list) for kind in KINDS):
        return None, [error(path, 1, "the taxonomy must be a mapping with lists `topics` and `methods`")]
    problems: list[Problem] = []
    parsed = {kind: tuple(_parse_terms(path, kind, raw[kind], lines.get(kind, []), problems)) for kind in KINDS}
    return (None if problems else Taxonomy(parsed["topics"], parsed["methods"])), problems


def _load(text: str) -> tuple[Any, yaml.Node | None]:
    """The YAML document and its node tree (for line numbers), parsed once, by libyaml when
    PyYAML has it."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if alias_line(node):
            return None, node  # never constructed: load_taxonomy reports the alias
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def _item_lines(node: yaml.Node | None) -> dict[str, list[int]]:
    """For each kind, the file line where each of its list items starts."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        key.value: [item.start_mark.line + 1 for item in value.value]
        for key, value in node.value
        if isinstance(value, yaml.SequenceNode)
    }


def _parse_terms(path: Path, kind: str, items: list[Any], lines: list[int], problems: list[Problem]):
    seen: set[str] = set()
    for number, item in enumerate(items):
        line = lines[number] if number < len(lines) else 1
        term = _parse_term(kind, item, lambda message, line=line: problems.append(error(path, line, message)))
        if term is None:
            continue
        if term.slug in seen:
            problems.append(error(path, line, f"{kind}: slug `{term.slug}` is used twice"))
        seen.add(term.slug)
        yield term


def _parse_term(kind: str, item: Any, report) -> Term | None:
    """One term from its mapping; reports what is wrong with it and returns None."""
    if not isinstance(item, dict):
        report(f"each of `{kind}` must be a mapping with slug, name, description and aliases")
        return None
    slug, name, description = item.get("slug"), item.get("name"), item.get("description")
    aliases, patterns, reference = item.get("aliases", []), item.get("patterns", []), item.get("reference")
    ok = True
    for good, message in (
        (isinstance(slug, str) and SLUG.match(slug), f"`slug` must be lowercase words joined by hyphens, not {slug!r}"),
        (isinstance(name, str) and name.strip(), f"{slug}: `name` must be a non-empty text"),
        (isinstance(description, str) and description.strip(), f"{slug}: `description` must be a non-empty text"),
        (_is_texts(aliases) and _is_texts(patterns), f"{slug}: `aliases` and `patterns` must be lists of texts"),
        (aliases or patterns, f"{slug}: give at least one alias or pattern"),
        (reference is None or _is_reference(reference), f"{slug}: `reference` must be {{title, url}} with an http(s) url"),
    ):
        if not good:
            report(message)
            ok = False
    if not ok:
        return None
    phrases = []
    for text in [*aliases, *patterns]:
        try:
            phrases += compile_phrases(text, (kind, slug))
        except ValueError as exc:
            report(f"{slug}: alias or pattern `{text}` {exc}")
    if len(phrases) < len(aliases) + len(patterns):
        return None
    return Term(kind, slug, name.strip(), " ".join(description.split()), tuple(phrases), reference)


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _is_reference(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("title"), str)
        and isinstance(value.get("url"), str)
        and value["url"].startswith(("https://", "http://"))
    )


@dataclass(frozen=True)
class Classification:
    topics: tuple[Assignment, ...]
    methods: tuple[Assignment, ...]


def classify(paper: Paper, taxonomy: Taxonomy) -> Classification:
    """The topics and methods of one paper, in taxonomy order, each with its evidence."""
    title, abstract = _plain(paper.title), _plain(paper.abstract)
    evidence = _evidence(title, taxonomy.index.find(title), "title")
    for key, assignment in _evidence(abstract, taxonomy.index.find(abstract), "abstract").items():
        evidence.setdefault(key, assignment)
    found = {}
    for kind in KINDS:
        by_hand = set(_slugs(paper.extra.get(kind)))
        removed = set(_slugs(paper.extra.get(f"not_{kind}")))
        found[kind] = tuple(
            Assignment(term.slug, "", "front matter") if term.slug in by_hand else evidence[(kind, term.slug)]
            for term in taxonomy.terms(kind)
            if term.slug not in removed and (term.slug in by_hand or (kind, term.slug) in evidence)
        )
    return Classification(found["topics"], found["methods"])


def _evidence(text: str, hits: list[Hit], where: str) -> dict[tuple[str, str], Assignment]:
    """The first usable hit of each term in `text`.

    A method named only after a contrasting phrase in the same clause ("unlike PPO", "baselines
    such as DPO", "without KL regularisation") is context, not something the paper uses.
    """
    found: dict[tuple[str, str], Assignment] = {}
    context = None  # made at the first method hit: most texts name no method, or few
    for hit in hits:
        kind, slug = hit.payload
        if (kind, slug) in found:
            continue
        if kind == "methods" and (context := context or _Clauses(text)).contrasted(hit.start):
            continue
        found[(kind, slug)] = Assignment(slug, text[hit.start : hit.end], where)
    return found


class _Clauses:
    """A text's clauses, found left to right as far as a hit needs them, and the first
    contrasting phrase of each, looked for once and only in that clause: asking about every hit
    of a method costs a binary search, not a rescan of the text before it ("Unlike PPO PPO
    PPO ..." stays linear)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self._ends = _clause_ends(text)
        self.contrast_end: dict[int, int | None] = {}  # clause number -> where its first contrast ends

    def contrasted(self, position: int) -> bool:
        """Whether a contrasting phrase stands between the start of the clause holding
        `position` and `position`."""
        while self.starts[-1] <= position and (end := next(self._ends, None)) is not None:
            self.starts.append(end)
        clause = bisect_right(self.starts, position) - 1
        if clause not in self.contrast_end:
            end = self.starts[clause + 1] if clause + 1 < len(self.starts) else len(self.text)
            found = _CONTRAST.search(self.text, self.starts[clause], end)
            self.contrast_end[clause] = found.end() if found else None
        first = self.contrast_end[clause]
        return first is not None and first <= position


def _clause_ends(text: str) -> Iterator[int]:
    """Where each clause ends, left to right: after `.`, `!`, `?`, `,`, `;` or `:` followed by a
    space, or after a dash standing alone between spaces (` - `, ` -- `, ` \u2014 `)."""
    for mark in _CLAUSE_MARK.finditer(text):
        first = mark.start()
        if text[first] in "-\u2014":
            first -= text[first] == "-" and first > 0 and text[first - 1] == "-"  # the first of "--"
            if first == 0 or not text[first - 1].isspace():
                continue  # a hyphen ending a word ("pre- and post-training"), not a dash
        yield mark.end()


def _plain(text: str) -> str:
    """Text as the matcher reads it: no URLs (a github.com link says nothing about the topic),
    and LaTeX math delimiters dropped, so `$Q$-learning` reads Q-learning."""
    return _URL.sub(" ", text).replace("$", "")


def _slugs(value: Any) -> list[str]:
    """Term slugs written in front matter: a list of slugs, or one slug."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
