"""Merging: one paper per paper, whatever the digests repeat; a person's values always win."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from conftest import ABSTRACTS, ARXIV, DIGESTS, HF_DAILY

from generator.formats import read_digest
from generator.merge import merge
from generator.model import Entry, Paper, Source
from generator.provisional import infer_title


def entries_of(*paths) -> list[Entry]:
    return [e for p in paths for e in read_digest(p, p.name).entries]


def entry(abstract: str, title: str | None = None, line: int = 1, **fields) -> Entry:
    return Entry(abstract, Source("d.txt", "abstracts" if title is None else "hf-daily", line), title, **fields)


def paper_of(result, needle: str) -> Paper:
    return next(p for p in result.papers if needle in p.abstract)


ABSTRACT = (
    "Reinforcement learning (RL) post-training is crucial for LLM alignment and reasoning, but existing "
    "policy-based methods, such as PPO and DPO, can fall short of fixing shortcuts inherited from pre-training. "
    "In this work, we introduce $Q\\sharp$, a value-based algorithm for KL-regularized RL that guides the "
    "reference policy using the optimal regularized $Q$ function. We propose to learn the optimal $Q$ function "
    "using distributional RL on an aggregated online dataset."
)


# --- the real digests -------------------------------------------------------------------


def test_real_digests_make_97_papers_and_every_bare_twin_finds_its_titled_paper():
    result = merge([], entries_of(ABSTRACTS, HF_DAILY, ARXIV), {})
    assert len(result.papers) == 97
    assert result.twins == 27
    assert result.warnings == ()
    twins = [p for p in result.papers if {s.format for s in p.sources} == {"abstracts", "arxiv-digest"}]
    assert len(twins) == 27
    assert all(not p.title_inferred and p.authors and p.date for p in twins)
    inferred = [p for p in result.papers if p.title_inferred]
    assert [s.line for p in inferred for s in p.sources] == [1, 2, 3]


def test_the_result_does_not_depend_on_the_order_of_the_digests():
    forward = merge([], entries_of(ABSTRACTS, HF_DAILY, ARXIV), {})
    backward = merge([], entries_of(ARXIV, HF_DAILY, ABSTRACTS), {})
    assert sorted(p.slug for p in forward.papers) == sorted(p.slug for p in backward.papers)


def test_different_papers_with_the_same_opening_sentence_stay_apart():
    opening = "Reinforcement learning from human feedback (RLHF) has"
    papers = [p for p in merge([], entries_of(ARXIV), {}).papers if p.abstract.startswith(opening)]
    assert len(papers) == 2
    assert {p.title.split(":")[0] for p in papers} >= {"IPO"}


# --- near-duplicates --------------------------------------------------------------------


def test_near_identical_abstracts_merge_despite_small_differences():
    variants = [
        ABSTRACT.replace(" ", "  ").replace(". ", ".\n"),  # whitespace
        ABSTRACT.replace("$", ""),  # lost math delimiters
        ABSTRACT.replace("post-training.", "post-training \\cite{ouyang2022training}."),  # a citation
        ABSTRACT.replace("crucial", "essential").replace("aggregated", "combined"),  # two words
        ABSTRACT.lower(),  # case
    ]
    result = merge([], [entry(ABSTRACT, "Q Sharp"), *(entry(v, line=n) for n, v in enumerate(variants, 2))], {})
    assert len(result.papers) == 1
    assert len(result.papers[0].sources) == 6
    assert result.papers[0].abstract == ABSTRACT


def test_abstracts_that_share_only_their_first_sentences_do_not_merge():
    shared = ABSTRACT.split(" In this work")[0]
    other = shared + " We instead study tree search at inference time with a learned verifier and report gains on coding benchmarks."
    result = merge([], [entry(ABSTRACT, "First", line=1), entry(other, "Second", line=2)], {})
    assert len(result.papers) == 2


def test_the_same_normalised_title_is_the_same_paper():
    result = merge(
        [],
        [
            entry("One abstract about token-level rewards. " * 5, "DPO Meets PPO: Reinforced Token Optimization for RLHF"),
            entry("A quite different abstract text here. " * 5, "dpo meets ppo -- reinforced token optimization for RLHF", line=2),
        ],
        {},
    )
    assert len(result.papers) == 1
    assert "different abstract" in result.warnings[0].message


# --- provisional titles -----------------------------------------------------------------


def test_provisional_titles_name_the_system_the_abstract_introduces():
    abstracts = read_digest(ABSTRACTS, "a").entries
    assert infer_title(abstracts[1].abstract).startswith("ByteScale: An efficient, flexible, and scalable")
    assert infer_title(abstracts[2].abstract).startswith("$Q\\sharp$: A value-based algorithm")
    assert infer_title(abstracts[0].abstract) == "This survey provides a systematic exploration of post-training methodologies"


def test_provisional_titles_fall_back_to_the_first_clause():
    assert infer_title("Scaling laws are everywhere, but nobody agrees on them. More text.") == "Scaling laws are everywhere"


# --- existing papers --------------------------------------------------------------------


def existing(**fields) -> Paper:
    defaults = dict(slug="q-sharp", title="Q Sharp", abstract=ABSTRACT, sources=(Source("old.txt", "abstracts", 9),))
    return Paper(**{**defaults, **fields})


def test_an_entry_adds_provenance_and_fills_empty_fields_of_an_existing_paper():
    new = entry(ABSTRACT, "Q Sharp", line=4, authors=("Ana",), date=dt.date(2025, 2, 27))
    (paper,) = merge([existing()], [new], {"q-sharp": "content/papers/q-sharp.md"}).papers
    assert paper.slug == "q-sharp"
    assert paper.authors == ("Ana",) and paper.date == dt.date(2025, 2, 27)
    assert paper.sources == (Source("d.txt", "hf-daily", 4), Source("old.txt", "abstracts", 9))


def test_a_persons_values_are_kept_and_each_difference_is_a_warning():
    person = existing(title="Q#: Provably Optimal RL", authors=("Jin Peng Zhou",), date=dt.date(2025, 2, 27), extra={"topics": ["reasoning"]})
    new = entry(ABSTRACT, "Another Title", line=4, authors=("Someone Else",), date=dt.date(2024, 1, 1))
    result = merge([person], [new], {"q-sharp": "content/papers/q-sharp.md"})
    (paper,) = result.papers
    assert (paper.title, paper.authors, paper.date, paper.extra) == (person.title, person.authors, person.date, person.extra)
    assert [str(w) for w in result.warnings] == [
        "d.txt:4: warning: same paper as content/papers/q-sharp.md, which keeps its title 'Q#: Provably Optimal RL'; this digest says 'Another Title'",
        "d.txt:4: warning: same paper as content/papers/q-sharp.md, which keeps its authors 'Jin Peng Zhou'; this digest says 'Someone Else'",
        "d.txt:4: warning: same paper as content/papers/q-sharp.md, which keeps its date '2025-02-27'; this digest says '2024-01-01'",
    ]


def test_an_untouched_provisional_title_gives_way_to_a_real_one():
    provisional = existing(title=infer_title(ABSTRACT), title_inferred=True)
    (paper,) = merge([provisional], [entry(ABSTRACT, "Q Sharp: The Real Title")], {}).papers
    assert (paper.title, paper.title_inferred, paper.slug) == ("Q Sharp: The Real Title", False, "q-sharp")


def test_a_provisional_title_a_person_rewrote_is_kept():
    rewritten = existing(title="Q Sharp, as a person wrote it", title_inferred=True)
    result = merge([rewritten], [entry(ABSTRACT, "Q Sharp: The Real Title")], {})
    assert result.papers[0].title == "Q Sharp, as a person wrote it"
    assert len(result.warnings) == 1


def test_new_slugs_never_collide_with_existing_ones_or_each_other():
    other = "A completely different abstract about dialogue agents and their rewards. " * 4
    third = "Yet another abstract, this one about code generation with unit tests as reward. " * 4
    result = merge([existing()], [entry(other, "Q Shärp", line=2), entry(third, "Q Şharp", line=3)], {})
    assert sorted(p.slug for p in result.papers) == ["q-sharp", "q-sharp-2", "q-sharp-3"]


def test_shipped_digests_merge_into_shipped_content_without_change():
    from generator.store import load_papers

    papers, problems = load_papers(DIGESTS.parent)
    assert problems == []
    result = merge(papers, entries_of(*sorted(DIGESTS.glob("*.txt"))), {})
    assert list(result.papers) == papers


def test_an_entry_seen_at_a_recorded_place_is_that_paper_whatever_people_edited():
    edited = existing(title="Rewritten by a person", abstract="A person rewrote the abstract entirely, too.")
    seen_again = Entry(ABSTRACT, Source("old.txt", "abstracts", 9), "Q Sharp", ("Ana",))
    result = merge([edited], [seen_again], {})
    assert result.papers == (replace(edited, authors=("Ana",)),)  # only the empty field is filled
    assert result.warnings == ()  # its differences were reported when it was first seen
