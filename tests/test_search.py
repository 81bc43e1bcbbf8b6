"""The search index: built by lunr.py, queried by lunr.js, so both must read words the same way;
cut into term shards whose scores add back up to the whole index's."""

from __future__ import annotations

import json
import math

import pytest
from conftest import REPO, serving

from generator import lunr_compat, search
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


def test_every_shipped_paper_is_indexed_once_with_its_card(corpus):
    files = search.search_files(corpus)
    manifest = json.loads(files["search/manifest.json"])
    cards = json.loads(files["search/papers.json"])
    assert manifest["papers"] == len(cards) == len(corpus.items) == 97
    slug, title, authors, date, topics, methods = cards[0]
    first = corpus.items[0]
    assert (slug, title, date) == (first.paper.slug, first.paper.title, first.paper.date.isoformat())
    assert [manifest["methods"][m][0] for m in methods] == [a.slug for a in first.methods]
    assert [manifest["topics"][t][0] for t in topics] == [a.slug for a in first.topics]
    abstracts = [a for name in sorted(files) if name.startswith("search/abstracts-") for a in json.loads(files[name])]
    assert len(abstracts) == 97 and abstracts[0].startswith(first.paper.abstract[:40])
    assert files[search.LUNR_JS].lstrip().startswith("/**\n * lunr - http://lunrjs.com")


def test_the_fast_builder_builds_what_lunr_py_builds(corpus):
    from lunr.builder import Builder

    documents = [{"ref": str(n), **{name: lunr_compat.index_terms(text) for name, text in search._fields(item, corpus).items()}}
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
def index_and_shards(corpus):
    serialized = search.build_index(corpus).serialize()
    return serialized, search.split_index(serialized, shard_bytes=8_000)


def test_shards_partition_the_terms_and_vectors_of_the_whole_index(index_and_shards):
    whole, shards = index_and_shards
    assert len(shards) > 10
    assert [term for _, _, shard in shards for term, _ in shard["invertedIndex"]] == [term for term, _ in whole["invertedIndex"]]
    for first, last, shard in shards:
        assert (first, last) == (shard["invertedIndex"][0][0], shard["invertedIndex"][-1][0])
    # No three-letter prefix is split between shards, so a word being typed is completed in one shard.
    prefixes = [{term[:3] for term, _ in shard["invertedIndex"]} for _, _, shard in shards]
    assert sum(len(p) for p in prefixes) == len(set().union(*prefixes))
    elements: dict[str, list] = {}
    for _, _, shard in shards:
        for ref, values in shard["fieldVectors"]:
            elements.setdefault(ref, []).extend(zip(values[::2], values[1::2], strict=True))
    assert {ref: sorted(pairs) for ref, pairs in elements.items()} == {
        ref: sorted(zip(values[::2], values[1::2], strict=True)) for ref, values in whole["fieldVectors"] if values}


def merged_search(shards, query: str) -> dict[str, float]:
    """The client's merge (merge() in atlas-search.js), as a specification. Lunr scores a document
    as the sum over fields of (query vector . field vector) / |query vector|. A field's query
    vector is gathered from every shard (each term the query reaches there, by its number in the
    whole index, boosts added up); the dot products are added up term by term from the weights in
    the shards' field vectors."""
    totals: dict[str, float] = {}
    for field in search.FIELDS:
        scoped = " ".join(f"{field}:{word}" for word in query.split())
        reached = [(shard, term, number, boost) for shard in shards for term, (number, boost) in reached_terms(shard, scoped).items()]
        length = math.sqrt(sum(boost * boost for *_, boost in reached))
        for shard, term, number, boost in reached:
            for ref in shard.inverted_index[term][field]:
                elements = shard.field_vectors[f"{field}/{ref}"].elements
                weight = dict(zip(elements[::2], elements[1::2], strict=True))[number]
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
def test_shard_scores_add_up_to_the_whole_index_scores(index_and_shards, query):
    whole, shards = index_and_shards
    expected = {r["ref"]: r["score"] for r in lunr_compat.load_index(whole).search(query)}
    merged = merged_search([lunr_compat.load_index(shard) for _, _, shard in shards], query)
    assert expected, f"{query!r} should find something in the shipped papers"
    assert merged.keys() == expected.keys()
    assert all(math.isclose(merged[ref], expected[ref], rel_tol=1e-9, abs_tol=1e-9) for ref in expected)


def test_trap_words_find_papers_through_lunr_js_in_the_built_site(shipped_site, browser, corpus):
    """The index the site ships, loaded by lunr.js: "survey" finds the papers that say it."""
    saying_survey = sum("survey" in (item.paper.title + " " + item.paper.abstract).lower() for item in corpus.items)
    page = browser.new_page()
    with serving(shipped_site.site) as url:
        page.goto(url)
        page.add_script_tag(url=url + search.LUNR_JS)
        found = page.evaluate(
            """async () => {
                const manifest = await (await fetch("search/manifest.json")).json();
                const shards = await Promise.all(manifest.shards.map((_, n) =>
                    fetch(`search/index-${String(n).padStart(3, "0")}.json`).then(r => r.json())));
                const count = word => shards.reduce((sum, s) => sum + lunr.Index.load(s).search(word).length, 0);
                return Object.fromEntries(["survey", "deploy", "key", "play"].map(w => [w, count(w)]));
            }""")
    page.close()
    assert found["survey"] >= saying_survey > 0
    assert found["deploy"] > 0 and found["key"] > 0
