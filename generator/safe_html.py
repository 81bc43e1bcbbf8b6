"""Contributed text as HTML that stays text, whether or not Markdown parses it afterwards.

MkDocs runs Python-Markdown over every page after the generator has written it, so escaping
for HTML alone is not enough: `x {: onfocus=... }` becomes an attribute (attr_list),
`[x](javascript:...)` a link, and a blank line ends a raw HTML block, after which anything is
Markdown again. escape_text() writes every character that HTML or Markdown could read as
syntax as a character reference, and every line break as a space, so the text reaches the
reader exactly as typed and can never form markup.
"""

from __future__ import annotations

from markupsafe import Markup

# HTML's five, then Markdown's punctuation (links, images, attribute lists, emphasis, code
# spans, escapes, heading closers). Letters, digits, spaces and the rest pass as they are.
_SYNTAX = '&<>"\'[](){}*_`\\!#'
_ESCAPES = {ord(char): f"&#{ord(char)};" for char in _SYNTAX}
_ESCAPES.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
# Line breaks and other control characters would end a Markdown block or break a YAML value.
_ESCAPES.update({code: " " for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029]})


_KEEPING_LINES = {**_ESCAPES, ord("\n"): "\n"}


def escape_text(text: object) -> Markup:
    """`text` as HTML that shows its characters and that Markdown cannot turn into markup."""
    if isinstance(text, Markup):
        return text
    return Markup(str(text).translate(_ESCAPES))


def escape_lines(text: str) -> Markup:
    """escape_text() for preformatted text inside finished HTML: line breaks are kept."""
    return Markup(text.translate(_KEEPING_LINES))
