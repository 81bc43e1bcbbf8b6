"""`atlas validate` and `atlas add`: every mistake a contributor can make, caught with the file
and line, and a paper added from the command line that validates and shows on the site."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import github_annotation
from generator.model import error
from generator.validate import validate

REPO = Path(__file__).resolve().parent.parent
ABSTRACT = ("We train a language model with group relative policy optimization on verifiable math rewards and "
            "find that a small critic-free recipe matches PPO at a fraction of the cost, across four benchmarks "
            "and three model sizes.")
OTHER_ABSTRACT = ("Dialogue agents learn to persuade less and listen more when a simulated user rewards them for "
                  "questions that uncover what the user needs; we release the simulator and two new datasets "
                  "of annotated conversations.")
GOOD = f"""---
title: A Good Paper About Critic-Free Training
authors:
- Ana Lee
date: 2025-03-01
methods:
- grpo
links:
  arxiv: '2503.01234'
---

{ABSTRACT}
"""


@pytest.fixture
def content(tmp_path) -> Path:
    """A content folder with the shipped taxonomy and one good paper."""
    folder = tmp_path / "content"
    (folder / "papers").mkdir(parents=True)
    shutil.copy(REPO / "content" / "taxonomy.yml", folder / "taxonomy.yml")
    (folder / "papers" / "a-good-paper.md").write_text(GOOD, encoding="utf-8")
    return folder


def with_front(front: str, abstract: str = OTHER_ABSTRACT) -> str:
    return f"---\n{front}---\n\n{abstract}\n"


# (what is wrong, file name, content, the line validate prints for it after "path:")
NEXT_YEAR = dt.date.today().year + 1
MISTAKES = [
    ("front matter is a list", "p.md", "---\n- a\n- b\n---\n\nText.\n", "2: error: front matter must be a mapping of keys to values"),
    ("no front matter", "p.md", "Just an abstract.\n", "1: error: no front matter: a paper file starts with a line `---`"),
    ("unclosed front matter", "p.md", "---\ntitle: x\n", "1: error: front matter is not closed by a line `---`"),
    ("broken YAML", "p.md", with_front("title: x\nauthors: [a\n"), "4: error: front matter is not valid YAML: did not find expected ',' or ']'"),
    ("python tag", "p.md", with_front("title: x\nrun: !!python/object/apply:os.system [ls]\n"), "3: error: front matter is not valid YAML: could not determine a constructor for the tag "
     "'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("alias bomb", "p.md", with_front("title: x\nnotes: &a [l, l, l]\ntags: [*a, *a, *a]\n"), "3: error: front matter repeats a value with a YAML anchor and alias (`&name`, `*name`); write it out instead"),
    ("tab indent", "p.md", with_front("title: x\nauthors:\n\t- Ana\n"), "4: error: tab in the front matter; YAML wants spaces"),
    ("missing title", "p.md", with_front("authors: [Ana]\n"), "1: error: `title` must be a non-empty text"),
    ("empty abstract", "p.md", "---\ntitle: A Title\n---\n\n", "4: error: the abstract (the text after the front matter) is empty"),
    ("authors as text", "p.md", with_front("title: A Title\nauthors: Ana Lee, Bo Chen\n"), "3: error: `authors` must be a list of names"),
    ("impossible date", "p.md", with_front("title: A Title\ndate: 2025-02-30\n"), "3: error: front matter is not valid YAML: impossible date (day is out of range for month)"),
    ("date as text", "p.md", with_front("title: A Title\ndate: March 2025\n"), "3: error: `date` must be a date written YYYY-MM-DD"),
    ("added as text", "p.md", with_front("title: A Title\nadded: yesterday\n"), "3: error: `added` must be a date written YYYY-MM-DD"),
    ("future date", "p.md", with_front(f"title: A Title\ndate: {NEXT_YEAR}-12-31\n"), f"3: warning: `date` {NEXT_YEAR}-12-31 is in the future"),
    ("far future date", "p.md", with_front("title: A Title\ndate: 2999-01-01\n"), "3: error: `date` 2999-01-01 is not a paper's date: "
     "the atlas takes dates from 1990 to the end of next year; write the date as YYYY-MM-DD, or leave `date` out if it is unknown"),
    ("date before 1990", "p.md", with_front("title: A Title\nadded: 1989-12-31\n"), "3: error: `added` 1989-12-31 is not a paper's date: "
     "the atlas takes dates from 1990 to the end of next year; write the date as YYYY-MM-DD, or leave `added` out if it is unknown"),
    ("unknown method", "p.md", with_front("title: A Title\nmethods: [grpoo]\n"),
     "3: error: `methods` names `grpoo`, which is not one of the methods in content/taxonomy.yml; did you mean `grpo`?"),
    ("method by its name", "p.md", with_front("title: A Title\nmethods: [Direct Preference Optimization]\n"),
     "3: error: `methods` names `Direct Preference Optimization`, which is not one of the methods in content/taxonomy.yml; did you mean `dpo`?"),
    ("unknown topic", "p.md", with_front("title: A Title\ntopics: [reasonning]\n"), "3: error: `topics` names `reasonning`, which is not one of the topics in content/taxonomy.yml; did you mean `reasoning`?"),
    ("unknown mentioned method", "p.md", with_front("title: A Title\nmentioned_methods: [ppoo]\n"),
     "3: error: `mentioned_methods` names `ppoo`, which is not one of the methods in content/taxonomy.yml; did you mean `ppo`?"),
    ("a method set two ways", "p.md", with_front("title: A Title\nmethods: [ppo]\nmentioned_methods: [ppo, dpo]\n"),
     "4: error: `ppo` is in both `methods` and `mentioned_methods`; keep it in one"),
    ("topics not a list", "p.md", with_front("title: A Title\ntopics: {a: b}\n"), "3: error: `topics` must be a list of topics slugs from content/taxonomy.yml"),
    ("arXiv URL for an id", "p.md", with_front("title: A Title\nlinks:\n  arxiv: https://arxiv.org/abs/2502.21231\n"),
     "3: error: `links.arxiv` `https://arxiv.org/abs/2502.21231` is no arXiv identifier such as '2502.21231'; write `arxiv: '2502.21231'`"),
    ("fullwidth digits in an id", "p.md", with_front("title: A Title\nlinks:\n  arxiv: '\uff12\uff15\uff10\uff12.21231'\n"),
     "3: error: `links.arxiv` `\uff12\uff15\uff10\uff12.21231` is written with characters other than ASCII; write `arxiv: '2502.21231'`"),
    ("Arabic-Indic digits in an id", "p.md", with_front("title: A Title\nlinks:\n  arxiv: '\u0662\u0665\u0660\u0662.21231'\n"),
     "3: error: `links.arxiv` `\u0662\u0665\u0660\u0662.21231` is no arXiv identifier such as '2502.21231'"),
    ("link not a URL", "p.md", with_front("title: A Title\nlinks:\n  code: github.com/x/y\n"), "3: error: `links.code` `github.com/x/y` is no http(s) URL"),
    ("links not a mapping", "p.md", with_front("title: A Title\nlinks: [https://x.org]\n"), "3: error: `links` must be a mapping of names to URLs, e.g. `arxiv: '2502.21231'`"),
    ("tags not text", "p.md", with_front("title: A Title\ntags: [1, 2]\n"), "3: error: `tags` must be a list of words or short phrases"),
    ("misspelt key", "p.md", with_front("title: A Title\ntopcs: [reasoning]\n"), "3: warning: unknown key `topcs`; did you mean `topics`?"),
    ("title too long", "p.md", with_front(f"title: {'Long ' * 70}\n"), "2: error: `title` is 349 characters; at most 300"),
    ("short abstract", "p.md", with_front("title: A Title\n", "Too short."), "5: warning: the abstract is only 10 characters; was it cut off?"),
    ("several names in one", "p.md", with_front("title: A Title\nauthors: [Ana Lee and Bo Chen]\n"), "3: warning: `Ana Lee and Bo Chen` looks like several names; put each author on a line of its own"),
    ("file name not a slug", "My Paper.md", with_front("title: A Title\n"), "2: error: file name `My Paper.md` is no slug: use lowercase letters, digits and hyphens, e.g. `a-title.md`"),
    ("inferred title", "p.md", with_front("title: A Title\ntitle_inferred: true\n"), "3: warning: the title was inferred from the abstract: write the paper's real title and remove `title_inferred`"),
    ("duplicate title", "p.md", with_front("title: a good paper about critic-free training\n", "A different abstract " * 20),
     "2: error: duplicate: the same title as {papers}/a-good-paper.md"),
    ("duplicate abstract", "p.md", with_front("title: Another Title\n", ABSTRACT.replace("four", "five")),
     "2: error: duplicate: a near-identical abstract to {papers}/a-good-paper.md"),
    ("byte-order mark", "p.md", "\ufeff" + with_front("title: A Title\n"), "1: error: starts with a byte-order mark; save the file as UTF-8 without BOM"),
    ("not UTF-8", "p.md", with_front("title: A Title\n").encode("utf-8") + b"caf\xe9\n", "6: error: not UTF-8 (byte 0xe9); save the file as UTF-8"),
    ("binary", "p.md", b"---\ntitle: x\n---\n\x00\x01\x02", "4: error: binary file (it holds NUL bytes); a paper file is UTF-8 text"),
]


@pytest.mark.parametrize(("name", "text", "expected"), [case[1:] for case in MISTAKES], ids=[case[0] for case in MISTAKES])
def test_each_mistake_is_reported_with_its_line(content, atlas, name, text, expected):
    path = content / "papers" / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = atlas("validate", "--content", content, path)
    assert f"{path}:{expected.format(papers=content / 'papers')}" in result.stdout.splitlines(), result.stdout
    assert result.exit_code == (1 if ": error:" in expected else 0)


def test_a_file_with_several_mistakes_gets_them_all_in_one_run(content, atlas):
    path = content / "papers" / "p.md"
    path.write_text(with_front("title: A Title\nmethods: [grpoo]\nlinks:\n  code: nowhere\ntopcs: []\n", "Short."), encoding="utf-8")
    result = atlas("validate", "--content", content)
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(path))]
    assert [line.split(": ", 2)[0].rsplit(":", 1)[1] for line in lines] == ["3", "4", "6", "9"]
    assert result.exit_code == 1 and "1 error" not in result.stderr and "2 error(s), 2 warning(s)" in result.stderr


def test_crlf_line_ends_are_fine(content, atlas):
    (content / "papers" / "crlf.md").write_bytes(with_front("title: Windows Line Ends\n").replace("\n", "\r\n").encode())
    result = atlas("validate", "--content", content)
    assert result.exit_code == 0 and result.stdout == ""


def test_huge_files_are_refused_before_they_are_read(content, atlas):
    path = content / "papers" / "huge.md"
    path.write_text(with_front("title: Huge\n", "word " * 30_000), encoding="utf-8")
    result = atlas("validate", "--content", content)
    assert f"{path}: error: paper file is over 100,000 bytes, the most one may hold" in result.stdout


def test_only_files_in_content_papers_are_paper_files(content, atlas, tmp_path):
    stray = tmp_path / "elsewhere.md"
    stray.write_text(GOOD, encoding="utf-8")
    result = atlas("validate", "--content", content, stray, content / "papers" / "gone.md", content / "taxonomy.yml")
    assert f"{stray}: error: not a paper file" in result.stdout
    assert f"{content / 'taxonomy.yml'}: error: not a paper file" in result.stdout
    assert f"{content / 'papers' / 'gone.md'}: error: no such file" in result.stdout


def test_a_broken_taxonomy_is_an_error_too(content, atlas):
    (content / "taxonomy.yml").write_text("topics: [\n", encoding="utf-8")
    result = atlas("validate", "--content", content)
    assert f"{content / 'taxonomy.yml'}:2: error: taxonomy is not valid YAML" in result.stdout and result.exit_code == 1


def test_warnings_pass_unless_strict(content, atlas):
    (content / "papers" / "p.md").write_text(with_front("title: A Title\ntopcs: [x]\n"), encoding="utf-8")
    assert atlas("validate", "--content", content).exit_code == 0
    assert atlas("validate", "--content", content, "--strict").exit_code == 1


def test_the_shipped_content_is_valid(atlas):
    result = atlas("validate", "--content", REPO / "content", "--strict")
    assert (result.exit_code, result.stdout) == (0, ""), result.stdout
    assert "97 file(s) checked; 0 error(s), 0 warning(s)" in result.stderr


def test_github_format_annotates_the_pull_request(content, atlas):
    path = content / "papers" / "p.md"
    path.write_text(with_front("title: A Title\nmethods: [grpoo]\n"), encoding="utf-8")
    result = atlas("validate", "--content", content, "--format", "github", path)
    assert result.stdout.splitlines() == [
        f"::error file={path},line=3::`methods` names `grpoo`, which is not one of the methods in "
        "content/taxonomy.yml; did you mean `grpo`?"]


def test_annotations_escape_what_would_end_them():
    annotation = github_annotation(error("a,b:c.md", 2, "50% done\nnext line"))
    assert annotation == "::error file=a%2Cb%3Ac.md,line=2::50%25 done%0Anext line"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400),
    st.builds(lambda front, body: f"---\n{front}\n---\n{body}", st.text(max_size=200), st.text(max_size=200)),
    st.builds(lambda key, value: f"---\ntitle: T\n{key}: {value}\n---\n\nAbstract.\n",
              st.sampled_from(["topics", "methods", "links", "tags", "date", "authors", "notes", "sources"]),
              st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)),
))
def test_validate_never_raises_whatever_a_file_holds(content, data):
    path = content / "papers" / "fuzzed.md"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    checked, problems = validate(content, [path])
    assert checked == 1 and all(problem.path for problem in problems)


# ---------- atlas add ----------

def typed(monkeypatch, text: str) -> None:
    """What the contributor types or pastes on standard input."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_add_writes_a_paper_that_validates_and_refuses_it_twice(content, atlas, monkeypatch):
    typed(monkeypatch, "  Tree search over reasoning steps meets group relative policy optimization: rollouts share "
                       "prefixes, so one budget gives more comparisons, and verifiable rewards at the leaves train the policy. "
                       "Math and code benchmarks improve.\n")
    result = atlas("add", "--content", content, "--title", "Tree-GRPO: Searching Trees of Thought", "--authors", "Ana Lee, Bo Chen",
                   "--date", "2025-06-03", "--arxiv", "2506.01234", "--method", "grpo", "--topic", "reasoning", "--tag", "tree search")
    path = content / "papers" / "tree-grpo-searching-trees-of-thought.md"
    assert result.exit_code == 0 and f"add: wrote {path}" in result.stderr
    assert path.read_text(encoding="utf-8") == (
        "---\ntitle: 'Tree-GRPO: Searching Trees of Thought'\nauthors:\n- Ana Lee\n- Bo Chen\ndate: 2025-06-03\nadded: 2026-11-22\n"
        "topics:\n- reasoning\nmethods:\n- grpo\ntags:\n- tree search\nlinks:\n  arxiv: '2506.01234'\n---\n\n"
        "Tree search over reasoning steps meets group relative policy optimization: rollouts share prefixes, so one "
        "budget gives more comparisons, and verifiable rewards at the leaves train the policy. Math and code benchmarks improve.\n")
    assert atlas("validate", "--content", content, "--strict").exit_code == 0

    typed(monkeypatch, "Anything at all.")
    again = atlas("add", "--content", content, "--title", "TREE-GRPO: searching trees of thought")
    assert again.exit_code == 1
    assert f"{path}: error: the atlas already has this paper (the same title); edit this file instead" in again.stderr


def test_add_takes_a_pasted_digest_snippet(content, atlas, monkeypatch):
    typed(monkeypatch, "Tree-GRPO: Searching Trees of Thought\n\nAuthors:Ana Lee, Ahmet Üstün\nDate:2025-06-03 10:00:00\n\n"
                       "Tree search over reasoning steps meets group relative policy optimization, with verifiable rewards "
                       "at the leaves and shared prefixes, on math and code.\n")
    result = atlas("add", "--content", content, "--digest", "--dry-run")
    assert result.exit_code == 0 and not (content / "papers" / "tree-grpo-searching-trees-of-thought.md").exists()
    assert result.stdout.startswith("---\ntitle: 'Tree-GRPO: Searching Trees of Thought'\nauthors:\n- Ana Lee\n- Ahmet Üstün\ndate: 2025-06-03\nadded: 2026-11-22\n---\n")


@pytest.mark.parametrize(("args", "stdin", "expected"), [
    (["--title", "A Title", "--method", "grpoo"], OTHER_ABSTRACT, "error: `methods` names `grpoo`"),
    (["--title", "A Title"], "", "error: needs an abstract on standard input"),
    ([], ABSTRACT, "error: needs --title"),
    (["--title", "A Title", "--arxiv", "arxiv.org/abs/1"], OTHER_ABSTRACT, "error: `links.arxiv` `arxiv.org/abs/1` is no arXiv identifier"),
    (["--digest"], "One\n\nAuthors:A\n\nFirst abstract.\n\nTwo\n\nAuthors:B\n\nSecond abstract.\n",
     "error: the snippet holds 2 papers; add takes one"),
    (["--title", "Different", "--topic", "reasoning"], ABSTRACT, "error: the atlas already has this paper (a near-identical abstract)"),
])
def test_add_refuses_what_validate_would_and_writes_nothing(content, atlas, monkeypatch, args, stdin, expected):
    before = sorted((content / "papers").iterdir())
    typed(monkeypatch, stdin)
    result = atlas("add", "--content", content, *args)
    assert result.exit_code == 1 and expected in result.stderr and "nothing was written" in result.stderr
    assert sorted((content / "papers").iterdir()) == before


def test_an_added_paper_shows_on_the_built_site(content, atlas, monkeypatch, tmp_path):
    typed(monkeypatch, OTHER_ABSTRACT)
    assert atlas("add", "--content", content, "--title", "Critic-Free Agents", "--method", "grpo").exit_code == 0
    built = atlas("build", "--content", content, "--out", tmp_path / "build", "--site", tmp_path / "site",
                  "--config", REPO / "mkdocs.yml", "--quiet")
    assert built.exit_code == 0, built.stderr
    page = (tmp_path / "site" / "papers" / "critic-free-agents" / "index.html").read_text(encoding="utf-8")
    assert "Critic-Free Agents" in page and "/methods/grpo/" in page
