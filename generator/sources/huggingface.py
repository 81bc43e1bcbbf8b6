"""Code and project links from Hugging Face's paper pages, asked as politely as arXiv is.

`GET {ATLAS_HF_API}/api/papers/{arxiv_id}` answers a JSON object whose `githubRepo` and
`projectPage` are the paper's code and project pages, or 404 for a paper Hugging Face does not
know. Manners (sources/polite.py): one request a second, a descriptive User-Agent, deadlines,
retries with backoff on 429 and 5xx, a budget. Every answer is cached under the cache folder
for a week, a 404 as "not on Hugging Face", so a daily update asks again only what may have
changed; `--offline` reads the cache alone.

Sceptical: an answer is believed only when it is a JSON object of at most MAX_BYTES whose links
are https:// addresses; anything else is refused (HuggingFaceError names why), never cached.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, urlsplit

from .. import __version__, files
from . import http
from .polite import Manners, PoliteClient, number_setting

DEFAULT_API = "https://huggingface.co"
USER_AGENT = f"post-training-atlas/{__version__} (static research atlas; code links, 1 request / s)"
MAX_BYTES = 256 * 1024  # a paper's record is a few kilobytes
CACHE_SECONDS = 7 * 24 * 3600
MANNERS = Manners(interval=1.0, backoff=2.0, timeout=30.0, budget=600.0, max_bytes=MAX_BYTES)
_HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "gzip"}
_URL_CHARACTERS = re.compile(r"^[!#-~]+$")  # printable ASCII, no space or quote: an address as typed


class HuggingFaceError(Exception):
    """Hugging Face could not be asked, or its answer is refused; the message says why, in one line."""


class HuggingFaceUnavailable(HuggingFaceError):
    """Hugging Face did not answer in time, or at all: the command asks it nothing more."""


@dataclass(frozen=True)
class CodeLinks:
    """What Hugging Face knows of a paper: its code and project pages, each None when unknown."""

    code: str | None = None
    project: str | None = None


class HuggingFaceClient(PoliteClient):
    service, error, unavailable, budget_variable = "Hugging Face", HuggingFaceError, HuggingFaceUnavailable, "ATLAS_HF_BUDGET"

    def __init__(self, cache: Path, offline: bool = False, environ: Mapping[str, str] | None = None) -> None:
        """Settings from the environment: ATLAS_HF_API (the tests start their own), and
        ATLAS_HF_INTERVAL, ATLAS_HF_BACKOFF, ATLAS_HF_TIMEOUT, ATLAS_HF_BUDGET in seconds."""
        environ = os.environ if environ is None else environ
        seconds = {name: number_setting(environ, f"ATLAS_HF_{name.upper()}", getattr(MANNERS, name),
                                        name in ("timeout", "budget"), HuggingFaceError)
                   for name in ("interval", "backoff", "timeout", "budget")}
        super().__init__(replace(MANNERS, **seconds))
        self.api = _api(environ.get("ATLAS_HF_API", ""))
        self.cache, self.offline = cache, offline

    def links(self, arxiv_id: str) -> CodeLinks | None:
        """The code and project links of the paper `arxiv_id`; None when Hugging Face does not know it."""
        url = f"{self.api}/api/papers/{quote(arxiv_id, safe='')}"
        path = self.cache / f"{arxiv_id.replace('/', '_')}.json"
        cached = self._cached(path, url)
        if cached is not None:
            return cached or None
        if self.offline:
            raise HuggingFaceError(f"not in the cache, and --offline: {url}")
        found = self.ask(url, _HEADERS, lambda answer: _read(answer, url))
        self._store(path, found)
        return found

    def _cached(self, path: Path, url: str) -> CodeLinks | bool | None:
        """The cached answer when it is under a week old and still passes every check: its
        links, or False for "not on Hugging Face"; None when it must be asked."""
        try:
            record = json.loads(files.read_capped(path, MAX_BYTES, "cached answer"))
            if not isinstance(record, dict) or time.time() - float(record["checked"]) > CACHE_SECONDS:
                return None
            return False if record["answer"] is None else _links(record["answer"], url)
        except (files.UnreadableFile, ValueError, KeyError, TypeError, HuggingFaceError):
            return None

    def _store(self, path: Path, found: CodeLinks | None) -> None:
        """Cache the answer; a cache that cannot be written only costs a request next time."""
        answer = None if found is None else {"githubRepo": found.code, "projectPage": found.project}
        partial = path.with_name(path.name + ".partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps({"checked": time.time(), "answer": answer}), encoding="utf-8")
            os.replace(partial, path)
        except OSError:
            partial.unlink(missing_ok=True)


def _api(text: str) -> str:
    api = text.strip().rstrip("/") or DEFAULT_API
    if urlsplit(api).scheme not in ("http", "https") or not urlsplit(api).hostname:
        raise HuggingFaceError(f"ATLAS_HF_API={text!r} is not an http(s) address such as {DEFAULT_API}")
    return api


def _read(answer: http.Answer, url: str) -> CodeLinks | None:
    if answer.status == 404:
        return None
    if answer.status != 200:
        raise HuggingFaceError(f"Hugging Face answered {answer.status} {answer.reason} for {url}")
    try:
        record = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        raise HuggingFaceError(f"Hugging Face's answer is not JSON, for {url}") from None
    if not isinstance(record, dict):
        raise HuggingFaceError(f"Hugging Face's answer is not a JSON object, for {url}")
    return _links(record, url)


def _links(record: dict, url: str) -> CodeLinks:
    return CodeLinks(code=_address(record.get("githubRepo"), "githubRepo", url),
                     project=_address(record.get("projectPage"), "projectPage", url))


def _address(value: object, field: str, url: str) -> str | None:
    """An https:// address as given, None when absent; HuggingFaceError for anything else."""
    if value is None or value == "":
        return None
    text = value.strip() if isinstance(value, str) else ""
    parts = urlsplit(text) if _URL_CHARACTERS.match(text) and len(text) <= 500 else None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        shown = http.printable(str(value))[:80]
        raise HuggingFaceError(f"Hugging Face's {field} {shown!r} is not an https:// address, for {url}")
    return text
