"""The pipeline's stages in order, each one a call into the module that owns it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from . import formats, store
from .merge import merge
from .model import Entry, Paper, Problem, error
from .progress import Progress


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did (or, with dry_run, would do)."""

    digests: int = 0
    entries: int = 0
    twins: int = 0
    created: tuple[Paper, ...] = ()
    updated: tuple[tuple[Paper, Paper], ...] = ()  # (before, after)
    unchanged: int = 0
    problems: tuple[Problem, ...] = field(default=())
    written: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def ingest(paths: list[str], content: Path, fmt: str = "auto", dry_run: bool = False, progress: Progress | None = None) -> IngestReport:
    """Parse digests, merge them into content/papers/, and write what changed: all or nothing."""
    progress = progress or Progress(quiet=True)
    files, problems = find_digests(paths)
    entries: list[Entry] = []
    for done, (path, display) in enumerate(files, start=1):
        digest = formats.read_digest(path, display, fmt)
        entries.extend(digest.entries)
        problems.extend(digest.problems)
        progress.count("reading digests", done, len(files))
    existing, found = store.load_papers(content)
    problems.extend(found)
    report = IngestReport(digests=len(files), entries=len(entries), problems=tuple(problems))
    if report.errors:
        return report
    merged = merge(existing, entries, {p.slug: str(store.paper_path(content, p.slug)) for p in existing})
    before = {p.slug: p for p in existing}
    created = tuple(p for p in merged.papers if p.slug not in before)
    updated = tuple((before[p.slug], p) for p in merged.papers if p.slug in before and p != before[p.slug])
    report = replace(
        report,
        twins=merged.twins,
        created=created,
        updated=updated,
        unchanged=len(existing) - len(updated),
        problems=report.problems + merged.warnings,
    )
    if not dry_run and (created or updated):
        store.write_papers(content, [*created, *(after for _, after in updated)])
        progress.count("writing papers", len(created) + len(updated), len(created) + len(updated))
        report = replace(report, written=True)
    return report


def find_digests(paths: list[str]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Each digest file named, or found as `*.txt` in a named folder, with its display name."""
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(path.glob("*.txt"))
            files.extend((p, str(p)) for p in inside)
            if not inside:
                problems.append(error(name, None, "folder holds no *.txt digest"))
        elif path.is_file():
            files.append((path, name))
        else:
            problems.append(error(name, None, "no such file or folder"))
    unique = list(dict.fromkeys(files))
    return unique, problems
