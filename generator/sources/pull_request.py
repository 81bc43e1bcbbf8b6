"""The body of the scheduled update's pull request: the papers it adds, with their arXiv ids
and the methods the atlas found in them, for a maintainer to review.

    python -m generator.sources.pull_request [--content DIR] content/papers/new-paper.md ...
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cite import arxiv_id
from ..classify import classify
from ..store import read_paper
from ..taxonomy import load_taxonomy


def body(content: Path, paths: list[Path]) -> str:
    """Markdown: a table of the papers in `paths` (title, arXiv id, methods used and only discussed)."""
    taxonomy, _ = load_taxonomy(content / "taxonomy.yml")
    rows = []
    for path in sorted(paths):
        paper, problems = read_paper(path)
        if paper is None:
            rows.append(f"| `{_cell(path.name)}` | | could not be read: {_cell(str(problems[0]))} | |")
            continue
        used = discussed = ""
        if taxonomy is not None:
            found = classify(paper, taxonomy)
            used, discussed = (", ".join(taxonomy.find("methods", a.slug).name for a in assigned)
                               for assigned in (found.methods, found.mentioned_methods))
        identifier = arxiv_id(paper)
        link = f"[{identifier}](https://arxiv.org/abs/{identifier})" if identifier else "no id"
        rows.append(f"| {_cell(paper.title)} | {link} | {_cell(used) or 'none found'} | {_cell(discussed)} |")
    return (f"The scheduled update found {len(rows)} new paper(s) on arXiv (the queries in `content/sources.yml`).\n\n"
            "Review each as a contributor's paper: is it on topic (`atlas remove SLUG --reason ...` if not), "
            "are its methods right? `atlas classify SLUG` shows the sentence behind each; fix one with `methods:`, "
            "`mentioned_methods:` or `not_methods:` in its file.\n\n"
            "| Title | arXiv | Methods used | Also discusses |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")


def _cell(text: str) -> str:
    """Text that stays one table cell and no markup: pipes, angle brackets, backticks escaped."""
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("`", "\\`"), ("[", "\\["), ("]", "\\]")):
        text = text.replace(char, escaped)
    return " ".join(text.split())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m generator.sources.pull_request", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--content", type=Path, default=Path("content"))
    args = parser.parse_args(argv)
    print(body(args.content, args.paths), end="")


if __name__ == "__main__":
    main()
