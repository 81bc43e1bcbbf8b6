"""Digest formats: reading a file safely, detecting its format, and parsing it.

Each format is a module with NAME, `looks_like(paragraphs)` and `parse(path, paragraphs)`.
"""

from __future__ import annotations

from pathlib import Path

from .. import files
from ..model import Digest, error
from . import abstracts, arxiv_atom, arxiv_digest, hf_daily
from .common import split_paragraphs

# Detection tries these in order: the most distinctive shape first. arXiv's Atom is XML, read
# as a whole document; the others are read as paragraphs of text.
FORMATS = {module.NAME: module for module in (arxiv_atom, arxiv_digest, hf_daily, abstracts)}
TEXT_FORMATS = {name: module for name, module in FORMATS.items() if module is not arxiv_atom}
MAX_DIGEST_BYTES = 20 * 1024 * 1024


def read_digest(path: Path, display: str, fmt: str = "auto") -> Digest:
    """Parse the digest at `path` (named `display` in messages) in format `fmt` or the detected one."""
    text, problem = _read_text(path, display)
    if problem:
        return Digest(display, None, problems=(problem,))
    return parse_digest(text, display, fmt)


def parse_digest(text: str, display: str, fmt: str = "auto") -> Digest:
    """Parse digest text (line ends `\n`), named `display` in messages, in format `fmt` or the detected one."""
    if fmt == arxiv_atom.NAME or (fmt == "auto" and arxiv_atom.looks_like(text)):
        entries, problems, skipped = arxiv_atom.parse_text(display, text)
        return Digest(display, arxiv_atom.NAME, tuple(entries), tuple(problems), tuple(skipped))
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        return Digest(display, None, problems=(error(display, 1, "empty digest: no text to read"),))
    if fmt == "auto":
        fmt = detect(paragraphs)
        if fmt is None:
            return Digest(display, None, problems=(error(display, paragraphs[0].number, _UNKNOWN_FORMAT),))
    entries, problems = FORMATS[fmt].parse(display, paragraphs)
    return Digest(display, fmt, tuple(entries), tuple(problems))


def detect(paragraphs) -> str | None:
    """The name of the first format the paragraphs look like, or None."""
    return next((name for name, module in TEXT_FORMATS.items() if module.looks_like(paragraphs)), None)


_UNKNOWN_FORMAT = (
    "cannot tell the digest format: expected arXiv's Atom feed, an arXiv-style digest (title, `Authors:`, `Date:`, abstract), "
    "a Hugging Face Daily Papers page (title / abstract pairs) or one abstract per line; "
    "name one with --format"
)


def _read_text(path: Path, display: str):
    """The file's text with a BOM dropped and line ends made `\\n`, or the problem reading it.
    Only a regular file is read, and never more than MAX_DIGEST_BYTES of it."""
    try:
        data = files.read_capped(path, MAX_DIGEST_BYTES, "digest")
    except files.UnreadableFile as exc:
        return None, error(display, 1, str(exc))
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        return None, error(display, line, "binary file (NUL byte), not a text digest")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, error(display, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); save the file as UTF-8")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, None
