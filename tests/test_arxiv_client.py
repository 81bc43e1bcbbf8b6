"""The arXiv client on an unlucky day and against a hostile server: it never hangs, never stops
for good, never believes a bad answer, and says what went wrong in one line.

Every server here is the loopback one of arxiv_server.py, told how to misbehave; the client is
the real one, with short deadlines set the way a user sets them (Settings, or ATLAS_ARXIV_*).
"""

from __future__ import annotations

import gzip
import os
import re
import time

import pytest
from arxiv_server import (
    Arxiv,
    Paper,
    answer,
    cut_short,
    drip,
    feed,
    gzipped,
    http_answer,
    raw,
    serving,
    silent,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.sources.arxiv import ArxivClient, ArxivError, ArxivUnavailable, Settings

QUICK = dict(interval=0.0, backoff=0.05, timeout=2.0, budget=20.0)  # a deadline of 2 s; waits of 50 ms
ABSTRACT = ("We study reinforcement learning from verifiable rewards for language models and report how the gains "
            "depend on the base model, on the sampling temperature and on the size of the group of samples.")
ONE = Paper("2508.00001v1", "Grüße from Zürich: Café-Style RL", ABSTRACT, "2025-08-01T12:00:00Z")


@pytest.fixture
def arxiv():
    server = Arxiv(papers=[ONE])
    with serving(server) as url:
        server.url = url
        yield server


def client(arxiv, tmp_path, **settings) -> ArxivClient:
    return ArxivClient(tmp_path / "cache", settings=Settings(api=arxiv.url, **{**QUICK, **settings}))


def ask(c: ArxivClient) -> str:
    return c.by_ids(["2508.00001"])[0]


def cached_files(tmp_path) -> list[str]:
    folder = tmp_path / "cache"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def timed(call):
    start = time.monotonic()
    try:
        return call(), time.monotonic() - start
    except ArxivError as exc:
        return exc, time.monotonic() - start


# It never hangs

def test_a_server_that_drips_a_byte_at_a_time_is_given_up_on_at_the_deadline(arxiv, tmp_path):
    arxiv.next_answers = [drip(every=0.1), drip(every=0.1)]
    outcome, seconds = timed(lambda: ask(client(arxiv, tmp_path, timeout=1.0)))
    assert isinstance(outcome, ArxivUnavailable) and "no complete answer within 1 s" in str(outcome)
    assert len(arxiv.requests) == 2  # a timeout is tried once more, not four times
    assert seconds < 4


def test_a_silent_server_is_given_up_on_after_one_more_try(arxiv, tmp_path):
    arxiv.next_answers = [silent(), silent()]
    outcome, seconds = timed(lambda: ask(client(arxiv, tmp_path, timeout=0.5)))
    assert isinstance(outcome, ArxivUnavailable)  # silence and deadline are one here: whichever ends it first
    assert re.search(r"the server sent nothing for too long|no complete answer within 0.5 s", str(outcome))
    assert len(arxiv.requests) == 2 and seconds < 3


def test_a_retry_after_beyond_the_cap_stops_at_once_and_names_the_wish(arxiv, tmp_path):
    arxiv.next_answers = [answer(503, b"busy", {"Retry-After": "999999999"})]
    outcome, seconds = timed(lambda: ask(client(arxiv, tmp_path)))
    assert isinstance(outcome, ArxivUnavailable) and seconds < 1
    assert "asked to wait 999999999 (Retry-After), longer than the 60 s this client waits" in str(outcome)


def test_a_retry_after_within_the_cap_is_honoured_and_not_doubled(arxiv, tmp_path):
    arxiv.next_answers = [answer(503, b"busy", {"Retry-After": "1"})]
    text, seconds = timed(lambda: ask(client(arxiv, tmp_path)))
    assert "2508.00001" in text and 1.0 <= seconds < 2.5
    assert arxiv.requests[1][0] - arxiv.requests[0][0] >= 1.0


def test_the_budget_bounds_the_whole_command_and_later_requests_are_not_sent(arxiv, tmp_path):
    arxiv.next_answers = [503] * 10
    c = client(arxiv, tmp_path, backoff=0.4, budget=1.0)
    outcome, seconds = timed(lambda: ask(c))
    assert isinstance(outcome, ArxivUnavailable) and "the network budget of 1 s for this command is spent" in str(outcome)
    assert seconds < 1.5
    asked = len(arxiv.requests)
    later, _ = timed(lambda: c.query("ti:anything"))
    assert isinstance(later, ArxivUnavailable) and "not asked, since arXiv failed earlier in this run" in str(later)
    assert len(arxiv.requests) == asked


# It never crashes: each failure is one line

@pytest.mark.parametrize("plan, message", [
    (raw(b"HTTZ/1.1 200 OK\r\n\r\n"), "the answer's status line is malformed"),
    (raw(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"), "a line of the answer's headers is over the length limit"),
    (raw(b""), "the server closed the connection without answering"),
    (answer(200, b"\x1f\x8b\x08not gzip", {"Content-Encoding": "gzip"}), "the gzip body cannot be decoded"),
    (answer(200, b"x", {"Content-Encoding": "br"}), "encoded as 'br', which the client does not read"),
], ids=["bad status line", "header over the limit", "nothing at all", "broken gzip", "unknown encoding"])
def test_a_broken_answer_is_one_sentence(arxiv, tmp_path, plan, message):
    arxiv.next_answers = [plan] * 5
    outcome, _ = timed(lambda: ask(client(arxiv, tmp_path)))
    assert isinstance(outcome, ArxivError) and message in str(outcome)
    assert "\n" not in str(outcome) and cached_files(tmp_path) == []


def test_a_body_cut_short_is_retried_like_a_dropped_connection(arxiv, tmp_path):
    arxiv.next_answers = [cut_short()]
    assert "2508.00001" in ask(client(arxiv, tmp_path)) and len(arxiv.requests) == 2
    arxiv.next_answers = [cut_short()] * 5
    outcome, _ = timed(lambda: ask(client(arxiv, tmp_path / "other")))
    assert isinstance(outcome, ArxivUnavailable) and "the answer was cut short" in str(outcome)


def test_a_gzip_answer_is_decoded(arxiv, tmp_path):
    arxiv.next_answers = [gzipped()]
    assert "Grüße from Zürich" in ask(client(arxiv, tmp_path))


def test_an_iso_8859_1_feed_is_read_by_its_declaration_and_kept_as_utf8(arxiv, tmp_path):
    text = feed([ONE], 1, 0).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    arxiv.next_answers = [answer(200, text.encode("iso-8859-1"))]
    got = ask(client(arxiv, tmp_path))
    assert "Grüße from Zürich: Café-Style RL" in got and got.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    (name,) = cached_files(tmp_path)
    assert (tmp_path / "cache" / name).read_text(encoding="utf-8") == got


def test_a_bad_setting_is_one_line_naming_the_variable():
    with pytest.raises(ArxivError, match=r"^ATLAS_ARXIV_INTERVAL='abc' is not a non-negative number \(default 3\)$"):
        Settings.from_environment({"ATLAS_ARXIV_INTERVAL": "abc"})
    for name, value in [("ATLAS_ARXIV_TIMEOUT", "0"), ("ATLAS_ARXIV_BUDGET", "inf"), ("ATLAS_ARXIV_MAX_BYTES", "1.5"),
                        ("ATLAS_ARXIV_API", "file:///etc/passwd"), ("ATLAS_ARXIV_BACKOFF", "-1")]:
        with pytest.raises(ArxivError, match=name):
            Settings.from_environment({name: value})


def test_a_bad_setting_stops_the_command_with_one_line(atlas, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_ARXIV_INTERVAL", "abc")
    result = atlas("add", "--content", tmp_path / "content", "--arxiv", "2508.00001")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["atlas add: error: ATLAS_ARXIV_INTERVAL='abc' is not a non-negative number "
                                          "(default 3); nothing was written"]


# It never believes a bad answer, and never caches one

def error_entry(message: str) -> bytes:
    return (feed([], 1, 0).replace("</feed>", "<entry><id>http://arxiv.org/api/errors#incorrect_id_format</id>"
                                   f"<title>Error</title><summary>{message}</summary></entry></feed>")).encode()


@pytest.mark.parametrize("body, message, unavailable", [
    (error_entry("incorrect id format for 2508.0000x"), "arXiv refused the request: incorrect id format for 2508.0000x", False),
    (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "arXiv answered with an HTML page, not an Atom feed", True),
    (b"<?xml version='1.0'?><rss><channel/></rss>", "arXiv's answer is not an Atom feed (its root is <rss>)", False),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "arXiv's answer is not well-formed XML", False),
], ids=["error entry", "html page", "another feed", "broken xml"])
def test_an_answer_that_is_no_feed_is_an_error_and_never_cached(arxiv, tmp_path, body, message, unavailable):
    arxiv.next_answers = [answer(200, body)]
    c = client(arxiv, tmp_path)
    outcome, _ = timed(lambda: ask(c))
    assert isinstance(outcome, ArxivError) and message in str(outcome)
    assert isinstance(outcome, ArxivUnavailable) == unavailable
    assert cached_files(tmp_path) == []


def test_more_entries_than_asked_for_are_not_believed(arxiv, tmp_path):
    many = [Paper(f"2508.{n:05d}v1", f"Paper {n}", ABSTRACT, "2025-08-01T12:00:00Z") for n in range(1, 8)]
    arxiv.next_answers = [answer(200, feed(many, 7, 0).encode())]
    outcome, _ = timed(lambda: client(arxiv, tmp_path).query("all:rl", 0, 5))
    assert isinstance(outcome, ArxivError) and "arXiv sent 7 entries where at most 5 were asked for" in str(outcome)
    assert cached_files(tmp_path) == []


def test_an_answer_over_the_size_cap_is_refused_while_it_is_read(arxiv, tmp_path):
    huge = b"<feed xmlns='http://www.w3.org/2005/Atom'>" + b" " * 3_000_000 + b"</feed>"
    for plan in (answer(200, huge), raw(http_answer(200, huge)[:200].replace(b"Content-Length", b"X-Length") + huge),
                 answer(200, gzip.compress(huge), {"Content-Encoding": "gzip"})):
        arxiv.next_answers = [plan]
        outcome, seconds = timed(lambda: ask(client(arxiv, tmp_path, max_bytes=1_000_000)))
        assert isinstance(outcome, ArxivError) and "than the 1,000,000 bytes the client accepts" in str(outcome)
        assert cached_files(tmp_path) == [] and seconds < 3


def test_a_redirect_is_followed_only_within_the_api_host(arxiv, tmp_path):
    elsewhere = Arxiv(papers=[ONE])
    with serving(elsewhere, host="127.0.0.2") as other:
        arxiv.next_answers = [answer(302, b"", {"Location": other})]
        outcome, _ = timed(lambda: ask(client(arxiv, tmp_path)))
    assert isinstance(outcome, ArxivError) and "redirected to another host (127.0.0.2:" in str(outcome)
    assert elsewhere.requests == [] and cached_files(tmp_path) == []
    arxiv.next_answers = [answer(301, b"", {"Location": arxiv.url + "?id_list=2508.00001&max_results=100"})]
    assert "2508.00001" in ask(client(arxiv, tmp_path))


@pytest.mark.parametrize("make", ["fifo", "dev-zero", "not-utf8", "error-entry", "folder"])
def test_a_cache_file_that_is_not_one_we_wrote_is_asked_for_anew(arxiv, tmp_path, make):
    first = client(arxiv, tmp_path)
    ask(first)
    (path,) = (tmp_path / "cache").iterdir()
    path.unlink()
    if make == "fifo":
        os.mkfifo(path)
    elif make == "dev-zero":
        path.symlink_to("/dev/zero")
    elif make == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"\xff\xfe\x00<feed" if make == "not-utf8" else error_entry("stale"))
    text, seconds = timed(lambda: ask(client(arxiv, tmp_path)))
    assert "2508.00001" in text and seconds < 2 and len(arxiv.requests) == 2


def test_a_bad_cache_file_is_not_in_the_cache_for_offline_use(arxiv, tmp_path):
    ask(client(arxiv, tmp_path))
    (path,) = (tmp_path / "cache").iterdir()
    path.write_bytes(error_entry("stale"))
    offline = ArxivClient(tmp_path / "cache", offline=True, settings=Settings(api=arxiv.url, **QUICK))
    outcome, _ = timed(lambda: ask(offline))
    assert isinstance(outcome, ArxivError) and "not in the cache, and --offline" in str(outcome)


def test_the_client_asks_for_gzip_and_says_who_it_is(arxiv, tmp_path):
    seen = {}
    arxiv.next_answers = [lambda handler, server, query: (seen.update(handler.headers), answer()(handler, server, query))]
    ask(client(arxiv, tmp_path))
    assert seen["Accept-Encoding"] == "gzip" and seen["User-Agent"].startswith("post-training-atlas/")


# Whatever bytes come back, the client returns a feed or raises ArxivError: never anything else

_PIECES = [b"HTTP/1.1 200 OK\r\n", b"HTTP/1.0 503 Busy\r\n", b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.9/\r\n",
           b"Content-Length: 5\r\n", b"Content-Length: -1\r\n", b"Content-Length: 99999999999999999999\r\n",
           b"Transfer-Encoding: chunked\r\n", b"Content-Encoding: gzip\r\n", b"Retry-After: 0\r\n", b"Retry-After: 1e9\r\n",
           b"\r\n", b"\n", b"\x00", b"\xff\xfe", b"5\r\nhello\r\n0\r\n\r\n", b"zz\r\n", gzip.compress(b"<feed/>"),
           b"<?xml version='1.0' encoding='klingon'?>", b"<feed xmlns='http://www.w3.org/2005/Atom'></feed>",
           b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>", b"&b;&b;&b;"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES) | st.binary(max_size=40), max_size=8))
def test_any_bytes_from_the_server_give_a_feed_or_one_arxiv_error(arxiv, tmp_path, pieces):
    arxiv.next_answers = [raw(b"".join(pieces))] * 6
    c = ArxivClient(tmp_path / "cache", settings=Settings(api=arxiv.url, interval=0, backoff=0.001, timeout=1.0, budget=3.0))
    try:
        assert isinstance(ask(c), str)
    except ArxivError as exc:
        assert str(exc) and "\n" not in str(exc)
    arxiv.next_answers = []
