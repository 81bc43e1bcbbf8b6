"""A loopback server that speaks the arXiv API well enough for the real client to be tested.

It serves Atom pages for `search_query` (clauses `all:`, `ti:`, `cat:`, `submittedDate:[A TO
B]`, joined by AND, with OR inside parentheses), `id_list`, `start` and `max_results`, newest
submission first. It records each request (time, query, User-Agent), and can be told to answer
the next requests with a status (503, 429), with malformed XML, or with an empty feed.
"""

from __future__ import annotations

import contextlib
import http.server
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from conftest import serving_with


@dataclass
class Paper:
    arxiv: str  # with its version, as arXiv's ids are: 2508.00001v2
    title: str
    summary: str
    published: str  # 2025-08-28T17:59:01Z
    authors: tuple[str, ...] = ("Ada Lovelace",)
    categories: tuple[str, ...] = ("cs.LG",)

    def entry(self) -> str:
        authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in self.authors)
        categories = "".join(f'<category term="{c}"/>' for c in self.categories)
        return (f"<entry><id>http://arxiv.org/abs/{self.arxiv}</id><updated>{self.published}</updated>"
                f"<published>{self.published}</published><title>{escape(self.title)}</title>"
                f"<summary>{escape(self.summary)}</summary>{authors}"
                f'<arxiv:primary_category term="{self.categories[0]}"/>{categories}</entry>\n')


@dataclass
class Arxiv:
    papers: list[Paper] = field(default_factory=list)
    requests: list[tuple[float, dict, str]] = field(default_factory=list)  # (time, query, user agent)
    next_answers: list[object] = field(default_factory=list)  # status codes, "malformed" or "empty"

    def answer(self, query: dict) -> tuple[int, str]:
        if self.next_answers:
            planned = self.next_answers.pop(0)
            if isinstance(planned, int):
                return planned, "busy"
            if planned == "malformed":
                return 200, "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"
            return 200, feed([], 0, 0)
        start, size = int(query.get("start", "0")), int(query.get("max_results", "10"))
        if "id_list" in query:
            wanted = [i for i in query["id_list"].split(",") if i]
            found = [p for i in wanted for p in self.papers if p.arxiv.split("v")[0] == i.split("v")[0]]
        else:
            found = sorted((p for p in self.papers if _matches(query.get("search_query", ""), p)),
                           key=lambda p: p.published, reverse=True)
        return 200, feed(found[start : start + size], len(found), start)


def feed(papers: list[Paper], total: int, start: int) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
            '<id>https://arxiv.org/api/test</id><title>arXiv Query</title><updated>2025-09-01T00:00:00Z</updated>\n'
            f"<opensearch:totalResults>{total}</opensearch:totalResults><opensearch:startIndex>{start}</opensearch:startIndex>\n"
            + "".join(p.entry() for p in papers) + "</feed>\n")


def _matches(query: str, paper: Paper) -> bool:
    """Whether every AND clause of the query holds for the paper (an OR group: any of it)."""
    clauses = re.split(r"\s+AND\s+", query.strip())
    return all(any(_clause(part.strip(" ()"), paper) for part in re.split(r"\s+OR\s+", clause)) for clause in clauses if clause)


def _clause(clause: str, paper: Paper) -> bool:
    field_name, _, value = clause.partition(":")
    value = value.strip('"').lower()
    if field_name == "ti":
        return value in paper.title.lower()
    if field_name in ("all", "abs"):
        return value in (paper.title + " " + paper.summary).lower()
    if field_name == "cat":
        return value in (c.lower() for c in paper.categories)
    if field_name == "submittedDate":
        low, high = value.strip("[]").split(" to ")
        stamp = re.sub(r"\D", "", paper.published)[:12]
        return low <= stamp <= high
    raise ValueError(f"the test server does not know {clause!r}")


@contextlib.contextmanager
def serving(arxiv: Arxiv):
    """Serve `arxiv` on a free loopback port; yields the API's address (…/api/query)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            arxiv.requests.append((time.monotonic(), query, self.headers.get("User-Agent", "")))
            status, body = arxiv.answer(query)
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
            if status == 429:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    with serving_with(Handler) as url:
        yield url + "api/query"
