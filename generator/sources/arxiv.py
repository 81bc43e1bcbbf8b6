"""A client for arXiv's API that is a good citizen and cannot be led astray.

- Polite and bounded (sources/polite.py): one request every 3 seconds at most, a descriptive
  User-Agent, gzip, deadlines, a size cap, a budget for the command, few retries; and a cache
  of every good answer by its URL, so that asking again costs arXiv nothing.
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
import hashlib
import os
import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .. import __version__, files
from . import http
from .polite import Manners, PoliteClient, number_setting

DEFAULT_API = "https://export.arxiv.org/api/query"
USER_AGENT = f"post-training-atlas/{__version__} (static research atlas; polite batch client: 1 request / 3 s)"
IDS_PER_REQUEST = 100
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
    backoff: float = 5.0  # ATLAS_ARXIV_BACKOFF: the first wait before a retry; it doubles, up to polite.MAX_WAIT
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
        seconds = {name: number_setting(environ, f"ATLAS_ARXIV_{name.upper()}", getattr(cls, name), name in ("timeout", "budget"), ArxivError)
                   for name in ("interval", "backoff", "timeout", "budget")}
        max_bytes = number_setting(environ, "ATLAS_ARXIV_MAX_BYTES", cls.max_bytes, True, ArxivError)
        if max_bytes != int(max_bytes):
            raise ArxivError(f"ATLAS_ARXIV_MAX_BYTES={environ['ATLAS_ARXIV_MAX_BYTES']!r} is not a whole number of bytes")
        return cls(api=api, max_bytes=int(max_bytes), **seconds)


class ArxivClient(PoliteClient):
    """Asks arXiv's API within the settings' bounds, and caches every good answer by its URL."""

    service, error, unavailable, budget_variable = "arXiv", ArxivError, ArxivUnavailable, "ATLAS_ARXIV_BUDGET"

    def __init__(self, cache: Path, offline: bool = False, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_environment()
        super().__init__(Manners(self.settings.interval, self.settings.backoff, self.settings.timeout, self.settings.budget,
                                 self.settings.max_bytes, self.settings.retries))
        self.cache, self.offline = cache, offline

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
        text = self.ask(url, _HEADERS, lambda answer: self._read(answer, url, most))
        self._store(path, text)
        return text

    @staticmethod
    def _read(answer: http.Answer, url: str, most: int) -> str:
        if answer.status != 200:
            raise ArxivError(f"arXiv answered {answer.status} {answer.reason} for {url}")
        return feed_text(answer.body, url, most)

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
