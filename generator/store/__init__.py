"""content/: the only package that reads or writes what people own.

- papers.py reads paper files safely and writes a new one in the canonical layout;
- roundtrip.py updates an existing file in place, keeping a person's comments and key order;
- removed.py keeps content/removed.yml, the papers taken out that ingest must not bring back;
- journal.py makes every batch of writes all or nothing, under a lock, even across `kill -9`.

Writers take the lock first (`with locked(content):`), read what they need with `versions`,
and write with write_papers() or remove_paper(): a file that changed since it was read stops
the batch before anything is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..model import Paper
from .journal import ABSENT, ANY, Conflict, ContentBusy, Write, apply, current_hash, locked, recover_if_idle
from .papers import (
    ABSTRACT_LINE,
    ARXIV_KEYS,
    MAX_FILE_BYTES,
    PAPERS_DIR,
    alias_line,
    load_papers,
    paper_files,
    paper_path,
    papers_dir,
    parse_paper,
    read_paper,
    read_text,
    read_versioned,
    render_paper,
)
from .removed import REMOVED_FILE, load_removed, removed_text
from .roundtrip import update_text

__all__ = [
    "ABSTRACT_LINE", "ARXIV_KEYS", "MAX_FILE_BYTES", "PAPERS_DIR", "REMOVED_FILE", "Conflict", "ContentBusy", "alias_line", "current_hash",
    "load_papers", "load_removed", "locked", "paper_files", "paper_path", "papers_dir", "parse_paper", "read_paper",
    "read_text", "read_versioned", "recover_if_idle", "remove_paper", "render_paper", "write_papers", "write_texts", "file_text",
]


def file_text(content: Path, paper: Paper, previous: Paper | None) -> str:
    """The text `paper`'s file will hold: the file as it is with only the changed keys
    rewritten when it exists (`previous` is what it held), the canonical layout otherwise."""
    path = paper_path(content, paper.slug)
    if previous is None or not path.exists():
        return render_paper(paper)
    current = read_text(path)[0]
    return update_text(current, previous, paper) if current is not None else render_paper(paper)


def write_papers(content: Path, papers: list[Paper], previous: dict[str, Paper] | None = None,
                 versions: dict[str, str] | None = None) -> list[Path]:
    """Write the papers' files as one batch: all of them, or none. `previous` holds, by slug,
    the papers as read from their files, which are updated in place (see write_texts)."""
    previous = previous or {}
    return write_texts(content, {paper.slug: file_text(content, paper, previous.get(paper.slug)) for paper in papers}, versions)


def write_texts(content: Path, texts: dict[str, str], versions: dict[str, str] | None = None,
                new_files: dict[str, str] | None = None) -> list[Path]:
    """Write each text to the file of the paper with that slug, and each of `new_files` (path
    relative to content/: text; none may exist yet), as one batch: all, or none.

    `versions` holds the hash of each file as read: a file that changed since, or a new
    paper's file that appeared meanwhile, raises Conflict and nothing is written. Without
    `versions`, files are written whatever they hold. The caller holds the lock.
    """
    writes = [Write(f"{PAPERS_DIR}/{paper_path(content, slug).name}", text,
                    ANY if versions is None else versions.get(slug, ABSENT)) for slug, text in texts.items()]
    writes += [Write(relative, text, ABSENT) for relative, text in (new_files or {}).items()]
    apply(content, writes)
    return [content / write.path for write in writes]


def remove_paper(content: Path, paper: Paper, reason: str, today: dt.date, version: str) -> None:
    """Delete the paper's file and record it in content/removed.yml, as one batch. The caller
    holds the lock; `version` is the hash of the file as read."""
    removed = content / REMOVED_FILE
    apply(content, [
        Write(f"{PAPERS_DIR}/{paper.slug}.md", None, version),
        Write(REMOVED_FILE, removed_text(content, paper, reason, today), current_hash(removed)),
    ])
