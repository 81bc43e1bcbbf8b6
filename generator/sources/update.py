"""The arXiv stages end to end: `atlas fetch` (watched queries to new papers), `atlas enrich`
(records for incomplete papers) and the record `atlas add --arxiv` starts from. Each asks arXiv
through sources/arxiv.py, then writes through the same merge, checks and journal as ingest."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .. import formats, store
from ..cite import ARXIV_ID, arxiv_id
from ..formats import parse_digest
from ..model import Entry, Paper, Problem, error, warning
from ..pipeline import IngestReport, Reported, added_today, errors_in, ingest_entries
from ..progress import Progress
from . import enrich as enriching
from . import watch
from .arxiv import ArxivClient, ArxivError


@dataclass(frozen=True)
class FetchReport(Reported):
    """What a fetch did: the pages it saved (paths relative to content/), what their ingest did,
    and how many requests arXiv served."""

    pages: tuple[str, ...] = ()
    ingest: IngestReport | None = None
    requests: int = 0
    problems: tuple[Problem, ...] = ()


def fetch(content: Path, client: ArxivClient, since: dt.date | None = None, dry_run: bool = False,
          progress: Progress | None = None) -> FetchReport:
    """Ask arXiv for what each watched query found since it last looked, save each page that
    brings a paper the atlas lacks into content/digests/arxiv/, and ingest them: all of it, or
    (when arXiv fails or an input is wrong) nothing."""
    progress = progress or Progress(quiet=True)
    watches, problems = watch.load_watches(content)
    if problems:
        return FetchReport(problems=tuple(problems))
    known = {identifier for paper in store.load_papers(content)[0] if (identifier := arxiv_id(paper))}
    today, new_files, entries = added_today(), {}, []
    try:
        for number, query in enumerate(watches, start=1):
            first = since or watch.newest_seen(content, query) or today - dt.timedelta(days=watch.FIRST_LOOK_DAYS)
            for text, found in watch.pages(client, query, first, today):
                if all(entry.arxiv in known for entry in found):
                    continue  # nothing new on this page: saving it would only repeat provenance
                name = watch.page_name(content, query, today, set(new_files))
                new_files[name] = text
                entries += parse_digest(text, name, "arxiv-atom").entries
                known |= {entry.arxiv for entry in found}
            progress.count("asking arXiv", number, len(watches))
    except ArxivError as exc:
        return FetchReport(requests=client.requests, problems=(error("arXiv", None, f"{exc}; nothing was written"),))
    report = ingest_entries(content, entries, [], len(new_files), dry_run, progress, new_files) if new_files else None
    return FetchReport(pages=tuple(new_files), ingest=report, requests=client.requests,
                       problems=report.problems if report else ())


@dataclass(frozen=True)
class EnrichReport(Reported):
    """What an enrich found for each paper it looked up, and the papers it completed."""

    lookups: tuple[enriching.Lookup, ...] = ()
    updated: tuple[Paper, ...] = ()
    requests: int = 0
    problems: tuple[Problem, ...] = ()
    written: bool = False


def enrich(content: Path, client: ArxivClient, paths: list[Path] | None = None, from_files: list[str] = (),
           dry_run: bool = False) -> EnrichReport:
    """Complete, from arXiv, every paper (or those named) that lacks an arXiv id, authors or a
    date: fill empty fields only, with the record added to the paper's sources."""
    given, problems = [], []
    for name in from_files:
        digest = formats.read_digest(Path(name), name, "arxiv-atom")
        given += digest.entries
        problems += digest.problems
    if any(problem.is_error for problem in problems):
        return EnrichReport(problems=tuple(problems))
    with store.locked(content) as recovered:
        versions: dict[str, str] = {}
        papers, found = store.load_papers(content, versions)
        problems += [warning(content, None, line) for line in recovered] + found
        named = {path.stem for path in paths or []}
        chosen = [p for p in papers if enriching.needs_enriching(p) and (not named or p.slug in named)]
        if any(problem.is_error for problem in problems) or not chosen:
            return EnrichReport(requests=client.requests, problems=tuple(problems))
        lookups = enriching.look_up(client, chosen, given)
        before, today = {paper.slug: paper for paper in papers}, added_today()
        updated = [after for lookup in lookups if lookup.entry is not None and lookup.outcome == "resolved"
                   for after in [enriching.apply(before[lookup.slug], lookup.entry, today)] if after != before[lookup.slug]]
        texts = {paper.slug: store.file_text(content, paper, before[paper.slug]) for paper in updated}
        problems += [problem for paper in updated for problem in errors_in(store.paper_path(content, paper.slug), texts[paper.slug], paper)]
        report = EnrichReport(tuple(lookups), tuple(updated), client.requests, tuple(problems))
        if report.errors or dry_run or not texts:
            return report
        try:
            store.write_texts(content, texts, versions)
        except store.Conflict as conflict:
            return replace(report, problems=report.problems + (error(conflict.path, None, str(conflict)),))
        return replace(report, written=True)


def entry_from_arxiv(client: ArxivClient, identifier: str) -> tuple[Entry | None, list[Problem]]:
    """The paper arXiv has under `identifier` (with or without a version), as an entry."""
    written = identifier.strip().removeprefix("arXiv:")
    bare = re.sub(r"v\d+$", "", written) if ARXIV_ID.match(written) else None  # the version arXiv adds goes
    if bare is None:
        return None, [error("--arxiv", None, f"`{identifier}` is no arXiv identifier such as 2502.21231")]
    try:
        (text,) = client.by_ids([bare])
    except ArxivError as exc:
        return None, [error("arXiv", None, str(exc))]
    digest = parse_digest(text, f"arxiv-{bare.replace('/', '-')}.atom", "arxiv-atom")
    found = [entry for entry in digest.entries if entry.arxiv == bare]
    if not found:
        return None, [*digest.problems, error("arXiv", None, f"arXiv has no paper {bare}")]
    return found[0], list(digest.problems)
