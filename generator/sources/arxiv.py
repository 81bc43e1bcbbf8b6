"""A client for arXiv's API that is a good citizen and cannot be led astray.

- Polite: one request every 3 seconds at most, a descriptive User-Agent, gzip, and a cache of
  every good answer by its URL, so that asking again costs arXiv nothing.
- Bounded: each request has a deadline for the whole answer and a size cap (sources/http.py);
  the whole command has a budget for the network, waits included; retries are few, waits
  between them short, and a `Retry-After` beyond MAX_WAIT stops the command instead of
  sleeping. Once arXiv has failed for good (no answer, answers too slow, busy past the retries,
  the budget spent), later requests of the same command are not sent.
- Sceptical: an answer is believed, and cached, only when it is an Atom feed with no error
  entry and no more entries than were asked for. An HTML page, arXiv's error entry (served with
  200), or a redirect to another host is an error. Cached answers are read back through the
  capped, regular-files-only reader and checked again; one that fails is asked for anew.

The answer is returned as text, decoded by the encoding its XML declares (UTF-8 when it declares
none) and declared UTF-8, which is how it is cached and saved. The Atom itself is read by
formats/arxiv_atom.py. Settings come from the environment (Settings.from_environment).
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import math
import os
import re
import time
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .. import __version__, files
from . import http

DEFAULT_API = "https://export.arxiv.org/api/query"
USER_AGENT = f"post-training-atlas/{__version__} (static research atlas; polite batch client: 1 request / 3 s)"
IDS_PER_REQUEST = 100
MAX_WAIT = 60.0  # the longest wait between two tries, a server's Retry-After included
SILENCE = 30.0  # a server that sends nothing for this long is given up on (within the deadline)
_RETRIED = {429, 500, 502, 503, 504}
_HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml", "Accept-Encoding": "gzip"}


class ArxivError(Exception):
    """arXiv could not be asked, or did not answer usably; the message says why, in one line."""


class ArxivUnavailable(ArxivError):
    """arXiv did not answer in time, or at all: the command asks it nothing more."""


@dataclass(frozen=True)
class Settings:
    """How the client talks to arXiv; each has an environment variable (see from_environment)."""

    api: str = DEFAULT_API  # ATLAS_ARXIV_API: the API's address (the tests start their own)
    interval: float = 3.0  # ATLAS_ARXIV_INTERVAL: seconds between the starts of two requests
    backoff: float = 5.0  # ATLAS_ARXIV_BACKOFF: the first wait before a retry; it doubles, up to MAX_WAIT
    timeout: float = 60.0  # ATLAS_ARXIV_TIMEOUT: one request, from connecting to the last byte
    budget: float = 300.0  # ATLAS_ARXIV_BUDGET: all the requests and waits of one command
    max_bytes: int = 20 * 1024 * 1024  # ATLAS_ARXIV_MAX_BYTES: one answer, decoded (ingest's cap on a digest)
    retries: int = 4  # after a busy answer or a dropped connection; after a timeout, one

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> Settings:
        """The defaults, with what the ATLAS_ARXIV_* variables set; ArxivError names a bad one."""
        environ = os.environ if environ is None else environ
        api = environ.get("ATLAS_ARXIV_API", "").strip() or DEFAULT_API
        if urlsplit(api).scheme not in ("http", "https") or not urlsplit(api).hostname:
            raise ArxivError(f"ATLAS_ARXIV_API={api!r} is not an http(s) address such as {DEFAULT_API}")
        seconds = {name: _number(environ, f"ATLAS_ARXIV_{name.upper()}", getattr(cls, name), positive=name in ("timeout", "budget"))
                   for name in ("interval", "backoff", "timeout", "budget")}
        max_bytes = _number(environ, "ATLAS_ARXIV_MAX_BYTES", cls.max_bytes, positive=True)
        if max_bytes != int(max_bytes):
            raise ArxivError(f"ATLAS_ARXIV_MAX_BYTES={environ['ATLAS_ARXIV_MAX_BYTES']!r} is not a whole number of bytes")
        return cls(api=api, max_bytes=int(max_bytes), **seconds)


def _number(environ, name: str, default: float, positive: bool) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ArxivError(f"{name}={text!r} is not a {'positive' if positive else 'non-negative'} number (default {default:g})")
    return value


class ArxivClient:
    """Asks arXiv's API within the settings' bounds, and caches every good answer by its URL."""

    def __init__(self, cache: Path, offline: bool = False, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_environment()
        self.cache, self.offline = cache, offline
        self.requests = 0  # sent to the server (a cached answer is not one)
        self._last = -math.inf
        self._budget_ends: float | None = None  # set by the first request
        self._given_up = ""  # why arXiv is not asked again

    def query(self, search_query: str, start: int = 0, max_results: int = 100) -> str:
        """The Atom answer to a search, newest submissions first."""
        return self.get({"search_query": search_query, "start": start, "max_results": max_results,
                         "sortBy": "submittedDate", "sortOrder": "descending"})

    def by_ids(self, identifiers: Iterable[str]) -> list[str]:
        """The Atom answers for these identifiers, IDS_PER_REQUEST at a time."""
        ids = sorted(set(identifiers))
        return [self.get({"id_list": ",".join(ids[i : i + IDS_PER_REQUEST]), "max_results": IDS_PER_REQUEST})
                for i in range(0, len(ids), IDS_PER_REQUEST)]

    def get(self, params: dict) -> str:
        """The answer for these parameters: from the cache, or from arXiv (then cached)."""
        url = f"{self.settings.api}?{urlencode(params)}"
        most = int(params.get("max_results", 10))
        path = self.cache / f"{hashlib.sha256(url.encode()).hexdigest()}.atom"
        if (cached := self._cached(path, url, most)) is not None:
            return cached
        if self.offline:
            raise ArxivError(f"not in the cache, and --offline: {url}")
        if self._given_up:
            raise ArxivUnavailable(f"not asked, since arXiv failed earlier in this run: {self._given_up}")
        try:
            text = self._fetch(url, most)
        except ArxivUnavailable as exc:
            self._given_up = str(exc)
            raise
        self._store(path, text)
        return text

    def _cached(self, path: Path, url: str, most: int) -> str | None:
        """The cached answer, if there is one that still passes every check."""
        try:
            return feed_text(files.read_capped(path, self.settings.max_bytes, "cached answer"), url, most)
        except (files.UnreadableFile, ArxivError):
            return None  # absent, or not a file we wrote: ask again, and replace it

    def _store(self, path: Path, text: str) -> None:
        """Cache the answer; a cache that cannot be written only costs a request next time."""
        partial = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, path)
        except OSError:
            partial.unlink(missing_ok=True)

    def _fetch(self, url: str, most: int) -> str:
        """One good answer from the server, retried on busy answers, dropped connections and
        bodies cut short (once after a timeout), with waits that double up to MAX_WAIT."""
        wait, timeouts, retries = self.settings.backoff, 0, self.settings.retries
        for attempt in range(retries + 1):
            self._space()
            try:
                answer = http.get(url, _HEADERS, self._deadline(), self.settings.max_bytes, min(SILENCE, self.settings.timeout))
            except http.HttpError as exc:
                timeouts += exc.timed_out
                failure = f"arXiv: {exc}, for {url}"
                if not exc.retry or attempt == retries or timeouts > 1:
                    raise ArxivUnavailable(failure) from None
                pause = wait
            else:
                if answer.status == 200:
                    return feed_text(answer.body, url, most)
                if answer.status not in _RETRIED:
                    raise ArxivError(f"arXiv answered {answer.status} {answer.reason} for {url}")
                failure = f"arXiv answered {answer.status} {answer.reason} {attempt + 1} time(s) for {url}"
                if attempt == retries:
                    raise ArxivUnavailable(failure)
                pause = max(wait, _retry_after(answer, url))
            try:
                self._sleep(pause)
            except ArxivUnavailable as spent:
                raise ArxivUnavailable(f"{failure}; {spent}") from None
            wait = min(wait * 2, MAX_WAIT)
        raise AssertionError("unreachable")

    def _space(self) -> None:
        """Wait until `interval` seconds have passed since the last request began."""
        if self._budget_ends is None:
            self._budget_ends = time.monotonic() + self.settings.budget
        self._sleep(self._last + self.settings.interval - time.monotonic())
        self._last = time.monotonic()
        self.requests += 1

    def _deadline(self) -> float:
        """When the next request must be done: its timeout, or the end of the budget if sooner."""
        now = time.monotonic()
        if now >= self._budget_ends:
            raise ArxivUnavailable(self._budget_spent())
        return min(now + self.settings.timeout, self._budget_ends)

    def _sleep(self, seconds: float) -> None:
        """Sleep, unless that would outlast the budget."""
        if seconds <= 0:
            return
        if time.monotonic() + seconds > self._budget_ends:
            raise ArxivUnavailable(self._budget_spent(f" (before a wait of {seconds:.3g} s)"))
        time.sleep(seconds)

    def _budget_spent(self, detail: str = "") -> str:
        return (f"the network budget of {self.settings.budget:g} s for this command is spent after {self.requests} "
                f"request(s){detail}; ATLAS_ARXIV_BUDGET sets it")


def _retry_after(answer: http.Answer, url: str) -> float:
    """The wait a busy answer asks for (seconds or an HTTP date), 0 when it asks none; a wish
    beyond MAX_WAIT stops the command, since sleeping for it would stall the daily update."""
    value = answer.headers.get("retry-after", "").strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return 0.0
    if seconds > MAX_WAIT:
        raise ArxivUnavailable(f"arXiv answered {answer.status} and asked to wait {http.printable(value)[:40]} (Retry-After), "
                               f"longer than the {MAX_WAIT:.0f} s this client waits; try again later ({url})")
    return max(seconds, 0.0)


_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ATOM = "http://www.w3.org/2005/Atom"


def feed_text(body: bytes, url: str, most: int) -> str:
    """The answer as UTF-8 text, if it is an Atom feed with no error entry and at most `most`
    entries; else ArxivError (such an answer is never cached)."""
    if _HTML.match(body[:4096]):
        raise ArxivUnavailable(f"arXiv answered with an HTML page, not an Atom feed, for {url}")
    scan = _FeedScan(body, url)
    if scan.root != f"{_ATOM} feed":
        raise ArxivError(f"arXiv's answer is not an Atom feed (its root is <{http.printable(scan.root.split(' ')[-1])[:40]}>) for {url}")
    if scan.errors:
        raise ArxivError(f"arXiv refused the request: {scan.errors[0]} ({url})")
    if scan.entries > most:
        raise ArxivError(f"arXiv sent {scan.entries:,} entries where at most {most:,} were asked for; not believed ({url})")
    codec = scan.encoding or ("utf-16" if body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig")
    try:
        text = body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        raise ArxivError(f"arXiv's answer declares the encoding {scan.encoding!r}, which cannot be read ({url})") from None
    return _DECLARATION.sub('<?xml version="1.0" encoding="UTF-8"?>', text.removeprefix("\ufeff"), count=1)


class _FeedScan:
    """What expat finds in an answer: the root element, the declared encoding, the number of
    entries and the messages of arXiv's error entries; ArxivError if it is not well-formed XML."""

    def __init__(self, body: bytes, url: str) -> None:
        self.root, self.encoding, self.entries, self.errors = "", None, 0, []
        self._path: list[str] = []
        self._text: list[str] = []
        self._entry: dict[str, str] = {}
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.XmlDeclHandler = self._declaration
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text.append
        try:
            parser.Parse(body, True)
        except xml.parsers.expat.ExpatError as exc:
            raise ArxivError(f"arXiv's answer is not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)}, "
                             f"line {exc.lineno}) for {url}") from None
        except (LookupError, ValueError) as exc:  # an encoding no codec reads: expat asks Python's codecs
            raise ArxivError(f"arXiv's answer cannot be read ({exc}) for {url}") from None

    def _declaration(self, version, encoding, standalone) -> None:
        self.encoding = encoding

    def _start(self, name: str, attributes) -> None:
        self.root = self.root or name
        self._path.append(name)
        self._text.clear()
        if self._path == [f"{_ATOM} feed", f"{_ATOM} entry"]:
            self.entries += 1
            self._entry = {}

    def _end(self, name: str) -> None:
        if len(self._path) == 3 and self._path[1] == f"{_ATOM} entry":
            self._entry[name.split(" ")[-1]] = "".join(self._text)[:500]
        elif len(self._path) == 2 and name == f"{_ATOM} entry" and "/api/errors" in self._entry.get("id", ""):
            self.errors.append(http.printable(" ".join(self._entry.get("summary", "").split())) or "no details")
        self._path.pop()
        self._text.clear()
