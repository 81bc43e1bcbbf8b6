"""content/removed.yml: papers a person took out of the atlas, so that ingest leaves them out.

Deleting a paper's file is not enough: the next `atlas ingest content/digests` would find the
paper in its digests again and bring it back. `atlas remove` records each removed paper's
identity (its digest lines, arXiv id, title and abstract) with the reason, and ingest skips
every entry that is one of them, as merge judges "the same paper". The file is reviewed like
any change to content/: new entries are appended, and what is there is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from .. import files
from ..model import Paper, Problem, error
from .papers import PlainDumper, alias_line, read_sources, source_dict

REMOVED_FILE = "removed.yml"
MAX_BYTES = 10_000_000
HEADER = """\
# Papers taken out of the atlas with `atlas remove SLUG --reason TEXT`, and why.
# `atlas ingest` skips every digest entry that is one of these papers: the same digest line,
# the same arXiv id, the same title or a near-identical abstract. Delete an entry to let the
# paper come back with the next ingest.
"""


def load_removed(content: Path) -> tuple[list[Paper], list[Problem]]:
    """The removed papers (slug, title, abstract, sources, links), or the problems reading them."""
    path = content / REMOVED_FILE
    if not path.exists():
        return [], []
    if files.leaves(path, content):
        return [], [error(path, None, "a symbolic link to a file outside content/; copy the file in instead")]
    try:
        text = files.read_capped(path, MAX_BYTES, "removed.yml").decode("utf-8")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            node = loader.get_single_node()
            if line := alias_line(node):
                return [], [error(path, line, "repeats a value with a YAML anchor and alias; write it out instead")]
            items = loader.construct_document(node) if node is not None else []
        finally:
            loader.dispose()
    except (files.UnreadableFile, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], [error(path, None, f"cannot read the removed papers: {exc}")]
    lines = [item.start_mark.line + 1 for item in node.value] if isinstance(node, yaml.SequenceNode) else []
    if not isinstance(items, list):
        return [], [error(path, 1, "removed.yml must be a list of removed papers")]
    papers, problems = [], []
    for number, item in enumerate(items):
        paper = _paper(item)
        if paper is None:
            problems.append(error(path, lines[number] if number < len(lines) else 1,
                                  "each removed paper needs `slug`, `title`, `abstract` and `reason` as texts"))
        else:
            papers.append(paper)
    return papers, problems


def _paper(item: Any) -> Paper | None:
    if not isinstance(item, dict) or not all(isinstance(item.get(key), str) for key in ("slug", "title", "abstract", "reason")):
        return None
    sources = read_sources(item.get("sources", []))
    links = item.get("links")
    return Paper(slug=item["slug"], title=item["title"], abstract=item["abstract"], sources=sources or (),
                 extra={"links": links} if isinstance(links, dict) else {})


def removed_text(content: Path, paper: Paper, reason: str, today: dt.date) -> str:
    """content/removed.yml as it will be with `paper` added: the file as it is, then the new entry."""
    path = content / REMOVED_FILE
    existing = path.read_text(encoding="utf-8") if path.exists() else HEADER
    entry: dict[str, Any] = {"slug": paper.slug, "title": paper.title, "reason": reason, "removed": today}
    links = paper.extra.get("links")
    if isinstance(links, dict) and isinstance(links.get("arxiv"), str):
        entry["links"] = {"arxiv": links["arxiv"]}
    if paper.sources:
        entry["sources"] = [source_dict(source) for source in paper.sources]
    entry["abstract"] = paper.abstract
    block = yaml.dump([entry], Dumper=PlainDumper, sort_keys=False, allow_unicode=True, width=100_000)
    return existing + ("" if existing.endswith("\n") else "\n") + block
