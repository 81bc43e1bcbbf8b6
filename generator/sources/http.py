"""One HTTP GET that can neither hang nor flood: a deadline for the whole answer (connect,
headers and body, not one socket read), a cap on its size (a gzip body is decoded within the
cap), redirects followed only within the host asked, and every transport failure raised as one
HttpError whose message is a sentence for a person, never a traceback.

The standard library's http.client does the protocol. Its timeouts bound one socket operation,
so a server that sends a byte every few seconds would keep it reading for ever: a watchdog
thread shuts the socket down when the deadline passes, which ends any read in progress.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

_REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3
_CHUNK = 64 * 1024


class HttpError(Exception):
    """No usable answer; `retry` says whether asking again may help (a dropped connection, a
    body cut short, a silence), `timed_out` whether the deadline or the silence ended it."""

    def __init__(self, message: str, retry: bool = False, timed_out: bool = False) -> None:
        super().__init__(message)
        self.retry, self.timed_out = retry, timed_out


@dataclass(frozen=True)
class Answer:
    """A complete answer: its status, headers (names in lower case) and decoded body."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


def get(url: str, headers: dict[str, str], deadline: float, max_bytes: int, silence: float) -> Answer:
    """The answer to GET `url`, complete before the monotonic time `deadline`, with a body of at
    most `max_bytes` once decoded; a server silent for `silence` seconds is given up on."""
    for _ in range(MAX_REDIRECTS + 1):
        answer = _get_once(url, headers, deadline, max_bytes, silence)
        if answer.status not in _REDIRECTS:
            return answer
        url = _redirect_target(url, answer.headers.get("location", ""))
    raise HttpError(f"more than {MAX_REDIRECTS} redirects")


def _redirect_target(url: str, location: str) -> str:
    """Where a redirect leads, if it stays on the scheme, host and port asked; else HttpError."""
    target = urljoin(url, location.strip())
    here, there = urlsplit(url), urlsplit(target)
    if not location.strip() or (here.scheme, here.netloc) != (there.scheme, there.netloc):
        shown = there.netloc or "nowhere"
        raise HttpError(f"the server redirected to another host ({printable(shown)}); redirects are followed only within {here.netloc}")
    return target


def _get_once(url: str, headers: dict[str, str], deadline: float, max_bytes: int, silence: float) -> Answer:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"not an http(s) address: {printable(url)}")
    left = deadline - time.monotonic()
    if left <= 0:
        raise HttpError("no time was left to ask", timed_out=True)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=min(silence, left))
    watchdog = _Watchdog(connection, left)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers)
        watchdog.arm()
        response = connection.getresponse()
        body = _read_body(response, max_bytes)
        if watchdog.fired:  # the shutdown can end a read as if the answer were complete: it is not
            raise TimeoutError
        return Answer(response.status, printable(response.reason), {k.lower(): v for k, v in response.getheaders()}, body)
    except HttpError:
        raise
    except Exception as exc:  # noqa: BLE001 -- whatever the socket or the protocol raised, one sentence
        raise _explained(exc, watchdog.fired, left) from None
    finally:
        watchdog.cancel()
        connection.close()


class _Watchdog:
    """Shuts the connection's socket down when the time is up, ending any read in progress."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.connection, self.fired = connection, False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def arm(self) -> None:
        """Called once the socket exists: if the time ran out while connecting, shut it now."""
        if self.fired:
            self._fire()

    def _fire(self) -> None:
        self.fired = True
        sock = self.connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _read_body(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """The body, decoded from gzip or deflate when the server says so, never over `max_bytes`."""
    declared = response.getheader("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise HttpError(f"the answer is {int(declared):,} bytes, more than the {max_bytes:,} bytes the client accepts")
    raw, size = [], 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise HttpError(f"the answer is longer than the {max_bytes:,} bytes the client accepts")
        raw.append(chunk)
    if declared.isdigit() and size < int(declared):  # http.client returns what came, without a word
        raise HttpError(f"the answer was cut short ({size:,} of {int(declared):,} bytes came)", retry=True)
    return _decoded(b"".join(raw), response.getheader("Content-Encoding", "identity"), max_bytes)


def _decoded(body: bytes, encoding: str, max_bytes: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise HttpError(f"the answer is encoded as {printable(encoding)!r}, which the client does not read")
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib, by the header
    try:
        data = decoder.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise HttpError(f"the {encoding} body cannot be decoded ({exc})") from None
    if len(data) > max_bytes:
        raise HttpError(f"the answer is longer, once decoded, than the {max_bytes:,} bytes the client accepts")
    if not decoder.eof:
        raise HttpError(f"the {encoding} body was cut short", retry=True)
    return data


def _explained(exc: Exception, deadline_passed: bool, seconds: float) -> HttpError:
    """One sentence for what went wrong, and whether asking again may help."""
    if deadline_passed:  # the watchdog shut the socket: whatever the read then raised
        return HttpError(f"no complete answer within {seconds:.3g} s (the server was too slow)", retry=True, timed_out=True)
    if isinstance(exc, TimeoutError):  # the socket's own timeout: a silence
        return HttpError("the server sent nothing for too long", retry=True, timed_out=True)
    if isinstance(exc, http.client.IncompleteRead):
        return HttpError(f"the answer was cut short ({len(exc.partial):,} bytes came)", retry=True)
    if isinstance(exc, http.client.RemoteDisconnected):
        return HttpError("the server closed the connection without answering", retry=True)
    if isinstance(exc, http.client.LineTooLong):
        return HttpError("a line of the answer's headers is over the length limit")
    if isinstance(exc, http.client.BadStatusLine):
        return HttpError(f"the answer's status line is malformed ({printable(str(exc))[:80]!r})")
    if isinstance(exc, http.client.HTTPException):
        return HttpError(f"the answer is not valid HTTP ({printable(str(exc))[:120] or type(exc).__name__})")
    if isinstance(exc, OSError):
        return HttpError(f"the server could not be reached ({printable(exc.strerror or str(exc))[:120]})", retry=True)
    return HttpError(f"the answer could not be read ({type(exc).__name__}: {printable(str(exc))[:120]})")


def printable(text: str) -> str:
    """Text from the server made safe for one line of a terminal: no control characters."""
    return "".join(char if char.isprintable() else "?" for char in text)
