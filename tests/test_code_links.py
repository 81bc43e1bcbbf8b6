"""Code and project links from Hugging Face: the client's manners and scepticism against a
loopback server that speaks its paper API (tests/hf_server.py), and `atlas enrich` filling
`links.code` and `links.project` without ever replacing a person's value."""

from __future__ import annotations

import json
import re
import time

import pytest
from conftest import serving, serving_with
from hf_server import HuggingFace
from test_browser import shot
from test_search_page import facet, facet_count, found, reader, settled, titles  # noqa: F401 (reader is a fixture)

from generator import store
from generator.sources.huggingface import (
    CACHE_SECONDS,
    USER_AGENT,
    CodeLinks,
    HuggingFaceClient,
    HuggingFaceError,
    HuggingFaceUnavailable,
)

INTERVAL = 0.2
CODE, PROJECT = "https://github.com/example/q-sharp", "https://example.org/q-sharp/"


@pytest.fixture
def hugging_face(monkeypatch, tmp_path):
    server = HuggingFace(papers={"2502.20548": {"githubRepo": CODE, "projectPage": PROJECT},
                                 "2501.00001": {"githubRepo": None}})
    with serving_with(server.handler()) as url:
        monkeypatch.setenv("ATLAS_HF_API", url)
        monkeypatch.setenv("ATLAS_HF_INTERVAL", str(INTERVAL))
        monkeypatch.setenv("ATLAS_HF_BACKOFF", "0.05")
        monkeypatch.setenv("ATLAS_HF_TIMEOUT", "1")
        monkeypatch.setenv("ATLAS_CACHE", str(tmp_path / "cache"))
        yield server


def client(tmp_path, offline: bool = False) -> HuggingFaceClient:
    return HuggingFaceClient(tmp_path / "cache" / "huggingface", offline=offline)


def test_a_known_paper_gives_its_code_and_project_pages_once(hugging_face, tmp_path):
    asking = client(tmp_path)
    assert asking.links("2502.20548") == CodeLinks(CODE, PROJECT)
    assert asking.links("2502.20548") == CodeLinks(CODE, PROJECT)  # from the cache
    assert [path for _, path, _ in hugging_face.requests] == ["/api/papers/2502.20548"]
    assert hugging_face.requests[0][2] == USER_AGENT and "post-training-atlas" in USER_AGENT
    assert client(tmp_path, offline=True).links("2502.20548") == CodeLinks(CODE, PROJECT)


def test_a_paper_hugging_face_does_not_know_is_remembered_for_a_week(hugging_face, tmp_path):
    assert client(tmp_path).links("2599.99999") is None
    assert client(tmp_path).links("2599.99999") is None
    assert len(hugging_face.requests) == 1
    cached = tmp_path / "cache" / "huggingface" / "2599.99999.json"
    record = json.loads(cached.read_text())
    cached.write_text(json.dumps({**record, "checked": time.time() - CACHE_SECONDS - 1}))  # a week and a second ago
    assert client(tmp_path).links("2599.99999") is None
    assert len(hugging_face.requests) == 2


def test_requests_are_spaced_and_busy_answers_retried(hugging_face, tmp_path):
    hugging_face.next_answers = [429, 503]
    asking = client(tmp_path)
    assert asking.links("2502.20548") == CodeLinks(CODE, PROJECT)
    assert asking.links("2501.00001") == CodeLinks(None, None)  # known, without code
    starts = [at for at, _, _ in hugging_face.requests]
    assert len(starts) == 4 and all(later - earlier >= INTERVAL * 0.9 for earlier, later in zip(starts, starts[1:], strict=False))


@pytest.mark.parametrize(("answer", "message"), [
    (("body", b"<html>not json</html>"), "is not JSON"),
    (("body", b"[1, 2]"), "is not a JSON object"),
    (("body", json.dumps({"githubRepo": "javascript:alert(1)"}).encode()), "githubRepo 'javascript:alert(1)' is not an https:// address"),
    (("body", json.dumps({"githubRepo": "http://github.com/x/y"}).encode()), "is not an https:// address"),
    (("body", json.dumps({"projectPage": 'https://x.org/"><script>'}).encode()), "projectPage"),
    (("body", json.dumps({"githubRepo": CODE, "padding": "x" * 300_000}).encode()), "more than the 262,144 bytes"),
])
def test_an_answer_that_cannot_be_believed_is_refused_and_never_cached(hugging_face, tmp_path, answer, message):
    hugging_face.next_answers = [answer]
    with pytest.raises(HuggingFaceError, match=re.escape(message)):
        client(tmp_path).links("2502.20548")
    assert client(tmp_path).links("2502.20548") == CodeLinks(CODE, PROJECT)  # asked again: nothing was kept


def test_a_slow_answer_is_given_up_on_and_nothing_more_is_asked(hugging_face, tmp_path):
    hugging_face.next_answers = [("delay", 3.0), ("delay", 3.0)]
    asking = client(tmp_path)
    with pytest.raises(HuggingFaceUnavailable, match="too slow|sent nothing"):
        asking.links("2502.20548")
    with pytest.raises(HuggingFaceUnavailable, match="not asked, since Hugging Face failed earlier"):
        asking.links("2501.00001")


def test_offline_reads_the_cache_only(hugging_face, tmp_path):
    with pytest.raises(HuggingFaceError, match="not in the cache, and --offline"):
        client(tmp_path, offline=True).links("2502.20548")
    assert hugging_face.requests == []


def test_a_bad_setting_is_one_line_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_HF_API", "ftp://huggingface.co")
    with pytest.raises(HuggingFaceError, match=r"^ATLAS_HF_API='ftp://huggingface.co' is not an http\(s\) address"):
        client(tmp_path)
    monkeypatch.setenv("ATLAS_HF_API", "https://huggingface.co")
    monkeypatch.setenv("ATLAS_HF_INTERVAL", "soon")
    with pytest.raises(HuggingFaceError, match="ATLAS_HF_INTERVAL='soon' is not a non-negative number"):
        client(tmp_path)


def _paper(write, slug: str, arxiv: str, links: str = "") -> None:
    write(f"content/papers/{slug}.md", f"---\ntitle: Paper {slug}\nauthors: [Ada Lovelace]\ndate: 2025-02-27\n"
          f"links: {{arxiv: '{arxiv}'{links}}}\n---\n\nAn abstract about reinforcement learning for {slug}.\n")


def test_enrich_fills_code_links_and_never_replaces_a_persons(atlas, hugging_face, write, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_ARXIV_API", "http://127.0.0.1:9")  # these papers are complete: arXiv is not asked
    hugging_face.papers["2502.00003"] = {"githubRepo": "javascript:alert(1)"}
    hugging_face.papers["2502.00004"] = {"githubRepo": CODE, "projectPage": PROJECT}
    _paper(write, "with-code", "2502.20548")
    _paper(write, "unknown", "2502.00002")
    _paper(write, "hostile", "2502.00003")
    _paper(write, "persons-project", "2502.00004", ", project: 'https://mine.example/'")
    _paper(write, "persons-code", "2502.00005", ", code: 'https://gitlab.com/me/mine'")
    content = tmp_path / "content"
    before_hostile = (content / "papers" / "hostile.md").read_text()

    result = atlas("enrich", "--content", content)
    assert result.exit_code == 0, result.stderr
    papers = content / "papers"
    assert result.stdout.splitlines() == [f"code: {papers / 'persons-project.md'}: {CODE} {PROJECT}",
                                          f"code: {papers / 'with-code.md'}: {CODE} {PROJECT}"]
    assert f"{papers / 'hostile.md'}: warning: no code link from Hugging Face: Hugging Face's githubRepo " in result.stderr
    assert result.stderr.splitlines()[-1].endswith("4 request(s) to Hugging Face, 2 with code or project links; 2 file(s) written")
    assert "/api/papers/2502.00005" not in [path for _, path, _ in hugging_face.requests]  # has its code link: not asked

    links = {slug: store.read_paper(papers / f"{slug}.md")[0].extra["links"] for slug in ("with-code", "persons-project")}
    assert links["with-code"] == {"arxiv": "2502.20548", "code": CODE, "project": PROJECT}
    assert links["persons-project"] == {"arxiv": "2502.00004", "project": "https://mine.example/", "code": CODE}
    assert (papers / "hostile.md").read_text() == before_hostile

    asked = len(hugging_face.requests)
    again = atlas("enrich", "--content", content)
    assert again.exit_code == 0 and again.stdout == ""
    assert len(hugging_face.requests) == asked + 1  # only the refused answer is asked again: the rest is cached or done
    assert again.stderr.splitlines()[-1].endswith("0 with code or project links; 0 file(s) to write")


WITH_CODE = ("---\ntitle: GRPO With Code\nauthors: [Ada Lovelace]\ndate: 2025-03-20\n"
             f"links: {{arxiv: '2503.09999', code: '{CODE}', project: '{PROJECT}'}}\n---\n\n"
             "We train math reasoning with GRPO and release the code.\n")


def test_the_site_shows_a_papers_code_at_its_top_on_its_cards_and_in_the_api(build_project, tmp_path):
    with_code = ("---\ntitle: GRPO With Code\nauthors: [Ada Lovelace]\ndate: 2025-03-20\n"
                 f"links: {{arxiv: '2503.09999', code: '{CODE}', project: '{PROJECT}'}}\n---\n\n"
                 "We train math reasoning with GRPO and release the code.\n")
    assert build_project(extra={"grpo-with-code": with_code}).exit_code == 0
    site = tmp_path / "site"
    page = (site / "papers" / "grpo-with-code" / "index.html").read_text(encoding="utf-8")
    top = page.split('<p class="atlas-paper__links">', 1)[1].split("</p>", 1)[0]
    assert [label for label in re.findall(r">([^<]+)</a>", top)] == ["arXiv", "PDF", "Code", "Project page"]
    assert f'href="{CODE}"' in top
    method = (site / "methods" / "grpo" / "index.html").read_text(encoding="utf-8")
    assert f'<a class="atlas-code" href="{CODE}">code</a>' in method
    assert method.count('class="atlas-code"') == 1  # only the paper with code is marked
    [record] = [p for p in json.loads((site / "api" / "papers.json").read_text())["papers"] if p["slug"] == "grpo-with-code"]
    assert (record["code"], record["project"]) == (CODE, PROJECT)


def test_search_filters_the_papers_with_code_and_marks_them(reader, build_project, tmp_path):  # noqa: F811
    assert build_project(extra={"grpo-with-code": WITH_CODE}).exit_code == 0
    with serving(tmp_path / "site") as url:
        reader.goto(url + "search/?q=grpo")
        assert found(settled(reader)) == 2
        reader.wait_for_selector("input[data-facet='code']")
        assert facet_count(reader, "code", "yes") == 1
        assert reader.locator("input[data-facet='code']").locator("xpath=..").inner_text().split() == ["Has", "code", "1"]
        facet(reader, "code", "yes").check()
        settled(reader)
        assert titles(reader) == ["GRPO With Code"] and reader.url.endswith("code=yes")
        mark = reader.locator(".atlas-result .atlas-code")
        assert mark.count() == 1 and mark.get_attribute("href") == CODE
        shot(reader, "search-has-code")
        reader.goto(url + "papers/grpo-with-code/")
        reader.get_by_role("link", name="Code", exact=True).wait_for()
        shot(reader, "paper-with-code")
        assert reader.errors == []
