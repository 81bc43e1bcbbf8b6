"""Central or mentioned: a paper is filed under the methods it proposes, uses or studies, and only
shows the ones it discusses. Each error kind the labelled set showed has a specification here,
in sentences written for the test (not copied from a paper), and a property pins that the
strength of a method never decides whether it is found."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import classify as classify_module
from generator.classify import classify, find_terms
from generator.model import Paper
from generator.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    loaded, problems = load_taxonomy(REPO / "content" / "taxonomy.yml")
    assert problems == []
    return loaded


def methods(taxonomy, abstract: str, title: str = "A study", **front_matter) -> tuple[set[str], set[str]]:
    """(central, mentioned) method slugs of a paper with this title and abstract."""
    result = classify(Paper(slug="p", title=title, abstract=abstract, date=dt.date(2025, 1, 1), extra=front_matter), taxonomy)
    return {a.slug for a in result.methods}, {a.slug for a in result.mentioned_methods}


def topics(taxonomy, abstract: str, title: str = "A study") -> tuple[set[str], set[str]]:
    result = classify(Paper(slug="p", title=title, abstract=abstract, date=dt.date(2025, 1, 1)), taxonomy)
    return {a.slug for a in result.topics}, {a.slug for a in result.mentioned_topics}


# A method mentioned, not used.

@pytest.mark.parametrize("abstract", [
    "Existing methods such as PPO and DPO are costly to run. We train our agent with GRPO instead.",
    "Popular algorithms, such as PPO, DPO, and others, are costly. Our recipe trains with GRPO.",
    "We train with GRPO and beat strong PPO and DPO baselines on three benchmarks.",
    "Compared with PPO and DPO, our GRPO-trained model is faster.",
    "Traditionally, alignment relies on PPO, and DPO came later. We instead use GRPO.",
])
def test_methods_named_as_background_or_baselines_are_only_mentioned(taxonomy, abstract):
    assert methods(taxonomy, abstract) == ({"grpo"}, {"ppo", "dpo"})


def test_the_evidence_of_a_mentioned_method_is_its_sentence(taxonomy):
    result = classify(Paper("p", "A study", "We use GRPO. Unlike PPO, it needs no second network."), taxonomy)
    (ppo,) = result.mentioned_methods
    assert (ppo.evidence, ppo.where, ppo.central) == ("PPO", "abstract", False)
    assert ppo.sentence == "Unlike PPO, it needs no second network."


def test_a_method_used_anywhere_is_central_even_if_also_contrasted(taxonomy):
    abstract = "Unlike plain PPO, which is slow, our variant keeps PPO's clipped objective and halves its memory."
    assert methods(taxonomy, abstract) == ({"ppo"}, set())


def test_background_named_once_is_mentioned_but_a_background_problem_is_central(taxonomy):
    once = "Reinforcement learning from human feedback is widely used. We study how tokenizers affect arithmetic."
    assert methods(taxonomy, once) == (set(), {"rlhf"})
    dwelt = ("Reinforcement learning from human feedback is the standard recipe. Yet RLHF is unstable at scale. "
             "We propose a remedy.")
    assert methods(taxonomy, dwelt) == ({"rlhf"}, set())


def test_a_method_in_the_title_is_central(taxonomy):
    assert methods(taxonomy, "Existing work such as DPO is limited.", title="Better DPO") == ({"dpo"}, set())


def test_the_contrast_of_a_clause_ends_at_its_comma_but_not_inside_e_g(taxonomy):
    assert methods(taxonomy, "Unlike earlier work, we optimise with PPO.") == ({"ppo"}, set())
    assert methods(taxonomy, "Our agent outperforms cheaper methods (e.g., DPO) on every task.") == (set(), {"dpo"})


# A model named, not a method used.

@pytest.mark.parametrize("abstract", [
    "We evaluate DeepSeek-R1 and R1-Distill-Qwen-7B on logic puzzles with supervised fine-tuning.",
    "Starting from a Qwen2.5-7B-distilled checkpoint, we apply supervised fine-tuning.",
])
def test_a_model_name_is_no_evidence_of_a_method(taxonomy, abstract):
    assert methods(taxonomy, abstract) == ({"sft"}, set())


def test_a_method_named_after_r1_is_still_r1_style_training(taxonomy):
    assert "rlvr" in methods(taxonomy, "We train the model with rule-free tricks.", title="Chart-R1: reading charts")[0]


def test_distilling_needs_a_teacher_or_a_student_nearby(taxonomy):
    assert "distillation" not in methods(taxonomy, "We distill the main findings into three guidelines.")[0]
    assert "distillation" in methods(taxonomy, "We distill a large teacher into a compact student.")[0]


# Ambiguous abbreviations and words.

def test_an_ambiguous_abbreviation_counts_only_as_the_paper_spells_it(taxonomy):
    assert "best-of-n" not in methods(taxonomy, "We study reinforcement fine-tuning (RFT). RFT helps code models.")[0]
    assert "best-of-n" not in methods(taxonomy, "We apply RFT to code models.")[0]
    assert "best-of-n" in methods(taxonomy, "We use rejection sampling fine-tuning (RFT); RFT keeps correct answers.")[0]


def test_an_abbreviation_spelled_out_as_something_else_is_not_the_term(taxonomy):
    abstract = "We propose Iterative Policy Ordering (IPO). IPO ranks answers with a classifier."
    assert "dpo" not in methods(taxonomy, abstract)[0] | methods(taxonomy, abstract)[1]


def test_reflection_alone_is_not_verbal_feedback(taxonomy):
    assert "verbal-feedback" not in methods(taxonomy, "After training, the model shows reflection and verification.")[0]
    assert "verbal-feedback" in methods(taxonomy, "The agent learns from reflection written as verbal feedback.")[0]


def test_a_reference_model_alone_is_not_kl_regularisation(taxonomy):
    assert "kl-regularization" not in methods(taxonomy, "A frozen reference model scores each answer for us.")[0]
    assert "kl-regularization" in methods(taxonomy, "We add a divergence penalty towards the reference model.")[0]


def test_a_critic_that_only_writes_critiques_is_no_value_function(taxonomy):
    assert "value-based" not in methods(taxonomy, "Our Solver-Critic pair rewrites answers the critic dislikes.")[0]
    assert "value-based" in methods(taxonomy, "Our actor and critic share a trunk; the critic estimates returns.")[0]


# Methods described in the paper's own words.

@pytest.mark.parametrize("abstract, method", [
    ("We optimise the policy with group-normalised advantages and no learned critic.", "grpo"),
    ("A small network gives a value estimate for every partial answer.", "value-based"),
    ("The model is trained on its own filtered samples for three rounds.", "best-of-n"),
    ("We keep the policy from drifting with a divergence from the reference policy term.", "kl-regularization"),
    ("Rewards come from rule-based verification of the final answer.", "rlvr"),
    ("We use LLMs as judges of every rollout.", "rlaif"),
    ("The model critiques and refines its draft before answering.", "verbal-feedback"),
])
def test_methods_described_without_their_name_are_found(taxonomy, abstract, method):
    assert method in methods(taxonomy, abstract)[0]


# Front matter wins.

def test_front_matter_promotes_demotes_and_removes(taxonomy):
    abstract = "Unlike PPO, we train with GRPO and a reward model."
    assert methods(taxonomy, abstract) == ({"grpo", "reward-model"}, {"ppo"})
    assert methods(taxonomy, abstract, methods=["ppo"]) == ({"grpo", "reward-model", "ppo"}, set())
    assert methods(taxonomy, abstract, mentioned_methods=["reward-model"]) == ({"grpo"}, {"ppo", "reward-model"})
    assert methods(taxonomy, abstract, not_methods=["ppo"]) == ({"grpo", "reward-model"}, set())


# Topics: a paper is about a topic, not a word in passing.

def test_a_topic_named_once_in_the_background_is_not_the_papers_topic(taxonomy):
    abstract = ("Commercial assistants raise privacy concerns for companies. We train an open model to resolve "
                "GitHub issues with unit tests.")
    central, mentioned = topics(taxonomy, abstract)
    assert "code" in central and "safety-robustness" in mentioned


def test_a_topic_in_the_papers_own_sentences_or_title_is_its_topic(taxonomy):
    assert "safety-robustness" in topics(taxonomy, "We make agents refuse jailbreak prompts.")[0]
    assert "safety-robustness" in topics(taxonomy, "We study agents.", title="Jailbreak-proof agents")[0]


# The property: strength decides how a term is filed, never whether it is found.

WORDS = ["We", "our", "propose", "such as", "unlike", "existing", "Traditionally,", "baseline", "outperforms", "than",
         "PPO", "DPO", "GRPO", "RLHF", "RFT", "reward model", "reference model", "KL", "reflection", "critic", "distill",
         "teacher", "DeepSeek-R1", "Chart-R1", "Qwen2.5-7B", "(PPO)", "Proximal Policy Optimization", "(e.g.,", ")",
         "math", "privacy", "code", "agents", ",", ".", ";", "-", "and", "the", "with"]
texts = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(title=texts, abstract=texts)
def test_the_strength_of_a_term_never_changes_whether_it_is_found(taxonomy, title, abstract):
    found = find_terms(title, abstract, taxonomy)
    original = classify_module._Text.strength
    try:
        classify_module._Text.strength = lambda self, hit: "central"  # every occurrence as strong as can be
        unweighed = find_terms(title, abstract, taxonomy)
    finally:
        classify_module._Text.strength = original
    assert set(found) == set(unweighed)
    for key, assignment in found.items():  # and the evidence is an occurrence of the same term
        assert assignment.slug == unweighed[key].slug
