"""MkDocs hooks (`hooks:` in mkdocs.yml): let finished HTML through Markdown untouched.

The generator marks the HTML it has already built and escaped (paper lists, the body of a paper
page) with render.FRAGMENT_START/END. Before Markdown runs, each marked block is swapped for a
placeholder paragraph; after, the placeholder is swapped back. Markdown then never parses that
HTML, which on large index pages was most of the build time. Without this hook the pages still
build correctly (the blocks are valid raw HTML), only slower.
"""

from __future__ import annotations

import re

from generator.render import FRAGMENT_END, FRAGMENT_START

_BLOCK = re.compile(re.escape(FRAGMENT_START) + r"\n(.*?)\n" + re.escape(FRAGMENT_END), re.DOTALL)
_PLACEHOLDER = "ATLASFRAGMENT{}X"
_held: dict[str, list[str]] = {}  # page source path -> its blocks, between the two events


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
