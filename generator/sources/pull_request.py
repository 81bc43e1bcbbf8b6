"""The body of the scheduled update's pull request: the papers it adds, with their arXiv ids, their
code (from Hugging Face, by `atlas enrich`) and the methods the atlas found in them, and the
entries it skipped, for a maintainer to review.

    python -m generator.sources.pull_request [--content DIR] [--skipped FILE] content/papers/new-paper.md ...

The body is inert: titles and reasons come from arXiv, and a GitHub comment would turn
`@someone` into a notification, `#12` or `owner/repo#12` into a cross-reference, a URL into a
link and `$x$` into math. Such text is shown only inside code spans, where GitHub does none of
that, with bidirectional-control characters taken out.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from .. import files
from ..cite import arxiv_id, link
from ..classify import classify
from ..limits import arxiv_identifier
from ..store import read_paper
from ..taxonomy import load_taxonomy

MAX_SKIPPED_BYTES = 1_000_000
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PLAIN_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/-]*)?$")


def body(content: Path, paths: list[Path], skipped: list[dict] = ()) -> str:
    """Markdown: a table of the papers in `paths` (title, arXiv id, methods used and only
    discussed), then the entries `atlas fetch --skipped` listed, if any."""
    rows = _paper_rows(content, paths)
    text = (f"The scheduled update found {len(rows)} new paper(s) on arXiv (the queries in `content/sources.yml`).\n\n"
            "Review each as a contributor's paper: is it on topic (`atlas remove SLUG --reason ...` if not), "
            "are its methods right? `atlas classify SLUG` shows the sentence behind each; fix one with `methods:`, "
            "`mentioned_methods:` or `not_methods:` in its file.\n\n"
            "| Title | arXiv | Code | Methods used | Also discusses |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n")
    if skipped:
        text += ("\n### Skipped\n\nThese entries arXiv sent cannot become papers, and were left out; the others went in.\n\n"
                 "| arXiv | Query | Why |\n|---|---|---|\n"
                 + "\n".join(f"| {_arxiv_link(str(item.get('arxiv') or ''))} | {_code(str(item.get('query', '')))} "
                             f"| {_code(str(item.get('reason', '')))} |" for item in skipped) + "\n")
    return text


def _paper_rows(content: Path, paths: list[Path]) -> list[str]:
    taxonomy, _ = load_taxonomy(content / "taxonomy.yml")
    rows = []
    for path in sorted(paths):
        paper, problems = read_paper(path)
        if paper is None:
            rows.append(f"| {_code(path.name)} | | | could not be read: {_code(str(problems[0]))} | |")
            continue
        used = discussed = ""
        if taxonomy is not None:
            found = classify(paper, taxonomy)
            used, discussed = (", ".join(taxonomy.find("methods", a.slug).name for a in assigned)
                               for assigned in (found.methods, found.mentioned_methods))
        rows.append(f"| {_code(paper.title)} | {_arxiv_link(arxiv_id(paper) or '')} | {_code_link(link(paper, 'code'))} "
                    f"| {_cell(used) or 'none found'} | {_cell(discussed)} |")
    return rows


def _arxiv_link(identifier: str) -> str:
    """A link to the paper on arXiv when `identifier` is one (ASCII, checked), else inert text."""
    normal = arxiv_identifier(identifier)
    return f"[{normal}](https://arxiv.org/abs/{normal})" if normal else (_code(identifier) or "no id")


def _code_link(url: str | None) -> str:
    """A link to the paper's code when its address is plainly one (https, a host, a path of
    ordinary characters), else the address as inert text; nothing when there is none."""
    if url is None:
        return ""
    return f"[code]({url})" if _PLAIN_URL.match(url) else _code(url)


def _code(text: str) -> str:
    """Untrusted text as one code span that stays in its table cell: one line, no
    bidirectional controls, pipes escaped (GitHub's tables unescape them inside code too), and
    a fence longer than any run of backticks in the text."""
    text = " ".join("".join(c for c in _BIDI.sub("", text) if c.isprintable() or c.isspace()).split()).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    """Reviewed text (the taxonomy's names) that stays one table cell and no markup."""
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("`", "\\`"), ("[", "\\["), ("]", "\\]")):
        text = text.replace(char, escaped)
    return " ".join(text.split())


def read_skipped(path: Path) -> list[dict]:
    """The entries `atlas fetch --skipped FILE` wrote, one JSON object a line."""
    lines = files.read_capped(path, MAX_SKIPPED_BYTES, "list of skipped entries").decode("utf-8").splitlines()
    return [item for line in lines if line.strip() and isinstance(item := json.loads(line), dict)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m generator.sources.pull_request", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--content", type=Path, default=Path("content"))
    parser.add_argument("--skipped", type=Path, help="the file `atlas fetch --skipped FILE` wrote")
    args = parser.parse_args(argv)
    print(body(args.content, args.paths, read_skipped(args.skipped) if args.skipped else []), end="")


if __name__ == "__main__":
    main()
