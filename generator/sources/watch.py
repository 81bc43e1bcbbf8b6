"""The arXiv queries the atlas watches (content/sources.yml) and the pages `atlas fetch` asks for.

Each watch has a name, an arXiv query, optional categories and the most papers one run takes.
A run asks for what was submitted since the newest paper already saved for that watch (or
since a given day), newest first, a page of at most PAGE_SIZE entries at a time. Each page is
saved, as arXiv sent it, as content/digests/arxiv/<day>-<watch>-<n>.atom: a digest like any
other, never edited, and the provenance of the papers it brings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import files
from ..formats import parse_digest
from ..model import Entry, Problem, error
from ..store import alias_line
from ..text import SLUG
from .arxiv import ArxivClient

SOURCES_FILE = "sources.yml"
ARXIV_DIGESTS = "digests/arxiv"
PAGE_SIZE = 100
FIRST_LOOK_DAYS = 7  # how far back a watch with nothing saved yet looks


@dataclass(frozen=True)
class Watch:
    name: str
    query: str  # arXiv's search syntax: all:, ti:, abs:, au:, AND, OR
    categories: tuple[str, ...] = ()
    most: int = 200  # papers a run takes at most

    def search_query(self, since: dt.date, until: dt.date) -> str:
        parts = [f"({self.query})"]
        if self.categories:
            parts.append("(" + " OR ".join(f"cat:{c}" for c in self.categories) + ")")
        parts.append(f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]")
        return " AND ".join(parts)


def load_watches(content: Path) -> tuple[list[Watch], list[Problem]]:
    """The watches in content/sources.yml, or every problem with the file."""
    path = content / SOURCES_FILE
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(files.read_capped(path, 100_000, "sources.yml").decode("utf-8"))
        try:
            node = loader.get_single_node()
            if line := alias_line(node):
                return [], [error(path, line, "repeats a value with a YAML anchor and alias; write it out instead")]
            raw = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except (files.UnreadableFile, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [], [error(path, None, f"cannot read the watched queries: {exc}")]
    items = raw.get("queries") if isinstance(raw, dict) else None
    lines = _item_lines(node)
    if not isinstance(items, list) or not items:
        return [], [error(path, 1, "sources.yml must hold `queries:`, a list of {name, query, categories, max}")]
    watches, problems = [], []
    for number, item in enumerate(items):
        watch = _watch(item)
        if watch is None:
            problems.append(error(path, lines[number] if number < len(lines) else 1, "a query needs `name` (a slug) and `query` "
                                  "(arXiv's syntax); `categories` is a list of arXiv categories, `max` a positive number"))
        else:
            watches.append(watch)
    if len({w.name for w in watches}) < len(watches):
        problems.append(error(path, 1, "two queries have the same name"))
    return watches, problems


def _watch(item: Any) -> Watch | None:
    if not isinstance(item, dict):
        return None
    name, query, categories, most = item.get("name"), item.get("query"), item.get("categories", []), item.get("max", 200)
    if not (isinstance(name, str) and SLUG.match(name) and isinstance(query, str) and query.strip()):
        return None
    if not (isinstance(categories, list) and all(isinstance(c, str) and c.strip() for c in categories)):
        return None
    if not (isinstance(most, int) and not isinstance(most, bool) and most > 0):
        return None
    return Watch(name, " ".join(query.split()), tuple(c.strip() for c in categories), most)


def _item_lines(node) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return next(([item.start_mark.line + 1 for item in value.value] for key, value in node.value
                 if key.value == "queries" and isinstance(value, yaml.SequenceNode)), [])


def newest_seen(content: Path, watch: Watch) -> dt.date | None:
    """The newest submission date among the pages saved for this watch, if any. Each run asks
    only for what is newer than the last, so the pages of the last day a run saved suffice
    (a year of daily pages is not read again every day)."""
    pages = saved_pages(content, watch)
    last_day = pages[-1].name[:10] if pages else ""
    dates = [entry.date for path in pages if path.name.startswith(last_day) for entry in _entries(path) if entry.date]
    return max(dates, default=None)


def saved_pages(content: Path, watch: Watch) -> list[Path]:
    folder = content / ARXIV_DIGESTS
    return sorted(folder.glob(f"*-{watch.name}-*.atom")) if folder.is_dir() else []


def _entries(path: Path) -> tuple[Entry, ...]:
    return parse_digest(path.read_text(encoding="utf-8"), path.name, "arxiv-atom").entries


def pages(client: ArxivClient, watch: Watch, since: dt.date, until: dt.date) -> list[tuple[str, tuple[Entry, ...]]]:
    """(raw answer, its entries) of each page arXiv sends for the watch, up to watch.most
    papers; raises ArxivError when arXiv cannot answer."""
    found, start = [], 0
    while start < watch.most:
        size = min(PAGE_SIZE, watch.most - start)
        text = client.query(watch.search_query(since, until), start, size)
        entries = parse_digest(text, f"{watch.name}.atom", "arxiv-atom").entries
        if entries:
            found.append((text, entries))
        if len(entries) < size:
            break
        start += size
    return found


def page_name(content: Path, watch: Watch, day: dt.date, taken: set[str]) -> str:
    """A new file name, relative to content/, for a page fetched on `day` for this watch."""
    number = 1
    while (name := f"{ARXIV_DIGESTS}/{day.isoformat()}-{watch.name}-{number:02d}.atom") in taken or (content / name).exists():
        number += 1
    taken.add(name)
    return name
