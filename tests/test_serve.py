"""`atlas serve`: a preview that regenerates the pages when a file in content/ changes."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from conftest import CONFIG
from test_build import PAPERS, TAXONOMY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_until(url: str, wanted: str, timeout: float = 90) -> str:
    """The page at `url` once it contains `wanted` (the server rebuilds in the background)."""
    deadline, text = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
            if wanted in text:
                return text
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed {wanted!r}; last saw {len(text)} characters")


@contextlib.contextmanager
def serving_atlas(write, tmp_path):
    """`atlas serve` on a scratch atlas, in its own process: (its base URL, a list that holds its
    output once it has stopped)."""
    write("content/taxonomy.yml", TAXONOMY)
    for slug, text in PAPERS.items():
        write(f"content/papers/{slug}.md", text)
    port, output = free_port(), []
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", "content", "--out", "build", "--config", str(CONFIG),
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/", output
    finally:
        server.terminate()
        output.append(server.communicate(timeout=30)[0])


def test_serve_regenerates_when_content_changes(write, tmp_path):
    with serving_atlas(write, tmp_path) as (base, output):
        fetch_until(base + "papers/ppo-rlhf/", "PPO-based RLHF for Dialogue")
        paper = tmp_path / "content" / "papers" / "ppo-rlhf.md"
        paper.write_text(paper.read_text().replace("PPO-based RLHF for Dialogue", "Retitled While Serving"))
        fetch_until(base + "papers/ppo-rlhf/", "Retitled While Serving")
    assert "build: 5 papers" in output[0]
    assert "serve: papers/ppo-rlhf.md rebuilt in" in output[0]  # its own page first, the rest after


def test_serve_shows_new_and_removed_papers_and_says_when_everything_is_rebuilt(write, tmp_path):
    with serving_atlas(write, tmp_path) as (base, output):
        fetch_until(base + "papers/ppo-rlhf/", "PPO-based RLHF for Dialogue")
        write("content/papers/a-new-paper.md", PAPERS["ppo-rlhf"].replace("PPO-based RLHF for Dialogue", "A Paper Added While Serving"))
        fetch_until(base + "papers/a-new-paper/", "A Paper Added While Serving")
        (tmp_path / "content" / "papers" / "ppo-rlhf.md").unlink()
        gone_until(base + "papers/ppo-rlhf/")
        taxonomy = tmp_path / "content" / "taxonomy.yml"
        taxonomy.write_text(taxonomy.read_text().replace("name: Reasoning", "name: Reasoning and Maths", 1))
        fetch_until(base + "topics/reasoning/", "Reasoning and Maths")
    assert "serve: the taxonomy changed: every paper was classified again and its pages rebuilt" in output[0]


def gone_until(url: str, timeout: float = 90) -> None:
    """Wait until the page at `url` is no longer served."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError as answer:
            if answer.code == 404:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} is still served")
