"""MkDocs hooks (`hooks:` in mkdocs.yml): how the atlas drives MkDocs at 100,000 pages.

1. Finished HTML passes through Markdown untouched. The generator marks the HTML it has already
   built and escaped (paper lists, the body of a paper page) with render.FRAGMENT_START/END.
   Before Markdown runs, each marked block is swapped for a placeholder paragraph; after, the
   placeholder is swapped back. Markdown never parses that HTML, which on large index pages was
   most of the build time. Without this the pages still build correctly, only slower.

2. Paper pages are stamped, not rendered one by one (generator/stamp.py says why and how):
   the paper pages are taken out of MkDocs' hands, it renders the shell in their place, and
   after the build every paper's page is written from it. ATLAS_STAMP=0 turns it off.

3. Whitespace between lines is collapsed on every page: Material's templates indent deeply,
   and a run of spaces and newlines renders as one newline would (never inside <pre>).

4. Icons the header shows on every page (the logo, the palette toggles) are painted by one
   stylesheet, assets/stylesheets/atlas-icons.css, made from Material's own icons after the
   build: templates write `{{ "material/menu" | atlas_icon }}` instead of including the SVG.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from generator import stamp
from generator.render import FRAGMENT_END, FRAGMENT_START
from generator.stamp import SHELL_URI, SHELL_URL, collapse_space, is_paper_page

_BLOCK = re.compile(re.escape(FRAGMENT_START) + r"\n(.*?)\n" + re.escape(FRAGMENT_END), re.DOTALL)
_PLACEHOLDER = "ATLASFRAGMENT{}X"
_GENERATOR_META = re.compile(r'<meta name="generator" content="[^"]*">\n?')
_held: dict[str, list[str]] = {}  # page source path -> its blocks, between the two events

_stamped: list[File] = []  # the paper pages MkDocs leaves to on_post_build
_shell: dict = {}  # "shell": the stamp.Shell of this build; "html": the shell's page as MkDocs rendered it
_build = {"dirty": False}  # whether MkDocs rebuilds only what changed (`atlas serve`)


def on_files(files, config, **_):
    """Take the paper pages out of MkDocs' hands and give it the shell in their place."""
    papers = [file for file in files.documentation_pages() if is_paper_page(file.src_uri)]
    _stamped.clear()
    _shell.clear()
    if not papers or os.environ.get("ATLAS_STAMP") == "0":
        return files
    _stamped.extend(papers)
    taken = set(map(id, papers))
    kept = Files([file for file in files if id(file) not in taken])  # Files.remove() is linear
    markdown, _shell["shell"] = stamp.shell_markdown(papers[0].abs_src_path)
    kept.append(File.generated(config, SHELL_URI, content=markdown))
    return kept


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

    if not _build["dirty"]:  # a dirty rebuild renders some pages only: the icons of the others stay
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


PALETTE_SCRIPT = "assets/javascripts/atlas-palette.js"
BASE_SCRIPT = "assets/javascripts/atlas-base.js"
# In Material's base script, the site's root as the page prints it; from a file, it is the
# folder two levels above the file itself (assets/javascripts/).
_PRINTED_SCOPE = '"{{ config.extra.scope | d(base_url) }}",location'
_FILE_SCOPE = '"../..",document.currentScript.src'


def write_material_scripts(site_dir: str, scope: str | None) -> None:
    """Material's base and palette scripts, taken from the installed theme's partials (which
    overrides/ replaces with links to these files), so that every page links them instead of
    carrying them. `scope` is the configuration's `extra.scope`, if any."""
    base = _material_script("base.html")
    if _PRINTED_SCOPE not in base:
        raise PluginError(f"Material's base script no longer reads {_PRINTED_SCOPE}: update generator/mkdocs_hooks.py")
    scope_text = f"{json.dumps(scope)},location" if scope else _FILE_SCOPE
    for path, script in ((BASE_SCRIPT, base.replace(_PRINTED_SCOPE, scope_text)), (PALETTE_SCRIPT, _material_script("palette.html"))):
        target = Path(site_dir, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(script + "\n", encoding="utf-8")


def _material_script(partial: str) -> str:
    import material

    path = Path(material.__file__).parent / "templates" / "partials" / "javascripts" / partial
    script = re.search(r"<script>(.*?)</script>", path.read_text(encoding="utf-8"), re.DOTALL)
    if script is None:
        raise PluginError(f"{path}: no <script> found; overrides/partials/javascripts/{partial} needs updating")
    return script.group(1).strip()


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
    # MkDocs reads and converts every page before it writes any, and keeps each page's source
    # to the end: nothing needs it once converted (no search plugin), and at 100,000 papers the
    # list pages' sources are hundreds of megabytes. ("", not None: None reads as "not read yet",
    # and the page would lose its title.)
    page.markdown = ""
    return html


def on_post_page(output: str, page, **_) -> str:
    page.content = None  # written out once this returns; the converted page is not needed again either
    output = collapse_space(output)
    if page.file.src_uri == SHELL_URI or is_paper_page(page.file.src_uri):
        output = _GENERATOR_META.sub("", output, count=1)  # the home page says what made the site; 100,000 pages need not
    if page.file.src_uri == SHELL_URI:
        _shell["html"] = output
    return output


def on_startup(command: str, dirty: bool, **_) -> None:
    _build["dirty"] = dirty


def on_post_build(config, **_) -> None:
    """Write the icon stylesheet and Material's scripts, and every paper's page from the shell, then remove the shell's own.

    In a dirty rebuild (`atlas serve`), MkDocs renders only the pages whose source changed; so
    are only the papers stamped whose source is newer than their page (unless the shell
    changed), and the pages of papers that left are removed."""
    write_icon_styles(config.site_dir)
    write_material_scripts(config.site_dir, (config.extra or {}).get("scope"))
    if not _stamped:
        return
    site_dir = config.site_dir
    shell_dir = Path(site_dir, SHELL_URL)
    for leftover in shell_dir.iterdir():
        leftover.unlink()
    shell_dir.rmdir()
    pages = [(file.src_uri, file.abs_src_path, file.abs_dest_path) for file in _stamped]
    if _build["dirty"]:
        stamp.remove_pages_gone(site_dir, {destination for _, _, destination in pages})
    shell = stamp.rendered(_shell["shell"], _shell["html"])
    for problem in stamp.stamp(site_dir, shell, pages, only_outdated=_build["dirty"]):
        raise PluginError(problem)
