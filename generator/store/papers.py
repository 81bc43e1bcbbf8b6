"""Paper files: reading them safely, and the canonical text of a new one.

A paper file is YAML front matter (loaded safely) and the abstract as the body. A new file is
written in one canonical layout (render_paper); an existing one is updated in place, comments
and key order kept (roundtrip.py); writing either is journal.py's job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from .. import files, parallel
from ..model import CURATED_KEYS, Paper, Problem, Source, error
from ..text import SLUG, slugify

PAPERS_DIR = "papers"
MAX_FILE_BYTES = 100_000  # a long abstract with its front matter is under 10 KB
# libyaml's safe loader when PyYAML was built with it (its wheels are), else the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# In the key lines parse_paper() returns, the line where the abstract (the body) starts.
ABSTRACT_LINE = "\0abstract"
# What arXiv says and ingest fills when empty: `categories` is a list, the others are texts.
ARXIV_KEYS = ("categories", "doi", "journal_ref", "arxiv_title")
# Keys this module reads into Paper fields; every other key is kept verbatim in Paper.extra.
_FIELD_KEYS = ("title", "title_inferred", "authors", "date", "added", "sources", *ARXIV_KEYS)


def papers_dir(content: Path) -> Path:
    return content / PAPERS_DIR


def paper_path(content: Path, slug: str) -> Path:
    """Where the paper with this slug lives; a slug that could leave the folder is refused."""
    if not slug or slug.startswith(".") or any(sep in slug for sep in ("/", "\\", "\0")):
        raise ValueError(f"unsafe slug {slug!r}")
    return papers_dir(content) / f"{slug}.md"


def paper_files(content: Path) -> list[Path]:
    """Every `*.md` entry in content/papers/, sorted by name: the readers report those that are
    no paper file (`..md`, a FIFO, a symlink out of content/) rather than skip them silently."""
    folder = papers_dir(content)
    if not folder.is_dir():
        return []
    names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".md") and not e.is_dir(follow_symlinks=False))
    return [folder / name for name in names]


def load_papers(content: Path, versions: dict[str, str] | None = None) -> tuple[list[Paper], list[Problem]]:
    """Every paper in content/papers/, sorted by slug, and every problem reading them. With
    `versions`, also the hash of each file's bytes as read, by slug, for write_papers to check."""
    papers, problems = [], []
    for paper, found, version in parallel.map_slices(_read_papers, None, paper_files(content)):
        problems.extend(found)
        if paper is not None:
            papers.append(paper)
            if versions is not None:
                versions[paper.slug] = version
    return papers, problems


def _read_papers(_: None, paths: list[Path]) -> list[tuple[Paper | None, list[Problem], str | None]]:
    return [read_versioned(path) for path in paths]


def read_paper(path: Path) -> tuple[Paper | None, list[Problem]]:
    """The paper in one file, or the problems that keep it from being read."""
    paper, problems, _ = read_versioned(path)
    return paper, problems


def read_versioned(path: Path) -> tuple[Paper | None, list[Problem], str | None]:
    """read_paper(), and the hash of the bytes it read (to check the file is unchanged before replacing it)."""
    raw, text, problems = _read(path)
    if text is None:
        return None, problems, None
    paper, problems, _ = parse_paper(path, text)
    return paper, problems, hashlib.sha256(raw).hexdigest()


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """The text of the paper file at `path` (CRLF made `\\n`), or why it is no text to parse: a
    symlink out of content/, a special file, too large, binary, not UTF-8, a BOM, tabs in the
    front matter. Every command that reads paper files reads them through here."""
    _, text, problems = _read(path)
    return text, problems


def _read(path: Path) -> tuple[bytes, str | None, list[Problem]]:
    if files.leaves(path, path.parent.parent):
        return b"", None, [error(path, None, "a symbolic link to a file outside content/; copy the file in instead")]
    try:
        raw = files.read_capped(path, MAX_FILE_BYTES, "paper file")
    except files.UnreadableFile as exc:
        return b"", None, [error(path, None, str(exc))]
    if b"\0" in raw:
        return b"", None, [error(path, raw[: raw.index(b"\0")].count(b"\n") + 1, "binary file (it holds NUL bytes); a paper file is UTF-8 text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return b"", None, [error(path, line, f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
    if text.startswith("\ufeff"):
        return b"", None, [error(path, 1, "starts with a byte-order mark; save the file as UTF-8 without BOM")]
    text = text.replace("\r\n", "\n")
    front = text.split("\n---\n", 1)[0] if text.startswith("---\n") else ""
    tabs = [number for number, line in enumerate(front.split("\n"), start=1) if "\t" in line]
    if tabs:
        return b"", None, [error(path, line, "tab in the front matter; YAML wants spaces") for line in tabs]
    return raw, text, []


def parse_paper(path: Path, text: str) -> tuple[Paper | None, list[Problem], dict[str, int]]:
    """The paper in a file's text (with `\n` line ends), the problems that keep it from being
    read, and the file line of each front-matter key."""
    meta, body, key_lines, problem = _split(path, text)
    if problem:
        return None, [problem], key_lines
    problems: list[Problem] = []

    def check(ok: bool, key: str, message: str) -> bool:
        if not ok:
            problems.append(error(path, key_lines.get(key, 1), message))
        return ok

    title, authors, date, added = meta.get("title"), meta.get("authors", []), meta.get("date"), meta.get("added")
    check(isinstance(title, str) and title.strip() != "", "title", "`title` must be a non-empty text")
    check(body.strip() != "", ABSTRACT_LINE, "the abstract (the text after the front matter) is empty")
    check(isinstance(authors, list) and all(isinstance(a, str) for a in authors), "authors", "`authors` must be a list of names")
    check(date is None or isinstance(date, dt.date) and not isinstance(date, dt.datetime), "date", "`date` must be a date written YYYY-MM-DD")
    check(added is None or isinstance(added, dt.date) and not isinstance(added, dt.datetime), "added",
          "`added` must be a date written YYYY-MM-DD")
    check(isinstance(meta.get("title_inferred", False), bool), "title_inferred", "`title_inferred` must be true or false")
    # The file name becomes the page's URL and goes into links on many pages: only a slug will do.
    check(SLUG.match(path.stem) is not None, "title", f"file name `{path.name}` is no slug: use lowercase letters, digits "
          f"and hyphens, e.g. `{slugify(title) if isinstance(title, str) else 'paper-title'}.md`")
    sources = read_sources(meta.get("sources", []))
    check(sources is not None, "sources", "`sources` must be a list of {digest, format, line}")
    categories = meta.get("categories", [])
    check(isinstance(categories, list) and all(isinstance(c, str) and c.strip() for c in categories), "categories",
          "`categories` must be a list of arXiv categories such as cs.LG")
    for key in ARXIV_KEYS[1:]:
        check(meta.get(key) is None or isinstance(meta[key], str) and meta[key].strip() != "", key, f"`{key}` must be a text")
    if problems:
        return None, problems, key_lines
    extra = {key: value for key, value in meta.items() if key not in _FIELD_KEYS}
    paper = Paper(
        slug=path.stem,
        title=title.strip(),
        abstract=body.strip(),
        authors=tuple(authors),
        date=date,
        added=added,
        sources=sources,
        title_inferred=meta.get("title_inferred", False),
        categories=tuple(categories),
        doi=meta.get("doi"),
        journal_ref=meta.get("journal_ref"),
        arxiv_title=meta.get("arxiv_title"),
        extra=extra,
    )
    return paper, [], key_lines


def _split(path: Path, text: str) -> tuple[dict, str, dict[str, int], Problem | None]:
    """Front matter (safely loaded), body, the line of each top-level key, or the problem."""
    handler = frontmatter.YAMLHandler()
    if not text.startswith("---\n"):
        return {}, "", {}, error(path, 1, "no front matter: a paper file starts with a line `---`")
    try:
        fm, body = handler.split(text)
    except ValueError:
        return {}, "", {}, error(path, 1, "front matter is not closed by a line `---`")
    # `fm` starts with the rest of the opening `---` line, so YAML's line 0 is the file's line 1.
    loader = _SafeLoader(fm)
    node = None
    try:
        node = loader.get_single_node()  # composed once: for the values and for each key's line
        if "*" in fm and (line := alias_line(node)):
            # An alias repeats a node; nested ones ("billion laughs") make values that blow up
            # whatever walks or prints them. Front matter never needs one.
            return {}, "", {}, error(path, line, "front matter repeats a value with a YAML anchor and alias (`&name`, `*name`); write it out instead")
        meta = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return {}, "", {}, error(path, line, f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}")
    except ValueError as exc:  # a timestamp-shaped value that is no real date, such as 2025-13-45
        return {}, "", {}, error(path, _impossible_date_line(node), f"front matter is not valid YAML: impossible date ({exc})")
    finally:
        loader.dispose()
    if not isinstance(meta, dict):
        return {}, "", {}, error(path, 2, "front matter must be a mapping of keys to values")
    for key, _ in node.value:
        if not key.tag.endswith(":str"):  # `1:` or `~:` reads as a number or null
            return {}, "", {}, error(path, key.start_mark.line + 1, f"front-matter key `{key.value}` is no name; "
                                     "keys are words such as `title`")
    key_lines = {key.value: key.start_mark.line + 1 for key, _ in node.value} if node else {}
    before_body = text[: len(text) - len(body)] + body[: len(body) - len(body.lstrip("\n"))]
    last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
    key_lines[ABSTRACT_LINE] = min(before_body.count("\n") + 1, last_line)
    return meta, body, key_lines, None


def alias_line(node: yaml.Node | None) -> int | None:
    """The file line of the first node met twice in the tree (an alias), if any."""
    seen: set[int] = set()
    for current in _walk(node):
        if id(current) in seen:
            return current.start_mark.line + 1
        seen.add(id(current))
    return None


def _impossible_date_line(node: yaml.Node | None) -> int:
    """The file line of the first date-shaped value in the front matter that is no real date."""
    for current in _walk(node):
        if isinstance(current, yaml.ScalarNode) and current.tag.endswith(":timestamp"):
            try:
                dt.date.fromisoformat(current.value[:10])
            except ValueError:
                return current.start_mark.line + 1
    return 1


def _walk(node: yaml.Node | None) -> Iterator[yaml.Node]:
    """The nodes of a composed YAML tree in document order; one reached through an alias comes
    again (so stop early on a tree that may hold aliases)."""
    pending = [node] if node is not None else []
    while pending:
        current = pending.pop()
        yield current
        if isinstance(current, yaml.SequenceNode):
            pending.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            pending.extend(n for pair in reversed(current.value) for n in reversed(pair))


def read_sources(raw: Any) -> tuple[Source, ...] | None:
    if not isinstance(raw, list):
        return None
    sources = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("digest"), str) or not isinstance(item.get("line"), int):
            return None
        digest_date = item.get("digest_date")
        sources.append(Source(item["digest"], str(item.get("format", "")), item["line"], digest_date if isinstance(digest_date, dt.date) else None))
    return tuple(sources)


def render_paper(paper: Paper) -> str:
    """The canonical text of a paper file: front matter in a fixed key order, then the abstract."""
    meta: dict[str, Any] = {"title": paper.title}
    if paper.title_inferred:
        meta["title_inferred"] = True
    meta["authors"] = list(paper.authors)
    if paper.date is not None:
        meta["date"] = paper.date
    if paper.added is not None:
        meta["added"] = paper.added
    meta.update(sorted(paper.extra.items(), key=lambda kv: _extra_rank(kv[0])))
    meta.update((key, value) for key, value in arxiv_values(paper).items() if value)
    if paper.sources:  # a paper added by hand has none
        meta["sources"] = [source_dict(s) for s in paper.sources]
    post = frontmatter.Post(paper.abstract, **meta)
    return frontmatter.dumps(post, Dumper=dumper_for(meta), sort_keys=False, width=100_000) + "\n"


class PlainDumper(yaml.SafeDumper):
    """Writes a value each time it occurs: PyYAML would otherwise write an object met twice (a
    date shared by two sources) as an anchor and an alias, which paper files may not hold."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class FastPlainDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """PlainDumper with libyaml's emitter: the same text (tested on 30,000 odd strings) about 15
    times faster, except where _escaped_by_libyaml() says it would escape a character."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# libyaml writes these as escapes (`\U0001F642`, `\L`) where PyYAML writes the character itself.
_LIBYAML_ESCAPES = re.compile("[\U00010000-\U0010FFFF\x85\u2028\u2029]")


def dumper_for(value: Any) -> type[yaml.SafeDumper]:
    """The fastest Dumper that writes `value` as the canonical layout does, without aliases."""
    return PlainDumper if _escaped_by_libyaml(value) else FastPlainDumper


def _escaped_by_libyaml(value: Any) -> bool:
    """Whether any text in `value` holds a character the two emitters write differently."""
    if isinstance(value, str):
        return _LIBYAML_ESCAPES.search(value) is not None
    if isinstance(value, dict):
        return any(_escaped_by_libyaml(k) or _escaped_by_libyaml(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(map(_escaped_by_libyaml, value))
    return False


def _extra_rank(key: str) -> tuple[int, str]:
    return (CURATED_KEYS.index(key), "") if key in CURATED_KEYS else (len(CURATED_KEYS), key)


def arxiv_values(paper: Paper) -> dict[str, Any]:
    """The front-matter values of ARXIV_KEYS for `paper` (empty ones included, in that order)."""
    return {"categories": list(paper.categories), "doi": paper.doi, "journal_ref": paper.journal_ref, "arxiv_title": paper.arxiv_title}


def source_dict(source: Source) -> dict[str, Any]:
    item: dict[str, Any] = {"digest": source.digest, "format": source.format, "line": source.line}
    if source.digest_date is not None:
        item["digest_date"] = source.digest_date
    return item
