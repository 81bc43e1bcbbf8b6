"""Synthetic but realistic corpora for the benchmarks: papers written the way content/papers/ is.

Abstracts are real sentences from the shipped papers that name no method, shuffled together,
plus one or two sentences naming methods, so each paper has about as many words, topics and
methods as a real one (the benchmark prints both). Deterministic for a given size and seed.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent

METHODS = ["GRPO", "PPO", "DPO", "RLHF", "RLAIF", "REINFORCE", "RLOO", "a process reward model", "a reward model",
           "Monte Carlo tree search", "best-of-n sampling", "supervised fine-tuning", "knowledge distillation",
           "KL-regularized RL", "self-play", "a curriculum", "multi-agent reinforcement learning", "offline RL",
           "Q-learning", "natural language feedback", "test-time scaling", "verifiable rewards", "Step-DPO"]
TASKS = ["mathematical reasoning", "code generation", "tool use", "web navigation", "dialogue", "persuasion",
         "theorem proving", "vision-language understanding", "machine translation", "financial trading",
         "medical question answering", "multi-turn agents", "instruction following", "summarization", "safety"]
NOUNS = ["policy", "reward", "critic", "verifier", "rollout", "trajectory", "advantage", "preference", "annotator",
         "benchmark", "baseline", "gradient", "token", "sequence", "horizon", "exploration", "stability", "variance",
         "sample efficiency", "generalization", "hallucination", "calibration", "alignment", "credit assignment"]
VERBS = ["improves", "stabilizes", "reduces", "scales", "outperforms", "matches", "explains", "regularizes"]
NAMES = ["Wei", "Li", "Zhang", "Chen", "Kumar", "Smith", "Garcia", "Müller", "Kim", "Nguyen", "Rossi", "Sato",
         "Ivanova", "Okafor", "Silva", "Cohen", "Haddad", "Novak", "Larsen", "Brantley", "Park", "Ahmed"]
FIRST = ["Ada", "Alan", "Grace", "Jin", "Kaiwen", "Maria", "Omar", "Priya", "Sofia", "Tao", "Yuki", "Zoe", "Luca"]
MATH = [r"$Q\sharp$", r"$\pi_\theta$", r"$\mathcal{O}(\sqrt{T})$", r"$\beta$", r"$\epsilon$-greedy", r"$k=8$"]


def method_sentence(rng: random.Random) -> str:
    return (f"{rng.choice(['We show that', 'Our analysis finds that', 'Experiments confirm that', 'In practice,'])} "
            f"{rng.choice(METHODS)} {rng.choice(VERBS)} {rng.choice(NOUNS)} and {rng.choice(NOUNS)} "
            f"on {rng.choice(TASKS)} {rng.choice(['benchmarks', 'tasks', 'settings'])}.")


def plain_sentences() -> list[list[str]]:
    """For each shipped abstract, its sentences that name no method."""
    from generator.store import load_papers
    from generator.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(REPO / "content" / "taxonomy.yml")
    papers, _ = load_papers(REPO / "content")
    pool = []
    for paper in papers:
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", paper.abstract) if len(s.split()) > 6]
        pool.append([s for s in sentences if not any(h.payload[0] == "methods" for h in taxonomy.index.find(s))])
    return [sentences for sentences in pool if len(sentences) >= 3]


def paper(rng: random.Random, number: int, pool: list[list[str]]) -> tuple[str, str]:
    method, task = rng.choice(METHODS), rng.choice(TASKS)
    name = f"{rng.choice(['Deep', 'Fast', 'Open', 'Robust', 'Sparse', 'Dense', 'Meta'])}{rng.choice(['RL', 'Align', 'Reason', 'Critic', 'Agent'])}-{number}"
    title = f"{name}: {rng.choice(['Scaling', 'Rethinking', 'Stabilizing', 'Understanding'])} {method} for {task.title()}"
    source = rng.choice(pool)  # one real abstract's sentences keep the topics of one paper
    body = rng.sample(source, min(len(source), rng.randint(4, 7))) + [rng.choice(rng.choice(pool))]
    body.insert(rng.randrange(len(body)), f"We introduce {name}, which uses {method} for {task}.")
    if rng.random() < 0.4:
        body.append(method_sentence(rng))
    if rng.random() < 0.3:
        body.insert(2, f"The key quantity is {rng.choice(MATH)}, which we bound by {rng.choice(MATH)}.")
    meta = {"title": title, "authors": [f"{rng.choice(FIRST)} {rng.choice(NAMES)}" for _ in range(rng.randint(1, 9))]}
    if rng.random() > 0.1:
        meta["date"] = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
    if rng.random() < 0.2:
        meta["links"] = {"arxiv": f"{rng.randint(2301, 2512)}.{rng.randint(10000, 99999)}"}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return name.lower(), f"---\n{front}---\n\n{' '.join(body)}\n"


def write_corpus(folder: Path, size: int, seed: int = 7) -> Path:
    """A content/ folder with `size` synthetic papers and the real taxonomy; returns it."""
    content = folder / "content"
    if content.exists():
        shutil.rmtree(content)
    (content / "papers").mkdir(parents=True)
    shutil.copy(REPO / "content" / "taxonomy.yml", content / "taxonomy.yml")
    rng, pool = random.Random(seed), plain_sentences()
    for number in range(size):
        slug, text = paper(rng, number, pool)
        (content / "papers" / f"{slug}.md").write_text(text, encoding="utf-8")
    return content


def run_sizes(description: str, measure, report, default_sizes=(1000, 10000)) -> None:
    """A benchmark's command line: `--sizes N ...` corpora measured and reported, in `--keep DIR`
    (kept afterwards) or in a temporary folder."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(default_sizes))
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    for size in args.sizes:
        if args.keep:
            report(measure(size, args.keep / str(size)))
        else:
            with tempfile.TemporaryDirectory(prefix=f"atlas-bench-{size}-") as work:
                report(measure(size, Path(work)))


def print_report(figures: dict[str, float], ratios: dict[str, float], targets: dict[str, tuple[str, float]]) -> None:
    """A benchmark's figures for one corpus size, its ratios, and (at 10,000 papers) each target
    as (figure name, ("at most" | "at least", limit)) with whether it is met."""
    print(f"\n== {figures['papers']:,} papers ==")
    for name, value in figures.items():
        if name != "papers":
            print(f"  {name:32} {value:10.2f}")
    for name, ratio in ratios.items():
        print(f"  {name:32} {ratio:10.2f}x")
    if figures["papers"] >= 10_000:
        for name, (bound, limit) in targets.items():
            meets = figures[name] <= limit if bound == "at most" else figures[name] >= limit
            print(f"  target {name} {bound} {limit}: {'meets' if meets else 'MISSES'}")
