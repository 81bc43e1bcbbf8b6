"""Completing papers from arXiv: the record of each paper that lacks an arXiv id, authors or a
date; and from Hugging Face, the code and project links of each paper with an arXiv id and no code link.

A paper with an arXiv id is looked up by it (many ids a request). One without is looked up by
its title as an exact phrase, and a candidate is accepted only when its normalised title is the
paper's and its abstract is near-identical (as merge judges twins); two or more different
papers that pass, or a title that matches with another abstract, are ambiguous: reported, never
applied. Atom files given with --from are candidates too, and with --offline they and the
cache are all there is. Applying a record fills empty fields only, as ingest does, and adds the
record itself (`arxiv:<id>`, format `arxiv-api`, the day) to the paper's sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .. import parallel
from ..cite import arxiv_id
from ..formats import parse_digest
from ..merge import ABSTRACT_SIMILARITY, absorb
from ..model import Entry, Paper, Skipped, Source
from ..text import abstract_words, fingerprints, jaccard, title_key
from .arxiv import ArxivClient, ArxivError
from .huggingface import CodeLinks, HuggingFaceClient, HuggingFaceError, HuggingFaceUnavailable

TITLE_CANDIDATES = 10


@dataclass(frozen=True)
class Lookup:
    """What arXiv said of one paper: resolved (with the entry), ambiguous or not found, and why."""

    slug: str
    outcome: str  # "resolved", "ambiguous" or "not found"
    detail: str
    entry: Entry | None = None


def needs_enriching(paper: Paper) -> bool:
    return not arxiv_id(paper) or not paper.authors or paper.date is None


def look_up(client: ArxivClient, papers: list[Paper], given: list[Entry]) -> list[Lookup]:
    """A lookup for each paper: by id in batches, else by title; `given` entries (from --from
    files) are candidates before arXiv is asked."""
    by_id = {entry.arxiv: entry for entry in given if entry.arxiv}
    wanted = sorted({identifier for paper in papers if (identifier := arxiv_id(paper)) and identifier not in by_id})
    unanswered = ""
    try:
        answers = client.by_ids(wanted) if wanted else []
    except ArxivError as exc:
        answers, unanswered = [], str(exc)
    # feedparser takes about 0.3 ms an entry: a hundred answers of a hundred are read on every core.
    records = parallel.map_slices(_records, None, answers, parallel_from=8)
    by_id.update((record.arxiv, record) for record in records if isinstance(record, Entry) and record.arxiv)
    skipped = {record.arxiv: record.reason for record in records if isinstance(record, Skipped)}
    return [_by_id(paper, by_id, skipped, unanswered) if arxiv_id(paper) else _by_title(client, paper, given) for paper in papers]


def _records(_: None, answers: list[str]) -> list[Entry | Skipped]:
    """The entries of arXiv's answers, and those that cannot become papers."""
    digests = [parse_digest(text, "arxiv-api.atom", "arxiv-atom") for text in answers]
    return [record for digest in digests for record in (*digest.entries, *digest.skipped)]


def _by_id(paper: Paper, by_id: dict[str, Entry], skipped: dict[str, str], unanswered: str) -> Lookup:
    identifier = arxiv_id(paper)
    if identifier in by_id:
        return Lookup(paper.slug, "resolved", f"arXiv {identifier}", by_id[identifier])
    if identifier in skipped:
        return Lookup(paper.slug, "not found", f"arXiv's record {identifier} cannot be taken: {skipped[identifier]}")
    return Lookup(paper.slug, "not found", unanswered or f"arXiv has no paper {identifier}")


def _by_title(client: ArxivClient, paper: Paper, given: list[Entry]) -> Lookup:
    phrase = title_key(paper.title)
    candidates = [entry for entry in given if title_key(entry.title or "") == phrase]
    if not candidates:
        try:
            text = client.query(f'ti:"{phrase}"', 0, TITLE_CANDIDATES)
        except ArxivError as exc:
            return Lookup(paper.slug, "not found", str(exc))
        candidates = [e for e in parse_digest(text, "arxiv-api.atom", "arxiv-atom").entries if title_key(e.title or "") == phrase]
    mine = fingerprints(abstract_words(paper.abstract))
    accepted = {e.arxiv: e for e in candidates if jaccard(mine, fingerprints(abstract_words(e.abstract))) >= ABSTRACT_SIMILARITY}
    if len(accepted) == 1:
        identifier, entry = next(iter(accepted.items()))
        return Lookup(paper.slug, "resolved", f"arXiv {identifier}, by title and abstract", entry)
    if len(accepted) > 1:
        return Lookup(paper.slug, "ambiguous", "several arXiv papers have this title and abstract: " + ", ".join(sorted(accepted)))
    if candidates:
        ids = ", ".join(sorted(e.arxiv or "?" for e in candidates))
        return Lookup(paper.slug, "ambiguous", f"arXiv has this title ({ids}) with another abstract; check by hand")
    return Lookup(paper.slug, "not found", "no arXiv paper has this title")


def apply(paper: Paper, entry: Entry, today: dt.date) -> Paper:
    """The paper with the empty fields the record fills, and the record among its sources."""
    record = Source(f"arxiv:{entry.arxiv}", "arxiv-api", 1, today)
    enriched = absorb(paper, replace(entry, source=record))
    return replace(enriched, sources=tuple(sorted({*enriched.sources, record})))


@dataclass(frozen=True)
class CodeLookup:
    """What Hugging Face said of one paper's code: "found" (with the links), "none" (it knows
    the paper, with no code or project page), "not on Hugging Face", or "refused" and why."""

    slug: str
    outcome: str
    detail: str
    links: CodeLinks | None = None


def needs_code(paper: Paper) -> bool:
    links = paper.extra.get("links")
    return bool(arxiv_id(paper)) and not (isinstance(links, dict) and links.get("code"))


def look_up_code(client: HuggingFaceClient, papers: list[Paper]) -> list[CodeLookup]:
    """A code lookup for each paper, by its arXiv id; once Hugging Face is unavailable, the
    papers left are not asked about (one lookup says why, the others that they were not asked)."""
    found, given_up = [], ""
    for paper in papers:
        if given_up:
            found.append(CodeLookup(paper.slug, "refused", "not asked: " + given_up))
            continue
        try:
            links = client.links(arxiv_id(paper))
        except HuggingFaceUnavailable as exc:
            given_up = str(exc)
            found.append(CodeLookup(paper.slug, "refused", given_up))
            continue
        except HuggingFaceError as exc:
            found.append(CodeLookup(paper.slug, "refused", str(exc)))
            continue
        if links is None:
            found.append(CodeLookup(paper.slug, "not on Hugging Face", f"Hugging Face has no paper {arxiv_id(paper)}"))
        elif links.code or links.project:
            found.append(CodeLookup(paper.slug, "found", " ".join(filter(None, (links.code, links.project))), links))
        else:
            found.append(CodeLookup(paper.slug, "none", "Hugging Face knows the paper, with no code or project page"))
    return found


def with_code(paper: Paper, links: CodeLinks) -> Paper:
    """The paper with `links.code` and `links.project` filled where they are empty: a person's
    value is never replaced."""
    current = paper.extra.get("links")
    merged = dict(current) if isinstance(current, dict) else {}
    for name, value in (("code", links.code), ("project", links.project)):
        if value and not merged.get(name):
            merged[name] = value
    return paper if merged == current else replace(paper, extra={**paper.extra, "links": merged})
