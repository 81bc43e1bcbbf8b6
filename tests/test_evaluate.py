"""Measuring the method tags: the shipped papers' labels, `atlas classify --evaluate`, which
prints precision and recall and every disagreement with its evidence, and `atlas classify`,
which shows a reviewer what the taxonomy makes of each paper."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from generator.evaluate import check_evidence, evaluate, load_labels
from generator.store import load_papers
from generator.taxonomy import load_taxonomy

LABELS = REPO / "tests" / "data" / "method_labels.yml"
PRECISION, RECALL = 0.92, 0.85  # issue 15's targets for central methods


@pytest.fixture(scope="module")
def shipped():
    taxonomy, problems = load_taxonomy(REPO / "content" / "taxonomy.yml")
    papers, found = load_papers(REPO / "content")
    labels, more = load_labels(LABELS, taxonomy)
    assert problems + found + more == []
    return taxonomy, papers, labels


def test_every_shipped_paper_is_labelled_and_every_label_quotes_its_paper(shipped):
    taxonomy, papers, labels = shipped
    assert sorted(labels) == sorted(paper.slug for paper in papers)
    assert check_evidence(papers, labels, LABELS) == []


def test_the_method_tags_meet_their_targets_on_the_labelled_papers(shipped):
    result = evaluate(*shipped[1:], shipped[0])
    figures = f"precision {result.precision:.3f}, recall {result.recall:.3f}, strict precision {result.strict_precision:.3f}"
    assert result.papers == 97 and result.unlabelled == []
    assert result.precision >= PRECISION and result.recall >= RECALL, figures


@pytest.fixture
def project(tmp_path, write):
    shutil.copy(REPO / "content" / "taxonomy.yml", write("content/taxonomy.yml", ""))
    write("content/papers/critic-free.md", "---\ntitle: Critic-free training\n---\n\n"
          "Unlike PPO, we train with GRPO. A reward model scores answers, and the model learns from reflection.\n")
    write("content/papers/unlabelled.md", "---\ntitle: Another paper\n---\n\nWe study DPO for dialogue.\n")
    return tmp_path


def test_evaluate_prints_the_figures_and_every_disagreement_with_its_evidence(atlas, write, project):
    labels = write("labels.yml", "critic-free:\n  central: {grpo: we train with GRPO, sft: we train}\n  mentioned: {ppo: Unlike PPO}\n")
    result = atlas("classify", "--content", project / "content", "--evaluate", labels)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "precision         0.500  (1 of 2 central tags are labelled central or mentioned)" in out
    assert "recall            0.500  (1 of 2 central methods are tagged central)" in out
    false_positive = out.split("(false positives): 1\n", 1)[1]
    assert false_positive.startswith("  critic-free: reward-model\n      matched “reward model” in the abstract: "
                                     "A reward model scores answers, and the model learns from reflection.")
    assert "labelled central, not found (misses): 1\n  critic-free: sft\n      labelled central: “we train”" in out
    assert "not labelled, so not measured: 1 paper(s); label them to measure them\n  unlabelled" in out


@pytest.mark.parametrize("text, message", [
    ("critic-free:\n  central: {grpoo: x}\n", "1: error: critic-free: `grpoo` is not a method in content/taxonomy.yml"),
    ("a: {}\ncritic-free:\n  central: {grpo: x}\n  mentioned: {grpo: y}\n",
     "2: error: critic-free: `grpo` is labelled both central and mentioned"),
    ("critic-free: [grpo]\n", "1: error: critic-free: give `central` and `mentioned` as mappings of method slug to the words that show it"),
])
def test_a_broken_labels_file_is_reported_with_its_line(atlas, write, project, text, message):
    labels = write("labels.yml", text)
    result = atlas("classify", "--content", project / "content", "--evaluate", labels)
    assert result.exit_code == 1 and f"{labels}:{message}" in result.stderr.splitlines(), result.stderr


def test_labels_must_quote_the_paper(atlas, write, project):
    labels = write("labels.yml", "critic-free:\n  central: {grpo: we train with GRPO on math}\n")
    result = atlas("classify", "--content", project / "content", "--evaluate", labels)
    assert result.exit_code == 1
    assert f"{labels}:1: error: critic-free: the words given for `grpo` are not in its title or abstract: 'we train with GRPO on math'" in result.stderr


def test_classify_shows_central_and_mentioned_methods_with_their_sentences(atlas, project):
    result = atlas("classify", "--content", project / "content", "critic-free")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "critic-free",
        "  topics: reward-modeling",
        "  central    grpo                  “GRPO” in the abstract: Unlike PPO, we train with GRPO.",
        "  central    reward-model          “reward model” in the abstract: A reward model scores answers, and the model learns from reflection.",
        "  mentioned  ppo                   “PPO” in the abstract: Unlike PPO, we train with GRPO.",
    ]
    assert atlas("classify", "--content", project / "content", "nope").exit_code == 1


def evaluated(atlas, labels: str) -> tuple[dict[str, float], str]:
    """`atlas classify --evaluate tests/data/LABELS`: its precision, strict precision and recall, and
    the head of its report (for a failing assertion to show)."""
    result = atlas("classify", "--evaluate", REPO / "tests" / "data" / labels, cwd=REPO)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    figures = {name: float(value) for name, value in (re.match(r"\s+([a-z ]+?)\s+([\d.]+)", line).groups() for line in lines[1:4])}
    return figures, "\n".join(lines[:5])


def test_the_retold_development_set_meets_the_targets_too(atlas):
    figures, out = evaluated(atlas, "method_retold.yml")
    assert figures["precision"] >= PRECISION and figures["recall"] >= RECALL, out


def test_the_held_out_set_stays_where_it_was_first_measured(atlas):
    # First and only measurement, before anyone studied its misses: precision 0.933, recall 0.735.
    # A change that lowers these is a regression on papers the taxonomy was not tuned on.
    figures, out = evaluated(atlas, "method_heldout.yml")
    assert figures["precision"] >= 0.90 and figures["recall"] >= 0.70, out


def test_a_reader_that_stops_early_gets_no_traceback():
    atlas = str(Path(sys.executable).with_name("atlas"))
    child = subprocess.Popen([atlas, "classify"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.close()  # like `| head` that has read all it wants: every write now fails with EPIPE
    assert child.wait(timeout=120) == 0
    assert child.stderr.read() == ""
