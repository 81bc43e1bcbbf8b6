"""A client for arXiv's API that is a good citizen: one request every 3 seconds at most, a
descriptive User-Agent, timeouts, retries with backoff on 429 and 5xx, and a cache of every
raw response, so that asking again costs arXiv nothing.

The HTTP is the standard library's; the Atom is read by formats/arxiv_atom.py (feedparser).
The API's address comes from ATLAS_ARXIV_API (arXiv's own by default), so tests and mirrors
can point the real client elsewhere; ATLAS_ARXIV_INTERVAL and ATLAS_ARXIV_BACKOFF set the
spacing and the first backoff in seconds.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.error
import urllib.request
import xml.parsers.expat
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

from .. import __version__

DEFAULT_API = "https://export.arxiv.org/api/query"
USER_AGENT = f"post-training-atlas/{__version__} (static research atlas; polite batch client: 1 request / 3 s)"
IDS_PER_REQUEST = 100
_RETRIED = {429, 500, 502, 503, 504}


class ArxivError(Exception):
    """arXiv could not be asked, or did not answer usably; the message says why."""


class ArxivClient:
    """Asks arXiv's API, spacing requests, retrying, and caching every raw response by its URL."""

    def __init__(self, cache: Path, offline: bool = False, timeout: float = 30.0, retries: int = 4) -> None:
        self.base_url = os.environ.get("ATLAS_ARXIV_API", DEFAULT_API)
        self.interval = float(os.environ.get("ATLAS_ARXIV_INTERVAL", "3"))
        self.backoff = float(os.environ.get("ATLAS_ARXIV_BACKOFF", "5"))
        self.cache, self.offline, self.timeout, self.retries = cache, offline, timeout, retries
        self.requests = 0  # sent to the server (a cached answer is not one)
        self._last = float("-inf")

    def query(self, search_query: str, start: int = 0, max_results: int = 100) -> str:
        """The raw Atom answer to a search, newest submissions first."""
        return self.get({"search_query": search_query, "start": start, "max_results": max_results,
                         "sortBy": "submittedDate", "sortOrder": "descending"})

    def by_ids(self, identifiers: Iterable[str]) -> list[str]:
        """The raw Atom answers for these identifiers, IDS_PER_REQUEST at a time."""
        ids = sorted(set(identifiers))
        return [self.get({"id_list": ",".join(ids[i : i + IDS_PER_REQUEST]), "max_results": IDS_PER_REQUEST})
                for i in range(0, len(ids), IDS_PER_REQUEST)]

    def get(self, params: dict) -> str:
        """The answer for these parameters: from the cache, or from arXiv (then cached)."""
        url = f"{self.base_url}?{urlencode(params)}"
        cached = self.cache / f"{hashlib.sha256(url.encode()).hexdigest()}.atom"
        if cached.exists():
            return cached.read_text(encoding="utf-8")
        if self.offline:
            raise ArxivError(f"not in the cache, and --offline: {url}")
        text = self._fetch(url)
        self.cache.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, cached)
        return text

    def _fetch(self, url: str) -> str:
        """One answer from the server, retried with doubling waits on 429, 5xx and dropped
        connections; a well-formed XML answer, or ArxivError."""
        wait = self.backoff
        for attempt in range(self.retries + 1):
            self._space()
            try:
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    text = response.read().decode("utf-8")
                return _well_formed(text, url)
            except urllib.error.HTTPError as exc:
                if exc.code not in _RETRIED or attempt == self.retries:
                    raise ArxivError(f"arXiv answered {exc.code} {exc.reason} for {url}") from None
                wait = max(wait, _retry_after(exc))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt == self.retries:
                    raise ArxivError(f"arXiv could not be reached ({getattr(exc, 'reason', exc)}) for {url}") from None
            time.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")

    def _space(self) -> None:
        """Wait until `interval` seconds have passed since the last request began."""
        pause = self._last + self.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last = time.monotonic()
        self.requests += 1


def _retry_after(error: urllib.error.HTTPError) -> float:
    value = error.headers.get("Retry-After", "") if error.headers else ""
    return float(value) if value.strip().isdigit() else 0.0


def _well_formed(text: str, url: str) -> str:
    """`text` if it is well-formed XML (a broken answer is never cached), else ArxivError."""
    try:
        xml.parsers.expat.ParserCreate().Parse(text.encode("utf-8"), True)
    except xml.parsers.expat.ExpatError as exc:
        raise ArxivError(f"arXiv's answer is not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)}) for {url}") from None
    return text
