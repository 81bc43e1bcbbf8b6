"""Stamp: every paper's page written from one paper page that MkDocs rendered (the shell).

Every paper page is one fragment of the generator's HTML under front matter, laid out by
overrides/paper.html, and papers are not in the navigation: MkDocs would render the same page
around a different title, URL and article 100,000 times, and hold them all in memory until the
end. So MkDocs renders one stand-in paper page whose values are markers (mkdocs_hooks.py gives
it the shell in place of the papers), and each paper's page is that shell with its own values
put where the markers are: byte for byte what MkDocs makes of the page (tests/test_stamped_pages.py).

The last shell of each site folder is kept here, for `atlas serve` to stamp an edited paper's
page again at once, before MkDocs runs (preview.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from mkdocs.utils.meta import get_data

from . import parallel
from .render import FRAGMENT_END, FRAGMENT_START
from .text import SLUG

PAPERS = "papers/"
SHELL_URI = "papers/_shell.md"  # no slug starts with "_", so no paper has this page
SHELL_URL = "papers/_shell/"
_BODY = "ATLASSHELLBODYX"


@dataclass
class Shell:
    markers: dict[str, str]  # front-matter key -> the marker that stands for its value
    fixed: dict  # the other front-matter keys, the same on every paper page
    parts: list[str] | None = None  # the rendered shell cut at its markers: text, marker, text, ...


_last: dict[str, Shell] = {}  # site folder -> the shell its paper pages were last stamped from


def is_paper_page(src_uri: str) -> bool:
    folder, _, name = src_uri.rpartition("/")
    return folder + "/" == PAPERS and name.endswith(".md") and SLUG.match(name[:-3]) is not None


def shell_markdown(source: str) -> tuple[str, Shell]:
    """The shell's page: the paper page at `source` with its front matter's text values
    replaced by markers (every paper's other values must be the same) and a marker for a body."""
    import yaml

    _, meta = page_parts(source)
    varying = [key for key, value in meta.items() if isinstance(value, str) and key != "template"]
    shell = Shell(markers={key: f"ATLASSHELL{number}X" for number, key in enumerate(varying)},
                  fixed={key: value for key, value in meta.items() if key not in varying})
    front = yaml.safe_dump({key: shell.markers.get(key, value) for key, value in meta.items()}, sort_keys=False)
    return f"---\n{front}---\n\n{FRAGMENT_START}\n{_BODY}\n{FRAGMENT_END}\n", shell


def rendered(shell: Shell, html: str) -> Shell:
    """The shell, with the page MkDocs rendered for it cut at its markers."""
    markers = [re.escape(marker) for marker in shell.markers.values()] + [re.escape(_BODY), re.escape(SHELL_URL)]
    shell.parts = re.split(f"({'|'.join(markers)})", html)
    return shell


def stamp(site_dir: str, shell: Shell, pages: list[tuple[str, str, str]], only_outdated: bool = False) -> list[str]:
    """Write each (source URI, source, destination) paper page from `shell`, spread over the
    cores when there are many; with `only_outdated`, those whose source is newer than their page
    (unless the shell changed since the last stamp in `site_dir`). The problems, one line each."""
    if only_outdated and _last.get(site_dir) is not None and _last[site_dir].parts == shell.parts:
        pages = [page for page in pages if _outdated(page[1], page[2])]
    _last[site_dir] = shell
    return parallel.map_slices(_stamp_pages, shell, pages)


def stamp_again(site_dir: str, pages: list[tuple[str, str, str]]) -> list[str]:
    """stamp() with the shell `site_dir` was last stamped from; None when there is none."""
    shell = _last.get(site_dir)
    return None if shell is None else _stamp_pages(shell, pages)


def destination(site_dir: str, src_uri: str) -> str:
    """Where the page of `src_uri` (papers/<slug>.md) goes in `site_dir`, as MkDocs places it
    with directory URLs."""
    return os.path.normpath(os.path.join(site_dir, src_uri[:-len(".md")], "index.html"))


def remove_pages_gone(site_dir: str, pages: set[str]) -> None:
    """Remove the paper pages of `site_dir` that are not in `pages` (destinations)."""
    papers = os.path.join(site_dir, PAPERS)
    for slug in os.listdir(papers) if os.path.isdir(papers) else ():
        page = destination(site_dir, f"{PAPERS}{slug}.md")
        if page not in pages and os.path.isfile(page):
            os.unlink(page)
            if not os.listdir(os.path.dirname(page)):
                os.rmdir(os.path.dirname(page))


def _outdated(source: str, destination: str) -> bool:
    try:
        return os.path.getmtime(destination) < os.path.getmtime(source)
    except OSError:
        return True


def _stamp_pages(shell: Shell, pages: list[tuple[str, str, str]]) -> list[str]:
    by_marker, problems = {marker: key for key, marker in shell.markers.items()}, []
    for src_uri, source, destination in pages:
        body, meta = page_parts(source)
        block, unlike = one_block(body), _unlike(meta, shell)
        if block is None or unlike:
            problems.append(f"{src_uri}: a paper page must be one block of the generator's HTML under front matter "
                            f"like every other paper's ({', '.join(unlike) or 'the body'} differs)")
            continue
        values = {_BODY: collapse_space(block), SHELL_URL: f"{PAPERS}{src_uri[len(PAPERS):-3]}/"}
        values.update((marker, meta[key]) for marker, key in by_marker.items())
        html = "".join(values[part] if number % 2 else part for number, part in enumerate(shell.parts))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        staged = f"{destination}.stamping"
        with open(staged, "w", encoding="utf-8") as output:
            output.write(html)
        os.replace(staged, destination)  # a reader of the preview never sees half a page
    return problems


def _unlike(meta: dict, shell: Shell) -> list[str]:
    """The front-matter keys of a paper page that the shell cannot stand for: a value where the
    shell has a marker that is no text, or one that differs from (or is missing from) the shell's."""
    def fits(key: str) -> bool:
        if key in shell.markers:
            return isinstance(meta.get(key), str)
        return key in meta and key in shell.fixed and meta[key] == shell.fixed[key]

    return sorted(key for key in set(meta) | set(shell.fixed) | set(shell.markers) if not fits(key))


def one_block(body: str) -> str | None:
    """The HTML of a body that is one fragment and nothing else, as the hooks would find it."""
    body = body.strip()
    start, end = FRAGMENT_START + "\n", "\n" + FRAGMENT_END
    if body.startswith(start) and body.endswith(end) and body.find(end) == len(body) - len(end):
        return body[len(start):-len(end)]
    return None


def page_parts(source: str) -> tuple[str, dict]:
    """(Markdown body, front matter) of a page, read as MkDocs reads them."""
    with open(source, encoding="utf-8-sig", errors="strict") as handle:
        return get_data(handle.read())


_KEPT = re.compile(r"<(pre|textarea)\b", re.IGNORECASE)  # white space inside these is the text
_CLOSE = {name: re.compile(f"</{name}>", re.IGNORECASE) for name in ("pre", "textarea")}
_LINE_START = re.compile(r"\n[ \t\n\r\f\v]+")  # ASCII only: a no-break space is text too
_LINE_END = re.compile(r"[ \t\r\f\v]+\n")


def collapse_space(html: str) -> str:
    """Every run of white space that holds a line break, as one line break, outside <pre> and <textarea>."""
    out, position = [], 0
    while kept := _KEPT.search(html, position):
        close = _CLOSE[kept.group(1).lower()].search(html, kept.end())
        end = len(html) if close is None else close.end()
        out += [_collapse(html[position:kept.start()]), html[kept.start():end]]
        position = end
    out.append(_collapse(html[position:]))
    return "".join(out)


def _collapse(text: str) -> str:
    # Two patterns that each begin with a character they need: an optional start would be tried
    # at every position, eight times slower over 100,000 pages.
    if " \n" in text or "\t\n" in text or "\r" in text or "\f" in text or "\v" in text:
        text = _LINE_END.sub("\n", text)
    return _LINE_START.sub("\n", text)
