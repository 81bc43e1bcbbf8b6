"""The arXiv stages end to end: `atlas fetch` (watched queries to new papers), `atlas enrich`
(records for incomplete papers) and the record `atlas add --arxiv` starts from. Each asks arXiv
through sources/arxiv.py, then writes through the same merge, checks and journal as ingest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from .. import formats, store
from ..cite import arxiv_id
from ..formats import parse_digest
from ..limits import bare_arxiv_identifier
from ..model import Entry, Paper, Problem, error, warning
from ..pipeline import IngestReport, Reported, added_today, errors_in, ingest_entries
from ..progress import Progress
from . import enrich as enriching
from . import watch
from .arxiv import ArxivClient, ArxivError
from .huggingface import HuggingFaceClient


@dataclass(frozen=True)
class SkippedEntry:
    """An entry arXiv sent for a watched query that cannot become a paper, and why."""

    query: str
    arxiv: str | None
    reason: str

    def __str__(self) -> str:
        return f"query `{self.query}`: entry {self.arxiv or '(no id)'} skipped: {self.reason}"


@dataclass(frozen=True)
class FetchReport(Reported):
    """What a fetch did: the pages it saved (paths relative to content/), what their ingest did,
    the entries it skipped, and how many requests arXiv served."""

    pages: tuple[str, ...] = ()
    ingest: IngestReport | None = None
    requests: int = 0
    problems: tuple[Problem, ...] = ()
    skipped: tuple[SkippedEntry, ...] = ()


def fetch(content: Path, client: ArxivClient, since: dt.date | None = None, dry_run: bool = False,
          progress: Progress | None = None) -> FetchReport:
    """Ask arXiv for what each watched query found since it last looked, save each page that
    brings a paper the atlas lacks into content/digests/arxiv/, and ingest them: all of it, or
    (when arXiv fails or an input is wrong) nothing. An entry that cannot become a paper is
    skipped, reported, and keeps no other out."""
    progress = progress or Progress(quiet=True)
    watches, problems = watch.load_watches(content)
    if problems:
        return FetchReport(problems=tuple(problems))
    known = {identifier for paper in store.load_papers(content)[0] if (identifier := arxiv_id(paper))}
    today, new_files, entries, skipped = added_today(), {}, [], {}
    try:
        for number, query in enumerate(watches, start=1):
            for page in watch.pages(client, query, *watch.window(content, query, since, today)):
                for entry in page.skipped:
                    skipped.setdefault(entry.arxiv, SkippedEntry(query.name, entry.arxiv, entry.reason))
                for entry in page.entries:
                    if not entry.arxiv:
                        skipped.setdefault(None, SkippedEntry(query.name, None, "it has no arXiv identifier"))
                if all(entry.arxiv in known for entry in page.entries if entry.arxiv):
                    continue  # nothing new on this page: saving it would only repeat provenance
                name = watch.page_name(content, query, today, set(new_files))
                new_files[name] = _savable(page.text, name)
                entries += [entry for entry in parse_digest(page.text, name, "arxiv-atom").entries if entry.arxiv]
                known |= {entry.arxiv for entry in page.entries}
            progress.count("asking arXiv", number, len(watches))
    except ArxivError as exc:
        return FetchReport(requests=client.requests, problems=(error("arXiv", None, f"{exc}; nothing was written"),))
    warnings = tuple(warning("arXiv", None, str(entry)) for entry in skipped.values())
    report = ingest_entries(content, entries, list(warnings), len(new_files), dry_run, progress, new_files) if new_files else None
    return FetchReport(pages=tuple(new_files), ingest=report, requests=client.requests,
                       problems=report.problems if report else warnings, skipped=tuple(skipped.values()))


def _savable(text: str, name: str) -> str:
    """The page's text, if ingest would read it back (what the client accepts may be larger
    than a digest may be, when ATLAS_ARXIV_MAX_BYTES is raised); else ArxivError."""
    size = len(text.encode("utf-8"))
    if size > formats.MAX_DIGEST_BYTES:
        raise ArxivError(f"the page for {name} is {size:,} bytes, over the {formats.MAX_DIGEST_BYTES:,} a digest may hold")
    return text


@dataclass(frozen=True)
class EnrichReport(Reported):
    """What an enrich found for each paper it looked up, and the papers it completed."""

    lookups: tuple[enriching.Lookup, ...] = ()
    updated: tuple[Paper, ...] = ()
    requests: int = 0
    problems: tuple[Problem, ...] = ()
    written: bool = False
    code_lookups: tuple[enriching.CodeLookup, ...] = ()
    code_requests: int = 0  # to Hugging Face


def enrich(content: Path, client: ArxivClient, paths: list[Path] | None = None, from_files: list[str] = (),
           dry_run: bool = False, code_client: HuggingFaceClient | None = None) -> EnrichReport:
    """Complete, from arXiv, every paper (or those named) that lacks an arXiv id, authors or a
    date: fill empty fields only, with the record added to the paper's sources. Then, with a
    `code_client`, ask Hugging Face for the code and project links of every paper (or those
    named) with an arXiv id and no code link, and fill them where empty. Both are asked before
    the content lock is taken, so contributors are never kept waiting on them; a file edited
    meanwhile stops the write, as in ingest."""
    given, problems = [], []
    for name in from_files:
        digest = formats.read_digest(Path(name), name, "arxiv-atom")
        given += digest.entries
        problems += digest.problems
    if any(problem.is_error for problem in problems):
        return EnrichReport(problems=tuple(problems))
    problems += [warning(content, None, line) for line in store.recover_if_idle(content)]
    versions: dict[str, str] = {}
    papers, found = store.load_papers(content, versions)
    problems += found
    named = {path.stem for path in paths or []}
    chosen = [p for p in papers if enriching.needs_enriching(p) and (not named or p.slug in named)]
    if any(problem.is_error for problem in problems):
        return EnrichReport(requests=client.requests, problems=tuple(problems))
    lookups = enriching.look_up(client, chosen, given) if chosen else []  # the network, with no lock held
    updated, texts = _applied(content, papers, lookups, problems)
    code_lookups = []
    if code_client is not None:
        current = {paper.slug: paper for paper in papers} | {paper.slug: paper for paper in updated}
        wanting = [p for p in current.values() if enriching.needs_code(p) and (not named or p.slug in named)]
        code_lookups = enriching.look_up_code(code_client, wanting)
        updated = _with_code(content, papers, current, code_lookups, texts, problems)
    report = EnrichReport(tuple(lookups), tuple(updated), client.requests, tuple(problems), code_lookups=tuple(code_lookups),
                          code_requests=code_client.requests if code_client else 0)
    if report.errors or dry_run or not texts:
        return report
    with store.locked(content):
        try:
            store.write_texts(content, texts, versions)
        except store.Conflict as conflict:
            return replace(report, problems=report.problems + (error(conflict.path, None, str(conflict)),))
    return replace(report, written=True)


def _with_code(content: Path, papers: list[Paper], current: dict[str, Paper], lookups: list[enriching.CodeLookup],
               texts: dict[str, str], problems: list[Problem]) -> list[Paper]:
    """Fill the code links Hugging Face found into `current` and `texts` (a paper arXiv
    completed too gets both in one text); a refused answer is a warning naming the paper.
    Every paper that changed, by arXiv or Hugging Face, in slug order."""
    before = {paper.slug: paper for paper in papers}
    for lookup in lookups:
        path = store.paper_path(content, lookup.slug)
        if lookup.outcome == "refused":
            problems.append(warning(path, None, f"no code link from Hugging Face: {lookup.detail}"))
        if lookup.links is None:
            continue
        after = enriching.with_code(current[lookup.slug], lookup.links)
        if after == current[lookup.slug]:
            continue  # a person's links already fill both
        text = store.file_text(content, after, before[lookup.slug])
        refused = errors_in(path, text, after)
        problems += [warning(path, None, f"Hugging Face's links are not applied: {p.message}") for p in refused]
        if not refused:
            current[lookup.slug], texts[lookup.slug] = after, text
    return [current[slug] for slug in sorted(texts)]


def _applied(content: Path, papers: list[Paper], lookups: list[enriching.Lookup],
             problems: list[Problem]) -> tuple[list[Paper], dict[str, str]]:
    """The papers the resolved records complete, and their files' texts. A record that would
    make a file `atlas validate` refuses is not applied: a warning says why, and the others are."""
    before, today = {paper.slug: paper for paper in papers}, added_today()
    updated, texts = [], {}
    for lookup in lookups:
        if lookup.entry is None or lookup.outcome != "resolved":
            continue
        after = enriching.apply(before[lookup.slug], lookup.entry, today)
        if after == before[lookup.slug]:
            continue
        path, text = store.paper_path(content, after.slug), store.file_text(content, after, before[after.slug])
        refused = errors_in(path, text, after)
        problems += [warning(path, None, f"arXiv's record {lookup.entry.arxiv} is not applied: {p.message}") for p in refused]
        if not refused:
            updated.append(after)
            texts[after.slug] = text
    return updated, texts


def entry_from_arxiv(client: ArxivClient, identifier: str) -> tuple[Entry | None, list[Problem]]:
    """The paper arXiv has under `identifier` (with or without a version), as an entry."""
    bare = bare_arxiv_identifier(identifier.strip().removeprefix("arXiv:"))  # fullwidth digits become ASCII ones
    if bare is None:
        return None, [error("--arxiv", None, f"`{identifier}` is no arXiv identifier such as 2502.21231")]
    try:
        (text,) = client.by_ids([bare])
    except ArxivError as exc:
        return None, [error("arXiv", None, str(exc))]
    digest = parse_digest(text, f"arxiv-{bare.replace('/', '-')}.atom", "arxiv-atom")
    found = [entry for entry in digest.entries if entry.arxiv == bare]
    if not found:
        why = next((f"arXiv's record {bare} cannot be taken: {s.reason}" for s in digest.skipped if s.arxiv == bare),
                   f"arXiv has no paper {bare}")
        return None, [error("arXiv", None, why)]
    return found[0], [problem for problem in digest.problems if not problem.is_error]
