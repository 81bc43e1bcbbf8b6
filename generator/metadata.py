"""What tools read from a page's <head>: a description, Highwire Press tags and one JSON-LD item.

Zotero's Embedded Metadata translator and Google Scholar read Highwire Press tags
(`citation_title`, one `citation_author` per author, ...), as arXiv's own pages carry them;
search engines read a schema.org `ScholarlyArticle` in JSON-LD; link previews (Slack, Mastodon,
X) read the description and the Open Graph tags, which the theme prints from the front matter
(overrides/partials/social.html). Every value is contributed text: attributes are escaped, and
the JSON-LD cannot end its <script> (`<`, `>` and `&` are written as `\\u003c`, `\\u003e`, `\\u0026`).
"""

from __future__ import annotations

import html
import json
import re

from markupsafe import Markup

from . import cite
from .mathml import plain_text
from .model import Paper
from .safe_html import one_line

DESCRIPTION_LENGTH = 160  # what search engines and link previews show of a description
_SPACE = re.compile(r"\s+")


def description(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """The opening of `text` as plain text, cut at a word with "…" when longer than `length`."""
    text = _SPACE.sub(" ", plain_text(text)).strip()
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[:cut if cut > length // 2 else length - 1].rstrip(" ,;:.") + "…"


def paper_head(paper: Paper, keywords: list[str], url: str) -> Markup:
    """A paper's Highwire Press tags and its JSON-LD ScholarlyArticle; `url` is its page's
    absolute address, or "" when the site's is not known."""
    identifier, title = cite.arxiv_id(paper), plain_text(paper.title)
    tags = [("citation_title", title), *(("citation_author", author) for author in paper.authors)]
    if paper.date:
        day = paper.date.strftime("%Y/%m/%d")
        tags += [("citation_publication_date", day), ("citation_date", day), ("citation_online_date", day)]
    if identifier:
        tags += [("citation_arxiv_id", identifier), ("citation_pdf_url", f"https://arxiv.org/pdf/{identifier}"),
                 ("citation_abstract_html_url", f"https://arxiv.org/abs/{identifier}")]
    if paper.doi:
        tags.append(("citation_doi", paper.doi))
    if keywords:
        tags.append(("citation_keywords", "; ".join(keywords)))
    if paper.date:
        tags.append(("article:published_time", paper.date.isoformat()))
    lines = [f'<meta {"property" if name.startswith("article:") else "name"}="{name}" content="{_attribute(value)}">'
             for name, value in tags]
    lines.append(f'<script type="application/ld+json">{script_json(scholarly_article(paper, keywords, url))}</script>')
    return Markup("\n".join(lines))


def scholarly_article(paper: Paper, keywords: list[str], url: str) -> dict:
    """The paper as a schema.org ScholarlyArticle (without its abstract: the page is its abstract)."""
    identifier = cite.arxiv_id(paper)
    article: dict = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "headline": plain_text(paper.title)}
    if paper.authors:
        article["author"] = [{"@type": "Person", "name": author} for author in paper.authors]
    if paper.date:
        article["datePublished"] = paper.date.isoformat()
    if identifier:
        article["identifier"] = identifier
    same_as = [f"https://arxiv.org/abs/{identifier}"] if identifier else []
    same_as += [f"https://doi.org/{paper.doi}"] if paper.doi else []
    if same_as:
        article["sameAs"] = same_as
    if keywords:
        article["keywords"] = keywords
    if url:
        article["url"] = url
    return article


def script_json(value: object) -> str:
    """JSON that an HTML <script> element holds as it is: no `</script>` or `<!--` can form."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _attribute(value: str) -> str:
    # Control characters would break the front matter's line or the attribute's meaning.
    return html.escape(one_line(value), quote=True)
