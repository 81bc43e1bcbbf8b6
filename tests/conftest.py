"""Shared fixtures: the real digests, scratch projects written with dedent, and a CLI runner."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
DIGESTS = REPO / "content" / "digests"
ARXIV = DIGESTS / "002_d88d47b7b2fcd361.txt"
HF_DAILY = DIGESTS / "001_e8b406f06542af1a.txt"
ABSTRACTS = DIGESTS / "000_48d01e7e69735176.txt"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


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
