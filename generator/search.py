"""Index: the search files that the browser queries with lunr.js, built here with lunr.py.

One Lunr index over every paper (title, topics and methods, authors, abstract) is built and
then cut by term into shards of similar size, so a reader's browser fetches only the shards
that hold the words of the query, never the whole index. Scores survive the cut exactly: Lunr
scores a field as (query vector . document vector) / |query vector|, the dot product is a sum
over terms, and each term lives in one shard with its original weights and number. So the
browser gathers the query vector from every shard it loaded, adds the dot products up term by
term and divides by the whole query's length: the monolithic index's score (merge() in
atlas-search.js; tested against lunr.js on the whole index).

Files, under search/ in the docs (all JSON):
- manifest.json: the shards' term ranges, field names, the facets' names, sizes;
- papers.json: one compact card per paper (slug, title, byline, date, facet numbers),
  enough to list results and count facets without fetching anything else;
- index-NNN.json: the shards, each a serialized lunr.Index that lunr.js loads as it is;
- abstracts-NNN.json: abstracts in blocks of papers, fetched for result snippets;
- cite-NNN.json: in the same blocks, what exporting results needs beyond the cards: the
  citation key, the BibTeX entry (made and escaped by cite.py, as on the paper's page), the
  full author list and the arXiv identifier. Fetched only when a reader exports.
"""

from __future__ import annotations

import contextlib
import gc
import json
from importlib import resources

from . import cite, lunr_compat
from .group import Corpus, Item
from .mathml import plain_text

# Field name -> boost: a word in the title counts ten times a word in the abstract.
FIELDS = {"title": 10, "terms": 5, "authors": 3, "abstract": 1}
# Postings per shard, in bytes; with the vectors a shard is about four times that. Small shards
# mean a query fetches and loads little beyond its own words' postings (a very common word is a
# shard of its own): at 10,000 papers 100 KB shards took the median query to 50 ms, 10 KB to 30.
SHARD_BYTES = 10_000
SHARED_PREFIX = 3  # terms that begin with the same three letters share a shard
ABSTRACTS_PER_FILE = 50
SEARCH_DIR = "search"
LUNR_JS = "assets/javascripts/lunr.js"
# The files above as MkDocs' exclude_docs patterns (gitignore style), to build the pages alone.
SEARCH_FILES = f"/{SEARCH_DIR}/*.json\n/{LUNR_JS}\n"


def is_search_file(path: str) -> bool:
    """Whether a path under docs/ is one of the files search_files() makes."""
    return path == LUNR_JS or (path.startswith(f"{SEARCH_DIR}/") and path.endswith(".json") and path.count("/") == 1)


def search_files(corpus: Corpus) -> dict[str, str]:
    """{path under docs/: text} of every search file, lunr.js included."""
    with _collector_paused():
        return _search_files(corpus)


def _search_files(corpus: Corpus) -> dict[str, str]:
    shards = split_index(build_index(corpus).serialize(), SHARD_BYTES)
    files = {f"{SEARCH_DIR}/index-{number:03d}.json": _json(shard) for number, (_, _, shard) in enumerate(shards)}
    abstracts = [plain_text(item.paper.abstract) for item in corpus.items]
    citations = [_citation(item) for item in corpus.items]
    for start in range(0, len(abstracts), ABSTRACTS_PER_FILE):
        block = start // ABSTRACTS_PER_FILE
        files[f"{SEARCH_DIR}/abstracts-{block:03d}.json"] = _json(abstracts[start : start + ABSTRACTS_PER_FILE])
        files[f"{SEARCH_DIR}/cite-{block:03d}.json"] = _json(citations[start : start + ABSTRACTS_PER_FILE])
    topics = {term.slug: number for number, term in enumerate(corpus.taxonomy.topics)}
    methods = {term.slug: number for number, term in enumerate(corpus.taxonomy.methods)}
    files[f"{SEARCH_DIR}/papers.json"] = _json([_card(item, topics, methods) for item in corpus.items])
    files[f"{SEARCH_DIR}/manifest.json"] = _json({
        "papers": len(corpus.items),
        "fields": list(FIELDS),
        "shards": [[first, last] for first, last, _ in shards],
        "abstracts_per_file": ABSTRACTS_PER_FILE,
        "topics": [[term.slug, term.name] for term in corpus.taxonomy.topics],
        "methods": [[term.slug, term.name] for term in corpus.taxonomy.methods],
    })
    files[LUNR_JS] = lunr_js()
    return files


def build_index(corpus: Corpus):
    """The monolithic lunr.Index; a paper's ref is its number in corpus.items (newest first)."""
    builder = lunr_compat.builder()
    builder.ref("ref")
    for name, boost in FIELDS.items():
        builder.field(name, boost=boost)
    for number, item in enumerate(corpus.items):
        builder.add({"ref": str(number), **{name: lunr_compat.index_terms(text) for name, text in _fields(item, corpus).items()}})
    return builder.build()


def _fields(item: Item, corpus: Corpus) -> dict[str, str]:
    find = corpus.taxonomy.find
    names = [find("topics", a.slug).name for a in item.topics] + [find("methods", a.slug).name for a in item.methods]
    return {
        "title": plain_text(item.paper.title),
        "terms": " ".join([*names, *item.tags]),
        "authors": " ".join(item.paper.authors),
        "abstract": plain_text(item.paper.abstract),
    }


def split_index(serialized: dict, shard_bytes: int) -> list[tuple[str, str, dict]]:
    """(first term, last term, serialized lunr.Index) for consecutive ranges of the sorted terms.

    Each shard keeps its terms' postings and, of each document's field vectors, the elements of
    its terms, with their original term numbers and weights.
    """
    inverted = serialized["invertedIndex"]  # [[term, posting], ...], sorted by term
    ranges = _ranges(inverted, shard_bytes)
    shard_of = {posting["_index"]: number for number, terms in enumerate(ranges) for _, posting in terms}
    vectors: list[list] = [[] for _ in ranges]
    for ref, elements in serialized["fieldVectors"]:
        parts: dict[int, list] = {}
        for number, weight in zip(elements[::2], elements[1::2], strict=True):
            parts.setdefault(shard_of[number], []).extend((number, weight))
        for number, kept in parts.items():
            vectors[number].append([ref, kept])
    return [
        (terms[0][0] if terms else "", terms[-1][0] if terms else "",
         {**serialized, "fieldVectors": vectors[number], "invertedIndex": terms})
        for number, terms in enumerate(ranges)
    ]


def _ranges(inverted: list, shard_bytes: int) -> list[list]:
    """The sorted terms cut into runs of about `shard_bytes` of postings. A run never splits a
    three-letter prefix, so the completion of a word being typed (three letters or more, see
    parseQuery in atlas-search.js) is looked up in one shard."""
    runs: list[list] = []
    size = shard_bytes
    for entry in inverted:
        starts_prefix = not runs or not runs[-1] or entry[0][:SHARED_PREFIX] != runs[-1][-1][0][:SHARED_PREFIX]
        if size >= shard_bytes and starts_prefix:
            runs.append([])
            size = 0
        runs[-1].append(entry)
        # about 12 bytes of JSON a posting: "1234":{},
        size += len(entry[0]) + sum(12 * len(docs) for field, docs in entry[1].items() if field != "_index")
    return runs or [[]]


def _card(item: Item, topics: dict[str, int], methods: dict[str, int]) -> list:
    """[slug, title, authors, date, topic numbers, method numbers] of one paper."""
    authors = list(item.paper.authors[:4]) + (["et al."] if len(item.paper.authors) > 4 else [])
    date = item.paper.date.isoformat() if item.paper.date else ""
    return [item.paper.slug, plain_text(item.paper.title), ", ".join(authors), date,
            [topics[a.slug] for a in item.topics], [methods[a.slug] for a in item.methods]]


def _citation(item: Item) -> list:
    """[citation key, BibTeX entry, every author, arXiv identifier or ""] of one paper."""
    paper = item.paper
    key = cite.citation_key(paper)
    return [key, cite.bibtex(paper, key), list(paper.authors), cite.arxiv_id(paper) or ""]


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while the search files are made, and their data gone by the
    time it is back on: the index's millions of small lists and dicts hold no cycles, and at
    10,000 papers the collector's passes over them took more time than the work. Reference
    counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def lunr_js() -> str:
    """lunr.js 2.3.9 as the installed mkdocs package ships it (never from a CDN)."""
    return resources.files("mkdocs").joinpath("contrib/search/templates/search/lunr.js").read_text(encoding="utf-8")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

