"""arXiv as a live source: the real client against a loopback server that speaks arXiv's API.

No network and no mock of our own code: ATLAS_ARXIV_API points the client at the server the
test starts; ATLAS_ARXIV_INTERVAL shortens the 3 s spacing (and the tests measure it).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from arxiv_server import Arxiv, Paper, answer, drip, serving
from conftest import REPO, serving_with, snapshot
from hf_server import HuggingFace

from generator import store
from generator.cite import arxiv_id
from generator.sources.arxiv import USER_AGENT, ArxivClient

INTERVAL = 0.3
ABSTRACT = ("We train a policy with group relative advantages on verifiable math rewards and find that "
            "the gains depend on how well the base model already solves the task, across {} benchmarks.")
SOURCES = """\
queries:
  - name: llm-rl
    query: 'abs:"verifiable math rewards"'
    categories: [cs.LG]
    max: 5
"""


def paper(number: int, day: int, **changes) -> Paper:
    fields = dict(arxiv=f"2508.{number:05d}v1", title=f"Paper Number {number}", summary=ABSTRACT.format(number),
                  published=f"2025-08-{day:02d}T12:00:00Z", authors=("Ada Lovelace", "Alan Turing"), categories=("cs.LG", "cs.CL"))
    return Paper(**{**fields, **changes})


@pytest.fixture
def arxiv(monkeypatch, tmp_path):
    monkeypatch.setattr("generator.sources.watch.PAGE_SIZE", 3)  # five papers make two pages
    server = Arxiv(papers=[paper(n, n) for n in range(1, 6)] + [paper(99, 9, categories=("math.CO",))])
    with serving(server) as url, serving_with(HuggingFace().handler()) as hugging_face:
        monkeypatch.setenv("ATLAS_HF_API", hugging_face)  # it knows none of these papers
        monkeypatch.setenv("ATLAS_ARXIV_API", url)
        monkeypatch.setenv("ATLAS_ARXIV_INTERVAL", str(INTERVAL))
        monkeypatch.setenv("ATLAS_ARXIV_BACKOFF", "0.05")
        monkeypatch.setenv("ATLAS_CACHE", str(tmp_path / "cache"))
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1756684800")  # 2025-09-01: "today" for the fetch
        yield server


@pytest.fixture
def content(write, tmp_path):
    write("content/sources.yml", SOURCES)
    return tmp_path / "content"


def test_fetch_adds_the_new_papers_of_a_watched_query_with_their_pages(atlas, arxiv, content):
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1].startswith("fetch: 2 request(s) to arXiv, 2 new page(s); ingest: 2 digest(s), 5 entries")
    pages = sorted(p.name for p in (content / "digests" / "arxiv").iterdir())
    assert pages == ["2025-09-01-llm-rl-01.atom", "2025-09-01-llm-rl-02.atom"]
    papers, _ = store.load_papers(content)
    assert sorted(arxiv_id(p) for p in papers) == [f"2508.0000{n}" for n in range(1, 6)]  # not the math.CO one
    newest = next(p for p in papers if arxiv_id(p) == "2508.00005")
    assert (newest.authors, newest.date.isoformat(), newest.categories) == (("Ada Lovelace", "Alan Turing"), "2025-08-05", ("cs.LG", "cs.CL"))
    assert [s.digest for s in newest.sources] == ["2025-09-01-llm-rl-01.atom"]


def test_requests_are_spaced_paged_and_say_who_asks(atlas, arxiv, content):
    atlas("fetch", "--content", content, "--since", "2025-08-01")
    times = [when for when, _, _ in arxiv.requests]
    assert all(later - earlier >= INTERVAL * 0.95 for earlier, later in zip(times, times[1:], strict=False))
    assert [(q["start"], q["max_results"]) for _, q, _ in arxiv.requests] == [("0", "3"), ("3", "2")]
    assert "submittedDate:[202508010000 TO 202509012359]" in arxiv.requests[0][1]["search_query"]
    assert {agent for _, _, agent in arxiv.requests} == {USER_AGENT}


def test_fetching_again_looks_back_from_the_newest_paper_and_adds_nothing(atlas, arxiv, content):
    atlas("fetch", "--content", content, "--since", "2025-08-01")
    before, asked = snapshot(content), len(arxiv.requests)
    again = atlas("fetch", "--content", content)
    assert again.exit_code == 0 and again.stderr.splitlines()[-1] == "fetch: 2 request(s) to arXiv, 0 new page(s); no new papers"
    # the newest paper saved is of 08-05; arXiv lists papers a day or two late, so the window opens two days before
    assert "submittedDate:[202508030000 TO 202509012359]" in arxiv.requests[asked][1]["search_query"]
    assert snapshot(content) == before


def test_a_cached_run_sends_no_request(atlas, arxiv, content, tmp_path):
    atlas("fetch", "--content", content, "--since", "2025-08-01", "--dry-run")
    asked = len(arxiv.requests)
    assert atlas("fetch", "--content", content, "--since", "2025-08-01").exit_code == 0
    assert len(arxiv.requests) == asked


@pytest.mark.parametrize("trouble", [[503], [429], [503, 503]])
def test_busy_answers_are_retried_with_backoff(atlas, arxiv, content, trouble):
    arxiv.next_answers = list(trouble)
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert result.exit_code == 0, result.stderr
    assert len(arxiv.requests) == 2 + len(trouble) and len(list((content / "papers").glob("*.md"))) == 5


@pytest.mark.parametrize("trouble, message", [
    (["malformed"], "arXiv's answer is not well-formed XML"),
    ([503] * 5, "arXiv answered 503"),
])
def test_a_failed_fetch_leaves_content_byte_identical(atlas, arxiv, content, trouble, message):
    before = snapshot(content)
    arxiv.next_answers = list(trouble)
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert result.exit_code == 1 and message in result.stderr and "nothing was written" in result.stderr
    assert snapshot(content) == before


def test_a_failure_on_the_second_page_writes_not_even_the_first(atlas, arxiv, content):
    before = snapshot(content)
    arxiv.next_answers = []
    client_pages = []
    original = arxiv.answer

    def second_page_breaks(query):
        client_pages.append(query)
        return (200, "<feed>") if len(client_pages) == 2 else original(query)

    arxiv.answer = second_page_breaks
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert result.exit_code == 1 and snapshot(content) == before


def test_an_empty_answer_adds_nothing(atlas, arxiv, content):
    arxiv.next_answers = ["empty"]
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert result.exit_code == 0 and result.stderr.splitlines()[-1] == "fetch: 1 request(s) to arXiv, 0 new page(s); no new papers"
    assert not (content / "papers").exists()


def test_add_by_arxiv_id_takes_everything_from_arxiv_and_refuses_a_second_time(atlas, arxiv, content, write):
    write("content/taxonomy.yml", (REPO / "content" / "taxonomy.yml").read_text(encoding="utf-8"))
    result = atlas("add", "--content", content, "--arxiv", "2508.00003v2", "--method", "grpo")
    assert result.exit_code == 0, result.stderr
    (path,) = (content / "papers").glob("*.md")
    added, _ = store.read_paper(path)
    assert (added.title, arxiv_id(added), added.date.isoformat(), added.extra["methods"]) == ("Paper Number 3", "2508.00003", "2025-08-03", ["grpo"])
    asked = len(arxiv.requests)
    again = atlas("add", "--content", content, "--arxiv", "2508.00003")
    assert again.exit_code == 1 and "the atlas already has this paper (the same arXiv id)" in again.stderr
    assert len(arxiv.requests) == asked  # the cache answered
    unknown = atlas("add", "--content", content, "--arxiv", "2508.09999")
    assert unknown.exit_code == 1 and "arXiv has no paper 2508.09999" in unknown.stderr


def test_add_reads_an_id_in_fullwidth_digits_as_the_same_paper_and_refuses_other_scripts(atlas, arxiv, content, write):
    write("content/taxonomy.yml", (REPO / "content" / "taxonomy.yml").read_text(encoding="utf-8"))
    assert atlas("add", "--content", content, "--arxiv", "2508.00003").exit_code == 0
    again = atlas("add", "--content", content, "--arxiv", "\uff12\uff15\uff10\uff18.\uff10\uff10\uff10\uff10\uff13")
    assert again.exit_code == 1 and "the atlas already has this paper (the same arXiv id)" in again.stderr
    other = atlas("add", "--content", content, "--arxiv", "\u0662\u0665\u0660\u0668.00003")
    assert other.exit_code == 1 and "is no arXiv identifier such as 2502.21231" in other.stderr


def test_the_client_batches_many_ids_per_request(arxiv, tmp_path):
    client = ArxivClient(tmp_path / "cache")
    answers = client.by_ids([f"2508.{n:05d}" for n in range(1, 251)])
    assert len(answers) == 3 and client.requests == 3
    assert [len(q["id_list"].split(",")) for _, q, _ in arxiv.requests] == [100, 100, 50]


# atlas enrich

def _paper_file(write, slug: str, title: str, abstract: str, extra: str = "") -> None:
    write(f"content/papers/{slug}.md", f"---\ntitle: '{title}'\n{extra}---\n\n{abstract}\n")


@pytest.fixture
def to_enrich(arxiv, write, content):
    arxiv.papers += [paper(50, 10, title="Twin Title"), paper(51, 11, title="Twin Title", summary=ABSTRACT.format(50)),
                     paper(60, 12, title="Same Title Other Abstract", summary="Something else entirely about proteins and folding "
                           "that shares no sentence with the paper in the atlas at all, none whatsoever, really.")]
    _paper_file(write, "resolved-by-title", "Paper Number 1", ABSTRACT.format(1))
    _paper_file(write, "twins", "Twin Title", ABSTRACT.format(50))
    _paper_file(write, "other-abstract", "Same Title Other Abstract", ABSTRACT.format(60))
    _paper_file(write, "unknown", "A Paper arXiv Never Saw", ABSTRACT.format(70))
    _paper_file(write, "has-id", "Paper Number 2", ABSTRACT.format(2), "links: {arxiv: '2508.00002'}\n")
    _paper_file(write, "complete", "Paper Number 3", ABSTRACT.format(3),
                "authors: [Ada Lovelace]\ndate: 2025-08-03\nlinks: {arxiv: '2508.00003'}\n")
    return content


def test_enrich_fills_what_is_missing_and_reports_what_is_not_certain(atlas, arxiv, to_enrich):
    result = atlas("enrich", "--content", to_enrich)
    assert result.exit_code == 0, result.stderr
    papers = to_enrich / "papers"
    assert result.stdout.splitlines() == [
        f"resolved: {papers / 'has-id.md'}: arXiv 2508.00002",
        f"ambiguous: {papers / 'other-abstract.md'}: arXiv has this title (2508.00060) with another abstract; check by hand",
        f"resolved: {papers / 'resolved-by-title.md'}: arXiv 2508.00001, by title and abstract",
        f"ambiguous: {papers / 'twins.md'}: several arXiv papers have this title and abstract: 2508.00050, 2508.00051",
        f"not found: {papers / 'unknown.md'}: no arXiv paper has this title"]
    assert result.stderr.splitlines()[-1] == ("enrich: 5 request(s) to arXiv; 2 resolved, 2 ambiguous, 1 not found; "
                                              "3 request(s) to Hugging Face, 0 with code or project links; 2 file(s) written")
    resolved, _ = store.read_paper(papers / "resolved-by-title.md")
    assert (arxiv_id(resolved), resolved.authors, resolved.date.isoformat()) == ("2508.00001", ("Ada Lovelace", "Alan Turing"), "2025-08-01")
    assert [(s.digest, s.format) for s in resolved.sources] == [("arxiv:2508.00001", "arxiv-api")]
    assert store.read_paper(papers / "twins.md")[0].authors == ()  # ambiguous: never applied
    ids = [q["id_list"] for _, q, _ in arxiv.requests if "id_list" in q]
    assert ids == ["2508.00002"]  # the complete paper is not asked about; ids go in one batch


def test_a_second_enrich_sends_no_request_and_changes_nothing(atlas, arxiv, to_enrich):
    atlas("enrich", "--content", to_enrich)
    before, asked = snapshot(to_enrich), len(arxiv.requests)
    again = atlas("enrich", "--content", to_enrich)
    assert again.exit_code == 0 and len(arxiv.requests) == asked and snapshot(to_enrich) == before
    # Hugging Face's "not found" is cached for a week, as arXiv's answers are
    assert again.stderr.splitlines()[-1].endswith(
        "0 resolved, 2 ambiguous, 1 not found; 0 request(s) to Hugging Face, 0 with code or project links; 0 file(s) to write")


def test_offline_enrich_uses_only_the_cache_and_the_files_given(atlas, arxiv, to_enrich, tmp_path):
    from arxiv_server import feed
    record = tmp_path / "record.atom"
    record.write_text(feed([p for p in arxiv.papers if p.arxiv.startswith("2508.00001")], 1, 0), encoding="utf-8")
    result = atlas("enrich", "--content", to_enrich, "--offline", "--from", record, to_enrich / "papers" / "resolved-by-title.md",
                   to_enrich / "papers" / "unknown.md")
    assert result.exit_code == 0 and arxiv.requests == []
    assert f"resolved: {to_enrich / 'papers' / 'resolved-by-title.md'}: arXiv 2508.00001, by title and abstract" in result.stdout
    assert f"not found: {to_enrich / 'papers' / 'unknown.md'}: not in the cache, and --offline" in result.stdout


# The scheduled update's script

HOSTILE_TITLE = "@octocat Fixes #123 and owner/repo#45: see https://evil.example, www.evil.example and $x^2$ \u202eroftf"


@pytest.fixture
def update(arxiv, tmp_path):
    """A scratch clone of the repository watching SOURCES (max 10), and a function that runs the
    scheduled update's script in it on 2025-08-06 (the papers are from the week before)."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(".venv", "build", "site", ".git", "__pycache__", ".hypothesis",
                                                              ".pytest_cache", "*.egg-info"))
    (repo / "content" / "sources.yml").write_text(SOURCES.replace("max: 5", "max: 10"), encoding="utf-8")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(GIT + command, cwd=repo, check=True)

    def run(**environment: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1754438400", "ATLAS": str(Path(sys.executable).parent / "atlas"),
               "PYTHON": sys.executable, "PR_BODY": str(tmp_path / "pr-body.md"), "GITHUB_OUTPUT": str(tmp_path / "github-output"),
               **environment}
        return subprocess.run(["bash", ".github/scripts/update.sh"], cwd=repo, env=env, capture_output=True, text=True, timeout=600)

    run.repo, run.body, run.outputs = repo, tmp_path / "pr-body.md", tmp_path / "github-output"
    return run


GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]


def test_the_update_script_commits_nothing_itself_and_describes_the_new_papers(arxiv, update):
    arxiv.papers += [long_title_paper(6, 5), paper(7, 5, title=HOSTILE_TITLE)]
    first = update()
    assert first.returncode == 0, first.stderr
    assert update.outputs.read_text().splitlines()[-1] == "changed=true"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=update.repo, capture_output=True, text=True).stdout
    assert sorted(line[3:] for line in status.splitlines()) == [
        "content/digests/arxiv/2025-08-06-llm-rl-01.atom",  # one page: 100 entries a page outside the tests
        "content/papers/octocat-fixes-123-and-owner-repo-45-see-https-evil-example-www-evil-example-and.md",
        *(f"content/papers/paper-number-{n}.md" for n in range(1, 6))]
    text = update.body.read_text(encoding="utf-8")
    assert "| Title | arXiv | Code | Methods used | Also discusses |" in text
    assert all(f"| `Paper Number {n}` | [2508.0000{n}](https://arxiv.org/abs/2508.0000{n}) |  |" in text for n in range(1, 6))
    assert ("### Skipped" in text and "| [2508.00006](https://arxiv.org/abs/2508.00006) | `llm-rl` | `the title is 419 characters; "
            "a paper's title has at most 300` |" in text)
    assert links_github_would_make(text) == []
    subprocess.run(GIT + ["add", "-A"], cwd=update.repo, check=True)
    subprocess.run(GIT + ["commit", "-qm", "the pull request, merged"], cwd=update.repo, check=True)
    update.body.unlink()
    second = update()
    assert second.returncode == 0 and update.outputs.read_text().splitlines()[-1] == "changed=false" and not update.body.exists()


@pytest.mark.parametrize("trouble, message", [
    ([drip(every=0.5)] * 10, "no complete answer within"),
    ([answer(503, b"busy", {"Retry-After": "120"})], "asked to wait 120 (Retry-After), longer than the 60 s this client waits"),
    ([answer(200, b"<html><body>We are down for maintenance</body></html>")] * 10, "an HTML page, not an Atom feed"),
], ids=["drip", "retry after two minutes", "maintenance page"])
def test_the_update_script_ends_in_bounded_time_when_arxiv_fails(arxiv, update, trouble, message):
    arxiv.next_answers = list(trouble)
    start = time.monotonic()
    result = update(ATLAS_ARXIV_BUDGET="4")
    assert time.monotonic() - start < 15
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
    assert not update.body.exists() and not (update.repo / "content" / "digests" / "arxiv").exists()


# What GitHub turns into links, mentions or math in a comment, outside code spans (GitHub does
# nothing inside them); the arXiv links the body makes itself, from checked ids, are allowed.
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_OUR_LINK = re.compile(r"\[(\d{4}\.\d{4,5})\]\(https://arxiv\.org/abs/\1\)|\[code\]\(https://[\w.-]+(/[\w.~%/-]*)?\)")
_GITHUB_LINKS = re.compile(r"@[A-Za-z0-9]|(?<![\w&])#\d|[\w.-]+/[\w.-]+#\d|https?://|www\.|\$[^$\s][^$]*\$|[\u202a-\u202e\u2066-\u2069]")


def links_github_would_make(markdown: str) -> list[str]:
    return _GITHUB_LINKS.findall(_OUR_LINK.sub("", _CODE_SPAN.sub("", markdown)))


def test_the_pull_request_body_is_inert(write, tmp_path):
    from generator.sources.pull_request import body

    hostile = ["`@octocat`", "x ``` y", "a | b", "#1", "me@example.org", "owner/repo#9", "<img src=x onerror=alert(1)>",
               "[click](https://evil.example)", "\u202egnp.exe", "$$x$$", "`"]
    paths = [write(f"content/papers/p{n}.md", f"---\ntitle: '{title.replace(chr(39), chr(39) * 2)}'\n---\n\n{ABSTRACT.format(n)}\n")
             for n, title in enumerate(hostile)]
    skipped = [{"query": "@q", "arxiv": "#12", "reason": "`https://evil.example` is no arXiv identifier"}]
    codes = ["https://github.com/example/code", "https://evil.example/@octocat|x)#1"]
    paths += [write(f"content/papers/c{n}.md", f"---\ntitle: With code {n}\nlinks: {{code: '{url}'}}\n---\n\n{ABSTRACT.format(n)}\n")
              for n, url in enumerate(codes)]
    text = body(tmp_path / "content", paths, skipped)
    assert links_github_would_make(text) == []
    papers, listed = text.split("### Skipped")
    rows = [line for line in papers.splitlines() if line.startswith("| `")]
    cells = [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]  # GitHub splits a row at each unescaped pipe
    assert [len(row) for row in cells] == [5] * (len(hostile) + len(codes))
    assert "| [code](https://github.com/example/code) |" in papers  # a plain address is a link; the other stays text
    assert "| `#12` | `@q` | ``" in listed
    assert "\u202e" not in text and "<img" not in _CODE_SPAN.sub("", text)


# An unlucky day, a hostile server: fetch ends in time, says why in one line, and one bad entry keeps no other out

def test_a_fetch_from_a_dripping_server_ends_within_its_budget_and_writes_nothing(atlas, arxiv, content, monkeypatch):
    monkeypatch.setenv("ATLAS_ARXIV_BUDGET", "10")
    arxiv.next_answers = [drip(every=0.5)] * 10
    before, start = snapshot(content), time.monotonic()
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert time.monotonic() - start < 15
    assert result.exit_code == 1 and snapshot(content) == before
    assert result.stderr.splitlines()[-2].startswith("arXiv: error: arXiv: no complete answer within ")
    assert result.stderr.splitlines()[-2].endswith("; nothing was written") and "Traceback" not in result.stderr


def long_title_paper(number: int, day: int) -> Paper:
    return paper(number, day, title="A Title That Goes On " * 20)  # 419 characters: over the 300 a title may have


def test_an_entry_that_cannot_become_a_paper_is_skipped_and_the_others_go_in(atlas, arxiv, content, tmp_path, write):
    write("content/sources.yml", SOURCES.replace("max: 5", "max: 10"))
    arxiv.papers += [long_title_paper(6, 6), paper(7, 7, arxiv="2508.\u0660\u0660\u0660\u0660\u0667v1"),
                     paper(8, 29, published="2025-09-20T12:00:00Z", submitted="2025-08-29")]  # a title too long,
    # Arabic-Indic digits, and a <published> date in the future (arXiv's search still finds it on the 29th)
    result = atlas("fetch", "--content", content, "--since", "2025-08-01", "--skipped", tmp_path / "skipped.jsonl")
    assert result.exit_code == 0, result.stderr
    assert sorted(arxiv_id(p) for p in store.load_papers(content)[0]) == [f"2508.0000{n}" for n in range(1, 6)]
    warnings = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert warnings == [
        "arXiv: warning: query `llm-rl`: entry 2508.00008 skipped: its date 2025-09-20 lies in the future",
        "arXiv: warning: query `llm-rl`: entry 2508.\u0660\u0660\u0660\u0660\u0667v1 skipped: "
        "`2508.\u0660\u0660\u0660\u0660\u0667v1` is no arXiv identifier",
        "arXiv: warning: query `llm-rl`: entry 2508.00006 skipped: the title is 419 characters; a paper's title has at most 300"]
    listed = [json.loads(line) for line in (tmp_path / "skipped.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(item["query"], item["arxiv"]) for item in listed] == [
        ("llm-rl", "2508.00008"), ("llm-rl", "2508.\u0660\u0660\u0660\u0660\u0667v1"), ("llm-rl", "2508.00006")]


def test_fullwidth_digits_in_an_id_are_the_same_paper(atlas, arxiv, content, write):
    write("content/sources.yml", SOURCES.replace("max: 5", "max: 10"))
    arxiv.papers.append(paper(3, 3, arxiv="\uff12\uff15\uff10\uff18.\uff10\uff10\uff10\uff10\uff13v1"))  # 2508.00003 once more
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert result.exit_code == 0, result.stderr
    assert sorted(arxiv_id(p) for p in store.load_papers(content)[0]) == [f"2508.0000{n}" for n in range(1, 6)]


def test_a_future_date_does_not_move_the_window(atlas, arxiv, content):
    arxiv.papers.append(paper(8, 29, published="2026-03-01T12:00:00Z", submitted="2025-08-29"))  # within "next year", not yet
    atlas("fetch", "--content", content, "--since", "2025-08-01")
    asked = len(arxiv.requests)
    arxiv.papers.append(paper(9, 31))  # submitted on the 31st, listed after the first fetch
    again = atlas("fetch", "--content", content)
    assert again.exit_code == 0, again.stderr
    # from two days before the newest paper actually submitted (08-05), not from March 2026
    assert "submittedDate:[202508030000 TO 202509012359]" in arxiv.requests[asked][1]["search_query"]
    assert "2508.00009" in {arxiv_id(p) for p in store.load_papers(content)[0]}


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31", "1989-12-31", "2025-09-02"])
def test_since_takes_a_day_from_1990_to_today(atlas, arxiv, content, since):
    result = atlas("fetch", "--content", content, "--since", since)
    assert result.exit_code == 2 and f"{since} is not a day from 1990-01-01 to today (2025-09-01)" in result.stderr
    assert arxiv.requests == []


def test_max_is_bounded_and_unknown_keys_are_refused(atlas, arxiv, content, write):
    write("content/sources.yml", SOURCES.replace("max: 5", "max: 100000000000000000000\n    categorie: [cs.CL]"))
    result = atlas("fetch", "--content", content)
    assert result.exit_code == 1 and arxiv.requests == []
    assert f"{content / 'sources.yml'}:2: error: `max` must be a whole number from 1 to 2,000: the most papers one run takes" in result.stderr
    assert f"{content / 'sources.yml'}:2: error: unknown key `categorie` in a query; did you mean `categories`?" in result.stderr
    validated = atlas("validate", "--content", content)
    assert "unknown key `categorie` in a query" in validated.stdout and validated.exit_code == 1


def test_max_holds_across_pages_whatever_the_server_holds(atlas, arxiv, content, write):
    arxiv.papers += [paper(n, 10 + n % 10) for n in range(10, 40)]
    write("content/sources.yml", SOURCES.replace("max: 5", "max: 7"))
    assert atlas("fetch", "--content", content, "--since", "2025-08-01").exit_code == 0
    assert [q["max_results"] for _, q, _ in arxiv.requests] == ["3", "3", "1"]
    assert len(store.load_papers(content)[0]) == 7


def test_a_page_larger_than_a_digest_may_be_is_not_saved(atlas, arxiv, content, monkeypatch):
    monkeypatch.setattr("generator.formats.MAX_DIGEST_BYTES", 1_000)  # as if arXiv sent 25 MB, over ingest's 20 MB
    before = snapshot(content)
    result = atlas("fetch", "--content", content, "--since", "2025-08-01")
    assert result.exit_code == 1 and snapshot(content) == before
    assert "over the 1,000 a digest may hold; nothing was written" in result.stderr


def test_an_add_goes_in_while_enrich_waits_on_arxiv(atlas, arxiv, to_enrich, write, monkeypatch):
    write("content/taxonomy.yml", (REPO / "content" / "taxonomy.yml").read_text(encoding="utf-8"))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(
        b"A contributor types this abstract about curriculum design for preference data while enrich is waiting on "
        b"arXiv; the content lock is free, so the new paper is written at once, and enrich writes its own file later.")))
    asked, release = threading.Event(), threading.Event()

    def slow(handler, server, query):
        asked.set()
        release.wait(20)
        answer()(handler, server, query)

    arxiv.next_answers = [slow]
    env = {**os.environ, "ATLAS_ARXIV_INTERVAL": "0"}
    enrich = subprocess.Popen([sys.executable, "-m", "generator", "enrich", "--content", str(to_enrich), "has-id.md"],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert asked.wait(20), "enrich never asked arXiv"
        added = atlas("add", "--content", to_enrich, "--title", "A Paper Added Meanwhile")
        assert added.exit_code == 0, added.stderr
    finally:
        release.set()
        out, err = enrich.communicate(timeout=60)
    assert enrich.returncode == 0, err
    assert (to_enrich / "papers" / "a-paper-added-meanwhile.md").exists()
    assert store.read_paper(to_enrich / "papers" / "has-id.md")[0].authors == ("Ada Lovelace", "Alan Turing")


def test_enrich_writes_what_it_resolved_when_a_record_cannot_be_taken(atlas, arxiv, to_enrich, write):
    arxiv.papers[1] = long_title_paper(2, 2)  # has-id's record, 2508.00002, now has a title over the limit
    result = atlas("enrich", "--content", to_enrich)
    assert result.exit_code == 0, result.stderr
    assert (f"not found: {to_enrich / 'papers' / 'has-id.md'}: arXiv's record 2508.00002 cannot be taken: "
            "the title is 419 characters; a paper's title has at most 300") in result.stdout.splitlines()
    resolved, _ = store.read_paper(to_enrich / "papers" / "resolved-by-title.md")
    assert arxiv_id(resolved) == "2508.00001"
