"""What a reader does, in Debian's Chromium: browse from home to a method to a paper, read math,
copy a citation, switch to dark mode, use a phone, and meet a hostile title that stays text.

Screenshots land in build/screenshots/ for a person to look at."""

from __future__ import annotations

import pytest
from conftest import REPO, serving
from test_build import XSS

SHOTS = REPO / "build" / "screenshots"


@pytest.fixture
def reader(browser):
    """A fresh page that records script errors and every host it contacts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors, page.hosts, page.dialogs = [], set(), []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.hosts.add(request.url.split("/")[2]))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_home_to_method_chip_to_paper_with_math(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url)
        shot(reader, "home")
        chip = reader.locator(".atlas-list > li a.atlas-chip--methods").first  # on the newest paper that has a method
        name = chip.inner_text()
        chip.click()
        reader.wait_for_url("**/methods/*/")
        assert reader.locator("h1").inner_text().rstrip("¶") == name
        reader.get_by_role("link", name="All methods").click()
        reader.get_by_role("link", name="Value-based RL & Q-learning").first.click()
        reader.wait_for_url("**/methods/value-based/")
        shot(reader, "method")
        reader.get_by_role("link", name="Provably Optimal Distributional RL for LLM Post-Training").first.click()
        reader.wait_for_url("**/papers/q-sharp-provably-optimal-distributional-rl-for-llm-post-training/")
        math = reader.locator(".atlas-abstract math").first
        assert math.bounding_box()["width"] > 0  # laid out by the browser's MathML engine, no script
        assert reader.locator("h1 math").count() == 1
        copy = reader.locator(".language-bibtex button[data-md-type='copy']")  # the copy button Material adds
        assert copy.get_attribute("title") == "Copy to clipboard"
        shot(reader, "paper")
        assert reader.errors == [] and reader.hosts == {url.split("/")[2]}


def test_the_evidence_says_why_a_paper_has_each_term(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.goto(url + "papers/critique-grpo-advancing-llm-reasoning-with-natural-language-and-numerical/")
        assert reader.locator(".atlas-chips a", has_text="GRPO").first.get_attribute("href").endswith("methods/grpo/")
        reader.locator("details.atlas-evidence summary").click()
        assert "GRPO: matched “Critique-GRPO” in the title" in reader.locator("details.atlas-evidence").inner_text()


def test_a_method_a_paper_only_discusses_is_shown_apart_and_does_not_list_it(reader, shipped_site):
    paper = "papers/q-sharp-provably-optimal-distributional-rl-for-llm-post-training/"
    with serving(shipped_site.site) as url:
        reader.goto(url + paper)
        chips = reader.locator(".atlas-chips a.atlas-chip--methods")
        assert chips.all_inner_texts() == ["KL regularisation", "Value-based RL & Q-learning"]
        mentioned = reader.locator(".atlas-paper__mentioned")
        assert mentioned.inner_text() == "Also discusses: PPO DPO & variants"
        reader.locator("details.atlas-evidence summary").click()
        evidence = reader.locator(".atlas-evidence__mentioned").inner_text()
        assert "PPO: named “PPO” in the abstract, as background or a comparison: " in evidence
        assert "PPO" in reader.locator(".atlas-evidence__mentioned li", has_text="named “PPO”").locator("q mark").all_inner_texts()
        shot(reader, "paper-mentioned")
        mentioned.get_by_role("link", name="PPO").click()
        reader.wait_for_url("**/methods/ppo/")
        assert reader.locator(f'a[href$="{paper}"]').count() == 0  # discussed, not used: not on the method's page
        assert reader.errors == []


def test_dark_mode_and_a_phone_screen(reader, shipped_site):
    with serving(shipped_site.site) as url:
        reader.set_viewport_size({"width": 390, "height": 844})
        reader.goto(url + "papers/q-sharp-provably-optimal-distributional-rl-for-llm-post-training/")
        assert reader.evaluate("document.documentElement.scrollWidth") <= 390
        reader.locator("label[title='Switch to dark mode']").first.click()
        assert reader.locator("body").get_attribute("data-md-color-scheme") == "slate"
        shot(reader, "paper-phone-dark")
        reader.goto(url)  # a page loaded afresh keeps the reader's choice (Material's palette script, as a file)
        assert reader.locator("body").get_attribute("data-md-color-scheme") == "slate"
        assert reader.evaluate("document.documentElement.scrollWidth") <= 390
        shot(reader, "home-phone-dark")


def test_a_hostile_title_is_shown_as_text(reader, scratch_site):
    with serving(scratch_site) as url:
        reader.goto(url + "papers/hostile/")
        assert reader.locator("article h1").inner_text() == XSS
        assert reader.title() == f"{XSS} - Post-Training Atlas"
        reader.goto(url + "topics/alignment/")
        assert reader.get_by_role("link", name=XSS).count() == 1
        assert reader.dialogs == [] and reader.errors == []
