"""Writes to content/ lose nothing: not under `kill -9`, not with two writers, not while a person
edits, not when a person removed a paper, and never a person's comments or key order.

Real processes are used where the property is about processes: a second `atlas` command for the
lock, and `kill -9` of a real ingest at random moments for crash safety.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ABSTRACTS, ARXIV, DIGESTS, HF_DAILY, REPO, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline, store
from generator.store import journal

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795305600"}
SORFT = "sorft-issue-resolving-with-subtask-oriented-reinforced-fine-tuning.md"


def atlas_process(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", *map(str, args)], cwd=REPO, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def run_atlas(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=300)


# The lock

def test_a_second_writer_is_told_who_holds_content_and_writes_nothing(tmp_path):
    content = tmp_path / "content"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from generator import store\n"
         "with store.locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)", str(content)],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(content)
        result = run_atlas("ingest", "--content", content, ARXIV)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == (
            f"atlas ingest: error: another atlas command is writing {content}/ (pid {holder.pid}); nothing was written")
        assert snapshot(content) == before
    finally:
        holder.kill()
        holder.wait()
    assert run_atlas("ingest", "--content", content, ARXIV).returncode == 0  # the kernel released the dead holder's lock
    assert not (content / journal.LOCK).exists()


def test_two_ingests_at_once_never_give_one_slug_to_two_papers(tmp_path):
    # Different papers whose titles make the same slug ("Café" and "Cafe" both give cafe-...).
    abstract = "We study {} in depth, with experiments on many reasoning benchmarks, ablations, and a careful analysis of failure modes."
    digests = []
    for number, title in enumerate(["Café Policies for Reasoning", "Cafe Policies for Reasoning"]):
        digest = tmp_path / f"{number}.txt"
        digest.write_text(f"{title}\n\n{abstract.format('policy ' + str(number) * 3)}\n", encoding="utf-8")
        digests.append(digest)
    content = tmp_path / "content"
    runs = [atlas_process("ingest", "--content", content, "--format", "hf-daily", digest) for digest in digests]
    outcomes = [(run.wait(timeout=300), run.communicate()[1]) for run in runs]
    for (code, err), digest in zip(outcomes, digests, strict=True):
        if code != 0:  # it met the other's lock: it said so, and runs again afterwards
            assert "another atlas command is writing" in err, err
            assert run_atlas("ingest", "--content", content, "--format", "hf-daily", digest).returncode == 0
    papers = sorted(p.name for p in (content / "papers").iterdir())
    assert papers == ["cafe-policies-for-reasoning-2.md", "cafe-policies-for-reasoning.md"]
    bodies = {(content / "papers" / name).read_text(encoding="utf-8").rsplit("---", 1)[1] for name in papers}
    assert len(bodies) == 2


# Crashes

def test_kill_9_at_random_moments_leaves_content_as_before_or_after(tmp_path):
    start = tmp_path / "start"
    assert run_atlas("ingest", "--content", start, ARXIV).returncode == 0  # some papers exist, to be updated
    before = snapshot(start)
    after_dir = tmp_path / "after"
    shutil.copytree(start, after_dir)
    started = time.perf_counter()
    assert run_atlas("ingest", "--content", after_dir, DIGESTS).returncode == 0
    duration = time.perf_counter() - started
    after = snapshot(after_dir)
    assert after != before
    rng = random.Random(20261130)
    outcomes = []
    for attempt in range(10):
        content = tmp_path / f"run-{attempt}"
        shutil.copytree(start, content)
        ingest = atlas_process("ingest", "--quiet", "--content", content, DIGESTS)
        time.sleep(rng.uniform(0.2, 1.1) * duration)
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
        interrupted = snapshot(content)
        recovered = run_atlas("validate", "--content", content, "--quiet")  # the next command recovers first
        assert "Traceback" not in recovered.stderr
        state = snapshot(content)
        assert state in (before, after), f"attempt {attempt}: content is neither the before nor the after state"
        outcomes.append(_moment(interrupted, before, after))
    assert len(set(outcomes)) > 1, outcomes  # the kills landed at different moments of the run


def _moment(interrupted: dict, before: dict, after: dict) -> str:
    """When the kill landed, judged from what it left behind."""
    names = set(interrupted)
    if journal.JOURNAL in names:
        return "after the commit point"
    if any(name.endswith(journal.STAGED) for name in names):
        return "while staging"
    if {name for name in names if name != journal.LOCK} == set(after) and interrupted.items() >= after.items():
        return "after writing"
    return "before writing"


def test_a_batch_cut_short_after_its_commit_point_is_finished_by_the_next_command(tmp_path, monkeypatch):
    content = tmp_path / "content"
    with store.locked(content):
        store.write_texts(content, {"a": "---\ntitle: A\n---\n\nOld.\n"})
    real_replace = os.replace
    renames = []

    def crash_after_first_rename(source, target):
        if str(target).endswith(".md") and renames:
            raise KeyboardInterrupt("killed")  # stands for the process dying between two renames
        renames.append(target)
        real_replace(source, target)

    monkeypatch.setattr(journal.os, "replace", crash_after_first_rename)
    with pytest.raises(KeyboardInterrupt), store.locked(content):
        store.write_texts(content, {"a": "---\ntitle: A\n---\n\nNew.\n", "b": "---\ntitle: B\n---\n\nNew.\n"})
    monkeypatch.setattr(journal.os, "replace", real_replace)
    assert (content / journal.JOURNAL).exists()
    with store.locked(content) as recovered:
        assert recovered == ["finished a batch of 2 file(s) that an interrupted atlas command had begun"]
    assert sorted(p.name for p in content.rglob("*")) == ["a.md", "b.md", "papers"]
    assert (content / "papers" / "b.md").read_text().endswith("New.\n")


def test_leftovers_of_a_batch_that_never_committed_are_removed(tmp_path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    (papers / ".x.md.atlas-new").write_text("half a fi")
    (papers / ".y.k2j3.tmp").write_text("left by an older version")
    assert run_atlas("validate", "--content", tmp_path / "content").returncode in (0, 1)
    assert list(papers.iterdir()) == []


# A person editing while a command runs

def test_a_file_saved_by_a_person_during_ingest_stops_it_and_nothing_is_written(tmp_path, monkeypatch):
    content = tmp_path / "content"
    pipeline.ingest([str(ARXIV)], content)
    paper = content / "papers" / SORFT
    edited = paper.read_text(encoding="utf-8").replace("title: 'SoRFT:", "title: 'SoRFT (checked):")
    real_merge = pipeline.merge

    def merge_while_a_person_saves(*args, **kwargs):
        paper.write_text(edited, encoding="utf-8")  # saved after ingest read the file, before it writes
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(pipeline, "merge", merge_while_a_person_saves)
    before = {p.name for p in (content / "papers").iterdir()}
    report = pipeline.ingest([str(ARXIV), str(ABSTRACTS), str(HF_DAILY)], content)
    assert [str(p) for p in report.errors] == [
        f"{paper}: error: {paper} changed while this command ran (was it edited?); nothing was written: run the command again"]
    assert paper.read_text(encoding="utf-8") == edited
    assert {p.name for p in (content / "papers").iterdir()} == before


# What people wrote

def test_an_update_keeps_comments_key_order_and_quoting_and_changes_only_what_it_adds(tmp_path):
    content = tmp_path / "content"
    pipeline.ingest([str(ARXIV)], content)
    paper = content / "papers" / SORFT
    lines = paper.read_text(encoding="utf-8").splitlines(keepends=True)
    hand = ["---\n", "# checked against the PDF\n", 'notes: "Read the appendix"  # the good part\n', "tags: [code, agents]\n",
            *lines[1:]]
    paper.write_text("".join(hand), encoding="utf-8")
    report = pipeline.ingest([str(ABSTRACTS)], content)  # the same paper, seen in another digest
    assert SORFT.removesuffix(".md") in [after.slug for _, after in report.updated]
    now = paper.read_text(encoding="utf-8").splitlines(keepends=True)
    diff = list(difflib.ndiff(hand, now))
    assert [line for line in diff if line.startswith("- ")] == []  # nothing the person wrote is gone or moved
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert added == ["- digest: 000_48d01e7e69735176.txt\n", "  format: abstracts\n", f"  line: {_line_of(report)}\n"]


def _line_of(report) -> int:
    after = next(after for _, after in report.updated if after.slug == SORFT.removesuffix(".md"))
    return next(source.line for source in after.sources if source.format == "abstracts")


def test_new_files_follow_the_umask_and_an_updated_file_keeps_its_mode(tmp_path):
    content = tmp_path / "content"
    old = os.umask(0o022)
    try:
        pipeline.ingest([str(ARXIV)], content)
        paper = content / "papers" / SORFT
        assert paper.stat().st_mode & 0o777 == 0o644
        paper.chmod(0o640)
        pipeline.ingest([str(ABSTRACTS)], content)
        assert paper.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


# Removed papers

def test_a_removed_paper_stays_out_of_later_ingests_and_its_slug_is_never_reused(atlas, tmp_path):
    content = tmp_path / "content"
    atlas("ingest", "--content", content, DIGESTS)
    slug = SORFT.removesuffix(".md")
    result = atlas("remove", slug, "--content", content, "--reason", "off-topic: software engineering")
    assert result.exit_code == 0, result.stderr
    assert not (content / "papers" / SORFT).exists()
    removed = (content / "removed.yml").read_text(encoding="utf-8")
    assert f"- slug: {slug}\n" in removed and "reason: 'off-topic: software engineering'\n" in removed
    again = atlas("ingest", "--content", content, DIGESTS)
    assert again.exit_code == 0 and not (content / "papers" / SORFT).exists()
    assert ", 3 entries of removed papers skipped;" in again.stderr.splitlines()[-1]  # an arXiv digest, the Atom feed
    entry = f"SoRFT: Issue Resolving with Subtask-oriented Reinforced Fine-Tuning again\n\n{'A different abstract entirely. ' * 8}\n"
    (tmp_path / "new.txt").write_text(entry, encoding="utf-8")
    atlas("ingest", "--content", content, "--format", "hf-daily", tmp_path / "new.txt")
    assert not (content / "papers" / SORFT).exists()  # a new paper with a similar title takes another slug
    assert (content / "papers" / f"{slug}-again.md").exists()


def test_remove_refuses_what_it_cannot_do(atlas, tmp_path):
    content = tmp_path / "content"
    atlas("ingest", "--content", content, ARXIV)
    missing = atlas("remove", "no-such-paper", "--content", content, "--reason", "x")
    assert missing.exit_code == 1 and f"{content / 'papers' / 'no-such-paper.md'}: error: no such paper file" in missing.stderr
    escape = atlas("remove", "../taxonomy", "--content", content, "--reason", "x")
    assert escape.exit_code == 1 and "no paper has this slug" in escape.stderr
    blank = atlas("remove", SORFT.removesuffix(".md"), "--content", content, "--reason", "  ")
    assert blank.exit_code == 1 and (content / "papers" / SORFT).exists() and not (content / "removed.yml").exists()


def test_titles_of_punctuation_or_emoji_alone_never_merge_two_papers(tmp_path):
    digest = tmp_path / "d.txt"
    first = "A first abstract about reward models for dialogue agents, trained on preference pairs from many annotators."
    second = "A second abstract about theorem proving with verifiable rewards, on a benchmark of combinatorial identities."
    digest.write_text(f"!!!\n\n{first}\n\n\U0001f642\U0001f642\n\n{second}\n", encoding="utf-8")
    report = pipeline.ingest([str(digest)], tmp_path / "content", fmt="hf-daily")
    assert report.errors == [] and sorted(p.abstract for p in report.created) == sorted([first, second])


# Any interleaving

_ABSTRACT = "We study {} for language models, with experiments on reasoning and dialogue, ablations, and an analysis of what fails."
# Small digests that each see some of three papers: by title, by a bare abstract, or again at a
# new place, so that most ingests update a paper a person may have edited.
_ALPHA, _BETA, _GAMMA = (_ABSTRACT.format(topic) for topic in ("alpha policies", "beta rewards", "gamma critics"))
_INTERLEAVED_DIGESTS = [
    f"Paper Alpha\n\n{_ALPHA}\n", f"{_ALPHA}\n", f"Paper Beta\n\n{_BETA}\n", f"{_BETA}\n\n{_ALPHA}\n",
    f"Paper Alpha\n\n{_ALPHA}\n\nPaper Gamma\n\n{_GAMMA}\n", f"{_GAMMA}\n\n{_BETA}\n",
]
_words = st.text(alphabet="abcdefghij ", min_size=1, max_size=12).map(lambda t: t.strip() or "x")
_ingest = st.tuples(st.just("ingest"), st.integers(0, len(_INTERLEAVED_DIGESTS) - 1))
_operations = st.lists(st.one_of(
    _ingest, _ingest,  # twice as likely as the others: an edit matters when an ingest follows it
    st.tuples(st.just("edit"), st.integers(0, 2), st.sampled_from(["title", "notes", "tags", "comment"]), _words),
    st.tuples(st.just("remove"), st.integers(0, 2)),
), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_operations)
def test_no_interleaving_of_ingest_hand_edits_and_remove_loses_a_persons_value(operations):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        content = root / "content"
        digests = []
        for number, text in enumerate(_INTERLEAVED_DIGESTS):
            digests.append(root / f"{number}.txt")
            digests[-1].write_text(text, encoding="utf-8")
        kept: dict[str, dict[str, str]] = {}  # slug -> what a person wrote, by key
        for operation in operations:
            papers = sorted(p.stem for p in (content / "papers").glob("*.md")) if (content / "papers").exists() else []
            if operation[0] == "ingest":
                report = pipeline.ingest([str(digests[operation[1]])], content, fmt="auto")
                assert report.errors == [], report.errors
            elif operation[0] == "edit" and papers:
                slug = papers[operation[1] % len(papers)]
                _edit_by_hand(content / "papers" / f"{slug}.md", operation[2], operation[3])
                kept.setdefault(slug, {})[operation[2]] = operation[3]
            elif operation[0] == "remove" and papers:
                slug = papers[operation[1] % len(papers)]
                assert pipeline.remove_paper(content, slug, "a person said so").errors == []
                kept.pop(slug, None)
            for slug, values in kept.items():
                _assert_kept(content / "papers" / f"{slug}.md", values)


def _edit_by_hand(path: Path, key: str, value: str) -> None:
    """What a person does in an editor: set a title, notes or tags, or add a comment line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if key == "comment":
        lines.insert(1, f"# {value}")
    else:
        written = json.dumps([value] if key == "tags" else f"{value} (by hand)" if key == "title" else value)
        lines = [line for line in lines if not line.startswith(f"{key}:")]
        lines.insert(1, f"{key}: {written}")
        if key == "title":
            lines = [line for line in lines if line != "title_inferred: true"]
    path.write_text("\n".join(lines), encoding="utf-8")


def _assert_kept(path: Path, values: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    paper, problems = store.read_paper(path)
    assert problems == [], problems
    for key, value in values.items():
        if key == "comment":
            assert f"# {value}\n" in text
        elif key == "title":
            assert paper.title == f"{value} (by hand)"
        else:
            assert paper.extra[key] == ([value] if key == "tags" else value)
