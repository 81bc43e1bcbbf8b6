"""Classification: the taxonomy loads, terms match whole words, people win, and on the shipped
papers the methods are right often enough to trust (checked against a hand-read sample)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPO

from generator.classify import classify
from generator.model import Paper
from generator.store import load_papers
from generator.taxonomy import load_taxonomy

# Methods a person assigned after reading each abstract (not the classifier's output).
# A method counts when the paper uses or proposes it, not when it only names it as context.
HAND_CHECKED_METHODS = {
    "a-combinatorial-identities-benchmark-for-theorem-proving-via-automated-theorem": {"tree-search"},
    "a-unified-pairwise-framework-for-rlhf-bridging-generative-reward-modeling-and": {"rlhf", "reward-model", "ppo"},
    "automating-feedback-analysis-in-surgical-training-detection-categorization-and": set(),
    "big-math-a-large-scale-high-quality-math-dataset-for-reinforcement-learning-in": {"rlvr"},
    "co-reward-self-supervised-reinforcement-learning-for-large-language-model": {"rlvr"},
    "conversational-planning-for-personal-plans": set(),
    "dpo-meets-ppo-reinforced-token-optimization-for-rlhf": {"rlhf", "ppo", "dpo"},
    "exploring-sentiment-manipulation-by-llm-enabled-intelligent-trading-agents": set(),
    "from-perceptions-to-decisions-wildfire-evacuation-decision-prediction-with": set(),
    "guiding-large-language-models-via-directional-stimulus-prompting": {"sft", "prompt-optimization"},
    "instruction-following-evaluation-through-verbalizer-manipulation": set(),
    "know-you-first-and-be-you-better-modeling-human-like-user-simulators-via": {"sft"},
    "latent-reward-llm-empowered-credit-assignment-in-episodic-reinforcement-learning": set(),
    "learning-to-break-the-loop-analyzing-and-mitigating-repetitions-for-neural-text": set(),
    "learning-to-navigate-the-web": {"curriculum", "value-based"},
    "llm-post-training-a-deep-dive-into-reasoning-large-language-models": {"test-time-scaling", "sft"},
    "ma-rlhf-reinforcement-learning-from-human-feedback-with-macro-actions": {"rlhf"},
    "model-task-alignment-drives-distinct-rl-outcomes": set(),
    "observe-r1-unlocking-reasoning-abilities-of-mllms-with-dynamic-progressive": {"curriculum", "rlvr"},
    "preference-learning-unlocks-llms-psycho-counseling-skills": {"reward-model"},
    "q-sharp-provably-optimal-distributional-rl-for-llm-post-training": {"value-based", "kl-regularization"},
    "r1-reward-training-multimodal-reward-model-through-stable-reinforcement-learning": {"reward-model", "reinforce", "rlvr"},
    "reasoning-does-not-necessarily-improve-role-playing-ability": set(),
    "retroformer-retrospective-large-language-agents-with-policy-gradient": {"reinforce", "verbal-feedback", "prompt-optimization"},
    "rl-zero-zero-shot-language-to-behaviors-without-any-supervision": {"sft"},
    "rlvf-learning-from-verbal-feedback-without-overgeneralization": {"verbal-feedback", "dpo"},
    "secrets-of-rlhf-in-large-language-models-part-ii-reward-modeling": {"rlhf", "reward-model"},
    "sequence-to-sequence-reward-modeling-improving-rlhf-by-language-feedback": {"rlhf", "reward-model", "verbal-feedback"},
    "sotopia-rl-reward-design-for-social-intelligence": set(),
    "tapered-off-policy-reinforce-stable-and-efficient-reinforcement-learning-for": {"reinforce", "offline-rl"},
    "the-evolving-landscape-of-llm-and-vlm-integrated-reinforcement-learning": set(),
    "training-language-models-for-social-deduction-with-multi-agent-reinforcement": {"multi-agent-rl"},
    "wavreward-spoken-dialogue-models-with-generalist-reward-evaluators": {"reward-model"},
    "zero-shot-goal-directed-dialogue-via-rl-on-imagined-conversations": {"offline-rl"},
}


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


def test_methods_agree_with_the_hand_checked_sample(shipped):
    assert len(HAND_CHECKED_METHODS) >= 25
    right = wrong = missed = 0
    for slug, expected in HAND_CHECKED_METHODS.items():
        found = method_slugs(shipped[slug])
        right += len(found & expected)
        wrong += len(found - expected)
        missed += len(expected - found)
    precision, recall = right / (right + wrong), right / (right + missed)
    assert precision >= 0.9 and recall >= 0.8, f"precision {precision:.2f}, recall {recall:.2f}"


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


def test_a_method_named_only_as_a_baseline_is_not_assigned(taxonomy):
    abstract = "Unlike PPO, our method needs no critic. We train with GRPO on math problems."
    assert method_slugs(classify(paper("A new method", abstract), taxonomy)) == {"grpo"}


def test_front_matter_adds_and_removes_terms(taxonomy):
    result = classify(paper("PPO for dialogue", methods=["dpo"], not_methods=["ppo"], topics="code"), taxonomy)
    assert method_slugs(result) == {"dpo"}
    dpo = result.methods[0]
    assert dpo.by_hand and dpo.evidence == ""
    assert "code" in {a.slug for a in result.topics}


def test_taxonomy_problems_name_the_file_and_line(tmp_path):
    path = tmp_path / "taxonomy.yml"
    path.write_text(
        "topics:\n"
        "  - slug: good\n    name: Good\n    description: Fine.\n    aliases: [good]\n"
        "  - slug: Bad Slug\n    name: Bad\n    description: x\n    aliases: [bad]\n"
        "methods:\n"
        "  - slug: broken\n    name: Broken\n    description: x\n    patterns: ['(unclosed']\n"
        "  - slug: good\n    name: ''\n    description: x\n"
    )
    taxonomy, problems = load_taxonomy(path)
    assert taxonomy is None
    assert [str(p) for p in problems] == [
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
