"""The taxonomy: load content/taxonomy.yml into terms, their phrases and the context rules that
say when a phrase counts. `classify` applies them to papers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import files
from .model import Problem, error
from .phrases import Phrase, PhraseIndex, compile_phrases
from .store import alias_line
from .text import SLUG

KINDS = ("topics", "methods")
MAX_TAXONOMY_BYTES = 1_000_000
RULE_KEYS = ("near", "not_in_names", "defined")


@dataclass(frozen=True)
class Rule:
    """When one alias or pattern of a term counts: its entry under the term's `context:`."""

    near: tuple[Phrase, ...] = ()  # only with one of these in the same sentence
    not_in_names: bool = False  # never inside a model's name ("DeepSeek-R1", "R1-Distill-Qwen-7B")
    defined: bool = False  # an ambiguous abbreviation: only where the paper spells it out as this term
    near_index: PhraseIndex | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "near_index", PhraseIndex(list(self.near)) if self.near else None)


@dataclass(frozen=True)
class Term:
    """One topic or method of the taxonomy. Its phrases carry (kind, slug, alias as written)."""

    kind: str  # "topics" or "methods"
    slug: str
    name: str
    description: str
    phrases: tuple[Phrase, ...]
    reference: dict[str, str] | None = None
    rules: tuple[tuple[str, Rule], ...] = ()  # (alias as written, its rule)


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Term, ...]
    methods: tuple[Term, ...]
    model_names: frozenset[str] = frozenset()  # lowercased words that make a compound a model's name
    index: PhraseIndex = field(init=False, compare=False, repr=False)
    _by_slug: dict[tuple[str, str], Term] = field(init=False, compare=False, repr=False)
    _rules: dict[tuple[str, str, str], Rule] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        every = [term for kind in KINDS for term in self.terms(kind)]
        object.__setattr__(self, "index", PhraseIndex([phrase for term in every for phrase in term.phrases]))
        object.__setattr__(self, "_by_slug", {(term.kind, term.slug): term for term in every})
        object.__setattr__(self, "_rules", {(term.kind, term.slug, alias): rule for term in every for alias, rule in term.rules})

    def rule(self, payload: tuple[str, str, str]) -> Rule | None:
        """The context rule of the alias a phrase came from, if it has one."""
        return self._rules.get(payload)

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
    model_names = raw.get("model_names", [])
    if not _is_texts(model_names):
        problems.append(error(path, 1, "`model_names` must be a list of words"))
        model_names = []
    taxonomy = Taxonomy(parsed["topics"], parsed["methods"], frozenset(name.lower() for name in model_names))
    return (None if problems else taxonomy), problems


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
    phrases, compiled = [], 0
    for text in [*aliases, *patterns]:
        try:
            phrases += compile_phrases(text, (kind, slug, text))
            compiled += 1
        except ValueError as exc:
            report(f"{slug}: alias or pattern `{text}` {exc}")
    rules = _parse_rules(slug, item.get("context"), {*aliases, *patterns}, report)
    if compiled < len(aliases) + len(patterns) or rules is None:
        return None
    return Term(kind, slug, name.strip(), " ".join(description.split()), tuple(phrases), reference, rules)


def _parse_rules(slug: str, context: Any, phrases: set[str], report) -> tuple[tuple[str, Rule], ...] | None:
    """A term's `context:` (alias -> conditions) as rules; None, having reported why, if it is malformed."""
    if context is None:
        return ()
    if not isinstance(context, dict):
        report(f"{slug}: `context` must map aliases to their conditions, e.g. `reference model: {{near: [KL]}}`")
        return None
    rules, ok = [], True
    for alias, conditions in context.items():
        if alias not in phrases:
            report(f"{slug}: `context` names `{alias}`, which is not one of its aliases or patterns")
            ok = False
        elif not isinstance(conditions, dict) or not conditions or set(conditions) - set(RULE_KEYS):
            report(f"{slug}: the context of `{alias}` must be a mapping of {', '.join(RULE_KEYS)}")
            ok = False
        elif not _is_texts(conditions.get("near", [])) or not all(
                conditions.get(key, False) in (True, False) for key in ("not_in_names", "defined")):
            report(f"{slug}: in the context of `{alias}`, `near` takes a list of words and the others `true`")
            ok = False
        else:
            try:
                near = tuple(p for text in conditions.get("near", []) for p in compile_phrases(text, None))
            except ValueError as exc:
                report(f"{slug}: a `near` word of `{alias}` {exc}")
                ok = False
                continue
            rules.append((alias, Rule(near, bool(conditions.get("not_in_names")), bool(conditions.get("defined")))))
    return tuple(rules) if ok else None


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _is_reference(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("title"), str)
        and isinstance(value.get("url"), str)
        and value["url"].startswith(("https://", "http://"))
    )
