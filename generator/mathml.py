"""Abstracts to safe HTML: text escaped, `$...$` LaTeX rendered to MathML on the server.

latex2mathml does the conversion but copies some input through unescaped (`\\text{<img ...>}`)
and turns `\\href{javascript:...}` into an attribute, so its output is rebuilt from an
allowlist of MathML elements and attributes: tags not on the list are dropped, all text is
escaped for HTML and Markdown alike (safe_html). No script runs in the reader's browser to show math.
"""

from __future__ import annotations

import functools
import html
import re
from html.parser import HTMLParser

from latex2mathml.converter import convert
from markupsafe import Markup

from .safe_html import escape_text

# Inline math: `$...$` on one line, not starting or ending with a space ("$5 and $10" stays text).
_MATH = re.compile(r"\$(?=\S)([^$\n]{1,400}?)(?<=[^\s\\])\$")
_TEXT_ESCAPES = {r"\%": "%", r"\&": "&", r"\_": "_", r"\#": "#", "``": "\u201c", "''": "\u201d", "~": "\u00a0"}
_TEXT_ESCAPE = re.compile("|".join(re.escape(key) for key in _TEXT_ESCAPES))

_ELEMENTS = frozenset(
    "math semantics annotation mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mstyle "
    "mover munder munderover mtable mtr mtd mpadded mphantom menclose merror mmultiscripts mprescripts none "
    "mfenced".split()
)
_ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence separator lspace rspace accent accentunder columnalign rowalign "
    "columnspacing rowspacing columnlines rowlines frame width height depth linethickness notation minsize "
    "maxsize movablelimits largeop symmetric form scriptlevel displaystyle open close separators mathsize "
    "encoding".split()
)


def abstract_html(abstract: str) -> Markup:
    """The abstract as HTML paragraphs, with its inline LaTeX as MathML."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", abstract) if part.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(text_html(part)) for part in paragraphs)


@functools.lru_cache(maxsize=65536)  # titles appear on many pages
def text_html(text: str) -> Markup:
    """One run of text, escaped, with each `$...$` span rendered as math."""
    pieces, position = [], 0
    for match in _MATH.finditer(text):
        pieces.append(escape_text(_plain_text(text[position : match.start()])))
        pieces.append(latex_to_mathml(match.group(1)))
        position = match.end()
    pieces.append(escape_text(_plain_text(text[position:])))
    return Markup("").join(pieces)


@functools.lru_cache(maxsize=65536)
def plain_text(text: str) -> str:
    """Text with its `$...$` math as the characters MathML would show: "$Q\\sharp$" is "Q♯"."""
    return _MATH.sub(lambda m: html.unescape(re.sub(r"<[^>]*>", "", latex_to_mathml(m.group(1)))), _plain_text(text))


@functools.lru_cache(maxsize=65536)  # the same symbols recur across abstracts
def latex_to_mathml(latex: str) -> Markup:
    """Inline MathML for one LaTeX expression; the escaped source in <code> if it cannot be parsed."""
    try:
        converted = convert(latex)
    except Exception:  # latex2mathml raises many kinds of errors on malformed input
        return Markup(f'<code class="atlas-latex">{escape_text(latex)}</code>')
    return _Sanitizer.clean(converted)


def _plain_text(text: str) -> str:
    """LaTeX text-mode escapes that abstracts carry (`0.02\\%`, ``quotes''), as plain characters."""
    return _TEXT_ESCAPE.sub(lambda m: _TEXT_ESCAPES[m.group(0)], text)


class _Sanitizer(HTMLParser):
    """Rebuilds markup keeping only allowlisted MathML elements and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    @classmethod
    def clean(cls, markup: str) -> Markup:
        sanitizer = cls()
        sanitizer.feed(markup)
        sanitizer.close()
        return Markup("".join(sanitizer.out))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ELEMENTS:
            return
        kept = "".join(f' {name}="{escape_text(value or "")}"' for name, value in attrs if name in _ATTRIBUTES)
        self.out.append(f"<{tag}{kept}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape_text(data))
