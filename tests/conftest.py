"""Shared fixtures: the real digests, scratch projects written with dedent, a CLI runner, the
shipped site built once, a static file server and a headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import shutil
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
DIGESTS = REPO / "content" / "digests"
ARXIV = DIGESTS / "002_d88d47b7b2fcd361.txt"
HF_DAILY = DIGESTS / "001_e8b406f06542af1a.txt"
ABSTRACTS = DIGESTS / "000_48d01e7e69735176.txt"
CONFIG = REPO / "mkdocs.yml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output (review the diff!)")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


ADDED = "2026-11-22"  # the day the shipped papers entered the atlas, and "today" in every test


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """New papers are stamped `added: <today>`; tests pin today with the reproducible-builds variable."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")  # 2026-11-22T00:00:00Z


@pytest.fixture(autouse=True)
def no_hugging_face(monkeypatch):
    """No test may ask the real Hugging Face: unless a test starts its own (tests/hf_server.py),
    the client is pointed at a closed loopback port, and gives up at once."""
    monkeypatch.setenv("ATLAS_HF_API", "http://127.0.0.1:9")
    monkeypatch.setenv("ATLAS_HF_INTERVAL", "0")
    monkeypatch.setenv("ATLAS_HF_BACKOFF", "0.01")


@pytest.fixture
def atlas(capsys, monkeypatch):
    """Run `atlas ARGS...` in-process from a given folder; returns exit code and output."""

    def run(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def write(tmp_path):
    """Write dedented text to a file below tmp_path; returns its path."""

    def write_file(relative: str, text: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


@pytest.fixture
def real_digests(tmp_path) -> Path:
    """A scratch copy of the three real digests."""
    folder = tmp_path / "digests"
    shutil.copytree(DIGESTS, folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class BuiltSite:
    result: Result
    docs: Path
    site: Path


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory) -> BuiltSite:
    """The shipped content/ built once, strictly, into a scratch folder."""
    out = tmp_path_factory.mktemp("shipped")
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(io.StringIO()) as err:
        patch.chdir(REPO)
        code = main(["build", "--out", str(out / "build"), "--site", str(out / "site"), "--strict"])
    return BuiltSite(Result(code, "", err.getvalue()), out / "build" / "docs", out / "site")


@pytest.fixture
def build_project(write, tmp_path, atlas):
    """Write a scratch project below tmp_path (test_build's taxonomy and five papers, unless
    given, plus any `extra` papers) and `atlas build` it; the result, the site is tmp_path/site."""
    from test_build import PAPERS, TAXONOMY

    def build(papers: dict[str, str] | None = None, taxonomy: str = TAXONOMY, extra: dict[str, str] | None = None) -> Result:
        write("content/taxonomy.yml", taxonomy)
        for slug, text in {**(PAPERS if papers is None else papers), **(extra or {})}.items():
            write(f"content/papers/{slug}.md", text)
        return atlas("build", "--content", tmp_path / "content", "--out", tmp_path / "build", "--site", tmp_path / "site",
                     "--config", CONFIG)

    return build


@pytest.fixture
def scratch_site(build_project, tmp_path) -> Path:
    """test_build's scratch project (five papers, one titled with markup) built into a site."""
    assert build_project().exit_code == 0
    return tmp_path / "site"


def serving(folder: Path):
    """Serve `folder` over HTTP on a free loopback port; yields the base URL."""
    return serving_with(functools.partial(_QuietHandler, directory=str(folder)))


@contextlib.contextmanager
def serving_with(handler, host: str = "127.0.0.1"):
    """Serve with this request handler on a free port of a loopback address; yields the base URL."""
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (`make test` installs both)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Chromium is missing: run `make test`, which installs Debian's chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()
