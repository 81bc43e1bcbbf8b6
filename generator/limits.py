"""What a paper of the atlas may hold, whoever brings it: the limits that ingest, fetch, enrich
and validate apply alike, the form of an arXiv identifier, and the day the atlas calls today."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata

from .model import Entry

MAX_TITLE_CHARS = 300
MAX_ABSTRACT_CHARS = 10_000  # arXiv allows 1,920
FIRST_YEAR = 1990  # before the web's preprints; an earlier date is a typing mistake
# New style (2502.21231) or old (hep-th/9901001), with an optional version. ASCII digits only:
# `\d` would also take Arabic-Indic or fullwidth digits, and so a second id for the same paper.
ARXIV_ID = re.compile(r"^([0-9]{4}\.[0-9]{4,5}|[a-z-]+(\.[A-Z]{2})?/[0-9]{7})(v[0-9]+)?$")


def today() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day when it is set (the reproducible-builds convention,
    which also pins the date in tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def is_paper_date(date: dt.date) -> bool:
    """Whether a paper can bear this date: from FIRST_YEAR to the end of next year."""
    return FIRST_YEAR <= date.year <= today().year + 1


def is_future(date: dt.date) -> bool:
    """Whether a date lies beyond tomorrow (a day of slack for time zones)."""
    return date > today() + dt.timedelta(days=1)


def arxiv_identifier(text: str) -> str | None:
    """`text` as an arXiv identifier in ASCII, or None when it is none. Compatibility forms
    (fullwidth digits, say) are normalised (NFKC) to the same identifier; digits of other
    scripts stay what they are, and so are refused."""
    normal = unicodedata.normalize("NFKC", text.strip())
    return normal if ARXIV_ID.match(normal) else None


def bare_arxiv_identifier(text: str) -> str | None:
    """arxiv_identifier() without the version arXiv adds (`2502.21231v2` -> `2502.21231`)."""
    normal = arxiv_identifier(text)
    return re.sub(r"v[0-9]+$", "", normal) if normal else None


def entry_problems(entry: Entry) -> list[str]:
    """Why no paper file may hold what this entry says (empty when it may)."""
    problems = []
    if not entry.abstract.strip():
        problems.append("the abstract is empty once control characters are taken out")
    if entry.title and len(entry.title) > MAX_TITLE_CHARS:
        problems.append(f"the title is {len(entry.title):,} characters; a paper's title has at most {MAX_TITLE_CHARS}")
    if len(entry.abstract) > MAX_ABSTRACT_CHARS:
        problems.append(f"the abstract is {len(entry.abstract):,} characters; at most {MAX_ABSTRACT_CHARS:,} "
                        "(is this several abstracts run together?)")
    if entry.date is not None and not is_paper_date(entry.date):
        problems.append(f"the date {entry.date.isoformat()} is not a paper's date: the atlas takes dates "
                        f"from {FIRST_YEAR} to the end of next year")
    return problems
