"""How to cite and find a paper: its BibTeX entry and citation key, and links to arXiv and Semantic Scholar.
(A paper page's RIS and CSL-JSON files are made in the browser from its JSON-LD: atlas-cite.js.)"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, quote_plus

from .limits import ARXIV_ID
from .model import Paper

_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_KEY_STOPWORDS = {"a", "an", "the", "on", "of", "for", "to", "in", "and", "with", "via", "from", "is", "are", "your"}


def arxiv_id(paper: Paper) -> str | None:
    """The paper's arXiv identifier from `links.arxiv`, if it is a valid one."""
    links = paper.extra.get("links")
    value = str(links.get("arxiv", "")).strip() if isinstance(links, dict) else ""
    return value if ARXIV_ID.match(value) else None


def link(paper: Paper, name: str) -> str | None:
    """The paper's `links.<name>` when it is an http(s) address (`code`, `project`, ...)."""
    links = paper.extra.get("links")
    value = links.get(name) if isinstance(links, dict) else None
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def headline_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) pairs shown under a paper's title: its arXiv page and PDF, code and project page, when known."""
    identifier = arxiv_id(paper)
    found = [("arXiv", f"https://arxiv.org/abs/{identifier}"), ("PDF", f"https://arxiv.org/pdf/{identifier}")] if identifier else []
    found += [(label, url) for label, name in (("Code", "code"), ("Project page", "project")) if (url := link(paper, name))]
    return found


def find_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) pairs of the "Read it" list, besides headline_links(): searches by title when
    the arXiv id is unknown, the DOI, Semantic Scholar, and the paper's other http(s) links."""
    found = []
    if not arxiv_id(paper):
        found.append(("Search arXiv by title", f"https://arxiv.org/search/?query={quote_plus(paper.title)}&searchtype=title"))
    if paper.doi:
        found.append((f"DOI {paper.doi}", f"https://doi.org/{quote(paper.doi, safe='/')}"))
    found.append(("Search Semantic Scholar", f"https://www.semanticscholar.org/search?q={quote_plus(paper.title)}"))
    links = paper.extra.get("links")
    for label, url in sorted(links.items()) if isinstance(links, dict) else []:
        if label not in ("arxiv", "code", "project") and link(paper, label):
            found.append((str(label), url))
    return found


def bibtex(paper: Paper, key: str | None = None) -> str:
    """A BibTeX entry for the paper: @article with eprint when on arXiv, else @misc. `key` is
    the paper's citation key, when the caller has worked it out already."""
    identifier = arxiv_id(paper)
    fields = [("title", "{" + _braced(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_braced(_last_first(name)) for name in paper.authors)))
    if paper.date:
        fields += [("year", str(paper.date.year)), ("month", _MONTHS[paper.date.month - 1])]
    if identifier:
        fields += [
            ("journal", f"arXiv preprint arXiv:{identifier}"),
            ("eprint", identifier),
            ("archivePrefix", "arXiv"),
            *([("primaryClass", _braced(paper.categories[0]))] if paper.categories else []),
            ("url", f"https://arxiv.org/abs/{identifier}"),
        ]
    if paper.doi:
        fields.append(("doi", _braced(paper.doi)))
    lines = [f"@{'article' if identifier else 'misc'}{{{key or citation_key(paper)},"]
    width = max(len(name) for name, _ in fields)
    for name, value in fields:
        shown = value if name == "month" else "{" + value + "}"
        lines.append(f"  {name.ljust(width)} = {shown},")
    return "\n".join(lines) + "\n}"


def citation_key(paper: Paper) -> str:
    """firstauthor + year + first significant title word, such as zhou2025qsharp."""
    author = _ascii(paper.authors[0].split()[-1]) if paper.authors else "anon"
    words = (_ascii(word) for word in re.split(r"[^\w]+", paper.title.replace("\\", " ")))
    word = next((w for w in words if w and w not in _KEY_STOPWORDS), "paper")
    return f"{author or 'anon'}{paper.date.year if paper.date else ''}{word}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def _last_first(name: str) -> str:
    parts = name.split()
    return name if len(parts) < 2 else f"{parts[-1]}, {' '.join(parts[:-1])}"


def _braced(text: str) -> str:
    """Text safe inside a BibTeX {...} value: special characters escaped, braces balanced."""
    if not any(char in text for char in "%&#{}"):
        return text  # most titles and names: nothing to escape
    text = re.sub(r"(?<!\\)([%&#])", r"\\\1", text)
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        text = re.sub(r"(?<!\\)([{}])", r"\\\1", text)
    return text
