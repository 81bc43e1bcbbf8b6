"""Whatever text arrives, ingest either succeeds or reports problems; it never raises."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.pipeline import ingest
from generator.store import load_papers

# Lines shaped like digest lines, so the parsers get past detection often enough to be tested.
digest_lines = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "Daily Papers", "Sep 1", "LLM-RL - 2025-03-02", "Authors:", "Date:2025-02-30", "---", "\ufeff"]),
    st.builds(lambda names: "Authors:" + ", ".join(names), st.lists(st.text(max_size=12), max_size=3)),
    st.builds(lambda d: f"Date:{d}", st.text(alphabet="0123456789-: T", max_size=20)),
    st.builds(lambda w: " ".join(w), st.lists(st.sampled_from(["We", "propose", "RLHF", "$Q$", "{", "GRPO."]), max_size=60)),
)
# Well-formed digests whose fields hold arbitrary text, so the merge and store paths run too.
field_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
titles = field_text.map(lambda t: t.replace("\n", " ").strip() or "Untitled")
abstracts = st.lists(st.sampled_from(["We", "propose", "RLHF", "$Q\\sharp$", "{", "policy", "reward", "models.", "Ü"]), min_size=20, max_size=60).map(" ".join)
arxiv_entries = st.builds(lambda t, a, b: f"{t}\n\nAuthors:{a}\nDate:2025-02-27 10:00:00\n\n{b}", titles, field_text, abstracts)
hf_entries = st.builds(lambda t, b: f"{t}\n\n{b}", titles, abstracts)
well_formed = st.one_of(
    st.lists(arxiv_entries, min_size=1, max_size=4).map(lambda es: "LLM-RL - 2025-03-02\n\n" + "\n\n".join(es)),
    st.lists(hf_entries, min_size=1, max_size=4).map(lambda es: "Daily Papers\n\nSep 1\n\n" + "\n\n".join(es)),
    st.lists(abstracts, min_size=1, max_size=4).map("\n".join),
)
digests = st.one_of(
    st.binary(max_size=300),
    st.lists(digest_lines, max_size=25).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    well_formed.map(lambda text: text.encode("utf-8")),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=digests, second=digests)
def test_ingest_never_raises_and_writes_only_readable_papers(first: bytes, second: bytes):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "a.txt").write_bytes(first)
        (root / "b.txt").write_bytes(second)
        report = ingest([str(root / "a.txt"), str(root / "b.txt")], root / "content")
        papers, problems = load_papers(root / "content")
        event("errors" if report.errors else f"wrote {min(len(papers), 3)}+ papers" if papers else "no papers")
        if report.errors:
            assert not (root / "content").exists()
        else:
            assert problems == []
            assert len(papers) == len(report.created)
            again = ingest([str(root / "a.txt"), str(root / "b.txt")], root / "content")
            assert (again.created, again.updated) == ((), ())
