"""Benchmark search in the browser on synthetic corpora; prints figures and ratios, asserts nothing.

    .venv/bin/python bench/search_bench.py [--sizes 1000 10000] [--keep DIR]

For each size: builds a realistic corpus (bench/corpus.py) with `atlas build`, serves the site on
loopback and, in headless Chromium, measures what a reader waits for: the bytes (gzipped, as a
static host serves them) fetched from opening the Search page with a query to its first result,
the time that takes, the latency of 20 typical queries typed one after another, and how well the
sharded search agrees with one monolithic Lunr index of the same papers (top-10 overlap).
Also the index build time inside the generator. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, print_report, run_sizes, write_corpus  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
QUERIES = ["grpo", "process reward model", "reward model math", "dpo", "ppo stability", "rlhf", "self-play",
           "distillation", "tree search", "test-time scaling", "offline rl", "multi-agent", "code generation",
           "safety alignment", "curriculum", "kl regularized", "verifiable rewards", "tool use agents", "Zhang",
           "hallucination calibration"]
TARGETS_10K = {"first-result payload (KB gz)": ("at most", 1536), "page load to first result (s)": ("at most", 1.5),
               "median query (ms)": ("at most", 50), "index build (s)": ("at most", 30), "top-10 overlap": ("at least", 0.9)}


def build(work: Path) -> float:
    """`atlas build` of the corpus in `work`; the seconds the generator took for its data files
    (the search index, which is most of them, with the feeds and the API)."""
    atlas = str(Path(sys.executable).with_name("atlas"))
    done = subprocess.run([atlas, "build", "--config", str(REPO / "mkdocs.yml")], cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return float(re.search(r"search index, feeds and API ([\d.]+) s", done.stderr).group(1))


def write_whole_index(work: Path) -> None:
    """The monolithic index of the same papers, for the agreement figure (not part of the site)."""
    sys.path.insert(0, str(REPO))
    from generator import search, store
    from generator.classify import classify
    from generator.group import group
    from generator.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(work / "content" / "taxonomy.yml")
    papers, _ = store.load_papers(work / "content")
    corpus = group(papers, {p.slug: classify(p, taxonomy) for p in papers}, taxonomy, {})
    (work / "site" / "whole.json").write_text(json.dumps(search.build_index(corpus).serialize()))


@functools.lru_cache(maxsize=None)
def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


FIRST_RESULT_WATCH = """
new MutationObserver((_, observer) => {
    if (document.querySelector('.atlas-result')) { window.__firstResult = performance.now(); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""

QUERY_TIMES = """async (queries) => {
    const out = [];
    for (const query of queries) {
        const started = performance.now();
        const { ranked } = await atlasSearch.search(query);
        out.push([query, performance.now() - started, ranked.slice(0, 10).map(([ref]) => ref)]);
    }
    return out;
}"""

WHOLE_INDEX_TOP10 = """async (queries) => {
    const whole = lunr.Index.load(await (await fetch("/whole.json")).json());
    const manifest = await (await fetch("/search/manifest.json")).json();
    return queries.map((query) => {
        const clauses = atlasSearch.parseQuery(query, manifest.fields).flatMap((g) => g.clauses);
        return whole.query((q) => clauses.forEach((c) => q.clause({ ...c })))
            .sort((a, b) => b.score - a.score || Number(a.ref) - Number(b.ref)).slice(0, 10).map((r) => Number(r.ref));
    });
}"""


def measure_browser(site: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    server, url = serve(site)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            page = browser.new_context().new_page()
            fetched: list[str] = []
            page.on("request", lambda request: fetched.append(urlparse(request.url).path))
            page.add_init_script(FIRST_RESULT_WATCH)
            page.goto(url + "search/?q=" + QUERIES[0])
            page.wait_for_selector(".atlas-result", timeout=60_000)
            first_result_ms = page.evaluate("window.__firstResult")
            before_first = list(fetched)
            files = [site / unquote(path).lstrip("/") for path in before_first]
            files = [f / "index.html" if f.is_dir() else f for f in files]
            search_data = sum(gzipped_size(f) for f in files if "/search/" in str(f) and f.suffix == ".json")
            everything = sum(gzipped_size(f) for f in files if f.is_file())
            page.wait_for_timeout(300)
            timings = page.evaluate(QUERY_TIMES, QUERIES[1:] + QUERIES[:1])
            whole = page.evaluate(WHOLE_INDEX_TOP10, [query for query, _, _ in timings])
            browser.close()
    finally:
        server.shutdown()
    latencies = [ms for _, ms, _ in timings]
    overlaps = [len(set(top) & set(expected)) / max(1, len(expected)) for (_, _, top), expected in zip(timings, whole, strict=True)]
    shards = sorted((site / "search").glob("index-*.json"))
    return {
        "first-result payload (KB gz)": everything / 1024,
        "  of which search data (KB gz)": search_data / 1024,
        "page load to first result (s)": first_result_ms / 1000,
        "median query (ms)": statistics.median(latencies),
        "worst query (ms)": max(latencies),
        "top-10 overlap": statistics.mean(overlaps),
        "shards": len(shards),
        "median shard (KB gz)": statistics.median(gzipped_size(s) for s in shards) / 1024,
        "largest shard (KB gz)": max(gzipped_size(s) for s in shards) / 1024,
        "cards file (KB gz)": gzipped_size(site / "search" / "papers.json") / 1024,
        "whole index (KB gz)": gzipped_size(site / "whole.json") / 1024,
    }


def measure(size: int, work: Path) -> dict[str, float]:
    write_corpus(work, size)
    started = time.perf_counter()
    search_seconds = build(work)
    print(f"  built {size:,} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    write_whole_index(work)
    return {"papers": size, "index build (s)": search_seconds, **measure_browser(work / "site")}


def report(figures: dict[str, float]) -> None:
    print_report(figures, {"whole index / first payload": figures["whole index (KB gz)"] / figures["first-result payload (KB gz)"]},
                 TARGETS_10K)


if __name__ == "__main__":
    run_sizes(__doc__.splitlines()[0], measure, report)
