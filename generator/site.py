"""Write: the only module that writes build/. Pages go to build/docs/, MkDocs turns them into site/.

Only pages whose bytes changed are rewritten, and pages that no longer exist are removed, so
`mkdocs serve` rebuilds only after real changes and two builds leave identical trees.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class SiteError(Exception):
    """The site could not be written or built; the message says why."""


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    def add(self, other: WriteReport) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.removed += other.removed


# Plain os.path strings below: at 10,000 pages, pathlib objects alone cost a second.

def existing_pages(docs: Path) -> set[str]:
    """Every file below `docs`, as a path relative to it with `/` separators."""
    root = str(docs)
    return {
        os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
        for folder, _, files in os.walk(root)
        for name in files
    }


def write_pages(docs: Path, pages: Iterable[tuple[str, str | bytes]], existing: set[str]) -> WriteReport:
    """Write each (relative path, text or bytes) page whose bytes differ from what `docs` holds.

    Safe to run in several processes at once on different pages.
    """
    report, root, folders = WriteReport(), str(docs), set()
    for relative, text in pages:
        target = os.path.join(root, _safe_relative(relative))
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        if relative in existing:
            with open(target, "rb") as current:
                if current.read() == data:
                    report.unchanged += 1
                    continue
        folder = os.path.dirname(target)
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        with open(target, "wb") as output:  # build/ is regenerated every time: no staging as in store.py
            output.write(data)
        report.written.append(relative)
    return report


def replace_pages(docs: Path, pages: Iterable[tuple[str, str]]) -> None:
    """Write each (relative path, text) page whole: staged beside it, then renamed over it, for
    when MkDocs may be reading the folder meanwhile (`atlas serve`)."""
    for relative, text in pages:
        target = os.path.join(str(docs), _safe_relative(relative))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        staged = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.staged")  # a dot file: MkDocs skips it
        with open(staged, "w", encoding="utf-8") as output:
            output.write(text)
        os.replace(staged, target)


def remove_stale(docs: Path, existing: set[str], keep: set[str]) -> list[str]:
    """Remove the files of `existing` that are not in `keep`, then empty folders; what was removed."""
    root, removed = str(docs), sorted(existing - keep)
    for relative in removed:
        os.unlink(os.path.join(root, relative))
    for folder, subfolders, files in os.walk(root, topdown=False):
        if folder != root and not subfolders and not files and not os.listdir(folder):
            os.rmdir(folder)
    return removed


def _safe_relative(relative: str) -> str:
    """A page path that cannot leave the docs folder (slugs are checked upstream; this is the last guard)."""
    parts = relative.split("/")
    if relative.startswith("/") or ".." in parts or "" in parts or "\\" in relative:
        raise SiteError(f"refusing to write a page outside the docs folder: {relative!r}")
    return relative


def run_mkdocs(config_file: Path, docs: Path, site: Path, strict: bool, exclude: str = "", dirty: bool = False,
               serve_url: str | None = None) -> list[str]:
    """Build `site` from `docs` with MkDocs, leaving out the files `exclude` matches (gitignore
    patterns); the warnings it logged. Raises SiteError if it fails. `dirty` rebuilds only the
    pages whose source is newer than their HTML; `serve_url` is the preview's address."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    propagate, logger.propagate = logger.propagate, False
    try:
        overrides = {"exclude_docs": exclude} if exclude else {}
        if serve_url:
            overrides["site_url"] = serve_url
        config = load_config(str(config_file), docs_dir=str(docs.resolve()), site_dir=str(site.resolve()), strict=strict,
                             **overrides)
        config.plugins.on_startup(command="serve" if serve_url else "build", dirty=dirty)
        build(config, serve_url=serve_url, dirty=dirty)
    except (MkDocsException, OSError) as exc:
        raise SiteError("; ".join([*collector.messages, str(exc)])) from exc
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate
    return collector.messages


def configured_url(config_file: Path) -> str:
    """The `site_url` of the MkDocs configuration, read as MkDocs reads it (`!ENV` too), ending
    in "/" so that a path joins it as it is; '' when unset."""
    import yaml
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config_file, encoding="utf-8") as handle:
            config = yaml_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise SiteError(f"{config_file}: {exc}") from exc
    url = str((config or {}).get("site_url") or "")
    return url.rstrip("/") + "/" if url else ""


def copy_files(docs: Path, site: Path, paths: list[str]) -> None:
    """Copy files from docs into the built site, as MkDocs copies static files."""
    for relative in paths:
        target = site / _safe_relative(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(docs / relative, target)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
