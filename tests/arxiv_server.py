"""A loopback server that speaks the arXiv API well enough for the real client to be tested.

It serves Atom pages for `search_query` (clauses `all:`, `ti:`, `cat:`, `submittedDate:[A TO
B]`, joined by AND, with OR inside parentheses), `id_list`, `start` and `max_results`, newest
submission first. It records each request (time, query, User-Agent), and can be told to answer
the next requests with a status (503, 429), with malformed XML, with an empty feed, or with a
plan: a function given the request that writes whatever bytes it likes to the socket (a
status line that is no HTTP, a body cut short, one byte every so often, nothing at all). The
plans below are what `http.server` alone cannot send.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import re
import socket
import time
from collections.abc import Callable
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
    submitted: str = ""  # what `submittedDate:` searches, when it is not `published` (a feed that lies)

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
    next_answers: list[object] = field(default_factory=list)  # status codes, "malformed", "empty" or plans

    def answer(self, query: dict) -> tuple[int, str]:
        if self.next_answers:
            planned = self.next_answers.pop(0)
            if isinstance(planned, int):
                return planned, "busy"
            if planned == "malformed":
                return 200, "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"
            return 200, feed([], 0, 0)
        return self.found(query)

    def found(self, query: dict) -> tuple[int, str]:
        """The answer a working arXiv gives."""
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
        stamp = re.sub(r"\D", "", paper.submitted or paper.published)[:12]
        return low <= stamp <= high
    raise ValueError(f"the test server does not know {clause!r}")


# A plan writes the whole answer itself: (handler, arxiv, query) -> None.
Plan = Callable[[http.server.BaseHTTPRequestHandler, Arxiv, dict], None]
LONGEST = 20.0  # no plan keeps a connection longer, so a test's server always shuts down


def http_answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    """The bytes of a complete HTTP answer."""
    head = {"Content-Type": "application/atom+xml; charset=utf-8", "Content-Length": str(len(body)), **(headers or {})}
    return (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items())
            + "\r\n").encode("latin-1") + body


def found_bytes(arxiv: Arxiv, query: dict) -> bytes:
    return arxiv.found(query)[1].encode("utf-8")


def raw(data: bytes) -> Plan:
    """Write these bytes, whatever they are, then close the connection."""
    return lambda handler, arxiv, query: handler.wfile.write(data)


def answer(status: int = 200, body: bytes | None = None, headers: dict[str, str] | None = None) -> Plan:
    """A well-formed HTTP answer with this status, body (the real answer by default) and headers."""
    return lambda handler, arxiv, query: handler.wfile.write(
        http_answer(status, found_bytes(arxiv, query) if body is None else body, headers))


def gzipped() -> Plan:
    """The real answer, gzip-encoded."""
    return lambda handler, arxiv, query: handler.wfile.write(
        http_answer(200, gzip.compress(found_bytes(arxiv, query)), {"Content-Encoding": "gzip"}))


def cut_short() -> Plan:
    """The real answer's headers, then a tenth of its body, then the connection closes."""
    def plan(handler, arxiv, query):
        body = found_bytes(arxiv, query)
        handler.wfile.write(http_answer(200, body)[: -len(body) * 9 // 10])
    return plan


def drip(every: float = 0.2) -> Plan:
    """The real answer, status line first, one byte every `every` seconds, until the client
    hangs up (or LONGEST passes)."""
    def plan(handler, arxiv, query):
        data, ends = http_answer(200, found_bytes(arxiv, query)), time.monotonic() + LONGEST
        for byte in data:
            if time.monotonic() > ends:
                return
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                return  # the client gave up, as it should
            time.sleep(every)
    return plan


def silent() -> Plan:
    """Say nothing until the client hangs up (or LONGEST passes)."""
    def plan(handler, arxiv, query):
        handler.connection.settimeout(LONGEST)
        with contextlib.suppress(OSError):
            while handler.connection.recv(1024):
                pass
    return plan


@contextlib.contextmanager
def serving(arxiv: Arxiv, host: str = "127.0.0.1"):
    """Serve `arxiv` on a free loopback port; yields the API's address (…/api/query)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            arxiv.requests.append((time.monotonic(), query, self.headers.get("User-Agent", "")))
            if arxiv.next_answers and callable(arxiv.next_answers[0]):
                arxiv.next_answers.pop(0)(self, arxiv, query)
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_WR)
                return
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

    with serving_with(Handler, host) as url:
        yield url + "api/query"
