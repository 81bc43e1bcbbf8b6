"""Relate: for each paper, the papers whose title and abstract say the most similar things.

TF-IDF vectors with cosine similarity. To stay fast at 10,000 papers in plain Python, each
paper keeps only its strongest terms, and each term only its strongest papers (a "champion
list"), so a paper is compared with the few hundred papers that share its distinctive words
rather than with all of them.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict

from . import parallel

TERMS_PER_PAPER = 12
PAPERS_PER_TERM = 32
TITLE_WEIGHT = 2  # a word in the title counts like this many words in the abstract

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


def related_papers(texts: dict[str, tuple[str, str]], count: int = 5) -> dict[str, tuple[str, ...]]:
    """For each slug, up to `count` other slugs, most similar first; `texts` maps slug to (title, abstract)."""
    slugs = sorted(texts)  # papers are numbered in slug order, so ties go to the smaller slug
    vectors = _tfidf([_bag(*texts[slug]) for slug in slugs])
    context = (vectors, _champion_lists(vectors), count)
    nearest = parallel.map_slices(_nearest, context, range(len(slugs)))
    return {slugs[number]: tuple(slugs[other] for other in others) for number, others in enumerate(nearest)}


def _nearest(context, numbers) -> list[list[int]]:
    """For each paper number, the numbers of the `count` papers most similar to it."""
    vectors, champions, count = context
    found = []
    for number in numbers:
        scores: dict[int, float] = defaultdict(float)
        for term, weight in vectors[number]:
            for other, other_weight in champions[term]:
                scores[other] += weight * other_weight
        scores.pop(number, None)
        # Rounded so that float noise in the sums cannot reorder papers with equal scores.
        best = heapq.nsmallest(count, ((-round(score, 9), other) for other, score in scores.items()))
        found.append([other for _, other in best])
    return found


def _bag(title: str, abstract: str) -> Counter:
    words = Counter(_words(abstract))
    for word in _words(title):
        words[word] += TITLE_WEIGHT
    return words


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


def _tfidf(bags: list[Counter]) -> list[list[tuple[str, float]]]:
    """Each paper's strongest terms with unit-length TF-IDF weights, in a stable order."""
    frequency = Counter(word for bag in bags for word in bag)
    total = len(bags)
    vectors = []
    for bag in bags:
        weights = {
            word: (1 + math.log(n)) * math.log(total / frequency[word])
            for word, n in bag.items()
            if frequency[word] > 1  # a word no other paper has cannot relate two papers
        }
        strongest = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:TERMS_PER_PAPER]
        norm = math.sqrt(sum(weight * weight for _, weight in strongest)) or 1.0
        vectors.append([(word, weight / norm) for word, weight in strongest])
    return vectors


def _champion_lists(vectors: list[list[tuple[str, float]]]) -> dict[str, list[tuple[int, float]]]:
    """For each term, the papers where it weighs most."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for number, vector in enumerate(vectors):
        for term, weight in vector:
            postings[term].append((number, weight))
    return {term: sorted(papers, key=lambda item: (-item[1], item[0]))[:PAPERS_PER_TERM] for term, papers in postings.items()}
