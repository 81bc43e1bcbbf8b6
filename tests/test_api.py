"""The static JSON API: files that match their published schemas, agree with the site, and
answer the `curl | jq` examples its page documents."""

from __future__ import annotations

import json
import re
import subprocess

import jsonschema
import pytest
from conftest import serving

FILES = ("papers", "topics", "methods")


def load(site, name: str):
    return json.loads((site / "api" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", FILES)
def test_each_file_follows_its_published_schema(shipped_site, name):
    schema = load(shipped_site.site, f"{name}.schema")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(load(shipped_site.site, name))


def test_the_schema_rejects_what_it_should(shipped_site):
    schema = load(shipped_site.site, "papers.schema")
    paper = load(shipped_site.site, "papers")["papers"][0]
    for broken in ({**paper, "date": "March 2025"}, {**paper, "topics": ["Not A Slug"]}, {k: v for k, v in paper.items() if k != "url"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"api_version": 1, "papers": [broken]}, schema)


def test_papers_are_every_paper_with_its_page(shipped_site):
    papers = load(shipped_site.site, "papers")["papers"]
    assert len(papers) == len({p["slug"] for p in papers}) == 97
    for paper in papers:
        assert (shipped_site.site / paper["url"] / "index.html").is_file()
    bytescale = next(p for p in papers if p["slug"] == "bytescale-efficient-scaling-of-llm-training")
    assert bytescale["links"] == {"arxiv": "2502.21231"} and bytescale["date"] == "2025-02-28"
    assert bytescale["added"] == "2026-11-22" and bytescale["abstract"].startswith("Scaling long-context ability")


@pytest.mark.parametrize("kind", ["topics", "methods"])
def test_term_counts_are_the_papers_that_have_the_term(shipped_site, kind):
    papers = load(shipped_site.site, "papers")["papers"]
    terms = load(shipped_site.site, kind)[kind]
    assert terms and all(term["description"] for term in terms)
    for term in terms:
        assert term["papers"] == sum(term["slug"] in paper[kind] for paper in papers), term["slug"]
        assert (shipped_site.site / term["url"] / "index.html").is_file()
        assert all((shipped_site.site / url).is_file() for url in term["feeds"].values())


def test_odd_front_matter_still_gives_schema_valid_json(build_project, tmp_path):
    # Values `atlas validate` refuses (a date or a list as a link, notes that are a list) stop
    # the build before any JSON is written; these are the odd ones it accepts.
    assert build_project({"odd": """
        ---
        title: 'Odd: "quotes", <tags> & a \\u2028 separator'
        authors: [Zoë Ünal]
        links: {arxiv: '2503.01234', code: 'https://example.org'}
        notes: "<b>not</b> & [more](javascript:x)"
        ---

        An abstract about GRPO with $x^2$ and "quotes".
        """}).exit_code == 0
    data = load(tmp_path / "site", "papers")
    jsonschema.validate(data, load(tmp_path / "site", "papers.schema"))
    paper = data["papers"][0]
    assert paper["links"] == {"arxiv": "2503.01234", "code": "https://example.org"} and paper["notes"] == "<b>not</b> & [more](javascript:x)"
    assert paper["title"] == 'Odd: "quotes", <tags> & a \\u2028 separator' and paper["date"] is None


def test_the_documented_curl_and_jq_examples_answer(shipped_site):
    page = (shipped_site.docs / "api.md").read_text(encoding="utf-8")
    script = re.search(r"```sh\n(.*?)```", page, re.DOTALL).group(1)
    with serving(shipped_site.site) as url:
        script = re.sub(r"^ATLAS=.*$", f"ATLAS={url}", script, flags=re.MULTILINE)
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    papers = load(shipped_site.site, "papers")["papers"]
    grpo = [p for p in papers if "grpo" in p["methods"]]
    assert lines[: len(grpo)] == [f"{p['date'] or 'undated'}  {p['title']}" for p in grpo]
    methods = sorted(load(shipped_site.site, "methods")["methods"], key=lambda m: -m["papers"])[:5]
    assert lines[len(grpo):] == [f"{m['papers']}\t{m['name']}" for m in methods]
