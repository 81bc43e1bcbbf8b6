"""The static JSON API: every paper, topic and method as JSON under api/, with the JSON
Schema each file follows (generator/schemas/, copied beside the files), for readers who pull
the atlas into their own tools. The API page (templates/api.md.j2) documents it.

URLs are absolute under the configured site URL; without one they are relative to the site
root. Only plain JSON values leave here: curated front-matter keys are passed through only
when they have the documented shape.
"""

from __future__ import annotations

import json
from importlib import resources

from . import cite
from .feeds import feed_path
from .group import Corpus, Item
from .taxonomy import Term

API_DIR = "api"
API_VERSION = 1
SCHEMAS = ("papers", "topics", "methods")


def api_files(corpus: Corpus, site_url: str = "") -> dict[str, str]:
    """{path under docs/: JSON} of api/papers.json, topics.json, methods.json and their schemas."""
    root = site_url  # "" or ending in "/"
    files = {
        f"{API_DIR}/papers.json": _json({"api_version": API_VERSION, "papers": [paper_record(item, root) for item in corpus.items]}),
        f"{API_DIR}/topics.json": _json({"api_version": API_VERSION,
                                         "topics": [_term_record(t, len(corpus.by_topic[t.slug]), root) for t in corpus.taxonomy.topics]}),
        f"{API_DIR}/methods.json": _json({"api_version": API_VERSION,
                                          "methods": [_term_record(t, len(corpus.by_method[t.slug]), root) for t in corpus.taxonomy.methods]}),
    }
    for name in SCHEMAS:
        files[f"{API_DIR}/{name}.schema.json"] = schema_text(name)
    return files


def schema_text(name: str) -> str:
    """The JSON Schema of api/<name>.json, as shipped in generator/schemas/."""
    return resources.files("generator").joinpath(f"schemas/{name}.schema.json").read_text(encoding="utf-8")


def paper_record(item: Item, root: str) -> dict:
    """One paper as the API gives it: its front matter as the build understood it, plus slug and URL."""
    paper = item.paper
    links = paper.extra.get("links")
    notes = paper.extra.get("notes")
    return {
        "slug": paper.slug,
        "url": f"{root}papers/{paper.slug}/",
        "title": paper.title,
        "title_inferred": paper.title_inferred,
        "authors": list(paper.authors),
        "date": paper.date.isoformat() if paper.date else None,
        "added": paper.added.isoformat() if paper.added else None,
        "topics": [a.slug for a in item.topics],
        "methods": [a.slug for a in item.methods],
        "mentioned_methods": [a.slug for a in item.mentioned_methods],
        "tags": list(item.tags),
        "links": {str(k): v for k, v in links.items() if isinstance(v, str)} if isinstance(links, dict) else {},
        "code": cite.link(paper, "code"),
        "project": cite.link(paper, "project"),
        "notes": notes if isinstance(notes, str) else None,
        "categories": list(paper.categories),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "arxiv_title": paper.arxiv_title,
        "abstract": paper.abstract,
        "sources": [{"digest": s.digest, "format": s.format, "line": s.line} for s in paper.sources],
    }


def _term_record(term: Term, papers: int, root: str) -> dict:
    record = {
        "slug": term.slug,
        "name": term.name,
        "description": term.description,
        "papers": papers,
        "url": f"{root}{term.kind}/{term.slug}/",
        "feeds": {form: root + feed_path(term.kind, term.slug, form) for form in ("atom", "rss")},
    }
    if term.reference:
        record["reference"] = {"title": term.reference["title"], "url": term.reference["url"]}
    return record


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
