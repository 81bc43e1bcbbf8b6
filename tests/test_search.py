"""The search index: weighed as lunr.py weighs, queried with lunr.js, so both must read words the
same way; cut into term shards whose postings add back up to the whole index's scores."""

from __future__ import annotations

import gzip
import json
import math
import struct

import pytest
from conftest import REPO, serving

from generator import cite, lunr_compat, search
from generator.classify import classify
from generator.group import group
from generator.lunr_compat import STOP_WORDS, stem, trim, words
from generator.store import load_papers
from generator.taxonomy import load_taxonomy

# lunr.py stems these differently from lunr.js (a vowel before the final y).
TRAP_WORDS = ["survey", "surveys", "deploy", "deployed", "play", "playing", "key", "keys", "array", "delay", "lay", "try"]
ODD_WORDS = ["y", "yy", "yes", "yield", "über", "(dpo)", "grpo,", "r1", "4o's", "😀y", "e\u0301clair", "naïve", "ieee",
             "generalization", "relational", "hopefulness", "agreed", "feed", "bled", "hopping", "filing", "controll"]


@pytest.fixture(scope="module")
def corpus():
    taxonomy, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
    papers, _ = load_papers(REPO / "content")
    return group(papers, {paper.slug: classify(paper, taxonomy) for paper in papers}, taxonomy, {})


@pytest.fixture(scope="module")
def lunr_page(browser):
    """A blank page with the lunr.js that the site ships."""
    page = browser.new_page()
    page.add_script_tag(content=search.lunr_js())
    yield page
    page.close()


def shipped_words(corpus) -> list[str]:
    texts = [text for item in corpus.items for text in (item.paper.title, item.paper.abstract, " ".join(item.paper.authors))]
    return sorted({word for text in texts for word in words(text)} | set(TRAP_WORDS) | set(ODD_WORDS))


def test_lunr_py_alone_would_miss_the_trap_words():
    """Why lunr_compat exists: lunr.py's own stemmer disagrees with lunr.js on these."""
    from lunr.stemmer import stemmer as lunr_py_stemmer
    from lunr.token import Token

    assert str(lunr_py_stemmer(Token("survey"))) == "survei"
    assert [stem(word) for word in ("survey", "deploy", "key", "try")] == ["survey", "deploy", "key", "tri"]


def test_index_terms_are_what_lunr_js_makes_of_every_shipped_word(corpus, lunr_page):
    vocabulary = shipped_words(corpus)
    assert len(vocabulary) > 3000
    in_browser = lunr_page.evaluate(
        """words => words.map(w => [
            lunr.stemmer(new lunr.Token(w)).toString(),
            lunr.trimmer(new lunr.Token(w)).toString(),
            lunr.stopWordFilter(new lunr.Token(w)) === undefined,
        ])""", vocabulary)
    in_python = [[stem(word), trim(word), word in STOP_WORDS] for word in vocabulary]
    disagreements = [(word, js, py) for word, js, py in zip(vocabulary, in_browser, in_python, strict=True) if js != py]
    assert disagreements == []


def test_text_splits_into_the_words_lunr_js_tokenizes(corpus, lunr_page):
    texts = [item.paper.abstract for item in corpus.items] + ["Step-DPO, PPO-based\u2003R1-Searcher\u00a0x\u2014y"]
    in_browser = lunr_page.evaluate("texts => texts.map(t => lunr.tokenizer(t).map(String))", texts)
    assert in_browser == [words(text) for text in texts]


def unpack(data: bytes) -> tuple[list, bytes]:
    """A .bin search file: gzip of a little-endian header length, a JSON header, the body."""
    raw = gzip.decompress(data)
    (length,) = struct.unpack_from("<I", raw)
    return json.loads(raw[4 : 4 + length]), raw[4 + length :]


def read_gaps(body: bytes, offset: int, count: int) -> tuple[list[int], int]:
    """`count` ascending numbers stored as varint gaps at `offset`; and where they end."""
    numbers, at, previous = [], offset, 0
    for _ in range(count):
        value = shift = 0
        while True:
            byte = body[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        previous += value
        numbers.append(previous)
    return numbers, at


def read_shards(files: dict) -> dict[str, dict[str, tuple[dict[str, float], float]]]:
    """{term: {field: ({paper ref: weight}, largest error of its weights)}} from every shard, in
    the shards' order (the reading atlas-search.js does)."""
    postings = {}
    fields = json.loads(files["search/manifest.json"])["fields"]
    for name in sorted(path for path in files if path.startswith("search/shard-")):
        header, body = unpack(files[name])
        for term, entries in header:
            postings[term] = {}
            for field, count, low, high, offset in entries:
                numbers, end = read_gaps(body, offset, count)
                weights = [low + byte * (high - low) / 255 for byte in body[end : end + count]]
                postings[term][fields[field]] = (dict(zip(map(str, numbers), weights, strict=True)), (high - low) / 510)
    return postings


def test_every_shipped_paper_has_its_own_file_with_what_a_result_shows(corpus):
    files = search.search_files(corpus)
    manifest = json.loads(files["search/manifest.json"])
    papers = [json.loads(files[search.paper_file(n)]) for n in range(len(corpus.items))]
    assert manifest["papers"] == len(papers) == len([p for p in files if p.startswith("search/papers/")]) == 97
    slug, title, authors, date, topics, methods, abstract, key, bibtex, every_author, arxiv, code = papers[0]
    first = corpus.items[0].paper
    assert (slug, title, date, every_author) == (first.slug, first.title, first.date.isoformat(), list(first.authors))
    assert [manifest["methods"][m][0] for m in methods] == [a.slug for a in corpus.items[0].methods]
    assert [manifest["topics"][t][0] for t in topics] == [a.slug for a in corpus.items[0].topics]
    assert abstract.startswith(first.abstract[:40]) and bibtex == cite.bibtex(first, key) and arxiv == cite.arxiv_id(first)
    assert code == "" and all(json_paper[-1] == "" for json_paper in papers)  # the shipped papers' code links are not fetched yet
    assert files[search.LUNR_JS].lstrip().startswith("/**\n * lunr - http://lunrjs.com")


def test_years_are_ranges_of_paper_numbers_newest_first(corpus):
    years = json.loads(search.search_files(corpus)["search/manifest.json"])["years"]
    assert [first for _, first, _ in years] == [0] + [end for _, _, end in years[:-1]] and years[-1][2] == 97
    for year, first, end in years:
        assert {str(item.paper.date.year) if item.paper.date else "undated" for item in corpus.items[first:end]} == {year}
    assert [year for year, _, _ in years if year != "undated"] == sorted({y for y, _, _ in years} - {"undated"}, reverse=True)


def test_the_facet_table_holds_each_topic_and_methods_papers_and_those_with_code(corpus):
    files = search.search_files(corpus)
    manifest = json.loads(files["search/manifest.json"])
    header, body = unpack(files["search/facets.bin"])
    terms = [("topics", slug) for slug, _ in manifest["topics"]] + [("methods", slug) for slug, _ in manifest["methods"]]
    assert len(header) == len(terms) + 1  # and last, the papers with code
    for (kind, slug), (count, offset) in zip(terms, header, strict=False):
        expected = [n for n, item in enumerate(corpus.items) if slug in {a.slug for a in getattr(item, kind)}]
        assert read_gaps(body, offset, count)[0] == expected
    assert header[-1][0] == 0  # no shipped paper has its code link yet (see test_code_links.py for one that has)


def test_the_fast_builder_builds_what_lunr_py_builds(corpus):
    from lunr.builder import Builder

    documents = [{"ref": str(n), **{name: lunr_compat.index_terms(text) for name, text in search.field_texts(item, corpus).items()}}
                 for n, item in enumerate(corpus.items)]
    stock, fast = Builder(), lunr_compat.builder()
    stock.search_pipeline.add(lunr_compat.stemmer)
    for made in (stock, fast):
        made.ref("ref")
        for name, boost in search.FIELDS.items():
            made.field(name, boost=boost)
        for document in documents:
            made.add(document)
    assert json.dumps(fast.build().serialize()) == json.dumps(stock.build().serialize())


def test_a_field_that_no_paper_fills_is_indexed_without_dividing_by_zero(corpus):
    from dataclasses import replace

    from generator.group import Corpus

    nobody = [replace(item, paper=replace(item.paper, authors=())) for item in corpus.items[:3]]
    serialized = search.build_index(Corpus(**{**corpus.__dict__, "items": tuple(nobody)})).serialize()
    word = lunr_compat.index_terms(nobody[0].paper.title)[0]
    assert "0" in dict(serialized["invertedIndex"])[word]["title"]


@pytest.fixture(scope="module")
def whole_and_shards(corpus):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_BYTES", 2_000)
        files = search.search_files(corpus)
    return lunr_compat.load_index(search.build_index(corpus).serialize()), files


def test_shards_hold_every_term_once_in_javascripts_order_with_lunr_py_weights(whole_and_shards):
    whole, files = whole_and_shards
    manifest, postings = json.loads(files["search/manifest.json"]), read_shards(files)
    terms = list(postings)
    assert len(manifest["shards"]) > 10 and set(manifest["shards"]) <= set(terms)
    assert terms == sorted(whole.inverted_index, key=search.js_order) == json.loads(files["search/terms.json"])
    for term, fields in postings.items():
        stock = whole.inverted_index[term]
        assert {field for field in search.FIELDS if stock[field]} == set(fields), term
        for field, (weights, error) in fields.items():
            assert weights.keys() == stock[field].keys(), (term, field)
            number = stock["_index"]
            for ref, weight in weights.items():
                elements = whole.field_vectors[f"{field}/{ref}"].elements
                expected = dict(zip(elements[::2], elements[1::2], strict=True))[number]
                assert abs(weight - expected) <= error + 0.0006, (term, field, ref)  # lunr rounds to 3 decimals


def shard_search(postings: dict, whole, query_string: str) -> dict[str, float]:
    """The score of atlas-search.js (score()) as a specification: for each field f, every term the
    query reaches adds boost * weight / |q_f| to each paper in its postings, where q_f holds the
    boosts of all the terms the query reaches (as lunr.Index#query builds it)."""
    totals: dict[str, float] = {}
    for field in search.FIELDS:
        scoped = " ".join(f"{field}:{word}" for word in query_string.split())
        reached = reached_terms(whole, scoped)
        length = math.sqrt(sum(boost * boost for _, boost in reached.values()))
        for term, (_, boost) in reached.items():
            for ref, weight in postings[term].get(field, ({}, 0))[0].items():
                totals[ref] = totals.get(ref, 0.0) + boost * weight / length
    return totals


def reached_terms(index, query_string: str) -> dict[str, tuple[int, float]]:
    """{index term: (its number, its summed boost)} for a query on one index, expanded as lunr does."""
    from lunr.query import Query
    from lunr.query_parser import QueryParser
    from lunr.token_set import TokenSet

    query = Query(index.fields)
    QueryParser(query_string, query).parse()
    reached: dict[str, tuple[int, float]] = {}
    for clause in query.clauses:
        for term in index.pipeline.run_string(clause.term, {"fields": clause.fields}) if clause.use_pipeline else [clause.term]:
            clause.term = term  # as lunr itself does, term by term
            for expanded in index.token_set.intersect(TokenSet.from_clause(clause)).to_list():
                number = index.inverted_index[expanded]["_index"]
                reached[expanded] = (number, reached.get(expanded, (number, 0.0))[1] + clause.boost)
    return reached


@pytest.mark.parametrize("query", ["grpo", "reward model", "process reward model math", "survey deploy", "distil*", "brantley", "reward^3 model"])
def test_scores_from_the_postings_are_the_whole_index_scores_within_a_weights_rounding(whole_and_shards, query):
    whole, files = whole_and_shards
    expected = {r["ref"]: r["score"] for r in whole.search(query)}
    scored = shard_search(read_shards(files), whole, query)
    assert expected, f"{query!r} should find something in the shipped papers"
    assert scored.keys() == expected.keys()
    assert all(math.isclose(scored[ref], expected[ref], rel_tol=0.01, abs_tol=0.005) for ref in expected)


def test_trap_words_find_papers_through_lunr_js_in_the_built_site(shipped_site, browser, corpus):
    """The index the site ships, searched in the browser: "survey" finds the papers that say it."""
    saying_survey = sum("survey" in (item.paper.title + " " + item.paper.abstract).lower() for item in corpus.items)
    page = browser.new_page()
    with serving(shipped_site.site) as url:
        page.goto(url + "search/")
        found = page.evaluate(
            """async () => {
                const count = async (word) => (await atlasSearch.search(word)).ranked.length;
                return Object.fromEntries(await Promise.all(["survey", "deploy", "key", "play"].map(async (w) => [w, await count(w)])));
            }""")
    page.close()
    assert found["survey"] >= saying_survey > 0
    assert found["deploy"] > 0 and found["key"] > 0
