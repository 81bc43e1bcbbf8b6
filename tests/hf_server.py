"""A loopback server that speaks Hugging Face's paper API well enough for the real client:
`GET /api/papers/{arxiv_id}` answers the paper's JSON record, or 404 for a paper it does not
know. It records each request (time, path, User-Agent), and can be told to answer the next
requests otherwise: a status (429, 503), a body of its own (malformed JSON, a huge one), or a
delay before answering."""

from __future__ import annotations

import http.server
import json
import time
from dataclasses import dataclass, field


@dataclass
class HuggingFace:
    papers: dict[str, dict] = field(default_factory=dict)  # arXiv id -> the record's fields
    requests: list[tuple[float, str, str]] = field(default_factory=list)  # (time, path, user agent)
    next_answers: list[object] = field(default_factory=list)  # a status, ("body", bytes) or ("delay", seconds)

    def answer(self, path: str) -> tuple[int, bytes, float]:
        """(status, body, seconds to wait before answering)."""
        planned = self.next_answers.pop(0) if self.next_answers else None
        if isinstance(planned, int):
            return planned, b'{"error": "busy"}', 0.0
        if isinstance(planned, tuple) and planned[0] == "body":
            return 200, planned[1], 0.0
        delay = planned[1] if isinstance(planned, tuple) and planned[0] == "delay" else 0.0
        identifier = path.removeprefix("/api/papers/")
        if identifier not in self.papers:
            return 404, b'{"error": "Paper not found"}', delay
        record = {"id": identifier, "title": "A paper", "upvotes": 3, **self.papers[identifier]}
        return 200, json.dumps(record).encode(), delay

    def handler(self):
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
                status, body, delay = site.answer(self.path)
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up first

            def log_message(self, *args):
                pass

        return Handler
