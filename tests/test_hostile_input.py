"""Hostile or careless input never hangs, never crashes, and never costs more than linear time.

Each class of input that once hung or crashed the atlas has a test here: digests that repeat
one abstract, abstracts that repeat one method name, far dates, special files where a digest
should be, odd YAML keys, alias bombs, an empty atlas, and control characters. Speed is checked
as a ratio (the time for 4n against the time for n), never against a wall-clock limit.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from generator import charts
from generator.classify import classify
from generator.formats import parse_digest
from generator.group import Item
from generator.merge import merge
from generator.model import Paper
from generator.taxonomy import load_taxonomy

ABSTRACT = ("We align a language model with human preferences using group relative advantages and a verifier "
            "that checks each answer, and report gains on mathematical reasoning benchmarks.")
LINEAR = 8  # 4n costs about 4 times n when linear, 16 times when quadratic
MIN_SECONDS = 0.03  # a run shorter than this is timed mostly in noise on a shared machine
MAX_DOUBLINGS = 10


def growth(work, n: int) -> float:
    """How much longer work(4n) takes than work(n), the best of three runs of each. n is first
    doubled until one run of work(n) takes MIN_SECONDS: at a few milliseconds a run, noise
    decides the ratio (a linear test once measured 9 against 8)."""
    def seconds(size):
        started = time.perf_counter()
        work(size)
        return time.perf_counter() - started

    for _ in range(MAX_DOUBLINGS):
        if seconds(n) >= MIN_SECONDS:
            break
        n *= 2
    return min(seconds(4 * n) for _ in range(3)) / min(seconds(n) for _ in range(3))


def test_merging_one_abstract_repeated_many_times_is_linear():
    def ingest(n):
        entries = parse_digest("\n\n".join([ABSTRACT] * n), "repeated.txt", "abstracts").entries
        merged = merge([], list(entries), {})
        assert len(merged.papers) == 1 and len(merged.papers[0].sources) == n
    assert growth(ingest, 1500) < LINEAR


def test_classifying_a_method_named_over_and_over_is_linear():
    taxonomy, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
    phrases = ("Unlike PPO ", "such as DPO and GRPO ", "PPO, ", "such as PPO, ", "a PPO baseline ", "Traditionally, PPO. ",
               "Proximal Policy Optimization (PPO) ", "Iterative Policy Ordering (IPO) ", "DeepSeek-R1-", "PPO-", "RFT ",
               "the reference model ", "the critic ", "we distill ")
    for phrase in phrases:
        assert growth(lambda n, phrase=phrase: classify(Paper("p", "A title", phrase * n), taxonomy), 2000) < LINEAR, phrase


def test_ingest_refuses_what_validate_would_refuse_at_the_digest_line(atlas, tmp_path):
    digest = tmp_path / "digest.txt"
    digest.write_text(f"{'Overlong ' * 40}\n\n{ABSTRACT}\n\nA Fine Title\n\n{ABSTRACT} {'More words. ' * 1000}\n")
    result = atlas("ingest", "--content", tmp_path / "content", "--format", "hf-daily", digest)
    assert result.exit_code == 1
    assert f"{digest}:1: error: the title is 359 characters; a paper's title has at most 300" in result.stderr
    assert f"{digest}:5: error: the abstract is 12,175 characters; at most 10,000 (is this several abstracts run together?)" in result.stderr
    assert not (tmp_path / "content" / "papers").exists()


def test_a_date_beyond_next_year_or_before_1990_is_an_error_everywhere(atlas, write, tmp_path):
    digest = write("digest.txt", f"""
        A Paper From The Far Future

        Authors: Ada Lovelace

        Date: 9999-01-01

        {ABSTRACT}
        """)
    result = atlas("ingest", "--content", tmp_path / "content", digest)
    assert result.exit_code == 1 and f"{digest}:1: error: the date 9999-01-01 is not a paper's date" in result.stderr
    write("content/papers/old.md", f"---\ntitle: Old\ndate: 1899-12-31\n---\n\n{ABSTRACT}\n")
    validated = atlas("validate", "--content", tmp_path / "content")
    assert validated.exit_code == 1
    assert (f"{tmp_path / 'content' / 'papers' / 'old.md'}:3: error: `date` 1899-12-31 is not a paper's date: the atlas takes "
            "dates from 1990 to the end of next year; write the date as YYYY-MM-DD, or leave `date` out if it is unknown") in validated.stdout


def test_trends_charts_stay_bounded_whatever_the_dates():
    items = tuple(Item(Paper(f"p{year}", "T", ABSTRACT, date=dt.date(year, 1, 1)), (), (), ())
                  for year in (1990, 2025, 9999))
    chart = str(charts.papers_per_month(items))
    assert chart.count("<rect") <= charts.TREND_MONTHS and len(chart) < 200_000
    assert "January 9999" in chart and "January 1990" not in chart


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_a_special_file_in_a_digest_folder_is_an_error_not_a_hang(tmp_path, kind):
    folder = tmp_path / "digests"
    folder.mkdir()
    (folder / "a.txt").write_text(ABSTRACT + "\n")
    special = folder / "b.txt"
    {"fifo": lambda: os.mkfifo(special), "dev-zero": lambda: os.symlink("/dev/zero", special),
     "folder": lambda: special.mkdir()}[kind]()
    done = subprocess.run([sys.executable, "-m", "generator", "ingest", "--content", str(tmp_path / "content"), str(folder)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    what = {"fifo": "a FIFO", "dev-zero": "a character device", "folder": "a folder"}[kind]
    assert done.returncode == 1
    assert f"{special}:1: error: {what}, not a regular file; a digest is a text file" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "content" / "papers").exists()


def test_a_digest_is_read_only_up_to_its_cap(tmp_path, monkeypatch):
    from generator import formats
    monkeypatch.setattr(formats, "MAX_DIGEST_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text(ABSTRACT * 20)
    digest = formats.read_digest(path, "big.txt")
    assert [str(p) for p in digest.problems] == ["big.txt:1: error: digest is over 1,000 bytes, the most one may hold"]


@pytest.mark.parametrize("key", ["1", "~", "2025-01-01", "true"])
def test_a_front_matter_key_that_is_no_name_is_an_error_for_validate_and_ingest(atlas, write, tmp_path, key):
    path = write("content/papers/odd-keys.md", f"---\ntitle: Odd keys\n{key}: value\n---\n\n{ABSTRACT}\n")
    write("content/taxonomy.yml", (REPO / "content" / "taxonomy.yml").read_text(encoding="utf-8"))
    message = f"{path}:3: error: front-matter key `"
    validated = atlas("validate", "--content", tmp_path / "content")
    assert validated.exit_code == 1 and message in validated.stdout
    digest = write("digest.txt", f"Odd keys\n\n{ABSTRACT}\n")
    ingested = atlas("ingest", "--content", tmp_path / "content", "--format", "hf-daily", digest)
    assert ingested.exit_code == 1 and message in ingested.stderr


def test_an_alias_bomb_in_the_taxonomy_is_refused_before_it_expands(atlas, write, tmp_path):
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    write("content/taxonomy.yml", "\n".join(levels) + "\ntopics: [*i]\nmethods: []\n")
    result = atlas("validate", "--content", tmp_path / "content")
    assert result.exit_code == 1
    assert (f"{tmp_path / 'content' / 'taxonomy.yml'}:1: error: the taxonomy repeats a value with a YAML anchor and alias "
            "(`&name`, `*name`); write it out instead") in result.stdout


@pytest.mark.parametrize("papers", [{}, {"plain": f"---\ntitle: Nothing Matches\n---\n\n{'Plain words only. ' * 20}\n"}])
def test_an_empty_atlas_or_one_no_method_matches_is_a_valid_atlas(build_project, tmp_path, papers):
    result = build_project(papers)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "site" / "index.html").is_file() and (tmp_path / "site" / "trends" / "index.html").is_file()


def test_control_characters_are_cleaned_on_ingest_and_reported_by_validate(atlas, write, tmp_path):
    digest = write("digest.txt", f"A Title\x7f With\x85 Controls\x9b\n\n{ABSTRACT}\n")
    assert atlas("ingest", "--content", tmp_path / "content", "--format", "hf-daily", digest).exit_code == 0
    (paper,) = (tmp_path / "content" / "papers").glob("*.md")
    assert "title: A Title With Controls\n" in paper.read_text(encoding="utf-8")
    paper.write_text(paper.read_text(encoding="utf-8").replace("title: A Title With Controls", 'title: "A Title\\x7f With"'), encoding="utf-8")
    write("content/taxonomy.yml", (REPO / "content" / "taxonomy.yml").read_text(encoding="utf-8"))
    validated = atlas("validate", "--content", tmp_path / "content")
    assert f"{paper}:2: error: `title` holds the control character U+007F; remove it or write a space" in validated.stdout


def test_the_page_title_of_a_paper_never_carries_a_control_character(tmp_path):
    from generator.render import yaml_text
    assert str(yaml_text("A\x7fB\x85C\u2028D")) == '"A B C D"'


def test_files_read_through_the_capped_reader_are_never_read_past_the_cap(tmp_path):
    from generator.files import UnreadableFile, read_capped
    path = tmp_path / "x"
    path.write_bytes(b"x" * 10)
    assert read_capped(path, 10) == b"x" * 10
    with pytest.raises(UnreadableFile, match="over 9 bytes"):
        read_capped(path, 9)
    with pytest.raises(UnreadableFile, match="a character device"):
        read_capped(Path("/dev/zero"), 10)


@pytest.mark.parametrize("build", [
    lambda n: f"Authors:Ada{' ' * n}Lovelace, Alan Turing",  # a long run of spaces in a name list
    lambda n: f"LLM-RL{' ' * n}x",  # ... or in a header-like first line
])
def test_digest_lines_full_of_spaces_are_parsed_in_linear_time(build):
    def parse(n):
        parse_digest(f"{build(n)}\n\nA Title\n\nAuthors:Ada Lovelace\n\n{ABSTRACT}\n", "spaces.txt")
    assert growth(parse, 20_000) < LINEAR


def test_checking_a_link_full_of_dots_is_linear(atlas, write, tmp_path):
    from generator.validate import _link_problems
    assert growth(lambda n: _link_problems({"code": "http://" + "a." * n + " x"}), 20_000) < LINEAR
    assert _link_problems({"code": "https://example.org/a_(b)", "x": "http://a."}) == ["`links.x` `http://a.` is no http(s) URL"]
