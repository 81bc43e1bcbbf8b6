"""Asking a public service as a good citizen: the manners every client of ours shares.

- Spaced: one request every `interval` seconds at most.
- Bounded: each request has a deadline for the whole answer and a size cap (sources/http.py);
  the whole command has a budget for the network, waits included; retries are few, waits
  between them short and doubling, and a `Retry-After` beyond MAX_WAIT stops the command
  instead of sleeping. Once the service has failed for good (no answer, answers too slow, busy
  past the retries, the budget spent), later requests of the same command are not sent.

A client (sources/arxiv.py, sources/huggingface.py) names its service and its two errors, and
says how an answer is read: read() gets every answer that is not a busy one, and returns what
the answer means or raises the client's error.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from . import http

MAX_WAIT = 60.0  # the longest wait between two tries, a server's Retry-After included
SILENCE = 30.0  # a server that sends nothing for this long is given up on (within the deadline)
RETRIED = {429, 500, 502, 503, 504}
T = TypeVar("T")


@dataclass(frozen=True)
class Manners:
    interval: float  # seconds between the starts of two requests
    backoff: float  # the first wait before a retry; it doubles, up to MAX_WAIT
    timeout: float  # one request, from connecting to the last byte
    budget: float  # all the requests and waits of one command
    max_bytes: int  # one answer, decoded
    retries: int = 4  # after a busy answer or a dropped connection; after a timeout, one


class PoliteClient:
    """Requests to one service within its Manners. Subclasses set `service`, `error` and `unavailable`."""

    service = "the service"
    error: type[Exception] = Exception  # an unusable answer
    unavailable: type[Exception] = Exception  # no answer in time, or at all: nothing more is asked
    budget_variable = ""  # the environment variable that sets the budget

    def __init__(self, manners: Manners) -> None:
        self.manners = manners
        self.requests = 0  # sent to the server (a cached answer is not one)
        self._last = -math.inf
        self._budget_ends: float | None = None  # set by the first request
        self._given_up = ""  # why the service is not asked again

    def ask(self, url: str, headers: dict[str, str], read: Callable[[http.Answer], T]) -> T:
        """read() of the service's answer to GET `url`, asked within the manners."""
        if self._given_up:
            raise self.unavailable(f"not asked, since {self.service} failed earlier in this run: {self._given_up}")
        try:
            return self._fetch(url, headers, read)
        except self.unavailable as exc:
            self._given_up = str(exc)
            raise

    def _fetch(self, url: str, headers: dict[str, str], read: Callable[[http.Answer], T]) -> T:
        """One good answer from the server, retried on busy answers, dropped connections and
        bodies cut short (once after a timeout), with waits that double up to MAX_WAIT."""
        wait, timeouts, retries = self.manners.backoff, 0, self.manners.retries
        for attempt in range(retries + 1):
            self._space()
            try:
                answer = http.get(url, headers, self._deadline(), self.manners.max_bytes, min(SILENCE, self.manners.timeout))
            except http.HttpError as exc:
                timeouts += exc.timed_out
                failure = f"{self.service}: {exc}, for {url}"
                if not exc.retry or attempt == retries or timeouts > 1:
                    raise self.unavailable(failure) from None
                pause = wait
            else:
                if answer.status not in RETRIED:
                    return read(answer)
                failure = f"{self.service} answered {answer.status} {answer.reason} {attempt + 1} time(s) for {url}"
                if attempt == retries:
                    raise self.unavailable(failure)
                pause = max(wait, self._retry_after(answer, url))
            try:
                self._sleep(pause)
            except self.unavailable as spent:
                raise self.unavailable(f"{failure}; {spent}") from None
            wait = min(wait * 2, MAX_WAIT)
        raise AssertionError("unreachable")

    def _space(self) -> None:
        """Wait until `interval` seconds have passed since the last request began."""
        if self._budget_ends is None:
            self._budget_ends = time.monotonic() + self.manners.budget
        self._sleep(self._last + self.manners.interval - time.monotonic())
        self._last = time.monotonic()
        self.requests += 1

    def _deadline(self) -> float:
        """When the next request must be done: its timeout, or the end of the budget if sooner."""
        now = time.monotonic()
        if now >= self._budget_ends:
            raise self.unavailable(self._budget_spent())
        return min(now + self.manners.timeout, self._budget_ends)

    def _sleep(self, seconds: float) -> None:
        """Sleep, unless that would outlast the budget."""
        if seconds <= 0:
            return
        if time.monotonic() + seconds > self._budget_ends:
            raise self.unavailable(self._budget_spent(f" (before a wait of {seconds:.3g} s)"))
        time.sleep(seconds)

    def _budget_spent(self, detail: str = "") -> str:
        return (f"the network budget of {self.manners.budget:g} s for this command is spent after {self.requests} "
                f"request(s){detail}; {self.budget_variable} sets it")

    def _retry_after(self, answer: http.Answer, url: str) -> float:
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
            raise self.unavailable(f"{self.service} answered {answer.status} and asked to wait {http.printable(value)[:40]} "
                                   f"(Retry-After), longer than the {MAX_WAIT:.0f} s this client waits; try again later ({url})")
        return max(seconds, 0.0)


def number_setting(environ: Mapping[str, str], name: str, default: float, positive: bool, error: type[Exception]) -> float:
    """The number the environment variable `name` sets, else `default`; `error` names a bad one."""
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise error(f"{name}={text!r} is not a {'positive' if positive else 'non-negative'} number (default {default:g})")
    return value
