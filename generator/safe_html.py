"""Contributed text as HTML that stays text, whether or not Markdown parses it afterwards.

MkDocs runs Python-Markdown over every page after the generator has written it, so escaping
for HTML alone is not enough: `x {: onfocus=... }` becomes an attribute (attr_list),
`[x](javascript:...)` a link, and a blank line ends a raw HTML block, after which anything is
Markdown again. escape_text() writes every character that HTML or Markdown could read as
syntax as a character reference, and every line break as a space, so the text reaches the
reader exactly as typed and can never form markup.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# `&` first and `#` second: every later reference holds both. Then HTML's other four, then
# Markdown's punctuation (links, images, attribute lists, emphasis, code spans, escapes).
# Letters, digits, spaces and the rest pass as they are. str.replace, pass by pass, is several
# times faster than str.translate here (every page prints hundreds of values).
_REPLACEMENTS = (("&", "&amp;"), ("#", "&#35;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"),
                 *((char, f"&#{ord(char)};") for char in "[](){}*_`\\!"))
# Line breaks and other control characters would end a Markdown block or break a YAML value.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def escape_text(text: object) -> Markup:
    """`text` as HTML that shows its characters and that Markdown cannot turn into markup."""
    if isinstance(text, Markup):
        return text
    return Markup(_replaced(one_line(str(text))))


def one_line(text: str) -> str:
    """`text` with each line break or other control character as a space."""
    if text.isprintable():  # in C, and true of nearly every value: the pattern is rarely needed
        return text
    return _CONTROL.sub(" ", text)


def escape_lines(text: str) -> Markup:
    """escape_text() for preformatted text inside finished HTML: line breaks are kept."""
    return Markup(_replaced(_CONTROL_BUT_LINE_BREAKS.sub(" ", text)))


def _replaced(text: str) -> str:
    for char, reference in _REPLACEMENTS:
        if char in text:
            text = text.replace(char, reference)
    return text
