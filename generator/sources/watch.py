"""The arXiv queries the atlas watches (content/sources.yml) and the pages `atlas fetch` asks for.

Each watch has a name, an arXiv query, optional categories and the most papers one run takes.
A run asks for what was submitted since the newest paper already saved for that watch (or
since a given day), newest first, a page of at most PAGE_SIZE entries at a time. Each page is
saved, as arXiv sent it, as content/digests/arxiv/<day>-<watch>-<n>.atom: a digest like any
other, never edited, and the provenance of the papers it brings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import files
from ..formats import parse_digest, read_digest
from ..limits import FIRST_YEAR
from ..model import Entry, Problem, Skipped, error
from ..store import alias_line
from ..text import SLUG, did_you_mean
from .arxiv import ArxivClient

SOURCES_FILE = "sources.yml"
ARXIV_DIGESTS = "digests/arxiv"
PAGE_SIZE = 100
FIRST_LOOK_DAYS = 7  # how far back a watch with nothing saved yet looks
LOOK_BACK_DAYS = 2  # arXiv lists a paper a day or more after its submission: look again that far back
MAX_PER_RUN = 2_000  # the largest `max` a query may have
EARLIEST = dt.date(FIRST_YEAR, 1, 1)  # no window starts before this day
WATCH_KEYS = ("name", "query", "categories", "max")
CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")  # cs.LG, math.OC, hep-th


@dataclass(frozen=True)
class Watch:
    name: str
    query: str  # arXiv's search syntax: all:, ti:, abs:, au:, AND, OR
    categories: tuple[str, ...] = ()
    most: int = 200  # papers a run takes at most

    def search_query(self, since: dt.date, until: dt.date) -> str:
        if not EARLIEST <= since <= until:
            raise ValueError(f"no window to ask arXiv about: {since} to {until}")
        parts = [f"({self.query})"]
        if self.categories:
            parts.append("(" + " OR ".join(f"cat:{c}" for c in self.categories) + ")")
        parts.append(f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]")
        return " AND ".join(parts)


def load_watches(content: Path) -> tuple[list[Watch], list[Problem]]:
    """The watches in content/sources.yml, or every problem with the file (each at its line)."""
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
    if not isinstance(items, list) or not items:
        return [], [error(path, 1, "sources.yml must hold `queries:`, a list of {name, query, categories, max}")]
    problems = [error(path, _key_line(node, key), f"unknown key `{key}` in sources.yml{_did_you_mean(key, ('queries',))}")
                for key in raw if key != "queries"]
    lines, watches = _item_lines(node), []
    for number, item in enumerate(items):
        watch, found = _watch(item)
        line = lines[number] if number < len(lines) else 1
        problems += [error(path, line, message) for message in found]
        if watch is not None:
            watches.append(watch)
    if len({w.name for w in watches}) < len(watches):
        problems.append(error(path, 1, "two queries have the same name"))
    return (watches if not problems else []), problems


def _watch(item: Any) -> tuple[Watch | None, list[str]]:
    """The watch an item of `queries:` describes, or what is wrong with it."""
    if not isinstance(item, dict):
        return None, ["a query is a mapping: {name, query, categories, max}"]
    problems = [f"unknown key `{key}` in a query{_did_you_mean(str(key), WATCH_KEYS)}" for key in item if key not in WATCH_KEYS]
    name, query, categories, most = item.get("name"), item.get("query"), item.get("categories", []), item.get("max", 200)
    if not (isinstance(name, str) and SLUG.match(name)):
        problems.append("`name` must be a slug (lower-case words joined by hyphens): it names the saved pages")
    if not (isinstance(query, str) and query.strip()):
        problems.append("`query` must be arXiv's search syntax, such as 'abs:\"reward model\"'")
    if not (isinstance(categories, list) and all(isinstance(c, str) and CATEGORY.match(c.strip()) for c in categories)):
        problems.append("`categories` must be a list of arXiv categories, such as [cs.LG, cs.CL]")
    if not (isinstance(most, int) and not isinstance(most, bool) and 1 <= most <= MAX_PER_RUN):
        problems.append(f"`max` must be a whole number from 1 to {MAX_PER_RUN:,}: the most papers one run takes")
    if problems:
        return None, problems
    return Watch(name, " ".join(query.split()), tuple(c.strip() for c in categories), most), []


def _did_you_mean(key: str, known: tuple[str, ...]) -> str:
    return did_you_mean(key, known) or f"; the keys are {', '.join(f'`{k}`' for k in known)}"


def _key_line(node, key: str) -> int:
    return next((k.start_mark.line + 1 for k, _ in getattr(node, "value", []) if getattr(k, "value", None) == key), 1)


def _item_lines(node) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return next(([item.start_mark.line + 1 for item in value.value] for key, value in node.value
                 if key.value == "queries" and isinstance(value, yaml.SequenceNode)), [])


def window(content: Path, watch: Watch, since: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days to ask arXiv about: from `since`, else from LOOK_BACK_DAYS before the newest
    paper saved for the watch (FIRST_LOOK_DAYS back when none is), to today. Never inverted,
    never before EARLIEST, whatever dates the saved pages hold."""
    if since is None:
        newest = newest_seen(content, watch)
        since = newest - dt.timedelta(days=LOOK_BACK_DAYS) if newest else today - dt.timedelta(days=FIRST_LOOK_DAYS)
    return min(max(since, EARLIEST), today), today


def newest_seen(content: Path, watch: Watch) -> dt.date | None:
    """The newest submission date among the pages saved for this watch, if any. Each run asks
    only for what is newer than the last, so the pages of the last day a run saved suffice
    (a year of daily pages is not read again every day). An entry dated in the future was
    skipped when its page was read, and so cannot move the window past today's papers."""
    pages = saved_pages(content, watch)
    last_day = pages[-1].name[:10] if pages else ""
    dates = [entry.date for path in pages if path.name.startswith(last_day) for entry in _entries(path) if entry.date]
    return max(dates, default=None)


def saved_pages(content: Path, watch: Watch) -> list[Path]:
    folder = content / ARXIV_DIGESTS
    return sorted(folder.glob(f"*-{watch.name}-*.atom")) if folder.is_dir() else []


def _entries(path: Path) -> tuple[Entry, ...]:
    return read_digest(path, path.name, "arxiv-atom").entries  # capped, and regular files only


@dataclass(frozen=True)
class Page:
    """One page of arXiv's answer to a watch: the text as it is saved, the entries that can
    become papers, and those skipped, with why."""

    text: str
    entries: tuple[Entry, ...]
    skipped: tuple[Skipped, ...]


def pages(client: ArxivClient, watch: Watch, since: dt.date, until: dt.date) -> list[Page]:
    """The pages arXiv sends for the watch, up to watch.most entries however many the server
    would send; raises ArxivError when arXiv cannot answer."""
    found, start = [], 0
    while start < watch.most:
        size = min(PAGE_SIZE, watch.most - start)
        text = client.query(watch.search_query(since, until), start, size)  # never more than `size` entries
        digest = parse_digest(text, f"{watch.name}.atom", "arxiv-atom")
        if digest.entries or digest.skipped:
            found.append(Page(text, digest.entries, digest.skipped))
        if len(digest.entries) + len(digest.skipped) < size:
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
