"""What a reader does with search, in Debian's Chromium: type a query, narrow it with facets,
share the URL, go back, use the keyboard, and meet odd input and hostile titles calmly.

Screenshots land in build/screenshots/ for a person to look at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CONFIG, REPO, serving
from test_browser import shot
from test_build import XSS

from generator import search

ODD_QUERIES = ['"unmatched', ":", "~", "title:", "+", "-", "*", "grpo~", "^2", "😀", "a" * 500, "title:dpo^", "((", "\\",
               "<img src=x onerror=alert(1)>", "+grpo -ppo", "r1-searcher", "step-dpo", "distil*", "reword~1"]


@pytest.fixture
def reader(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.dialogs = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def settled(page) -> str:
    """Wait until the search page has finished its latest query; its status line."""
    page.wait_for_function("""() => {
        const status = document.querySelector('.atlas-search__status');
        return status && status.textContent && !document.querySelector('.atlas-search--loading');
    }""")
    page.wait_for_timeout(50)
    return page.locator(".atlas-search__status").inner_text()


def titles(page) -> list[str]:
    return [title.inner_text() for title in page.locator(".atlas-result__title").all()]


def facet(page, kind: str, slug: str):
    return page.locator(f"input[data-facet='{kind}'][value='{slug}']")


def facet_count(page, kind: str, slug: str) -> int:
    return int(facet(page, kind, slug).locator("xpath=..").locator(".atlas-count").inner_text())


def found(status: str) -> int:
    match = re.match(r"(\d+) papers? found", status)
    return int(match.group(1)) if match else 0


def test_typing_grpo_lists_critique_grpo_first(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "search/")
        assert "Type to search 97 papers" in settled(reader)
        reader.locator(".atlas-search__input").fill("GRPO")
        assert found(settled(reader)) >= 3
        assert titles(reader)[0].startswith("Critique-GRPO")
        assert reader.locator(".atlas-result").first.locator("mark").first.inner_text() == "GRPO"
        assert reader.url.endswith("/search/?q=GRPO")
        shot(reader, "search-grpo")
        assert reader.errors == []


def test_a_facet_narrows_and_widens_with_the_counts_it_showed(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "search/?q=reward")
        everything = found(settled(reader))
        promised = facet_count(reader, "method", "grpo")
        assert 0 < promised < everything
        facet(reader, "method", "grpo").check()
        assert found(settled(reader)) == promised
        assert "method=grpo" in reader.url
        assert all("GRPO" in item.inner_text() for item in reader.locator(".atlas-result .atlas-chips").all())
        shot(reader, "search-facet")
        facet(reader, "method", "grpo").uncheck()
        assert found(settled(reader)) == everything
        facet(reader, "method", "grpo").check()
        settled(reader)
        reader.get_by_role("button", name="Clear filters").click()
        assert found(settled(reader)) == everything and "method=" not in reader.url
        assert reader.errors == []


def test_no_results_offer_to_remove_each_filter_by_name(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "search/?q=reward&method=grpo&year=2020")  # GRPO came later than 2020
        assert settled(reader).startswith("No papers match “reward”. Try removing a filter:")
        reader.get_by_role("button", name="✕ GRPO").click()
        assert found(settled(reader)) > 0 and "method=" not in reader.url and "year=2020" in reader.url
        reader.goto(url + "search/?method=grpo&year=2020")
        assert settled(reader).startswith("No paper has all these filters.")
        assert reader.errors == []


def test_a_shared_url_restores_the_search_and_back_undoes_a_facet(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "search/?q=reward+model&method=grpo&year=2025&sort=date")
        status = settled(reader)
        assert reader.locator(".atlas-search__input").input_value() == "reward model"
        assert facet(reader, "method", "grpo").is_checked() and facet(reader, "year", "2025").is_checked()
        assert reader.locator(".atlas-search__sort").input_value() == "date"
        shared = titles(reader)
        assert found(status) == len(shared) > 0
        facet(reader, "topic", "reasoning").check()
        settled(reader)
        reader.go_back()
        settled(reader)
        assert not facet(reader, "topic", "reasoning").is_checked() and titles(reader) == shared
        reader.go_forward()
        settled(reader)
        assert facet(reader, "topic", "reasoning").is_checked()
        assert reader.errors == []


def test_keyboard_slash_arrows_and_enter(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "methods/grpo/")
        reader.keyboard.press("/")
        assert reader.evaluate("document.activeElement.closest('.atlas-header-search') !== null")
        reader.keyboard.type("grpo reasoning")
        reader.keyboard.press("Enter")
        reader.wait_for_url("**/search/?q=grpo+reasoning")
        assert found(settled(reader)) >= 2
        reader.keyboard.press("/")
        assert reader.evaluate("document.activeElement.classList.contains('atlas-search__input')")
        reader.keyboard.press("ArrowDown")
        first = titles(reader)[0]
        assert reader.evaluate("document.activeElement.textContent") == first
        reader.keyboard.press("ArrowDown")
        reader.keyboard.press("ArrowUp")
        reader.keyboard.press("Enter")
        reader.wait_for_url("**/papers/**")
        assert reader.locator("article h1").inner_text() == first
        assert reader.errors == []


def test_odd_queries_never_throw(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "search/")
        settled(reader)
        box = reader.locator(".atlas-search__input")
        for query in ODD_QUERIES:
            box.fill(query)
            status = settled(reader)
            assert "found" in status or "No papers match" in status, (query, status)
        assert reader.errors == [] and reader.dialogs == []


def test_prefixes_and_hyphenated_names_are_found(reader, shipped_site):
    with serving(shipped_site.site) as url:
        for query, title in [("distil", "Distill"), ("Critique-GRPO", "Critique-GRPO"), ("Sotopia-RL", "Sotopia-RL"),
                             ("sotopia", "Sotopia-RL"), ("SWE-RL", "SWE-RL"), ("RM-R1", "RM-R1"), ("surveys", "Survey"),
                             ("brantley", "Provably Optimal Distributional RL")]:
            reader.goto(url + f"search/?q={query}")
            settled(reader)
            assert any(title.lower() in t.lower() for t in titles(reader)[:5]), (query, titles(reader)[:5])


def test_a_hostile_title_is_found_and_shown_as_text(reader, scratch_site):
    with serving(scratch_site) as url:
        reader.goto(url + "search/?q=onerror")
        settled(reader)
        assert titles(reader) == [XSS]
        assert reader.locator(".atlas-results img").count() == 0
        reader.goto(url + "search/?q=alert")
        settled(reader)
        assert reader.locator(".atlas-results img, .atlas-results script").count() == 0
        assert reader.dialogs == [] and reader.errors == []


def test_dark_phone_search(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.set_viewport_size({"width": 390, "height": 844})
        reader.goto(url + "search/?q=process+reward+model")
        settled(reader)
        reader.locator("label[title='Switch to dark mode']").first.click()
        assert reader.evaluate("document.documentElement.scrollWidth") <= 390
        assert not reader.locator("details.atlas-facets").get_attribute("open") and titles(reader)
        reader.screenshot(path=str(REPO / "build" / "screenshots" / "search-phone-dark.png"))
        reader.locator("details.atlas-facets summary").click()
        facet(reader, "year", "2025").check()
        assert "(1 chosen)" in reader.locator("details.atlas-facets summary").inner_text()
        assert reader.errors == []


WHOLE_INDEX_RANKING = """async (queries) => {
    await atlasSearch.search("grpo");  // loads lunr.js
    const whole = lunr.Index.load(await (await fetch("/whole.json")).json());
    const manifest = await (await fetch("/search/manifest.json")).json();
    const run = (clauses) => whole.query((q) => clauses.forEach((c) => q.clause({ ...c })));
    const out = [];
    for (const query of queries) {
        const groups = atlasSearch.parseQuery(query, manifest.fields);
        const scores = Object.fromEntries(run(groups.flatMap((g) => g.clauses)).map((r) => [r.ref, r.score]));
        const words = {};  // ref -> how many of the words (groups) it has
        for (const group of groups) for (const r of run(group.clauses)) words[r.ref] = (words[r.ref] || 0) + 1;
        const { ranked, anyWord } = await atlasSearch.search(query);
        out.push({ query, scores, words, groups: groups.length, ranked: Array.from(ranked), anyWord, shards: manifest.shards.length });
    }
    return out;
}"""


def test_sharded_search_ranks_as_the_whole_index_does(reader, tmp_path, monkeypatch, atlas):
    """The shipped papers cut into many shards. For each query the browser finds, from the shards
    it fetched, the papers of lunr.js's whole index that hold every word (any word when none holds
    them all, most words first), ranked by lunr.js's scores: equal up to the one-byte weights."""
    monkeypatch.setattr(search, "SHARD_BYTES", 500)
    assert atlas("build", "--content", REPO / "content", "--out", tmp_path / "build", "--site", tmp_path / "site",
                 "--config", CONFIG).exit_code == 0
    from generator.classify import classify
    from generator.group import group
    from generator.store import load_papers
    from generator.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
    papers, _ = load_papers(REPO / "content")
    corpus = group(papers, {p.slug: classify(p, taxonomy) for p in papers}, taxonomy, {})
    (tmp_path / "site" / "whole.json").write_text(json.dumps(search.build_index(corpus).serialize()))
    with serving(tmp_path / "site") as url:
        reader.goto(url + "search/")
        settled(reader)
        compared = reader.evaluate(WHOLE_INDEX_RANKING, [
            "grpo", "reward model", "process reward model math", "survey deploy", "distil", "title:dpo policy",
            "kl divergence", "language model agents", "brantley", "reward^3 model", "title:grpo~1 policy", "grpo zzzzqx"])
    for case in compared:
        query, scores, words, ranked = case["query"], case["scores"], case["words"], [str(ref) for ref in case["ranked"]]
        assert case["shards"] > 20
        every = {ref for ref, count in words.items() if count == case["groups"]}
        assert case["anyWord"] == (not every), query
        assert set(ranked) == (every or set(words)) and ranked, query
        order = [(-words[ref], -scores[ref]) for ref in ranked]
        # Each paper ranks no lower than the next, by words held, then score (within the weights' rounding).
        assert all(a[0] < b[0] or (a[0] == b[0] and a[1] <= b[1] + 0.01 * abs(b[1]) + 0.005)
                   for a, b in zip(order, order[1:], strict=False)), query


def test_a_multi_word_query_finds_the_papers_with_every_word_and_says_so(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "search/?q=process+reward+model")
        status = settled(reader)
        assert "with all these words" in status and 0 < found(status) < 30
        first = reader.locator(".atlas-result").first
        assert "Process reward model" in first.locator(".atlas-chips").inner_text()
        assert {mark.inner_text().lower() for mark in first.locator(".atlas-result__title mark").all()} >= {"reward", "models"}
        reader.locator(".atlas-search__input").fill("process reward model zzzzqx")
        status = settled(reader)
        assert status.startswith("No paper has all these words.") and "with some of them" in status
        assert len(titles(reader)) == 20 and reader.locator(".atlas-search__more").is_visible()
        assert reader.errors == []


@pytest.mark.parametrize("partial", ["header.html", "palette.html", "logo.html", "top.html"])
def test_overridden_partials_are_materials_but_for_the_search_slot_and_the_icon_sprite(partial):
    import material

    ours = (REPO / "overrides" / "partials" / partial).read_text(encoding="utf-8")
    theirs = (Path(material.__file__).parent / "templates" / "partials" / partial).read_text(encoding="utf-8")
    slot = re.compile(r'    \{% if "material/search" in config\.plugins %\}.*?\n    \{% endif %\}\n', re.S)
    ours_rest = re.sub(r"    \{#- atlas:.*?</form>\n", "", ours, flags=re.S).split("-#}\n", 1)[1]
    theirs_rest = slot.sub("", theirs.split("-#}\n", 1)[1])
    theirs_rest = re.sub(r'\{% include "\.icons/" ~ (.+?) ~ "\.svg" %\}', r"{{ \1 | atlas_icon }}", theirs_rest)
    assert ours_rest == theirs_rest


def test_search_survives_materials_instant_navigation(reader, shipped_site):
    """Material swaps pages without reloading: the Search tab, a result and Back all keep working."""
    with serving(shipped_site.site) as url:
        reader.goto(url)
        reader.get_by_role("link", name="Search", exact=True).first.click()
        reader.wait_for_url("**/search/")
        settled(reader)
        reader.locator(".atlas-search__input").fill("dpo")
        count = found(settled(reader))
        assert count > 0 and reader.url.endswith("/search/?q=dpo")
        first = titles(reader)[0]
        reader.locator(".atlas-result__title").first.click()
        reader.wait_for_url("**/papers/**")
        assert reader.locator("article h1").inner_text() == first
        reader.go_back()
        assert found(settled(reader)) == count and reader.locator(".atlas-search__input").input_value() == "dpo"
        assert reader.errors == []
