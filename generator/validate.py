"""Validate: every mistake a contributor can make in content/, found at once, before review.

Checks the taxonomy and the paper files (all of them, or the ones named): what `atlas build`
would refuse, and what it would accept but a reviewer would not (unknown topics, a link that
is no URL, a duplicate of a paper already in the atlas, a file no editor should produce).
Each problem names the file and the line of the offending key. Nothing here writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import store
from .cite import arxiv_id
from .classify import front_matter_slugs
from .limits import (
    ARXIV_ID,
    FIRST_YEAR,
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    arxiv_identifier,
    entry_problems,
    is_future,
    is_paper_date,
)
from .merge import PaperIndex
from .model import CURATED_KEYS, Entry, Paper, Problem, error, warning
from .sources import watch
from .taxonomy import KINDS, Taxonomy, load_taxonomy
from .text import SLUG, control_character, did_you_mean

SHORT_ABSTRACT_CHARS = 200  # shorter than this, an abstract was probably cut off
KNOWN_KEYS = ("title", "title_inferred", "authors", "date", "added", "sources", *CURATED_KEYS, "not_topics", "not_methods",
              "mentioned_topics", "mentioned_methods",
              *store.ARXIV_KEYS)
_ARXIV_URL = re.compile(r"^https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$")


@dataclass(frozen=True)
class Checked:
    """One paper file as validate read it."""

    path: Path
    paper: Paper | None  # None when it could not be read
    key_lines: dict[str, int]  # front-matter key -> file line
    problems: list[Problem]


def validate(content: Path, paths: list[Path] | None = None) -> tuple[int, list[Problem]]:
    """(how many paper files were checked, every problem found) for the named files, or for
    every paper file in `content`, and the watched queries of content/sources.yml, when none
    are named."""
    problems = [warning(content, None, done) for done in store.recover_if_idle(content)]  # a batch a crash cut short
    taxonomy, found = load_taxonomy(content / "taxonomy.yml")
    problems += found
    if (content / watch.SOURCES_FILE).exists() and not paths:
        problems += watch.load_watches(content)[1]
    chosen, outside = _chosen_files(content, paths)
    problems += outside
    checked = [check_file(path, taxonomy) for path in chosen]
    problems += [problem for item in checked for problem in item.problems]
    problems += _duplicates(content, checked)
    return len(chosen) + len(outside), sorted(problems, key=lambda p: (p.path, p.line or 0, p.message))


def _chosen_files(content: Path, paths: list[Path] | None) -> tuple[list[Path], list[Problem]]:
    """The files to check, and an error for each named file that is no paper file."""
    if not paths:
        return store.paper_files(content), []
    folder = store.papers_dir(content).resolve()
    chosen, problems = [], []
    for path in dict.fromkeys(paths):
        if path.resolve().parent != folder or path.suffix != ".md" or path.name.startswith("."):
            problems.append(error(path, None, f"not a paper file: paper files are `{store.papers_dir(content)}/<slug>.md`"))
        elif not path.is_file():
            problems.append(error(path, None, "no such file"))
        else:
            chosen.append(path)
    return chosen, problems


def check_file(path: Path, taxonomy: Taxonomy | None) -> Checked:
    """One paper file: its bytes, its front matter, then each key's value."""
    text, problems = store.read_text(path)
    if text is None:
        return Checked(path, None, {}, problems)
    return check_text(path, text, taxonomy)


def check_text(path: Path, text: str, taxonomy: Taxonomy | None) -> Checked:
    """The text of a paper file (line ends `\n`) that is or would be at `path`: its front matter,
    then each key's value."""
    paper, problems, key_lines = store.parse_paper(path, text)
    if paper is not None:
        problems += _check_paper(path, paper, key_lines, taxonomy)
    return Checked(path, paper, key_lines, problems)


def check_paper(path: Path, paper: Paper) -> list[Problem]:
    """What validate would report of a paper file at `path` holding `paper`, but for its
    topics and methods (ingest never sets them) and duplicates (merge has just ruled them out)."""
    key_lines: dict[str, int] = {}
    problems = [] if SLUG.match(paper.slug) else [error(path, None, f"file name `{path.name}` is no slug")]
    problems += [] if paper.title.strip() else [error(path, None, "`title` must be a non-empty text")]
    problems += [] if paper.abstract.strip() else [error(path, None, "the abstract (the text after the front matter) is empty")]
    return problems + _check_paper(path, paper, key_lines, None)


def _check_paper(path: Path, paper: Paper, lines: dict[str, int], taxonomy: Taxonomy | None) -> list[Problem]:
    """What `atlas build` accepts but a reviewer would not."""
    problems: list[Problem] = []

    def add(key: str, message: str, is_error: bool = True) -> None:
        problems.append((error if is_error else warning)(path, lines.get(key, 1), message))

    if len(paper.title) > MAX_TITLE_CHARS:
        add("title", f"`title` is {len(paper.title)} characters; at most {MAX_TITLE_CHARS}")
    if len(paper.abstract) > MAX_ABSTRACT_CHARS:
        add(store.ABSTRACT_LINE, f"the abstract is {len(paper.abstract):,} characters; at most {MAX_ABSTRACT_CHARS:,}")
    elif len(paper.abstract) < SHORT_ABSTRACT_CHARS:
        add(store.ABSTRACT_LINE, f"the abstract is only {len(paper.abstract)} characters; was it cut off?", is_error=False)
    for key, text, allowed in _texts(paper):
        if (char := control_character(text, allowed)) is not None:
            what = "the abstract" if key == store.ABSTRACT_LINE else f"`{key}`"
            add(key, f"{what} holds the control character U+{ord(char):04X}; remove it or write a space")
    if paper.title_inferred:
        add("title_inferred", "the title was inferred from the abstract: write the paper's real title and "
                              "remove `title_inferred`", is_error=False)
    for name in paper.authors:
        if not name.strip():
            add("authors", "`authors` holds an empty name")
        elif "," in name or " and " in name:
            add("authors", f"`{name}` looks like several names; put each author on a line of its own", is_error=False)
    for key, date in (("date", paper.date), ("added", paper.added)):
        if date is not None and not is_paper_date(date):
            add(key, f"`{key}` {date.isoformat()} is not a paper's date: the atlas takes dates from {FIRST_YEAR} "
                     f"to the end of next year; write the date as YYYY-MM-DD, or leave `{key}` out if it is unknown")
        elif date is not None and is_future(date):
            add(key, f"`{key}` {date.isoformat()} is in the future", is_error=False)
    for key in paper.extra:
        if key not in KNOWN_KEYS:
            add(key, f"unknown key `{key}`{did_you_mean(key, KNOWN_KEYS)}", is_error=False)
    if taxonomy is not None:
        for kind in KINDS:
            for key in (kind, f"mentioned_{kind}", f"not_{kind}"):
                problems += _check_terms(path, lines.get(key, 1), key, kind, paper.extra.get(key), taxonomy)
            problems += _check_overlap(path, lines, kind, paper.extra)
    if "tags" in paper.extra and not _is_list_of_text(paper.extra["tags"]):
        add("tags", "`tags` must be a list of words or short phrases")
    if "notes" in paper.extra and not isinstance(paper.extra["notes"], str):
        add("notes", "`notes` must be a text")
    if "links" in paper.extra:
        for message in _link_problems(paper.extra["links"]):
            add("links", message)
    return problems


def _check_terms(path: Path, line: int, key: str, kind: str, value: Any, taxonomy: Taxonomy) -> list[Problem]:
    if value is None:
        return []
    value = [value] if isinstance(value, str) else value  # one slug may stand alone, as the build reads it
    if not _is_list_of_text(value):
        return [error(path, line, f"`{key}` must be a list of {kind} slugs from content/taxonomy.yml")]
    slugs = [term.slug for term in taxonomy.terms(kind)]
    return [
        error(path, line, f"`{key}` names `{slug}`, which is not one of the {kind} in content/taxonomy.yml"
                          f"{did_you_mean(slug, slugs, _names(taxonomy, kind))}")
        for slug in value
        if taxonomy.find(kind, slug) is None
    ]


def _check_overlap(path: Path, lines: dict[str, int], kind: str, extra: dict[str, Any]) -> list[Problem]:
    """A term may be set central, mentioned or removed, not two of these at once."""
    keys = (kind, f"mentioned_{kind}", f"not_{kind}")
    sets = {key: set(front_matter_slugs(extra.get(key))) for key in keys}
    problems = []
    for index, first in enumerate(keys):
        for second in keys[index + 1 :]:
            for slug in sorted(sets[first] & sets[second]):
                problems.append(error(path, lines.get(second, 1), f"`{slug}` is in both `{first}` and `{second}`; keep it in one"))
    return problems


def _names(taxonomy: Taxonomy, kind: str) -> dict[str, str]:
    """Each term's name and plain aliases, lowercased, -> its slug: "GRPO" and "Group Relative
    Policy Optimization" are both `grpo`."""
    names = {}
    for term in taxonomy.terms(kind):
        names[term.name.lower()] = term.slug
        for phrase in term.phrases:
            if None not in phrase.words:
                names.setdefault(" ".join(phrase.words).lower(), term.slug)
    return names


def _link_problems(links: Any) -> list[str]:
    if not isinstance(links, dict):
        return ["`links` must be a mapping of names to URLs, e.g. `arxiv: '2502.21231'`"]
    problems = []
    for name, value in links.items():
        if name == "arxiv":
            text = str(value).strip()
            if (meant := arxiv_identifier(text)) and meant != text:
                problems.append(f"`links.arxiv` `{value}` is written with characters other than ASCII; write `arxiv: '{meant}'`")
            elif not ARXIV_ID.match(text):
                from_url = _ARXIV_URL.match(text)
                meant = arxiv_identifier(from_url.group(1)) if from_url else None
                hint = f"; write `arxiv: '{meant}'`" if meant else ""
                problems.append(f"`links.arxiv` `{value}` is no arXiv identifier such as '2502.21231'{hint}")
        elif not _is_web_url(value):
            problems.append(f"`links.{name}` `{value}` is no http(s) URL")
    return problems


def _is_web_url(value: Any) -> bool:
    """An http(s) URL with no white space and a dotted host (`https://example.org/...`), checked
    without a regular expression: the obvious one backtracks quadratically on `a.a.a.a...`."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")) or any(c.isspace() for c in value):
        return False
    rest = value.split("://", 1)[1]
    dot = rest.split("/", 1)[0].find(".", 1)
    return dot != -1 and dot < len(rest) - 1


def _duplicates(content: Path, checked: list[Checked]) -> list[Problem]:
    """An error for each checked paper that another paper in content/ already holds: the same
    normalised title or a near-identical abstract, as ingest judges twins."""
    papers, _ = store.load_papers(content)
    by_slug = {paper.slug: number for number, paper in enumerate(papers)}
    index = PaperIndex.of(papers)
    problems = []
    for item in checked:
        if item.paper is None:
            continue
        # Papers with different arXiv ids are different papers, as merge judges them.
        twin = index.twin(item.paper.title, item.paper.abstract, other_than=by_slug.get(item.paper.slug), arxiv=arxiv_id(item.paper))
        if twin is not None:
            number, how = twin
            other = store.paper_path(content, papers[number].slug)
            what = "the same title as" if how == "title" else "a near-identical abstract to"
            problems.append(error(item.path, item.key_lines.get("title", 1), f"duplicate: {what} {other}"))
    return problems


def check_entry(entry: Entry, display: str) -> list[Problem]:
    """What a digest entry says that no paper file may hold (a title, an abstract or a date that
    validate refuses), located at its line of the digest named `display`: ingest refuses it
    there rather than write a file that validate would then refuse."""
    return [error(display, entry.source.line, problem) for problem in entry_problems(entry)]


def _texts(paper: Paper) -> list[tuple[str, str, str]]:
    """(key, text, control characters it may hold) for every text a page shows."""
    texts = [("title", paper.title, ""), *(("authors", name, "") for name in paper.authors), (store.ABSTRACT_LINE, paper.abstract, "\t\n")]
    tags, notes = paper.extra.get("tags"), paper.extra.get("notes")
    texts += [("tags", tag, "") for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []
    texts += [("notes", notes, "\t\n")] if isinstance(notes, str) else []
    texts += [("categories", category, "") for category in paper.categories]
    texts += [(key, value, "") for key, value in (("doi", paper.doi), ("journal_ref", paper.journal_ref),
                                                  ("arxiv_title", paper.arxiv_title)) if value]
    return texts


def _is_list_of_text(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


