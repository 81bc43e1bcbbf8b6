"""Benchmark search in the browser on synthetic corpora, beside Pagefind; prints figures, asserts nothing.

    .venv/bin/python bench/search_bench.py [--sizes 10000 100000] [--keep DIR] [--no-pagefind]

For each size: builds a realistic corpus (bench/corpus.py) with `atlas build`, serves the site on
loopback and, in headless Chromium with an empty cache for each query, measures the bytes a
reader's browser fetches from opening the Search page with a query to its first results (20
shown), side by side with Pagefind on the same papers. Then the time from page load to the first
result, the latency of queries typed one after another, and how well the results agree with one
monolithic Lunr index of the same papers (top-10 overlap, with the same AND semantics). Also the
time the generator takes to build the search files.

Bytes are counted as a static host sends them: gzipped where GitHub Pages compresses (JavaScript,
JSON, HTML), as they are for files already compressed (the atlas's .bin files, Pagefind's index,
fragments and WASM). On each side only the search's own files count: the atlas's script, lunr.js
and search/; Pagefind's whole bundle. Pagefind indexes plain pages holding the text the atlas
indexes (title, authors, abstract) and loads the fragment of each of the first 20 results, as its
UI does for the results it shows. Pagefind needs about 22 GB to index 100,000 papers: run that
size alone on the machine, or pass --no-pagefind. Timings on a shared machine are noisy.
"""

from __future__ import annotations

import functools
import gc
import gzip
import html
import http.server
import json
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, print_report, write_corpus  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
# One, two and three words, an author's name; the rare word of the corpus is added at run time.
BYTE_QUERIES = ["reward model", "GRPO", "curriculum", "process reward model", "theorem proving", "dpo", "self-play",
                "kl regularized", "Zhang", "hallucination calibration"]
TIMED_QUERIES = ["grpo", "process reward model", "reward model math", "dpo", "ppo stability", "rlhf", "self-play",
                 "distillation", "tree search", "test-time scaling", "offline rl", "multi-agent", "code generation",
                 "safety alignment", "curriculum", "kl regularized", "verifiable rewards", "tool use agents", "Zhang",
                 "hallucination calibration"]
SHOWN = 20  # results on the first page of either search
TARGETS = {"page load to first result (s)": ("at most", 1.0), "median query (ms)": ("at most", 50),
           "worst query (ms)": ("at most", 300), "index build (s)": ("at most", 60), "top-10 overlap": ("at least", 0.95)}
COMPRESSED_BY_HOST = (".js", ".json", ".html", ".css")


def build(work: Path) -> float:
    """`atlas build` of the corpus in `work`; the seconds its data stage took (search, feeds, API)."""
    atlas = str(Path(sys.executable).with_name("atlas"))
    done = subprocess.run([atlas, "build", "--config", str(REPO / "mkdocs.yml")], cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return float(re.search(r"search index, feeds and API ([\d.]+) s", done.stderr).group(1))


def load_corpus(work: Path):
    sys.path.insert(0, str(REPO))
    from generator import store
    from generator.classify import classify
    from generator.group import group
    from generator.taxonomy import load_taxonomy

    taxonomy, _ = load_taxonomy(work / "content" / "taxonomy.yml")
    papers, _ = store.load_papers(work / "content")
    return group(papers, {p.slug: classify(p, taxonomy) for p in papers}, taxonomy, {})


def index_build_seconds(corpus) -> float:
    """The search files made alone, as the build makes them (without writing them)."""
    from generator import search

    started = time.perf_counter()
    search.search_files(corpus)
    return time.perf_counter() - started


def write_whole_index(corpus, site: Path) -> None:
    """The monolithic index of the same papers, for the agreement figure (not part of the site)."""
    from generator import search

    (site / "whole.json").write_text(json.dumps(search.build_index(corpus).serialize()))


def rare_word(corpus) -> str:
    """The word of at least seven letters that the fewest abstracts use (the first such in
    alphabetical order): a query for something specific."""
    held = Counter(word for item in corpus.items for word in set(re.findall(r"[a-z]{7,}", item.paper.abstract.lower())))
    return min(held, key=lambda word: (held[word], word))


def write_pagefind_pages(corpus, source: Path) -> None:
    """Plain pages holding what the atlas indexes (title, authors, abstract), for Pagefind."""
    from generator.mathml import plain_text

    shutil.rmtree(source, ignore_errors=True)
    for item in corpus.items:
        paper = item.paper
        page = source / "papers" / paper.slug / "index.html"
        page.parent.mkdir(parents=True)
        title = html.escape(plain_text(paper.title))
        page.write_text(f'<!doctype html><html lang="en"><head><title>{title}</title></head><body><main data-pagefind-body>'
                        f"<h1>{title}</h1><p>{html.escape(', '.join(paper.authors))}</p>"
                        f"<p>{html.escape(plain_text(paper.abstract))}</p></main></body></html>", encoding="utf-8")


def run_pagefind(source: Path, site: Path) -> float | None:
    """Pagefind's index of the pages in `source`, into site/pagefind/, and a page that searches
    with it; seconds (None if Pagefind failed, as it does when memory runs out)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(source), "--output-path", str(site / "pagefind"),
                           "--quiet"])
    seconds = time.perf_counter() - started
    shutil.rmtree(source)
    if done.returncode != 0:
        print(f"  Pagefind failed (exit code {done.returncode}); measuring the atlas alone", file=sys.stderr)
        return None
    (site / "pagefind.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module">'
        'const pagefind = await import("/pagefind/pagefind.js");'
        "window.firstResults = async (query, shown) => {"
        "  const found = await pagefind.search(query);"
        "  const data = await Promise.all(found.results.slice(0, shown).map((r) => r.data()));"
        "  return [found.results.length, data.length];"
        "};"
        "window.ready = true;</script></body></html>", encoding="utf-8")
    return seconds


@functools.lru_cache(maxsize=None)
def sent_bytes(path: Path) -> int:
    data = path.read_bytes()
    return len(gzip.compress(data, compresslevel=6)) if path.suffix in COMPRESSED_BY_HOST else len(data)


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


FIRST_RESULT_WATCH = """
performance.setResourceTimingBufferSize(100000);
new MutationObserver((_, observer) => {
    if (document.querySelector('.atlas-result')) { window.__firstResult = performance.now(); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""

QUERY_TIMES = """async (queries) => {
    const out = [];
    for (const query of queries) {
        const started = performance.now();
        const { ranked } = await atlasSearch.search(query);
        out.push([query, performance.now() - started, Array.from(ranked.slice(0, 10))]);
    }
    return out;
}"""

# lunr.js on the whole index, with the atlas's semantics: the papers holding every word (group),
# else any word, most words first; each ranked by lunr's score.
WHOLE_INDEX_TOP10 = """async (queries) => {
    const whole = lunr.Index.load(await (await fetch("/whole.json")).json());
    const manifest = await (await fetch("/search/manifest.json")).json();
    const run = (clauses) => whole.query((q) => clauses.forEach((c) => q.clause({ ...c })));
    return queries.map((query) => {
        const groups = atlasSearch.parseQuery(query, manifest.fields);
        const scores = new Map(run(groups.flatMap((g) => g.clauses)).map((r) => [Number(r.ref), r.score]));
        const words = new Map();
        for (const group of groups) for (const r of run(group.clauses)) words.set(Number(r.ref), (words.get(Number(r.ref)) || 0) + 1);
        const every = [...words].filter(([, n]) => n === groups.length).map(([ref]) => ref);
        const refs = every.length ? every : [...words.keys()];
        return refs.sort((a, b) => words.get(b) - words.get(a) || scores.get(b) - scores.get(a) || a - b).slice(0, 10);
    });
}"""


def is_atlas_search_file(path: str) -> bool:
    return path.startswith("/search/") and path != "/search/" or path.endswith(("/atlas-search.js", "/lunr.js"))


def first_result_bytes(browser, url: str, site: Path, query: str) -> tuple[int, int, float]:
    """Opening the Search page with `query`, in a fresh context: (search bytes fetched before the
    first result, files, seconds from navigation to it)."""
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(FIRST_RESULT_WATCH)
    page.goto(url + "search/?q=" + quote(query))
    page.wait_for_selector(".atlas-result", timeout=120_000)
    seconds = page.evaluate("window.__firstResult") / 1000
    # Only what was requested before the first result showed (the facet table comes after).
    requested = page.evaluate("""() => performance.getEntriesByType("resource")
        .filter((entry) => entry.startTime < window.__firstResult).map((entry) => entry.name)""")
    files = [site / unquote(urlparse(u).path).lstrip("/") for u in requested if is_atlas_search_file(urlparse(u).path)]
    context.close()
    return sum(sent_bytes(f) for f in files if f.is_file()), len(files), seconds


def pagefind_bytes(browser, url: str, site: Path, query: str) -> tuple[int, int, int]:
    """Pagefind's search for `query` and the fragments of its first results, in a fresh context:
    (bytes, files, results)."""
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(urlparse(request.url).path))
    page.goto(url + "pagefind.html")
    page.wait_for_function("window.ready === true")
    results, _ = page.evaluate("([query, shown]) => firstResults(query, shown)", [query, SHOWN])
    files = [site / unquote(path).lstrip("/") for path in requested if path.startswith("/pagefind/")]
    context.close()
    return sum(sent_bytes(f) for f in files if f.is_file()), len(files), results


EXPORTED_QUERY = "grpo"  # about 5,000 papers at 100,000


def export_figures(browser, url: str, query: str) -> dict[str, float]:
    """Exporting the results of `query` as JSON, as a reader does: how many, how long, and
    whether the progress showed meanwhile."""
    page = browser.new_context().new_page()
    page.goto(url + "search/?q=" + quote(query))
    page.wait_for_selector(".atlas-export:not([hidden])", timeout=120_000)
    page.evaluate("""() => {
        window.exportMessages = [];
        const message = document.querySelector('.atlas-export__message');
        new MutationObserver(() => window.exportMessages.push(message.textContent))
            .observe(message, { childList: true, characterData: true, subtree: true });
    }""")
    started = time.perf_counter()
    with page.expect_download(timeout=600_000) as downloading:
        page.locator(".atlas-export__button[data-format='json']").click()
    records = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    seconds = time.perf_counter() - started
    progress = sum("Fetching papers" in message for message in page.evaluate("window.exportMessages"))
    page.context.close()
    return {f"export of '{query}': papers": len(records), "  seconds": seconds, "  progress messages": progress}


def measure_browser(site: Path, queries: list[str], with_pagefind: bool) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    server, url = serve(site)
    figures: dict[str, float] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            print(f"  {'query':28} {'atlas KB':>9} {'files':>6} {'Pagefind KB':>12} {'files':>6} {'ratio':>6}")
            ours, theirs, loads = [], [], []
            for query in queries:
                atlas, files, seconds = first_result_bytes(browser, url, site, query)
                ours.append(atlas / 1024)
                loads.append(seconds)
                line = f"  {query[:28]:28} {atlas / 1024:9.1f} {files:6d}"
                if with_pagefind:
                    pagefind, pf_files, _ = pagefind_bytes(browser, url, site, query)
                    theirs.append(pagefind / 1024)
                    line += f" {pagefind / 1024:12.1f} {pf_files:6d} {atlas / pagefind:6.2f}"
                print(line)
            figures["first-result bytes, median (KB)"] = statistics.median(ours)
            figures["first-result bytes, largest (KB)"] = max(ours)
            if with_pagefind:
                figures["Pagefind bytes, median (KB)"] = statistics.median(theirs)
                figures["Pagefind bytes, smallest (KB)"] = min(theirs)
                figures["queries lighter than Pagefind"] = sum(a < p for a, p in zip(ours, theirs, strict=True))
            figures["page load to first result (s)"] = statistics.median(loads)
            figures["slowest page load to first result (s)"] = max(loads)
            page = browser.new_context().new_page()
            page.goto(url + "search/?q=grpo")
            page.wait_for_selector(".atlas-result", timeout=120_000)
            timings = page.evaluate(QUERY_TIMES, TIMED_QUERIES[1:] + TIMED_QUERIES[:1])
            figures.update(export_figures(browser, url, EXPORTED_QUERY))
            whole = page.evaluate(WHOLE_INDEX_TOP10, [query for query, _, _ in timings])
            browser.close()
    finally:
        server.shutdown()
    latencies = [ms for _, ms, _ in timings]
    overlaps = [len(set(top) & set(expected)) / max(1, len(expected)) for (_, _, top), expected in zip(timings, whole, strict=True)]
    return {**figures, "median query (ms)": statistics.median(latencies), "worst query (ms)": max(latencies),
            "top-10 overlap": statistics.mean(overlaps)}


def file_figures(site: Path) -> dict[str, float]:
    search = site / "search"
    shards = sorted(sent_bytes(path) for path in search.glob("shard-*.bin"))
    papers = [sent_bytes(path) for path in (search / "papers").glob("*/*.json")]
    everything = sum(path.stat().st_size for path in search.rglob("*") if path.is_file())
    return {
        "manifest (KB gz)": sent_bytes(search / "manifest.json") / 1024,
        "shards": len(shards),
        "median shard (KB)": statistics.median(shards) / 1024,
        "largest shard (KB)": shards[-1] / 1024,
        "facet table (KB)": sent_bytes(search / "facets.bin") / 1024,
        "term list (KB gz)": sent_bytes(search / "terms.json") / 1024,
        "paper file, mean (KB gz)": statistics.mean(papers) / 1024,
        "search files on disk (MB)": everything / 1e6,
    }


def measure(size: int, work: Path, with_pagefind: bool, reuse: bool = False) -> dict[str, float]:
    site = work / "site"
    reusing = reuse and (site / "whole.json").exists()
    figures: dict[str, float] = {"papers": size}
    if not reusing:
        write_corpus(work, size)
        started = time.perf_counter()
        figures["search, feeds and API in the build (s)"] = build(work)
        print(f"  built {size:,} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    corpus = load_corpus(work)
    figures["index build (s)"] = index_build_seconds(corpus)
    queries = [*BYTE_QUERIES, rare_word(corpus)]
    if not reusing:
        write_whole_index(corpus, site)
        if with_pagefind:
            write_pagefind_pages(corpus, work / "pagefind-source")
    del corpus  # Pagefind needs all the memory there is at 100,000 papers
    gc.collect()
    if with_pagefind and not reusing:
        seconds = run_pagefind(work / "pagefind-source", site)
        if seconds is not None:
            figures["Pagefind indexing (s)"] = seconds
    with_pagefind = with_pagefind and (site / "pagefind.html").exists()
    return {**figures, **file_figures(site), **measure_browser(site, queries, with_pagefind)}


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    parser.add_argument("--no-pagefind", action="store_true", help="skip Pagefind (it needs ~22 GB at 100,000 papers)")
    parser.add_argument("--reuse", action="store_true", help="with --keep: measure the sites built there by an earlier run")
    args = parser.parse_args()
    for size in args.sizes:
        print(f"\n-- {size:,} papers: first-result bytes per query --")
        if args.keep:
            figures = measure(size, args.keep / str(size), not args.no_pagefind, args.reuse)
        else:
            with tempfile.TemporaryDirectory(prefix=f"atlas-bench-{size}-") as work:
                figures = measure(size, Path(work), not args.no_pagefind)
        ratios = {}
        if "Pagefind bytes, median (KB)" in figures:
            ratios["atlas / Pagefind, median bytes"] = figures["first-result bytes, median (KB)"] / figures["Pagefind bytes, median (KB)"]
        print_report(figures, ratios, TARGETS)


if __name__ == "__main__":
    main()
