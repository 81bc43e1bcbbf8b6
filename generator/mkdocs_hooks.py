"""MkDocs hooks (`hooks:` in mkdocs.yml): how the atlas drives MkDocs at 100,000 pages.

1. Finished HTML passes through Markdown untouched. The generator marks the HTML it has already
   built and escaped (paper lists, the body of a paper page) with render.FRAGMENT_START/END.
   Before Markdown runs, each marked block is swapped for a placeholder paragraph; after, the
   placeholder is swapped back. Markdown never parses that HTML, which on large index pages was
   most of the build time. Without this the pages still build correctly, only slower.

2. Paper pages are stamped, not rendered one by one. Every paper page is one fragment under
   front matter, laid out by overrides/paper.html, and papers are not in the navigation: MkDocs
   would render the same page around a different title, URL and article 100,000 times (and
   hold them all in memory until the end). So MkDocs renders one stand-in paper page (the
   shell) whose values are markers; after the build, each paper's page is the shell with its
   own values put where the markers are. tests/test_stamped_pages.py checks that this is byte
   for byte what MkDocs makes of each page. ATLAS_STAMP=0 turns it off.

3. Whitespace between lines is collapsed on every page: Material's templates indent deeply,
   and a run of spaces and newlines renders as one newline would (never inside <pre>).

4. Icons the header shows on every page (the logo, the palette toggles) are painted by one
   stylesheet, assets/stylesheets/atlas-icons.css, made from Material's own icons after the
   build: templates write `{{ "material/menu" | atlas_icon }}` instead of including the SVG.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.utils.meta import get_data

from generator import parallel
from generator.render import FRAGMENT_END, FRAGMENT_START
from generator.text import SLUG

_BLOCK = re.compile(re.escape(FRAGMENT_START) + r"\n(.*?)\n" + re.escape(FRAGMENT_END), re.DOTALL)
_PLACEHOLDER = "ATLASFRAGMENT{}X"
_held: dict[str, list[str]] = {}  # page source path -> its blocks, between the two events

PAPERS = "papers/"
SHELL_URI = "papers/_shell.md"  # no slug starts with "_", so no paper has this page
_SHELL_URL = "papers/_shell/"
_BODY = "ATLASSHELLBODYX"
_stamped: list[File] = []  # the paper pages MkDocs leaves to on_post_build
_shell: dict = {}  # "markers": front-matter key -> its marker; "html": the shell as MkDocs rendered it


def on_files(files, config, **_):
    """Take the paper pages out of MkDocs' hands and give it the shell in their place."""
    papers = [file for file in files.documentation_pages() if is_paper_page(file.src_uri)]
    _stamped.clear()
    _shell.clear()
    if not papers or os.environ.get("ATLAS_STAMP") == "0":
        return files
    _stamped.extend(papers)
    kept = Files([file for file in files if not is_paper_page(file.src_uri)])  # Files.remove() is linear
    kept.append(File.generated(config, SHELL_URI, content=_shell_markdown(papers[0])))
    return kept


def is_paper_page(src_uri: str) -> bool:
    folder, _, name = src_uri.rpartition("/")
    return folder + "/" == PAPERS and name.endswith(".md") and SLUG.match(name[:-3]) is not None


def _shell_markdown(file: File) -> str:
    """A paper page whose text values are markers: the first paper's, with its front matter's
    strings replaced (every paper's other values must be the same) and a marker for a body."""
    import yaml

    _, meta = _page_parts(file)
    varying = [key for key, value in meta.items() if isinstance(value, str) and key != "template"]
    markers = {key: f"ATLASSHELL{number}X" for number, key in enumerate(varying)}
    _shell.update(markers=markers, fixed={key: value for key, value in meta.items() if key not in markers})
    front = yaml.safe_dump({key: markers.get(key, value) for key, value in meta.items()}, sort_keys=False)
    return f"---\n{front}---\n\n{FRAGMENT_START}\n{_BODY}\n{FRAGMENT_END}\n"


ICON_STYLES = "assets/stylesheets/atlas-icons.css"
_icons: dict[str, tuple[str, str]] = {}  # icon name -> (its viewBox, its SVG), as pages used them
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_VIEW_BOX = re.compile(r'\sviewBox="([^"]*)"')


def on_env(env, config, **_):
    """The `atlas_icon` filter: an icon of the theme's set (`.icons/<name>.svg`, read as the
    templates would include it) as an empty <svg> of the icon's shape, painted by one stylesheet."""
    from markupsafe import Markup

    def atlas_icon(name: str) -> Markup:
        if name not in _icons:
            svg = env.loader.get_source(env, f".icons/{name}.svg")[0].strip()
            view_box = _VIEW_BOX.search(_SVG_OPEN.match(svg).group(0))
            _icons[name] = (view_box.group(1) if view_box else "0 0 24 24", svg)
        return Markup(f'<svg class="atlas-icon atlas-icon--{_icon_id(name)}" viewBox="{_icons[name][0]}" aria-hidden="true"></svg>')

    _icons.clear()
    env.filters["atlas_icon"] = atlas_icon
    return env


def _icon_id(name: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", name.lower())


def write_icon_styles(site_dir: str) -> None:
    """The stylesheet that paints every icon the pages used: each its own SVG as a mask, filled
    with the text colour (as Material's inline icons are), sent once for the whole site."""
    from urllib.parse import quote

    rules = [".atlas-icon{background-color:currentcolor;-webkit-mask:var(--atlas-icon) center/contain no-repeat;"
             "mask:var(--atlas-icon) center/contain no-repeat}"]
    for name, (_, svg) in sorted(_icons.items()):
        rules.append(f'.atlas-icon--{_icon_id(name)}{{--atlas-icon:url("data:image/svg+xml,{quote(svg, safe=" =:/")}")}}')
    target = Path(site_dir, ICON_STYLES)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(rules) + "\n", encoding="utf-8")


def on_page_markdown(markdown: str, page, **_) -> str:
    blocks: list[str] = []

    def hold(match: re.Match) -> str:
        blocks.append(match.group(1))
        return "\n\n" + _PLACEHOLDER.format(len(blocks) - 1) + "\n\n"

    markdown = _BLOCK.sub(hold, markdown)
    _held[page.file.src_uri] = blocks
    return markdown


def on_page_content(html: str, page, **_) -> str:
    blocks = _held.pop(page.file.src_uri, [])
    for number, block in enumerate(blocks):
        html = html.replace(f"<p>{_PLACEHOLDER.format(number)}</p>", block, 1)
    return html


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


def on_post_page(output: str, page, **_) -> str:
    output = collapse_space(output)
    if page.file.src_uri == SHELL_URI:
        _shell["html"] = output
    return output


def on_startup(command: str, dirty: bool, **_) -> None:
    _preview["dirty"] = dirty


def on_post_build(config, **_) -> None:
    """Write the icon stylesheet, and every paper's page from the shell, then remove the shell's own.

    In a dirty rebuild (`atlas serve`), MkDocs renders only the pages whose source changed; so
    are only the papers stamped whose source is newer than their page, unless the shell changed,
    and the pages of papers that left are removed."""
    write_icon_styles(config.site_dir)
    if not _stamped:
        return
    site_dir, html = config.site_dir, _shell["html"]
    shell_dir = Path(site_dir, _SHELL_URL)
    for leftover in shell_dir.iterdir():
        leftover.unlink()
    shell_dir.rmdir()
    paths = [(file.src_uri, file.abs_src_path, file.abs_dest_path) for file in _stamped]
    if _preview["dirty"]:
        _remove_pages_of_papers_gone(site_dir, {destination for _, _, destination in paths})
        if _preview.get(site_dir) == html:
            paths = [path for path in paths if _outdated(path[1], path[2])]
        _preview[site_dir] = html
    for problem in parallel.map_slices(_stamp_pages, (_shell_parts(html), _shell["markers"], _shell["fixed"]), paths):
        raise PluginError(problem)


_preview: dict = {"dirty": False}  # site dir -> the shell its paper pages were stamped from, across serve's rebuilds


def _outdated(source: str, destination: str) -> bool:
    try:
        return os.path.getmtime(destination) < os.path.getmtime(source)
    except OSError:
        return True


def _remove_pages_of_papers_gone(site_dir: str, pages: set[str]) -> None:
    papers = os.path.join(site_dir, PAPERS)
    for slug in os.listdir(papers) if os.path.isdir(papers) else ():
        page = os.path.normpath(os.path.join(papers, slug, "index.html"))
        if page not in pages and os.path.isfile(page):
            os.unlink(page)
            if not os.listdir(os.path.dirname(page)):
                os.rmdir(os.path.dirname(page))


def _shell_parts(html: str) -> list[str]:
    """The shell cut at its markers: text, marker, text, marker, ..., text."""
    markers = [re.escape(marker) for marker in _shell["markers"].values()] + [re.escape(_BODY), re.escape(_SHELL_URL)]
    return re.split(f"({'|'.join(markers)})", html)


def _stamp_pages(context: tuple, paths: list[tuple[str, str, str]]) -> list[str]:
    """Write the page of each (source URI, source, destination); the problems, one line each."""
    parts, markers, fixed = context
    by_marker, unlike_any = {marker: key for key, marker in markers.items()}, object()
    problems = []
    for src_uri, source, destination in paths:
        body, meta = _page_parts_at(source)
        block = _one_block(body)
        unlike = sorted(key for key in set(meta) | set(fixed) | set(markers)
                        if not (isinstance(meta.get(key), str) if key in markers else meta.get(key, unlike_any) == fixed.get(key)))
        if block is None or unlike:
            problems.append(f"{src_uri}: a paper page must be one block of the generator's HTML under front matter "
                            f"like every other paper's ({', '.join(unlike) or 'the body'} differs)")
            continue
        values = {_BODY: collapse_space(block), _SHELL_URL: f"{PAPERS}{src_uri[len(PAPERS):-3]}/"}
        values.update((marker, meta[key]) for marker, key in by_marker.items())
        html = "".join(values[part] if number % 2 else part for number, part in enumerate(parts))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with open(destination, "w", encoding="utf-8") as output:
            output.write(html)
    return problems


def _one_block(body: str) -> str | None:
    """The HTML of a body that is one fragment and nothing else, as on_page_markdown would find it."""
    body = body.strip()
    start, end = FRAGMENT_START + "\n", "\n" + FRAGMENT_END
    if body.startswith(start) and body.endswith(end) and body.find(end) == len(body) - len(end):
        return body[len(start):-len(end)]
    return None


def _page_parts(file: File) -> tuple[str, dict]:
    return _page_parts_at(file.abs_src_path)


def _page_parts_at(source: str) -> tuple[str, dict]:
    """(Markdown body, front matter) of a page, read as MkDocs reads them."""
    with open(source, encoding="utf-8-sig", errors="strict") as handle:
        return get_data(handle.read())
