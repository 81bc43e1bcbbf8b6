"""Classification: the taxonomy loads, terms match whole words, and people win. How strong a
method's evidence is, and how well the tags agree with labels, is in test_strength.py and
test_evaluate.py."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPO

from generator.classify import classify
from generator.model import Paper
from generator.store import load_papers
from generator.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    loaded, problems = load_taxonomy(REPO / "content" / "taxonomy.yml")
    assert problems == []
    return loaded


@pytest.fixture(scope="module")
def shipped(taxonomy):
    papers, problems = load_papers(REPO / "content")
    assert problems == []
    return {paper.slug: classify(paper, taxonomy) for paper in papers}


def paper(title: str, abstract: str = "We study language models.", **extra) -> Paper:
    return Paper(slug="p", title=title, abstract=abstract, date=dt.date(2025, 1, 1), extra=extra)


def method_slugs(result) -> set[str]:
    return {assignment.slug for assignment in result.methods}


def test_every_shipped_paper_has_a_topic(shipped):
    assert [slug for slug, result in shipped.items() if not result.topics] == []


@pytest.mark.parametrize(
    "title, method",
    [
        ("Step-DPO: step-wise preference optimisation", "dpo"),
        ("A PPO-based recipe for alignment", "ppo"),
        ("Direct Preference Optimization (DPO) for code", "dpo"),
        ("Critique-GRPO: learning from critiques", "grpo"),
        ("Scaling Best-of-N sampling", "best-of-n"),
        ("$Q\\sharp$: value-based post-training", "value-based"),
        ("Monte Carlo Tree Search for reasoning", "tree-search"),
    ],
)
def test_real_spellings_match(taxonomy, title, method):
    assert method in method_slugs(classify(paper(title), taxonomy))


@pytest.mark.parametrize("title", ["Hippo: a memory for agents", "GRPO-free training", "Adpo and friends", "Dropout matters"])
def test_matching_respects_word_boundaries(taxonomy, title):
    assert "ppo" not in method_slugs(classify(paper(title), taxonomy))
    assert "dpo" not in method_slugs(classify(paper(title), taxonomy))


def test_acronyms_match_only_in_capitals(taxonomy):
    assert "ppo" not in method_slugs(classify(paper("The ppo of things"), taxonomy))


def test_evidence_is_the_phrase_as_written(taxonomy):
    result = classify(paper("Training with Group Relative Policy Optimization"), taxonomy)
    grpo = next(a for a in result.methods if a.slug == "grpo")
    assert (grpo.evidence, grpo.where) == ("Group Relative Policy Optimization", "title")


def test_a_method_named_only_as_a_baseline_is_not_filed_under(taxonomy):
    abstract = "Unlike PPO, our method needs less memory. We train with GRPO on math problems."
    result = classify(paper("A new method", abstract), taxonomy)
    assert method_slugs(result) == {"grpo"}
    assert [a.slug for a in result.mentioned_methods] == ["ppo"]


def test_front_matter_adds_and_removes_terms(taxonomy):
    result = classify(paper("PPO for dialogue", methods=["dpo"], not_methods=["ppo"], topics="code"), taxonomy)
    assert method_slugs(result) == {"dpo"}
    dpo = result.methods[0]
    assert dpo.by_hand and dpo.evidence == ""
    assert "code" in {a.slug for a in result.topics}


def taxonomy_problems(tmp_path, text: str) -> tuple[str, list[str]]:
    """(the file's path, each problem as printed) for a taxonomy that must be refused."""
    path = tmp_path / "taxonomy.yml"
    path.write_text(text)
    taxonomy, problems = load_taxonomy(path)
    assert taxonomy is None
    return str(path), [str(problem) for problem in problems]


def test_taxonomy_problems_name_the_file_and_line(tmp_path):
    path, problems = taxonomy_problems(tmp_path, 
        "topics:\n"
        "  - slug: good\n    name: Good\n    description: Fine.\n    aliases: [good]\n"
        "  - slug: Bad Slug\n    name: Bad\n    description: x\n    aliases: [bad]\n"
        "methods:\n"
        "  - slug: broken\n    name: Broken\n    description: x\n    patterns: ['(unclosed']\n"
        "  - slug: good\n    name: ''\n    description: x\n"
    )
    assert problems == [
        f"{path}:6: error: `slug` must be lowercase words joined by hyphens, not 'Bad Slug'",
        f"{path}:11: error: broken: alias or pattern `(unclosed` has unbalanced or nested parentheses, or a `|` outside them",
        f"{path}:15: error: good: `name` must be a non-empty text",
        f"{path}:15: error: good: give at least one alias or pattern",
    ]


def test_taxonomy_that_is_not_yaml_is_reported(tmp_path):
    path = tmp_path / "taxonomy.yml"
    path.write_text("topics: [\n")
    taxonomy, problems = load_taxonomy(path)
    assert taxonomy is None and len(problems) == 1 and problems[0].path == str(path)


def test_context_rules_that_do_not_fit_their_term_are_reported_with_its_line(tmp_path):
    path, problems = taxonomy_problems(tmp_path, 
        "topics: []\n"
        "methods:\n"
        "  - slug: kl\n    name: KL\n    description: x\n    aliases: [reference model]\n"
        "    context:\n      reference policy: {near: [KL]}\n"
        "  - slug: rft\n    name: RFT\n    description: x\n    aliases: [RFT]\n"
        "    context:\n      RFT: {defined: yes please}\n"
        "  - slug: ok\n    name: OK\n    description: x\n    aliases: [distill]\n"
        "    context:\n      distill: {soon: true}\n"
    )
    assert problems == [
        f"{path}:3: error: kl: `context` names `reference policy`, which is not one of its aliases or patterns",
        f"{path}:9: error: rft: in the context of `RFT`, `near` takes a list of words and the others `true`",
        f"{path}:15: error: ok: the context of `distill` must be a mapping of near, not_in_names, defined",
    ]


def test_context_rules_hold_in_a_taxonomy_of_ones_own(tmp_path):
    path = tmp_path / "taxonomy.yml"
    path.write_text(
        "model_names: [Acme]\ntopics: []\nmethods:\n"
        "  - slug: kl\n    name: KL\n    description: x\n    aliases: [anchor model]\n"
        "    context:\n      anchor model: {near: [divergence]}\n"
        "  - slug: boost\n    name: Boost\n    description: x\n    aliases: [Boost]\n"
        "    context:\n      Boost: {not_in_names: true}\n"
    )
    taxonomy, problems = load_taxonomy(path)
    assert problems == []
    assert method_slugs(classify(paper("A study", "We keep a small divergence from the anchor model."), taxonomy)) == {"kl"}
    assert method_slugs(classify(paper("A study", "We freeze the anchor model. Its divergence is not our topic."), taxonomy)) == set()
    assert method_slugs(classify(paper("Acme-Boost-7B is strong"), taxonomy)) == set()
    assert method_slugs(classify(paper("Boost for agents"), taxonomy)) == {"boost"}
