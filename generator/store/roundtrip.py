"""Updating a paper file that a person may have edited: only the changed keys are rewritten.

Ingest adds provenance and fills empty fields of papers that already have a file. Rewriting
that file in the canonical layout would drop the person's YAML comments (`# checked against
the PDF`), their key order and their quoting. ruamel.yaml's round-trip mode keeps all of that:
the front matter is loaded with its comments, the keys ingest changed are set in place (a new
key goes where the canonical layout puts it), and the rest of the file is left as it was.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ruamel.yaml import YAML

from ..model import Paper
from .papers import ARXIV_KEYS, arxiv_values, source_dict

# The keys ingest may change, in the canonical order a new one is placed by.
_ORDER = ("title", "title_inferred", "authors", "date", "added", "links", *ARXIV_KEYS, "sources")


def update_text(text: str, before: Paper, after: Paper) -> str:
    """The text of a paper file (line ends `\\n`) that held `before`, changed to hold `after`;
    only keys whose values differ are touched."""
    front, rest = _split(text)
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
    return "---\n" + out.getvalue() + rest


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
