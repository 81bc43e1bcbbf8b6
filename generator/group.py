"""Group: the classified papers arranged the ways readers browse them.

Every list is newest first, undated papers last, ties by title, so pages come out the same
on every build.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .classify import Assignment, Classification
from .model import Paper
from .taxonomy import Taxonomy
from .text import slugify, title_key


@dataclass(frozen=True)
class Item:
    """A paper with what the build learned about it."""

    paper: Paper
    topics: tuple[Assignment, ...]
    methods: tuple[Assignment, ...]  # central: the methods the paper is filed under
    tags: tuple[str, ...]
    mentioned_methods: tuple[Assignment, ...] = ()  # methods it only discusses

    @property
    def month(self) -> str | None:
        """"YYYY-MM", or None for an undated paper."""
        date = self.paper.date  # f-string, not strftime: this is read for every listing of every paper
        return f"{date.year:04d}-{date.month:02d}" if date else None

    @property
    def needs_review(self) -> tuple[str, ...]:
        """Why a person should look at this paper, if they should."""
        reasons = []
        if self.paper.title_inferred:
            reasons.append("title inferred from the abstract")
        if self.paper.date is None:
            reasons.append("no date")
        if not self.topics:
            reasons.append("no topic")
        return tuple(reasons)


@dataclass(frozen=True)
class Corpus:
    """The whole atlas, ready to render."""

    items: tuple[Item, ...]  # newest first
    taxonomy: Taxonomy
    by_topic: dict[str, tuple[Item, ...]]
    by_method: dict[str, tuple[Item, ...]]
    by_tag: dict[str, tuple[Item, ...]]  # tag slug -> papers
    tag_names: dict[str, str]  # tag slug -> tag as people wrote it
    by_month: dict[str, tuple[Item, ...]]  # "YYYY-MM" -> papers, newest month first
    undated: tuple[Item, ...]
    related: dict[str, tuple[str, ...]]  # slug -> related slugs, most similar first
    cooccurring: dict[str, tuple[tuple[str, int], ...]]  # method -> (other method, papers with both)
    by_slug: dict[str, Item]


def newest_first(item: Item) -> tuple:
    date = item.paper.date
    return (date is None, -date.toordinal() if date else 0, title_key(item.paper.title), item.paper.slug)


def group(papers: list[Paper], classified: dict[str, Classification], taxonomy: Taxonomy,
          related: dict[str, tuple[str, ...]]) -> Corpus:
    """Arrange the papers by topic, method, tag and month."""
    items = sorted((item_of(p, classified[p.slug]) for p in papers), key=newest_first)
    by_topic, by_method, by_tag, by_month = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    tag_names: dict[str, str] = {}
    for item in items:
        for assignment in item.topics:
            by_topic[assignment.slug].append(item)
        for assignment in item.methods:
            by_method[assignment.slug].append(item)
        for tag in item.tags:
            tag_names.setdefault(slugify(tag), tag)
            by_tag[slugify(tag)].append(item)
        if item.month:
            by_month[item.month].append(item)
    return Corpus(
        items=tuple(items),
        taxonomy=taxonomy,
        by_topic={term.slug: tuple(by_topic[term.slug]) for term in taxonomy.topics},
        by_method={term.slug: tuple(by_method[term.slug]) for term in taxonomy.methods},
        by_tag={slug: tuple(by_tag[slug]) for slug in sorted(by_tag)},
        tag_names=tag_names,
        by_month={month: tuple(by_month[month]) for month in sorted(by_month, reverse=True)},
        undated=tuple(item for item in items if item.month is None),
        related=related,
        cooccurring=_cooccurring(items),
        by_slug={item.paper.slug: item for item in items},
    )


def item_of(paper: Paper, classification: Classification) -> Item:
    return Item(paper, classification.topics, classification.methods, _tags(paper), classification.mentioned_methods)


def _tags(paper: Paper) -> tuple[str, ...]:
    tags = paper.extra.get("tags")
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list):
        return ()
    return tuple(sorted({tag.strip() for tag in tags if isinstance(tag, str) and tag.strip()}, key=str.lower))


def _cooccurring(items: list[Item]) -> dict[str, tuple[tuple[str, int], ...]]:
    pairs: dict[str, Counter] = defaultdict(Counter)
    for item in items:
        slugs = [assignment.slug for assignment in item.methods]
        for slug in slugs:
            pairs[slug].update(other for other in slugs if other != slug)
    return {slug: tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) for slug, counts in pairs.items()}
