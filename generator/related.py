"""Relate: for each paper, the papers whose title and abstract say the most similar things.

TF-IDF vectors with cosine similarity. To stay fast at 10,000 papers in plain Python, each
paper keeps only its strongest terms, and each term only its strongest papers (a "champion
list"), so a paper is compared with the few hundred papers that share its distinctive words
rather than with all of them.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from operator import itemgetter

from . import parallel

TERMS_PER_PAPER = 12
PAPERS_PER_TERM = 32
TITLE_WEIGHT = 2  # a word in the title counts like this many words in the abstract
WEIGHT_SCALE = 2**15  # term weights are integers in 0..WEIGHT_SCALE

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
_STOPWORDS = frozenset(
    """a about above across after again against all also among an and any are as at be because been before being
    between both but by can could did do does doing during each either et few for from further had has have having
    here how however i if in into is it its itself just large language llm llms may model models more most much must
    new no nor not of off on once only or other our ours out over own paper per propose proposed same several should
    show shows so some such than that the their them then there these they this those through thus to too under
    until up upon use used uses using very via was we well were what when where which while who whom why will with
    within without would yet approach method methods results work framework based novel existing recent""".split()
)


def related_papers(bags: dict[str, str], count: int = 5) -> dict[str, tuple[str, ...]]:
    """For each slug, up to `count` other slugs, most similar first; `bags` maps slug to bag_of_words()."""
    slugs = sorted(bags)  # papers are numbered in slug order, so ties go to the smaller slug
    ordered = [bags[slug] for slug in slugs]
    vectors = parallel.map_slices(_tfidf, (ordered, _idf(ordered)), range(len(ordered)))
    context = (vectors, _champion_lists(vectors), count)
    nearest = parallel.map_slices(_nearest, context, range(len(slugs)))
    return {slugs[number]: tuple(slugs[other] for other in others) for number, others in enumerate(nearest)}


def bag_of_words(title: str, abstract: str) -> str:
    """The distinctive words of a paper and how often it says them, title words counting double,
    packed as "word count word count ..." in the order first said. Every paper's bag is held
    until papers are related: as one string it takes a tenth of a Counter's memory."""
    words = Counter(_words(abstract))
    for word in _words(title):
        words[word] += TITLE_WEIGHT
    return " ".join(f"{word} {n}" for word, n in words.items())


def _counts(bag: str) -> Iterator[tuple[str, int]]:
    """(word, count) of a bag_of_words(), in its order."""
    parts = bag.split()
    return zip(parts[::2], map(int, parts[1::2]), strict=True)


def _nearest(context, numbers) -> list[list[int]]:
    """For each paper number, the numbers of the `count` papers most similar to it."""
    vectors, champions, count = context
    found = []
    for number in numbers:
        scores: dict[int, int] = defaultdict(int)
        for term, weight in vectors[number]:
            for other, other_weight in champions[term]:
                scores[other] += weight * other_weight
        scores.pop(number, None)
        # Integer scores add up exactly, so equal scores are equal; nlargest keeps the sorted order of ties.
        found.append(heapq.nlargest(count, sorted(scores), key=scores.__getitem__))
    return found


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


def _idf(bags: list[str]) -> dict[str, float]:
    """Inverse document frequency of each word that at least two papers say (a word no other
    paper has cannot relate two papers)."""
    frequency: Counter = Counter()
    for bag in bags:
        frequency.update(bag.split()[::2])  # counted in C
    total = len(bags)
    return {word: math.log(total / n) for word, n in frequency.items() if n > 1}


def _tfidf(context: tuple[list[str], dict[str, float]], numbers) -> list[list[tuple[str, int]]]:
    """For each paper number, its strongest terms with unit-length TF-IDF weights (as integers), in a stable order."""
    bags, idf = context
    vectors = []
    for number in numbers:
        weights = [(word, _tf(n) * idf[word]) for word, n in _counts(bags[number]) if word in idf]
        strongest = heapq.nlargest(TERMS_PER_PAPER, weights, key=itemgetter(1))  # ties: first said first
        norm = math.sqrt(sum(weight * weight for _, weight in strongest)) or 1.0
        vectors.append([(word, round(WEIGHT_SCALE * weight / norm)) for word, weight in strongest])
    return vectors


@functools.lru_cache(maxsize=256)
def _tf(count: int) -> float:
    return 1 + math.log(count)


def _champion_lists(vectors: list[list[tuple[str, int]]]) -> dict[str, list[tuple[int, int]]]:
    """For each term, the papers where it weighs most."""
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for number, vector in enumerate(vectors):
        for term, weight in vector:
            postings[term].append((number, weight))
    return {term: sorted(papers, key=lambda item: (-item[1], item[0]))[:PAPERS_PER_TERM] for term, papers in postings.items()}
