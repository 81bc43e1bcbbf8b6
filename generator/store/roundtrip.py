"""Updating a paper file that a person may have edited: only the changed keys are rewritten.

Ingest adds provenance and fills empty fields of papers that already have a file. Rewriting
that file in the canonical layout would drop the person's YAML comments (`# checked against
the PDF`), their key order and their quoting. So the lines of each changed key are replaced
(a new key goes where the canonical layout puts it) and the rest is left as it was; the result
is read back and compared. Where that is not safe (a comment inside a changed value), or does
not read back, ruamel.yaml's round-trip mode, which keeps comments too, does the update.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import yaml
from ruamel.yaml import YAML

from ..model import Paper
from .papers import ARXIV_KEYS, arxiv_values, dumper_for, source_dict

_CLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The keys ingest may change, in the canonical order a new one is placed by.
_ORDER = ("title", "title_inferred", "authors", "date", "added", "links", *ARXIV_KEYS, "sources")


def update_text(text: str, before: Paper, after: Paper) -> str:
    """The text of a paper file (line ends `\\n`) that held `before`, changed to hold `after`;
    only keys whose values differ are touched."""
    front, rest = _split(text)
    changes = {key: _value(after, key) for key in _ORDER if _value(before, key) != _value(after, key)}
    spliced = _spliced(front, changes)
    return "---\n" + (spliced if spliced is not None else _round_trip(front, before, after)) + rest


def _spliced(front: str, changes: dict[str, Any]) -> str | None:
    """The front matter with each changed key's lines replaced, inserted or removed as text, or
    None when that is not safe (a comment inside a changed value, `links` to merge into, or a
    result that does not read back as intended): ruamel.yaml then does it, ten times slower."""
    if "links" in changes:
        return None
    node = yaml.compose(front, Loader=_CLoader)
    if not isinstance(node, yaml.MappingNode):
        return None
    spans = {key.value: (key.start_mark.index, _value_end(value)) for key, value in node.value}
    edits: list[tuple[int, int, int, int, str]] = []  # (start, replaces, canonical rank, end, new text)
    for rank, (key, value) in enumerate(changes.items()):
        new = "" if value is None else _dumped(key, value)
        if key in spans:
            start, end = spans[key]
            if "#" in front[start:end] or front[end : front.find("\n", end)].strip():
                return None
            edits.append((start, 1, rank, end + (value is None), new.rstrip("\n")))
        elif value is not None:
            point = _insertion_point(front, spans, key)
            edits.append((point, 0, rank, point, new))
    spliced = front
    # From the end backwards, so that earlier offsets hold; at one offset a replacement first,
    # then the insertions, the canonically later first, so that they end up in canonical order.
    for start, _, _, end, new in sorted(edits, reverse=True):
        spliced = spliced[:start] + new + spliced[end:]
    return spliced if _reads_back(front, spliced, changes) else None


def _value_end(node: yaml.Node) -> int:
    """Where a value's own text ends: a block collection's last scalar, not the comments after it."""
    while isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and node.value and node.flow_style is not True:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark.index


def _insertion_point(front: str, spans: dict[str, tuple[int, int]], key: str) -> int:
    """Where a new key goes: on the line after the last key before it canonically, else first
    (and `sources`, provenance, last)."""
    if key == "sources":
        return len(front)
    earlier = [spans[k][1] for k in _ORDER[: _ORDER.index(key)] if k in spans]
    return front.index("\n", max(earlier)) + 1 if earlier else 0


def _dumped(key: str, value: Any) -> str:
    return yaml.dump({key: value}, Dumper=dumper_for(value), sort_keys=False, allow_unicode=True, width=100_000)


def _reads_back(front: str, spliced: str, changes: dict[str, Any]) -> bool:
    """Whether the spliced front matter holds the changes, and every other key as it was, in
    the order it was."""
    try:
        old, now = yaml.load(front, Loader=_CLoader), yaml.load(spliced, Loader=_CLoader)
    except yaml.YAMLError:
        return False
    kept = [key for key in old if key not in changes]
    expected = {**{key: old[key] for key in kept}, **{key: value for key, value in changes.items() if value is not None}}
    return isinstance(now, dict) and now == expected and [key for key in now if key in kept] == kept


def _round_trip(front: str, before: Paper, after: Paper) -> str:
    yaml = _yaml()
    meta = yaml.load(front)
    for key in _ORDER:
        old, new = _value(before, key), _value(after, key)
        if old == new:
            continue
        if key == "links" and isinstance(meta.get("links"), dict):
            _update_links(meta["links"], old or {}, new or {})
        elif new is None:
            meta.pop(key, None)
        elif key in meta:
            meta[key] = new
        else:
            meta.insert(_position(meta, key), key, new)
    out = io.StringIO()
    yaml.dump(meta, out)
    return out.getvalue()


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100_000  # never fold a long title
    yaml.indent(mapping=2, sequence=2, offset=0)  # the layout render_paper writes
    return yaml


def _split(text: str) -> tuple[str, str]:
    """(front matter, the closing `---` line and everything after it)."""
    end = text.index("\n---\n", 3) + 1
    return text[4:end], text[end:]


def _value(paper: Paper, key: str) -> Any:
    """The front-matter value of `key` for `paper`, None when the key is absent."""
    if key == "title_inferred":
        return True if paper.title_inferred else None
    if key == "authors":
        return list(paper.authors) or None
    if key == "sources":
        return [source_dict(source) for source in paper.sources] or None
    if key == "links":
        return paper.extra.get("links")
    if key in ARXIV_KEYS:
        return arxiv_values(paper)[key] or None
    value = getattr(paper, key)
    return value if not isinstance(value, dt.datetime) else value.date()


def _update_links(links: Any, old: dict, new: dict) -> None:
    """Set, inside a person's `links` mapping, only the links that changed (ingest adds `arxiv`)."""
    for name, value in new.items():
        if old.get(name) != value:
            links[name] = value


def _position(meta: Any, key: str) -> int:
    """Where a new key goes: after the last key present that comes before it canonically."""
    keys = list(meta)
    if key == "sources":  # provenance comes last, after the keys people curate
        return len(keys)
    return max((keys.index(k) + 1 for k in _ORDER[: _ORDER.index(key)] if k in keys), default=0)
