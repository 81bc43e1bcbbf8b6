"""Merging: digest entries and the papers already in content/ become one paper per paper.

Same paper = seen at the same place before (its source is already recorded: digests are
never edited, so this makes re-ingesting a fixpoint whatever people changed in content/),
the same normalised title, or a near-identical abstract (word 3-shingles with a Jaccard
similarity of at least ABSTRACT_SIMILARITY, after dropping citations, math delimiters,
punctuation and case).

A person's values are never replaced: an entry only adds provenance and fills fields that
are empty. A differing value is a warning, given when the entry's place is first seen.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from .cite import arxiv_id
from .model import Entry, Paper, Problem, Source, warning
from .provisional import infer_title
from .text import abstract_words, fingerprints, jaccard, slugify, title_key

ABSTRACT_SIMILARITY = 0.75
# Candidate search looks only at a sample of shingles, and skips those shared by so many
# papers that they say nothing ("large language models"); the verdict uses all of them.
_SAMPLE_MODULUS = 4
_COMMON_POSTINGS = 200


@dataclass(frozen=True)
class MergeResult:
    """Every paper after merging, and what happened on the way."""

    papers: tuple[Paper, ...]
    twins: int  # entries that joined a paper already known (in content/ or earlier in the run)
    warnings: tuple[Problem, ...]
    skipped: int = 0  # entries of removed papers, left out


class PaperIndex:
    """Finds the paper an entry belongs to, by provenance, title or abstract."""

    def __init__(self) -> None:
        self._by_source: dict[Source, int] = {}
        self._by_arxiv: dict[str, int] = {}
        self._arxiv_of: dict[int, str] = {}
        self._by_title: defaultdict[str, list[int]] = defaultdict(list)  # normalised title -> papers
        self._shingles: dict[int, frozenset] = {}
        self._postings: defaultdict[int, set[int]] = defaultdict(set)
        self._last: tuple[str, frozenset[int]] = ("", frozenset())  # an entry's abstract is looked up, then added

    @classmethod
    def of(cls, papers: list[Paper]) -> PaperIndex:
        """An index of `papers`, each numbered by its place in the list."""
        index = cls()
        for number, paper in enumerate(papers):
            index.add(number, paper)
        return index

    def add(self, number: int, paper: Paper) -> None:
        """Make paper `number` findable by its sources, title and abstract."""
        self.add_source(number, *paper.sources)
        self.add_arxiv(number, arxiv_id(paper))
        if key := title_key(paper.title):  # a title of punctuation or emoji alone says nothing of which paper it is
            self._by_title[key].append(number)
        grams = self._fingerprints(paper.abstract)
        self._shingles[number] = grams
        for fingerprint in _sampled(grams):
            self._postings[fingerprint].add(number)

    def add_arxiv(self, number: int, identifier: str | None) -> None:
        """Record that paper `number` is arXiv's `identifier` (nothing when it is None)."""
        if identifier and number not in self._arxiv_of:
            self._by_arxiv.setdefault(identifier, number)
            self._arxiv_of[number] = identifier

    def add_source(self, number: int, *sources: Source) -> None:
        """Record that paper `number` was seen at these places."""
        for source in sources:
            self._by_source.setdefault(source, number)

    def find(self, entry: Entry) -> tuple[int, str] | None:
        """The paper seen at the entry's place, with its arXiv id, its title, or a near-identical
        abstract, and which of the four it was ("source", "arxiv", "title" or "abstract")."""
        if entry.source in self._by_source:
            return self._by_source[entry.source], "source"
        if entry.arxiv in self._by_arxiv:
            return self._by_arxiv[entry.arxiv], "arxiv"
        return self.twin(entry.title, entry.abstract, arxiv=entry.arxiv)

    def twin(self, title: str | None, abstract: str, other_than: int | None = None,
             arxiv: str | None = None) -> tuple[int, str] | None:
        """The paper (other than `other_than`) with this normalised title, or else with a
        near-identical abstract, and which of the two it was ("title" or "abstract"). Given the
        `arxiv` id of what is looked up, a paper with another id is never its twin."""
        key = title_key(title) if title else ""
        same_title = [n for n in self._by_title.get(key, ()) if n != other_than and self._compatible(n, arxiv)] if key else []
        if same_title:
            return same_title[0], "title"
        grams = self._fingerprints(abstract)
        votes = Counter()
        for fingerprint in _sampled(grams):
            posting = self._postings.get(fingerprint, ())
            if len(posting) <= _COMMON_POSTINGS:
                votes.update(posting)
        votes.pop(other_than, None)
        for number in [n for n in votes if not self._compatible(n, arxiv)]:
            del votes[number]
        # Sets whose sizes differ by more than the similarity allows cannot reach it: skip them unscored.
        scored = ((jaccard(grams, self._shingles[n]), -n) for n, _ in votes.most_common(20)
                  if ABSTRACT_SIMILARITY * len(self._shingles[n]) <= len(grams) <= len(self._shingles[n]) / ABSTRACT_SIMILARITY)
        best = max(scored, default=(0.0, 0))
        return (-best[1], "abstract") if best[0] >= ABSTRACT_SIMILARITY else None

    def _compatible(self, number: int, arxiv: str | None) -> bool:
        """Whether paper `number` may be a paper whose arXiv id is `arxiv` (or unknown)."""
        return arxiv is None or self._arxiv_of.get(number, arxiv) == arxiv

    def similar_abstracts(self, number: int, abstract: str) -> bool:
        """Whether `abstract` is near-identical to paper `number`'s."""
        return jaccard(self._fingerprints(abstract), self._shingles[number]) >= ABSTRACT_SIMILARITY

    def _fingerprints(self, abstract: str) -> frozenset[int]:
        if self._last[0] != abstract:
            self._last = (abstract, fingerprints(abstract_words(abstract)))
        return self._last[1]


def _sampled(grams: frozenset[int]) -> set[int]:
    """The fingerprints that candidate search indexes: a fixed quarter of them (or all, if none)."""
    return {f for f in grams if (f >> 32) % _SAMPLE_MODULUS == 0} or set(grams)


def merge(existing: list[Paper], entries: list[Entry], where: dict[str, str], removed: list[Paper] = ()) -> MergeResult:
    """Merge digest entries into the existing papers; new papers get fresh, unique slugs.

    Titled entries go first, so a bare abstract finds its titled twin whatever the file order.
    `where` names each existing paper's file (by slug) for warnings. An entry that is one of
    the `removed` papers (by the same rules as a twin) is left out and counted as skipped.
    """
    papers = list(existing)
    index = PaperIndex.of(papers)
    for number, paper in enumerate(removed, start=1):
        index.add(-number, paper)  # negative numbers: found like any paper, never kept
    twins, skipped, problems = 0, 0, []
    seen_at: defaultdict[int, set[Source]] = defaultdict(set)  # sources each paper gains, sorted in once at the end
    for entry in sorted(entries, key=lambda e: e.title is None):
        match = index.find(entry)
        if match is None:
            papers.append(_new_paper(entry))
            index.add(len(papers) - 1, papers[-1])
            continue
        number, matched_by = match
        index.add_source(number, entry.source)
        if number < 0:
            skipped += 1
            continue
        twins += 1
        seen_at[number].add(entry.source)
        index.add_arxiv(number, entry.arxiv)
        papers[number] = absorb(papers[number], entry)
        # A place seen before had its differences reported then; repeating them on every run is noise.
        if matched_by != "source":
            place = where.get(papers[number].slug) or _first_seen(papers[number])
            problems.extend(_conflicts(papers[number], entry, place))
            if matched_by == "title" and not index.similar_abstracts(number, entry.abstract):
                problems.append(warning(entry.source.digest, entry.source.line, f"same title as {place}, but a different abstract; kept the abstract there"))
    for number, sources in seen_at.items():
        papers[number] = replace(papers[number], sources=tuple(sorted(sources.union(papers[number].sources))))
    papers[len(existing) :] = _with_slugs(papers[len(existing) :], {p.slug for p in [*existing, *removed]})  # never reuse a slug
    return MergeResult(tuple(papers), twins, tuple(problems), skipped)


def _new_paper(entry: Entry) -> Paper:
    title = entry.title or infer_title(entry.abstract)
    return Paper(
        slug="",
        title=title,
        abstract=entry.abstract,
        authors=entry.authors,
        date=entry.date,
        sources=(entry.source,),
        title_inferred=entry.title is None,
        categories=entry.categories,
        doi=entry.doi,
        journal_ref=entry.journal_ref,
        extra={"links": {"arxiv": entry.arxiv}} if entry.arxiv else {},
    )


def _first_seen(paper: Paper) -> str:
    source = paper.sources[0]
    return f"{source.digest}:{source.line}"


def absorb(paper: Paper, entry: Entry) -> Paper:
    """Paper with its empty fields filled from the entry (merge() adds the entry's source).

    A provisional title gives way to a real one only while it is still what ingest inferred.
    """
    changes: dict = {}
    if entry.title and title_key(entry.title) != title_key(paper.title):
        if paper.title_inferred and paper.title == infer_title(paper.abstract):
            changes.update(title=entry.title, title_inferred=False)
    for field in ("authors", "date", "categories", "doi", "journal_ref"):
        if getattr(entry, field) and not getattr(paper, field):
            changes[field] = getattr(entry, field)
    if entry.arxiv:
        changes.update(_arxiv_changes(changes.get("title", paper.title), paper, entry))
    return replace(paper, **changes) if changes else paper


def _arxiv_changes(title: str, paper: Paper, entry: Entry) -> dict:
    """What an entry from arXiv adds: the id into `links` when it has none, and arXiv's title when
    it differs from the atlas's (a paper retitled on arXiv keeps the atlas's title, shown with
    arXiv's beside it)."""
    changes: dict = {}
    links = paper.extra.get("links")
    if not isinstance(links, dict) or not links.get("arxiv"):
        changes["extra"] = {**paper.extra, "links": {**(links if isinstance(links, dict) else {}), "arxiv": entry.arxiv}}
    if entry.title and title_key(entry.title) != title_key(title) and not paper.arxiv_title:
        changes["arxiv_title"] = entry.title
    return changes


def _conflicts(paper: Paper, entry: Entry, place: str) -> list[Problem]:
    """A warning for each value the entry offers that differs from the one the paper keeps."""
    offered = {"title": entry.title, "authors": entry.authors, "date": entry.date}
    problems = []
    for field, value in offered.items():
        if not value:
            continue  # an entry that says nothing cannot disagree
        kept = getattr(paper, field)
        same = title_key(value) == title_key(kept) if field == "title" else value == kept
        if not same:
            message = f"same paper as {place}, which keeps its {field} {_shown(kept)!r}; this digest says {_shown(value)!r}"
            problems.append(warning(entry.source.digest, entry.source.line, message))
    return problems


def _shown(value: object) -> object:
    return ", ".join(value) if isinstance(value, tuple) else str(value)


def _with_slugs(papers: list[Paper], taken: set[str]) -> list[Paper]:
    """New papers with a slug from their title, made unique against `taken` by a counter."""
    named = []
    for paper in papers:
        base = slugify(paper.title)
        slug, counter = base, 2
        while slug in taken:
            slug, counter = f"{base}-{counter}", counter + 1
        taken.add(slug)
        named.append(replace(paper, slug=slug))
    return named
