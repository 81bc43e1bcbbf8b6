"""`atlas ingest` as a user runs it: exit codes, exact messages, and what lands in content/."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ABSTRACTS, ARXIV, REPO, snapshot

# The Atom feed's 97 entries join their twins in the pasted digests; 5 of them are papers retitled
# on arXiv, each a warning (once: a second run finds them by their place).
SUMMARY_FIRST_RUN = (
    "ingest: 4 digest(s), 221 entries (124 joined a paper already known) -> 97 papers: "
    "97 new, 0 updated, 0 unchanged; 97 file(s) written; 5 warning(s)"
)
SUMMARY_NOTHING_TO_DO = (
    "ingest: 4 digest(s), 221 entries (221 joined a paper already known) -> 97 papers: "
    "0 new, 0 updated, 97 unchanged; nothing to write; 0 warning(s)"
)


def test_ingesting_the_real_digests_writes_97_papers(atlas, real_digests, tmp_path):
    result = atlas("ingest", "--content", tmp_path / "content", real_digests)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == SUMMARY_FIRST_RUN
    assert len(list((tmp_path / "content" / "papers").glob("*.md"))) == 97


def test_a_second_ingest_leaves_every_file_byte_identical(atlas, real_digests, tmp_path):
    content = tmp_path / "content"
    atlas("ingest", "--content", content, real_digests)
    before = snapshot(content)
    result = atlas("ingest", "--content", content, real_digests)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == SUMMARY_NOTHING_TO_DO
    assert snapshot(content) == before


def test_the_shipped_content_is_what_ingest_makes_of_the_shipped_digests(atlas, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    before = snapshot(content)
    result = atlas("ingest", "--content", content, content / "digests")
    assert result.stderr.splitlines()[-1] == SUMMARY_NOTHING_TO_DO
    assert snapshot(content) == before
    curated = (content / "papers" / "bytescale-efficient-scaling-of-llm-training.md").read_text(encoding="utf-8")
    assert "title: 'ByteScale: Efficient Scaling of LLM Training with a 2048K Context Length on More Than 12,000 GPUs'" in curated
    assert "title_inferred" not in curated and "arxiv: '2502.21231'" in curated


def test_a_new_paper_is_stamped_with_the_day_it_entered_and_keeps_that_day(atlas, monkeypatch, tmp_path):
    content = tmp_path / "content"
    atlas("ingest", "--content", content, ARXIV)
    paper = content / "papers" / "sorft-issue-resolving-with-subtask-oriented-reinforced-fine-tuning.md"
    assert "\ndate: 2025-02-27\nadded: 2026-11-22\n" in paper.read_text(encoding="utf-8")
    first = set((content / "papers").glob("*.md"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01: a later run sees the paper again, and others
    atlas("ingest", "--content", content, ARXIV, ABSTRACTS)
    assert "\nadded: 2026-11-22\n" in paper.read_text(encoding="utf-8")
    later = set((content / "papers").glob("*.md")) - first
    assert later and all("\nadded: 2027-01-01\n" in path.read_text(encoding="utf-8") for path in later)


def test_a_bad_digest_among_good_ones_writes_nothing_and_reports_every_error(atlas, real_digests, write, tmp_path):
    write("digests/zz_bad.txt", "A Title\n\nAuthors:Ana\nDate:yesterday\n\nAn abstract.\n\nOrphan Title\n")
    write("digests/zz_empty.txt", "")
    content = tmp_path / "content"
    result = atlas("ingest", "--quiet", "--content", content, real_digests)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{real_digests}/zz_bad.txt:4: error: unparsable `Date:` 'yesterday': expected YYYY-MM-DD, optionally followed by HH:MM:SS",
        f"{real_digests}/zz_bad.txt:8: error: title with no abstract: 'Orphan Title'",
        f"{real_digests}/zz_empty.txt:1: error: empty digest: no text to read",
        "ingest: 3 error(s); nothing was written",
    ]
    assert not content.exists()


def test_a_broken_paper_file_in_content_stops_the_ingest(atlas, real_digests, write, tmp_path):
    write("content/papers/broken.md", "---\ntitle: [unclosed\n---\nText.\n")
    result = atlas("ingest", "--quiet", "--content", tmp_path / "content", real_digests)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{tmp_path}/content/papers/broken.md:3: error: front matter is not valid YAML")
    assert [p.name for p in (tmp_path / "content" / "papers").iterdir()] == ["broken.md"]


def test_missing_paths_are_reported(atlas, tmp_path):
    result = atlas("ingest", "--content", tmp_path, tmp_path / "nope.txt", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{tmp_path}/nope.txt: error: no such file or folder",
        f"{tmp_path}: error: folder holds no digest (*.txt, or arXiv's *.atom)",
    ]


def test_hand_edits_survive_a_later_ingest_that_sees_the_paper_again(atlas, write, tmp_path):
    content = tmp_path / "content"
    atlas("ingest", "--content", content, ARXIV)
    paper = content / "papers" / "sorft-issue-resolving-with-subtask-oriented-reinforced-fine-tuning.md"
    edited = paper.read_text(encoding="utf-8").replace(
        "title: 'SoRFT: Issue Resolving with Subtask-oriented Reinforced Fine-Tuning'",
        "title: 'SoRFT: Issue Resolving with Subtask-Oriented Reinforced Fine-Tuning (fixed by hand)'\n"
        "topics: [code]\nnotes: Read this one.",
    )
    paper.write_text(edited, encoding="utf-8")
    repasted = shutil.copy(ARXIV, tmp_path / "003_same_digest_pasted_again.txt")
    again = atlas("ingest", "--content", content, ARXIV, ABSTRACTS)
    result = atlas("ingest", "--content", content, repasted)
    assert (again.exit_code, result.exit_code) == (0, 0)
    text = paper.read_text(encoding="utf-8")
    assert "(fixed by hand)" in text and "topics: [code]\nnotes: Read this one.\n" in text  # written as the person wrote it
    assert "  format: abstracts\n  line: 4\n" in text and "digest: 003_same_digest_pasted_again.txt" in text
    assert ": warning: " not in again.stderr  # the places it was seen before were reported then
    assert "which keeps its title 'SoRFT: Issue Resolving with Subtask-Oriented Reinforced Fine-Tuning (fixed by hand)'" in result.stderr


def test_a_hand_formatted_file_with_nothing_to_add_is_not_rewritten(atlas, write, tmp_path):
    content = tmp_path / "content"
    atlas("ingest", "--content", content, ABSTRACTS)
    paper = next((content / "papers").glob("bytescale*.md"))
    hand_written = "---\n# a comment a person wrote\ntitle: ByteScale\nsources:\n  - {digest: 000_48d01e7e69735176.txt, format: abstracts, line: 2}\n---\n\n"
    paper.write_text(hand_written + paper.read_text(encoding="utf-8").split("---\n\n", 1)[1], encoding="utf-8")
    before = paper.read_bytes()
    assert atlas("ingest", "--content", content, ABSTRACTS).exit_code == 0
    assert paper.read_bytes() == before


def test_dry_run_shows_the_changes_and_writes_nothing(atlas, tmp_path):
    content = tmp_path / "content"
    atlas("ingest", "--content", content, ARXIV)
    before = snapshot(content)
    result = atlas("ingest", "--dry-run", "--content", content, ARXIV, ABSTRACTS)
    assert result.exit_code == 0
    assert snapshot(content) == before
    assert result.stdout.count("would create ") == 3
    assert "+  format: abstracts\n" in result.stdout  # a diff of each paper that would gain provenance
    assert "30 file(s) would be written" in result.stderr


def test_quiet_prints_only_the_warnings(atlas, real_digests, tmp_path):
    result = atlas("ingest", "--quiet", "--content", tmp_path / "content", real_digests)
    assert (result.exit_code, result.stdout) == (0, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 5 and all(": warning: same paper as " in line for line in lines)  # the papers retitled on arXiv
    again = atlas("ingest", "--quiet", "--content", tmp_path / "content", real_digests)
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", "")


def test_progress_counts_go_to_stderr(atlas, real_digests, tmp_path):
    result = atlas("ingest", "--content", tmp_path / "content", real_digests)
    assert result.stderr.splitlines()[:2] == ["reading digests: 4/4", "writing papers: 97/97"]


def test_the_module_and_the_console_script_both_run(tmp_path):
    module = subprocess.run([sys.executable, "-m", "generator", "ingest", "--help"], capture_output=True, text=True)
    assert module.returncode == 0 and "--dry-run" in module.stdout
    script = shutil.which("atlas", path=str(REPO / ".venv" / "bin")) or shutil.which("atlas")
    assert script, "the atlas console script is installed"
    version = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("atlas ")


def test_a_usage_error_exits_2(atlas):
    assert atlas("ingest", "--format", "pdf", "x.txt").exit_code == 2


@pytest.mark.parametrize("command", ["ingest", "build", "serve", "remove", "fetch", "enrich", "classify", "validate"])
def test_the_readme_documents_the_usage_that_help_prints(command):
    from generator.cli import build_parser

    parser = build_parser()._subparsers._group_actions[0].choices[command]
    usage = " ".join(parser.format_usage().split()).removeprefix("usage: ")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert usage in " ".join(readme.split())
