"""The reading list, as a reader uses it in Chromium: save papers from a paper page and from
search results, find them on the Saved page after a reload, export them as BibTeX, and carry the
list to another browser (a fresh context, with its own storage) by exporting and importing it."""

from __future__ import annotations

import json

import bibtexparser
from conftest import serving
from test_browser import shot
from test_search_page import reader, settled  # noqa: F401 (reader is a fixture)

PAPER = "q-sharp-provably-optimal-distributional-rl-for-llm-post-training"
PAPER_TITLE = "Q♯: Provably Optimal Distributional RL for LLM Post-Training"


def saved_titles(page) -> list[str]:
    page.wait_for_function("() => /saved papers?|No saved/.test(document.querySelector('.atlas-saved__status')?.textContent || '')")
    return [link.inner_text() for link in page.locator("[data-atlas-saved-page] .atlas-list > li > a").all()]


def downloaded(page, name: str) -> tuple[str, str]:
    with page.expect_download() as downloading:
        page.get_by_role("button", name=name, exact=True).click()
    with open(downloading.value.path(), encoding="utf-8") as file:
        return downloading.value.suggested_filename, file.read()


def test_save_two_papers_find_them_after_a_reload_export_and_carry_them_to_another_browser(reader, browser, shipped_site, tmp_path):  # noqa: F811
    with serving(shipped_site.site) as url:
        reader.goto(url + f"papers/{PAPER}/")
        save = reader.locator("article.atlas-paper > button.atlas-save")
        assert save.get_attribute("aria-pressed") == "false" and save.inner_text() == "Save"
        save.focus()
        reader.keyboard.press("Enter")  # a real button: the keyboard works
        assert save.get_attribute("aria-pressed") == "true" and save.inner_text() == "Saved"
        assert reader.locator(".atlas-saved-link").inner_text() == "Saved (1)"
        shot(reader, "paper-saved")

        reader.goto(url + "search/?q=grpo")
        settled(reader)
        first = reader.locator(".atlas-result").first
        second_title = first.locator(".atlas-result__title").inner_text()
        first.locator("button.atlas-save").click()
        assert first.locator("button.atlas-save").get_attribute("aria-pressed") == "true"
        assert reader.locator(".atlas-saved-link").inner_text() == "Saved (2)"

        reader.reload()
        reader.locator(".atlas-saved-link").click()
        reader.wait_for_url("**/saved/")
        assert saved_titles(reader) == [PAPER_TITLE, second_title]
        shot(reader, "saved")

        name, bibtex = downloaded(reader, "Export the saved papers as BibTeX")
        library = bibtexparser.parse_string(bibtex)
        assert name == "atlas-saved.bib" and library.failed_blocks == [] and len(library.entries) == 2
        assert library.entries[0].key == "zhou2025q" and library.entries[1].key
        _, listed = downloaded(reader, "Export the list")
        (tmp_path / "list.json").write_text(listed, encoding="utf-8")
        assert [paper["slug"] for paper in json.loads(listed)["papers"]][0] == PAPER

        other = browser.new_context()
        try:
            elsewhere = other.new_page()
            elsewhere.goto(url + "saved/")
            assert saved_titles(elsewhere) == []
            elsewhere.locator(".atlas-saved__import input").set_input_files(str(tmp_path / "list.json"))
            elsewhere.wait_for_function("() => document.querySelectorAll('[data-atlas-saved-page] .atlas-list > li').length === 2")
            assert saved_titles(elsewhere) == [PAPER_TITLE, second_title]
        finally:
            other.close()
        assert reader.errors == [] and reader.dialogs == []


def test_a_saved_paper_that_left_the_atlas_keeps_its_title_marked_removed(reader, shipped_site):  # noqa: F811
    with serving(shipped_site.site) as url:
        reader.goto(url + "saved/")
        reader.evaluate("""(entries) => localStorage.setItem('atlas-saved:' + new URL('.', location.href).pathname.replace(/saved\\/$/, ''),
                                                              JSON.stringify(entries))""",
                        [{"slug": "a-paper-that-was-removed", "title": "A Paper That Was Removed", "arxiv": None},
                         {"slug": PAPER, "title": PAPER_TITLE, "arxiv": "2502.20548"}])
        reader.reload()
        assert saved_titles(reader) == [PAPER_TITLE]
        removed = reader.locator(".atlas-saved__removed")
        assert removed.inner_text().startswith("A Paper That Was Removed") and "No longer in the atlas" in removed.inner_text()
        assert "1 no longer in the atlas" in reader.locator(".atlas-saved__status").inner_text()
        removed.get_by_role("button").click()
        reader.wait_for_function("() => !document.querySelector('.atlas-saved__removed')")
        assert reader.locator(".atlas-saved-link").inner_text() == "Saved (1)"


def test_every_card_of_a_list_has_a_save_button(reader, shipped_site):  # noqa: F811
    with serving(shipped_site.site) as url:
        reader.goto(url + "methods/grpo/")
        cards = reader.locator("ul.atlas-list > li")
        assert cards.count() > 1 and reader.locator("ul.atlas-list > li button.atlas-save").count() == cards.count()
        cards.first.locator("button.atlas-save").click()
        assert cards.first.locator("button.atlas-save").get_attribute("aria-pressed") == "true"
        kept = "() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find((key) => key.startsWith('atlas-saved:'))))"
        [entry] = reader.evaluate(kept)
        assert entry["arxiv"] is None  # a card does not show it
        reader.goto(url + "saved/")
        saved_titles(reader)
        [entry] = reader.evaluate(kept)
        assert entry["arxiv"] and entry["arxiv"][:2].isdigit()  # the paper's page gave it, and it is kept
        assert reader.errors == []
