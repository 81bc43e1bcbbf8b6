"""Write: the only module that writes build/. Pages go to build/docs/, MkDocs turns them into site/.

Only pages whose bytes changed are rewritten, and pages that no longer exist are removed, so
`mkdocs serve` rebuilds only after real changes and two builds leave identical trees.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath


class SiteError(Exception):
    """The site could not be written or built; the message says why."""


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def write_docs(docs: Path, pages: dict[str, str]) -> WriteReport:
    """Make `docs` hold exactly `pages` ({relative path: text})."""
    report = WriteReport()
    existing = {path.relative_to(docs).as_posix() for path in docs.rglob("*") if path.is_file()} if docs.is_dir() else set()
    folders: set[Path] = set()
    for relative, text in sorted(pages.items()):
        target = docs / _safe_relative(relative)
        data = text.encode("utf-8")
        if relative in existing and target.read_bytes() == data:
            report.unchanged += 1
            continue
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        target.write_bytes(data)  # build/ is regenerated on every build, so no staging as in store.py
        report.written.append(relative)
    for relative in sorted(existing - set(pages)):
        (docs / relative).unlink()
        report.removed.append(relative)
    for folder in sorted((p for p in docs.rglob("*") if p.is_dir()), reverse=True):  # children first
        if not any(folder.iterdir()):
            folder.rmdir()
    return report


def _safe_relative(relative: str) -> PurePosixPath:
    """A page path that cannot leave the docs folder (slugs are checked upstream; this is the last guard)."""
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise SiteError(f"refusing to write a page outside the docs folder: {relative!r}")
    return path


def run_mkdocs(config_file: Path, docs: Path, site: Path, strict: bool) -> list[str]:
    """Build `site` from `docs` with MkDocs; the warnings it logged. Raises SiteError if it fails."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    propagate, logger.propagate = logger.propagate, False
    try:
        config = load_config(str(config_file), docs_dir=str(docs.resolve()), site_dir=str(site.resolve()), strict=strict)
        build(config)
    except (MkDocsException, OSError) as exc:
        raise SiteError("; ".join([*collector.messages, str(exc)])) from exc
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate
    return collector.messages


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
