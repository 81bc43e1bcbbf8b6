"""Index: the search files that the browser queries with lunr.js, weighed as lunr.py weighs them.

A search must cost a reader little at any size of the atlas, so the browser fetches only what a
query needs: a small manifest, the postings of the query's words, and one small file for each
result it shows. Nothing else that grows with the atlas comes before the first result.

The ranking is Lunr's. Lunr scores a paper as the sum over fields f of (q_f . v_f) / |q_f|,
where q_f is the query vector (the boosts of the index terms the query reaches) and v_f the
paper's BM25 weights for those terms in f. The dot product is a sum over terms, so a term's
postings (for each field: the papers holding it and their weights) are all a query needs of it.
The weights are lunr.py's (tests/test_search.py holds them to lunr.py's Builder), stored in one
byte each, scaled between the term's least and greatest weight in the field: an error of at most
1/510 of that range, about the rounding to three decimals that Lunr applies itself.

Files, under search/ in the docs:
- manifest.json: the fields, the first term of each shard, the topics and methods, and where
  each year's papers begin (papers are numbered newest first, so a year is a range of numbers
  and "newest first" is the order of the numbers);
- shard-NNNN.bin: the postings of a run of consecutive terms (sorted as JavaScript compares
  strings), gzip-compressed (browsers unpack it with DecompressionStream):
  4-byte little-endian length of a JSON header, the header, then the postings. The header is
  [[term, [[field number, papers, least weight, greatest weight, offset], ...]], ...]; at
  `offset` the field's papers follow as varint gaps between paper numbers, then one weight byte
  per paper. A term with more postings than SHARD_BYTES has a shard of its own;
- terms.json: every term, for queries that must look at all of them (fuzzy, leading wildcard);
- facets.bin: for each topic, then each method, its papers as varint gaps, then the papers
  with code, gzip-compressed: what counts and filters a result set by topic, method and code;
  fetched when needed, after the first result unless such a filter is chosen;
- papers/NNN/N.json: one paper, by number: what a result shows and what exporting it needs
  [slug, title, short byline, date, topic numbers, method numbers, abstract, citation key,
   BibTeX entry (made and escaped by cite.py, as on the paper's page), authors, arXiv id,
   code link or ""].
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import math
import struct
from array import array
from collections import Counter
from importlib import resources

from . import cite, lunr_compat
from .group import Corpus, Item
from .mathml import plain_text

# Field name -> boost: a word in the title counts ten times a word in the abstract.
FIELDS = {"title": 10, "terms": 5, "authors": 3, "abstract": 1}
K1, B = 1.2, 0.75  # BM25's parameters, lunr's defaults
# Postings per shard, in bytes before compression. A query fetches whole shards, so small ones
# waste little on the neighbours of its words; but each is one request and one manifest entry.
SHARD_BYTES = 16_000
PAPERS_PER_FOLDER = 1000
SEARCH_DIR = "search"
LUNR_JS = "assets/javascripts/lunr.js"
# The files above as MkDocs' exclude_docs patterns (gitignore style), to build the pages alone.
SEARCH_FILES = f"/{SEARCH_DIR}/*.json\n/{SEARCH_DIR}/*.bin\n/{SEARCH_DIR}/papers/\n/{LUNR_JS}\n"


def is_search_file(path: str) -> bool:
    """Whether a path under docs/ is one of the files search_files() makes."""
    if path == LUNR_JS:
        return True
    parts = path.split("/")
    return parts[0] == SEARCH_DIR and (
        (len(parts) == 2 and parts[1].endswith((".json", ".bin"))) or (len(parts) == 4 and parts[1] == "papers"))


def paper_file(number: int) -> str:
    """Where paper number `number` (its place in corpus.items) is kept for the search page."""
    return f"{SEARCH_DIR}/papers/{number // PAPERS_PER_FOLDER:03d}/{number}.json"


def search_files(corpus: Corpus) -> dict[str, str | bytes]:
    """{path under docs/: text or bytes} of every search file, lunr.js included."""
    with _collector_paused():
        return _search_files(corpus)


def _search_files(corpus: Corpus) -> dict[str, str | bytes]:
    counted, norms = counted_postings(corpus)
    terms = sorted(counted, key=js_order)
    shards = _shards(terms, counted, norms, len(corpus.items))
    files: dict[str, str | bytes] = {f"{SEARCH_DIR}/shard-{number:04d}.bin": data for number, (_, data) in enumerate(shards)}
    files[f"{SEARCH_DIR}/terms.json"] = _json(terms)
    topics = {term.slug: number for number, term in enumerate(corpus.taxonomy.topics)}
    methods = {term.slug: number for number, term in enumerate(corpus.taxonomy.methods)}
    for number, item in enumerate(corpus.items):
        files[paper_file(number)] = _json(_paper(item, topics, methods))
    files[f"{SEARCH_DIR}/facets.bin"] = _facets(corpus)
    files[f"{SEARCH_DIR}/manifest.json"] = _json({
        "papers": len(corpus.items),
        "fields": list(FIELDS),
        "shards": [first for first, _ in shards],
        "papers_per_folder": PAPERS_PER_FOLDER,
        "topics": [[term.slug, term.name] for term in corpus.taxonomy.topics],
        "methods": [[term.slug, term.name] for term in corpus.taxonomy.methods],
        "years": _years(corpus),
    })
    files[LUNR_JS] = lunr_js()
    return files


def js_order(term: str) -> bytes:
    """The sort key that orders strings as JavaScript compares them (by UTF-16 code unit)."""
    return term.encode("utf-16-be", "surrogatepass")


# ---------- weights ----------

def field_texts(item: Item, corpus: Corpus) -> dict[str, str]:
    find = corpus.taxonomy.find
    names = [find("topics", a.slug).name for a in item.topics] + [find("methods", a.slug).name for a in item.methods]
    return {
        "title": plain_text(item.paper.title),
        "terms": " ".join([*names, *item.tags]),
        "authors": " ".join(item.paper.authors),
        "abstract": plain_text(item.paper.abstract),
    }


def counted_postings(corpus: Corpus) -> tuple[dict[str, list], list[array]]:
    """{term: for each field, None or (paper numbers ascending, the term's frequencies there)},
    and for each field, each paper's BM25 length norm. Arrays of machine numbers, not lists:
    at 100,000 papers there are some twelve million postings."""
    counted: dict[str, list] = {}
    lengths = [array("l") for _ in FIELDS]
    for number, item in enumerate(corpus.items):
        for f, text in enumerate(field_texts(item, corpus).values()):
            terms = lunr_compat.index_terms(text)
            lengths[f].append(len(terms))
            for term, frequency in Counter(terms).items():
                per_field = counted.get(term)
                if per_field is None:
                    per_field = counted[term] = [None] * len(FIELDS)
                pair = per_field[f]
                if pair is None:
                    pair = per_field[f] = (array("l"), array("l"))
                pair[0].append(number)
                pair[1].append(frequency)
    papers = len(corpus.items)
    norms = []
    for column in lengths:
        average = (sum(column) / papers if papers else 0) or 1  # no words in this field: nothing to weigh
        norms.append(array("d", (K1 * (1 - B + B * length / average) for length in column)))
    return counted, norms


def weighed(per_field: list, norms: list[array], papers: int) -> list[tuple[array, list[float]] | None]:
    """One term's postings (from counted_postings) with their BM25 weights in place of the
    frequencies: the weights of lunr.py's Builder (lunr's idf, k1 = 1.2, b = 0.75, the field
    boosts), unrounded."""
    inverse = _idf(sum(len(pair[0]) for pair in per_field if pair), papers)
    return [
        None if pair is None else (pair[0], [
            scale * tf / (norm[n] + tf) for n, tf in zip(pair[0], pair[1], strict=True)])
        for pair, norm, scale in zip(per_field, norms, [inverse * (K1 + 1) * boost for boost in FIELDS.values()], strict=True)]


def _idf(held: int, papers: int) -> float:
    """lunr.idf for a term held `held` times, counted field by field as lunr counts it."""
    return math.log(1 + abs((papers - held + 0.5) / (held + 0.5)))


# ---------- encoding ----------

def _shards(terms: list[str], counted: dict[str, list], norms: list[array], papers: int) -> list[tuple[str, bytes]]:
    """(first term, file) of each shard: consecutive `terms`, about SHARD_BYTES of postings each.
    Each term's postings are weighed as they are encoded, and let go of (`counted` empties)."""
    shards, header, body = [], [], bytearray()

    def close() -> None:
        if header:
            shards.append((header[0][0], _pack(header, body)))

    for term in terms:
        entries, postings = [], bytearray()
        for f, pair in enumerate(weighed(counted.pop(term), norms, papers)):
            if pair is not None:
                numbers, weights = pair
                low, high = min(weights), max(weights)
                entries.append([f, len(numbers), _rounded(low), _rounded(high), len(postings)])  # offset in the term's
                postings += varint_gaps(numbers) + quantized(weights, low, high)
        if header and len(body) + len(postings) > SHARD_BYTES:
            close()
            header, body = [], bytearray()
        for entry in entries:
            entry[4] += len(body)  # now in the shard's
        header.append([term, entries])
        body += postings
    close()
    return shards


def _pack(header: list, body: bytearray) -> bytes:
    head = _json(header).encode("utf-8")
    return gzip.compress(struct.pack("<I", len(head)) + head + bytes(body), compresslevel=9, mtime=0)


def varint_gaps(numbers: list[int]) -> bytes:
    """Ascending numbers as the gaps between them (the first from 0), seven bits a byte, the high
    bit set on every byte but a number's last."""
    gaps = [b - a for a, b in zip([0, *numbers], numbers, strict=False)]
    if not gaps or max(gaps) < 0x80:
        return bytes(gaps)  # the common case, in one step
    out = bytearray()
    for gap in gaps:
        while gap >= 0x80:
            out.append((gap & 0x7F) | 0x80)
            gap >>= 7
        out.append(gap)
    return bytes(out)


def quantized(weights: list[float], low: float, high: float) -> bytes:
    """Each weight as a byte: 0 for `low`, 255 for `high`, linear between (the browser reads
    low + byte * (high - low) / 255). `low` and `high` are those stored, rounded as _rounded()."""
    low, high = _rounded(low), _rounded(high)
    scale = 255 / (high - low) if high > low else 0
    return bytes(min(255, max(0, round((w - low) * scale))) for w in weights)


def _rounded(weight: float) -> float:
    return float(f"{weight:.6g}")


# ---------- per paper ----------

def _paper(item: Item, topics: dict[str, int], methods: dict[str, int]) -> list:
    paper = item.paper
    authors = list(paper.authors[:4]) + (["et al."] if len(paper.authors) > 4 else [])
    key = cite.citation_key(paper)
    return [paper.slug, plain_text(paper.title), ", ".join(authors), paper.date.isoformat() if paper.date else "",
            [topics[a.slug] for a in item.topics], [methods[a.slug] for a in item.methods], plain_text(paper.abstract),
            key, cite.bibtex(paper, key), list(paper.authors), cite.arxiv_id(paper) or "", cite.link(paper, "code") or ""]


def _facets(corpus: Corpus) -> bytes:
    """The papers of each topic, then of each method (in the taxonomy's order, as the corpus
    groups them), then the papers with code, as numbers: [[count, offset], ...] in the header,
    the gaps in the body (the shard layout)."""
    number = {item.paper.slug: n for n, item in enumerate(corpus.items)}
    with_code = [item for item in corpus.items if cite.link(item.paper, "code")]
    header, body = [], bytearray()
    for items in [*corpus.by_topic.values(), *corpus.by_method.values(), with_code]:
        header.append([len(items), len(body)])
        body += varint_gaps([number[item.paper.slug] for item in items])
    return _pack(header, body)


def _years(corpus: Corpus) -> list[list]:
    """[year or "undated", first paper number, number after the last] of each year, newest first."""
    years: list[list] = []
    for number, item in enumerate(corpus.items):
        year = str(item.paper.date.year) if item.paper.date else "undated"
        if years and years[-1][0] == year:
            years[-1][2] = number + 1
        else:
            years.append([year, number, number + 1])
    return years


# ---------- the reference ----------

def build_index(corpus: Corpus):
    """One monolithic lunr.Index of the same papers, by lunr.py (a paper's ref is its number):
    what the shards are checked against in the tests and the benchmark; not part of the site."""
    builder = lunr_compat.builder()
    builder.ref("ref")
    for name, boost in FIELDS.items():
        builder.field(name, boost=boost)
    for number, item in enumerate(corpus.items):
        builder.add({"ref": str(number), **{name: lunr_compat.index_terms(text) for name, text in field_texts(item, corpus).items()}})
    return builder.build()


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while the search files are made: the postings' millions of
    small lists hold no cycles, and the collector's passes over them cost more than the work.
    Reference counting still frees everything."""
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

