"""Reading digests: format detection, each parser on the real digests and on tricky snippets."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ABSTRACTS, ARXIV, HF_DAILY

from generator.formats import read_digest


def parse(path, fmt="auto"):
    return read_digest(path, str(path), fmt)


def messages(digest) -> list[str]:
    return [str(p) for p in digest.problems]


# --- the real digests -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt", "count"),
    [(ARXIV, "arxiv-digest", 30), (HF_DAILY, "hf-daily", 64), (ABSTRACTS, "abstracts", 30)],
)
def test_each_real_digest_is_detected_and_parsed_completely(path, fmt, count):
    digest = parse(path)
    assert digest.problems == ()
    assert digest.format == fmt
    assert len(digest.entries) == count


def test_arxiv_digest_keeps_unicode_authors_paper_date_and_digest_date():
    entry = next(e for e in parse(ARXIV).entries if e.title.startswith("When Personalization"))
    assert entry.title == "When Personalization Meets Reality: A Multi-Faceted Analysis of Personalized Preference Learning"
    assert entry.authors == ("Yijiang River Dong", "Tiancheng Hu", "Yinhong Liu", "Ahmet Üstün", "Nigel Collier")
    assert entry.date == dt.date(2025, 2, 26)
    assert entry.source.digest == "002_d88d47b7b2fcd361.txt"
    assert entry.source.line == 52
    assert entry.source.digest_date == dt.date(2025, 3, 2)
    assert entry.abstract.startswith("While Reinforcement Learning from Human Feedback (RLHF) is widely used")


def test_arxiv_digest_first_and_last_entries():
    entries = parse(ARXIV).entries
    assert entries[0].title == "SoRFT: Issue Resolving with Subtask-oriented Reinforced Fine-Tuning"
    assert entries[0].authors[0] == "Zexiong Ma" and len(entries[0].authors) == 6
    assert entries[-1].title == "ReVISE: Learning to Refine at Test-Time via Intrinsic Self-Verification"
    assert entries[-1].abstract.endswith("significantly improves reasoning performance.")
    assert all("Maja Matarić" in e.authors for e in entries if e.title.startswith("Reinforcement Learning for Long"))


def test_hf_page_skips_chrome_and_never_takes_the_page_date_as_a_paper_date():
    entries = parse(HF_DAILY).entries
    assert entries[0].title.startswith("FinCon: A Synthesized LLM Multi-Agent System")
    assert entries[0].source.line == 13
    assert all(e.date is None and e.authors == () for e in entries)
    titles = [e.title for e in entries]
    assert not {"new", "Subscribe", "Daily Papers", "Sep 1"} & set(titles)
    assert "Critique-GRPO: Advancing LLM Reasoning with Natural Language and Numerical Feedback" in titles


def test_hf_page_keeps_latex_and_stray_braces_verbatim():
    entry = next(e for e in parse(HF_DAILY).entries if e.title.startswith("A Mixture-of-Expert Approach"))
    assert "{\\em specialized}" in entry.abstract


def test_bare_abstracts_have_one_entry_per_line_even_without_a_final_newline():
    entries = parse(ABSTRACTS).entries
    assert [e.source.line for e in entries] == list(range(1, 31))
    assert all(e.title is None for e in entries)
    assert entries[-1].abstract.endswith("reward models for obtaining preferences.")
    q_sharp = entries[2]
    assert "we introduce $Q\\sharp$, a value-based algorithm" in q_sharp.abstract


# --- small snippets ---------------------------------------------------------------------

ARXIV_SNIPPET = """
    LLM-RL - 2025-03-02

    A Title:  With   Odd   Spacing

    Authors:Ana Ñúñez,  Bo Li and Chen Wu
    Date:2025-02-27 14:19:45

    First paragraph of the abstract with enough words to read as one, and $x^2$ math.

    Second paragraph of the same abstract, also long enough to be a paragraph of text.

    Another Paper

    Authors:Solo Author
    Date:2025-02-20

    Its abstract.
"""


def test_arxiv_snippet_collapses_whitespace_splits_authors_and_keeps_paragraphs(write):
    digest = parse(write("d.txt", ARXIV_SNIPPET))
    assert digest.problems == ()
    first, second = digest.entries
    assert first.title == "A Title: With Odd Spacing"
    assert first.authors == ("Ana Ñúñez", "Bo Li", "Chen Wu")
    assert first.abstract.count("\n\n") == 1 and "$x^2$" in first.abstract
    assert second.date == dt.date(2025, 2, 20) and second.source.line == 12


def test_crlf_line_ends_and_a_byte_order_mark_are_accepted(write):
    text = "\ufeff" + ARXIV_SNIPPET.replace("\n    ", "\n").strip().replace("\n", "\r\n")
    digest = parse(write("d.txt", text.encode("utf-8")))
    assert digest.problems == () and len(digest.entries) == 2
    assert digest.entries[0].title == "A Title: With Odd Spacing"


def test_unicode_is_normalised_to_nfc(write):
    decomposed = "Ahmet U\u0308stu\u0308n"
    digest = parse(write("d.txt", f"A Paper\n\nAuthors:{decomposed}\nDate:2025-01-01\n\nAn abstract.\n"))
    assert digest.entries[0].authors == ("Ahmet Üstün",)


def test_hf_snippet_without_chrome_is_detected_by_its_title_abstract_pairs(write):
    abstract = "We study a problem. " * 10
    digest = parse(write("d.txt", f"First Title\n\n{abstract}\n\nSecond Title\n\n{abstract}\n"))
    assert digest.format == "hf-daily"
    assert [e.title for e in digest.entries] == ["First Title", "Second Title"]


# --- errors: every one names the file and line -----------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", ":1: error: empty digest: no text to read"),
        (b"  \n\n \t\n", ":1: error: empty digest: no text to read"),
        (b"Title\n\nAbstract \xff\xfe text\n", ":3: error: not UTF-8 text (byte 0xff cannot be decoded); save the file as UTF-8"),
        (b"line one\nline\x00two\n", ":2: error: binary file (NUL byte), not a text digest"),
        (b"hello\nworld\n", ":1: error: cannot tell the digest format"),
    ],
)
def test_unreadable_files_are_reported_with_path_and_line(write, content, expected):
    path = write("bad.txt", content)
    assert messages(parse(path))[0].startswith(f"{path}{expected}")


def test_arxiv_errors_each_name_their_line(write):
    path = write(
        "bad.txt",
        """
        Authors:Nobody Before
        Date:2025-01-01

        A Title

        Authors:Someone
        Date:2025-13-45 10:00:00

        A long enough abstract for this title so that it reads as one.

        Dangling Title Without Abstract
        """,
    )
    assert messages(parse(path)) == [
        f"{path}:1: error: `Authors:` line with no title before it",
        f"{path}:2: error: `Date:` line with no title before it",
        f"{path}:7: error: unparsable `Date:` '2025-13-45 10:00:00': expected YYYY-MM-DD, optionally followed by HH:MM:SS",
        f"{path}:11: error: title with no abstract: 'Dangling Title Without Abstract'",
    ]


def test_empty_authors_line_is_an_error(write):
    path = write("bad.txt", "A Title\n\nAuthors:  \nDate:2025-01-01\n\nAn abstract.\n")
    assert messages(parse(path)) == [f"{path}:3: error: `Authors:` line names nobody"]


def test_hf_title_with_no_abstract_is_an_error(write):
    abstract = "We study a problem in depth. " * 8
    path = write("bad.txt", f"Daily Papers\n\nFirst Title\n\n{abstract}\n\nSecond Title\n")
    assert messages(parse(path)) == [f"{path}:7: error: title with no abstract: 'Second Title'"]


def test_a_short_line_in_bare_abstracts_is_an_error(write):
    long_line = "This abstract has quite enough words in it to count as a real abstract of a paper. " * 2
    path = write("bad.txt", f"{long_line}\nJust A Heading Line\n{long_line}")
    assert messages(parse(path, "abstracts")) == [
        f"{path}:2: error: too short for an abstract (4 words, at least 20 expected): one abstract per line, no titles"
    ]


def test_forcing_a_format_skips_detection(write):
    abstract = "We study a problem in depth and report results on benchmarks. " * 3
    path = write("d.txt", f"{abstract}\n")
    assert parse(path, "abstracts").format == "abstracts"
    assert messages(parse(path, "arxiv-digest")) == [
        f"{path}:1: error: text before the first title: expected a title, then `Authors:` and `Date:` lines"
    ]


def test_hf_abstract_wrapped_over_lines_is_one_paragraph_and_chrome_between_entries_is_skipped(write):
    path = write(
        "d.txt",
        """
        Daily Papers

        Sep 1

        First Title

        We study a problem in depth and this line of the abstract
        wraps onto a second line, as pasted text often does when copied.

        42

        Second Title

        Another abstract with quite enough words in it to read like a real abstract does.
        """,
    )
    digest = parse(path)
    assert digest.problems == ()
    first, second = digest.entries
    assert first.abstract == "We study a problem in depth and this line of the abstract wraps onto a second line, as pasted text often does when copied."
    assert (second.title, second.source.line) == ("Second Title", 12)


def test_hf_title_pasted_right_above_its_abstract_is_still_a_title(write):
    abstract = "We study a problem in depth and report results on several benchmarks."
    path = write("d.txt", f"Daily Papers\n\nFirst Title\n{abstract}\n\nSecond Title\n{abstract}\n")
    digest = parse(path)
    assert digest.problems == ()
    assert [(e.title, e.abstract) for e in digest.entries] == [("First Title", abstract), ("Second Title", abstract)]
