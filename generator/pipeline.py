"""The pipeline's stages in order, each one a call into the module that owns it."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import formats, parallel, site, sitemaps, store
from .api import API_DIR, api_files
from .classify import classify
from .feeds import FEEDS_DIR, feed_files
from .group import Corpus, group, item_of
from .limits import today as added_today
from .merge import PaperIndex, merge
from .model import Entry, Paper, Problem, error, warning
from .progress import Progress
from .related import bag_of_words, related_papers
from .render import paper_page_path, render_indexes, render_papers
from .search import SEARCH_FILES, is_search_file, search_files
from .taxonomy import Taxonomy, load_taxonomy
from .validate import check_entry, check_file, check_paper, check_text


class Reported:
    """The errors and the warnings among a report's problems."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass(frozen=True)
class IngestReport(Reported):
    """What an ingest did (or, with dry_run, would do)."""

    digests: int = 0
    entries: int = 0
    twins: int = 0
    skipped: int = 0  # entries of papers that content/removed.yml lists
    created: tuple[Paper, ...] = ()
    updated: tuple[tuple[Paper, Paper], ...] = ()  # (before, after)
    unchanged: int = 0
    problems: tuple[Problem, ...] = field(default=())
    texts: dict[str, str] = field(default_factory=dict)  # slug -> the text its file will hold
    written: bool = False


def ingest(paths: list[str], content: Path, fmt: str = "auto", dry_run: bool = False, progress: Progress | None = None) -> IngestReport:
    """Parse digests, merge them into content/papers/, and write what changed: all or nothing.

    Raises store.ContentBusy when another atlas command is writing content/.
    """
    progress = progress or Progress(quiet=True)
    entries, problems, digests = read_digests(paths, fmt, progress)
    if any(problem.is_error for problem in problems):
        return IngestReport(digests=digests, entries=len(entries), problems=tuple(problems))
    return ingest_entries(content, entries, problems, digests, dry_run, progress)


def ingest_entries(content: Path, entries: list[Entry], problems: list[Problem], digests: int, dry_run: bool,
                   progress: Progress, new_files: dict[str, str] | None = None) -> IngestReport:
    """Merge entries already read into content/papers/ and write what changed, with `new_files`
    (the digests they came from, when those are new too), all in one batch."""
    with store.locked(content) as recovered:
        versions: dict[str, str] = {}
        existing, found = store.load_papers(content, versions)
        removed, found_removed = store.load_removed(content)
        problems += [warning(content, None, line) for line in recovered] + found + found_removed
        report = IngestReport(digests=digests, entries=len(entries), problems=tuple(problems))
        if report.errors:
            return report
        report = _merged(report, content, existing, entries, removed)
        if report.errors or dry_run or not (report.texts or new_files):
            return report
        try:
            store.write_texts(content, report.texts, versions, new_files)
        except store.Conflict as conflict:
            return replace(report, problems=report.problems + (error(conflict.path, None, str(conflict)),))
        progress.count("writing papers", len(report.texts), len(report.texts))
        return replace(report, written=True)


def errors_in(path: Path, text: str, paper: Paper) -> list[Problem]:
    """The errors `atlas validate` would report for a file at `path` holding `text`, the text of
    `paper` (rendered from it, or spliced into a person's file and read back): checking the
    paper is as good as parsing the text, and faster."""
    size = len(text.encode("utf-8"))
    if size > store.MAX_FILE_BYTES:
        return [error(path, None, f"would be {size:,} bytes, over the {store.MAX_FILE_BYTES:,} a paper file may hold "
                                  "(does a digest repeat this paper?)")]
    return [problem for problem in check_paper(path, paper) if problem.is_error]


def read_digests(paths: list[str], fmt: str, progress: Progress) -> tuple[list[Entry], list[Problem], int]:
    """The entries of every digest named (or found in a named folder), every problem with them
    (including what no paper file may hold), and how many digests there were."""
    files, problems = find_digests(paths)
    entries: list[Entry] = []
    for done, (path, display) in enumerate(files, start=1):
        digest = formats.read_digest(path, display, fmt)
        entries.extend(digest.entries)
        problems.extend(digest.problems)
        problems.extend(problem for entry in digest.entries for problem in check_entry(entry, display))
        progress.count("reading digests", done, len(files))
    return entries, problems, len(files)


def _merged(report: IngestReport, content: Path, existing: list[Paper], entries: list[Entry], removed: list[Paper]) -> IngestReport:
    """The report with the merge's outcome: new and updated papers, the text of each file to
    write, checked as `atlas validate` checks a file (a file it would refuse is an error here)."""
    merged = merge(existing, entries, {p.slug: str(store.paper_path(content, p.slug)) for p in existing}, removed)
    before, today = {p.slug: p for p in existing}, added_today()
    created = tuple(replace(p, added=today) for p in merged.papers if p.slug not in before)
    updated = tuple((before[p.slug], p) for p in merged.papers if p.slug in before and p != before[p.slug])
    writing = [*created, *(after for _, after in updated)]
    texts = {paper.slug: store.file_text(content, paper, before.get(paper.slug)) for paper in writing}
    refused = [problem for paper in writing for problem in errors_in(store.paper_path(content, paper.slug), texts[paper.slug], paper)]
    return replace(report, twins=merged.twins, skipped=merged.skipped, created=created, updated=updated,
                   unchanged=len(existing) - len(updated), texts=texts, problems=report.problems + merged.warnings + tuple(refused))


@dataclass(frozen=True)
class AddReport(Reported):
    """What an add did (or, with dry_run, would do): the paper's file and its text."""

    path: Path | None = None
    text: str = ""
    problems: tuple[Problem, ...] = ()
    written: bool = False


def add_paper(content: Path, entry: Entry, curated: dict[str, Any], dry_run: bool = False) -> AddReport:
    """One new paper from an entry and the curated keys given with it (topics, methods, tags,
    links): refused if the atlas already has it, checked as `atlas validate` checks a file,
    then written through the store (unless dry_run). The entry's source is not kept: the
    paper was typed or pasted, and its file is its provenance."""
    taxonomy, problems = load_taxonomy(content / "taxonomy.yml")
    with store.locked(content):
        existing, found = store.load_papers(content)
        problems += [problem for problem in found if problem.is_error]
        if any(problem.is_error for problem in problems):
            return AddReport(problems=tuple(problems))
        twin = PaperIndex.of(existing).find(entry)
        if twin is not None:
            number, how = twin
            other = store.paper_path(content, existing[number].slug)
            what = {"arxiv": "the same arXiv id", "title": "the same title"}.get(how, "a near-identical abstract")
            return AddReport(problems=(error(other, None, f"the atlas already has this paper ({what}); edit this file instead"),))
        paper = replace(merge(existing, [entry], {}).papers[-1], added=added_today(), sources=(), extra=curated)
        path = store.paper_path(content, paper.slug)
        text = store.render_paper(paper)
        report = AddReport(path=path, text=text, problems=tuple(check_text(path, text, taxonomy).problems))
        if report.errors or dry_run:
            return report
        try:
            store.write_texts(content, {paper.slug: text}, versions={})  # the file must not exist yet
        except store.Conflict as conflict:
            return replace(report, problems=report.problems + (error(conflict.path, None, str(conflict)),))
        return replace(report, written=True)


@dataclass(frozen=True)
class RemoveReport(Reported):
    """What a remove did: the paper taken out, or the problems that kept it in."""

    paper: Paper | None = None
    problems: tuple[Problem, ...] = ()


def remove_paper(content: Path, slug: str, reason: str) -> RemoveReport:
    """Take a paper out of the atlas: delete its file and record its identity and the reason in
    content/removed.yml, so that ingest does not bring it back."""
    if not reason.strip():
        return RemoveReport(problems=(error("--reason", None, "say why the paper leaves the atlas (it is kept in content/removed.yml)"),))
    try:
        path = store.paper_path(content, slug)
    except ValueError:
        return RemoveReport(problems=(error(slug, None, "no paper has this slug: give the file name without `.md`"),))
    with store.locked(content):
        if not path.exists():
            return RemoveReport(problems=(error(path, None, "no such paper file"),))
        paper, problems, version = store.read_versioned(path)
        if paper is None:
            return RemoveReport(problems=tuple(problems))
        try:
            store.remove_paper(content, paper, " ".join(reason.split()), added_today(), version)
        except store.Conflict as conflict:
            return RemoveReport(problems=(error(conflict.path, None, str(conflict)),))
        return RemoveReport(paper=paper)


DIGEST_SUFFIXES = (".txt", ".atom")  # pasted digests, and arXiv's Atom feeds


def find_digests(paths: list[str]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Each digest file named, or found as `*.txt` or `*.atom` in a named folder, with its display name."""
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix in DIGEST_SUFFIXES)
            files.extend((p, str(p)) for p in inside)
            if not inside:
                problems.append(error(name, None, "folder holds no digest (*.txt, or arXiv's *.atom)"))
        elif path.exists() or path.is_symlink():  # reading it reports a FIFO, a device or a dangling link
            files.append((path, name))
        else:
            problems.append(error(name, None, "no such file or folder"))
    unique = list(dict.fromkeys(files))
    return unique, problems


@dataclass(frozen=True)
class BuildReport(Reported):
    """What a build did: pages written to build/docs/, problems found, and how long each half took."""

    papers: int = 0
    pages: int = 0
    written: tuple[str, ...] = ()
    unchanged: int = 0
    removed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    mkdocs_warnings: tuple[str, ...] = ()
    generate_seconds: float = 0.0  # the pages
    data_seconds: float = 0.0  # the search index, feeds and API (atlas build makes them while MkDocs runs)
    mkdocs_seconds: float = 0.0


# Files for machines (the search index, feeds, the JSON API): MkDocs need not see them, so
# atlas build makes them beside it, and copies them into the site after.
DATA_FILES = f"{SEARCH_FILES}/{FEEDS_DIR}/\n/{API_DIR}/\n"


def is_data_file(path: str) -> bool:
    """Whether a path under docs/ is one of the files data_files() makes."""
    return is_search_file(path) or path.startswith((f"{FEEDS_DIR}/", f"{API_DIR}/"))


def data_files(corpus: Corpus, site_url: str) -> dict[str, str | bytes]:
    """{path under docs/: text} of the search index, the feeds and the JSON API."""
    return {**search_files(corpus), **feed_files(corpus, site_url), **api_files(corpus, site_url)}


@dataclass
class Preview:
    """What `atlas serve` keeps from one generation to the next, so that after an edit to one
    paper only that paper is read and classified again, and only the pages that show something
    that changed are rendered: a paper's own page when the paper or its related papers changed,
    and the index pages (which are far fewer). A taxonomy that changed starts it afresh."""

    taxonomy: tuple[int, int] | None = None  # (mtime, size) of the taxonomy everything below was made with
    analysed: dict[str, tuple[tuple[int, int], tuple]] = field(default_factory=dict)  # file -> ((mtime, size), analysis)
    shown: dict[str, Any] = field(default_factory=dict)  # paper page -> what it showed when last written
    corpus: Corpus | None = None  # the last generation's


def write_edited_papers(content: Path, docs: Path, preview: Preview, most: int = 20) -> list[str]:
    """The pages of the papers whose files changed since the last generation, written before
    that generation is brought up to date, as it shows them (with the related papers it found;
    none yet for a new paper): what `atlas serve` shows a second after a save, while
    generate_pages() then brings every page up to date. Nothing when the taxonomy changed, a
    file has a problem (the generation reports it), or more than `most` papers changed.

    It only reads the Preview, so it may run while generate_pages() updates it; and it writes
    each page whole (staged, then renamed), as MkDocs may be reading them."""
    corpus = preview.corpus
    if corpus is None or _stat(content / "taxonomy.yml") != preview.taxonomy:
        return []
    stats = _stats(store.paper_files(content))
    changed = _changed(preview, stats)
    if not changed or len(changed) > most:
        return []
    analyses = _read_and_analyse(corpus.taxonomy, changed)
    if any(paper is None or problems for paper, problems, _, _ in analyses):
        return []
    items = [item_of(paper, classification) for paper, _, classification, _ in analyses]
    patched = replace(corpus, by_slug={**corpus.by_slug, **{item.paper.slug: item for item in items}})
    pages = list(render_papers(patched, items))
    site.replace_pages(docs, pages)
    return [path for path, _ in pages]


def generate_pages(content: Path, docs: Path, progress: Progress | None = None, site_url: str = "",
                   preview: Preview | None = None) -> tuple[BuildReport, Corpus | None]:
    """Every page in `docs` (the data files are left as they are, see write_data); the corpus,
    None on errors. With a Preview, the work of the previous call is reused where it still holds."""
    try:
        return _pages(content, docs, progress, site_url, preview)
    finally:
        gc.unfreeze()


def write_data(corpus: Corpus, docs: Path, site_url: str = "") -> site.WriteReport:
    """The search index, the feeds and the API of `corpus` in `docs`: what was written."""
    return _write_data((corpus, docs, site_url))[0]


def _analysed(content: Path, taxonomy: Taxonomy | None, preview: Preview | None) -> list[tuple]:
    """_read_and_analyse() of every paper file, in order; with a Preview, of those whose file
    changed since (the others are remembered)."""
    files = store.paper_files(content)
    if preview is None:
        return parallel.map_slices(_read_and_analyse, taxonomy, files)
    taxonomy_stat = _stat(content / "taxonomy.yml")
    if taxonomy_stat != preview.taxonomy:
        preview.taxonomy, preview.analysed, preview.shown = taxonomy_stat, {}, {}
    stats = _stats(files)
    changed = _changed(preview, stats)
    for path, analysis in zip(changed, parallel.map_slices(_read_and_analyse, taxonomy, changed), strict=True):
        preview.analysed[str(path)] = (stats[path], analysis)
    for gone in set(preview.analysed) - {str(path) for path in files}:
        del preview.analysed[gone]
    return [preview.analysed[str(path)][1] for path in files]


def _stats(files: list[Path]) -> dict[Path, tuple[int, int]]:
    return {path: _stat(path) for path in files}


def _changed(preview: Preview, stats: dict[Path, tuple[int, int]]) -> list[Path]:
    """The files whose (mtime, size) is not the one the Preview analysed, new files included."""
    return [path for path, stat in stats.items() if preview.analysed.get(str(path), (None,))[0] != stat]


def _stat(path: Path) -> tuple[int, int]:
    try:
        status = path.stat()
    except OSError:
        return (0, -1)
    return (status.st_mtime_ns, status.st_size)


def _pages(content: Path, docs: Path, progress: Progress | None, site_url: str,
           preview: Preview | None = None) -> tuple[BuildReport, Corpus | None]:
    progress = progress or Progress(quiet=True)
    started = time.perf_counter()
    recovered = [warning(content, None, done) for done in store.recover_if_idle(content)]  # a batch a crash cut short
    taxonomy, problems = load_taxonomy(content / "taxonomy.yml")
    problems = recovered + problems
    read = _analysed(content, taxonomy, preview)
    problems += [problem for _, found, _, _ in read for problem in found]
    papers = [paper for paper, _, _, _ in read if paper is not None]
    # The papers, and below the corpus, live as long as the build: frozen, the cycle collector
    # stops scanning them on every collection (12-15% of the build at 10,000 papers).
    gc.freeze()
    progress.count("loading and classifying papers", len(papers), len(papers))
    if taxonomy is None or any(p.is_error for p in problems):
        return BuildReport(papers=len(papers), problems=tuple(problems)), None
    classified = {paper.slug: classification for paper, _, classification, _ in read if paper is not None}
    related = related_papers({paper.slug: bag for paper, _, _, bag in read if paper is not None})
    del read  # the bags of words (half of what was read) are not needed again: their memory serves the pages
    progress.count("relating", len(papers), len(papers))
    corpus = group(papers, classified, taxonomy, related)
    gc.freeze()
    existing = site.existing_pages(docs)
    # Workers render and write the paper pages while this process renders and writes the others.
    rendering = _to_render(corpus, preview)
    reports, (indexes, written) = parallel.map_slices_alongside(
        _write_paper_pages, (corpus, docs, existing, site_url), rendering, lambda: _write_index_pages(corpus, docs, existing, site_url))
    for report in reports:
        written.add(report)
    written.unchanged += len(corpus.items) - len(rendering)
    if preview is not None:
        preview.corpus = corpus
    keep = set(indexes) | {paper_page_path(item.paper.slug) for item in corpus.items}
    removed = site.remove_stale(docs, existing, keep | {path for path in existing if is_data_file(path)})
    progress.count("writing pages", len(keep), len(keep))
    report = BuildReport(
        papers=len(papers),
        pages=len(keep),
        written=tuple(written.written),
        unchanged=written.unchanged,
        removed=tuple(removed),
        problems=tuple(problems),
        generate_seconds=time.perf_counter() - started,
    )
    return report, corpus


def _write_data(job: tuple[Corpus, Path, str]) -> tuple[site.WriteReport, int, float]:
    """Write the data files into docs, removing those no longer made: (what was written, how
    many files there are, seconds)."""
    corpus, docs, site_url = job
    started = time.perf_counter()
    files = data_files(corpus, site_url)
    existing = {path for path in site.existing_pages(docs) if is_data_file(path)}
    written = site.write_pages(docs, sorted(files.items()), existing)
    written.removed = site.remove_stale(docs, existing, set(files))
    return written, len(files), time.perf_counter() - started


def _with_data(report: BuildReport, searched: tuple[site.WriteReport, int, float]) -> BuildReport:
    written, files, seconds = searched
    return replace(report, pages=report.pages + files, written=tuple(sorted(report.written + tuple(written.written))),
                   unchanged=report.unchanged + written.unchanged, removed=tuple(sorted(report.removed + tuple(written.removed))),
                   data_seconds=seconds)


def _read_and_analyse(taxonomy: Taxonomy | None, paths: list[Path]) -> list[tuple]:
    """For each file: (paper or None, problems, classification, bag of words), all worked out
    in one pass so that a worker process reads, classifies and tokenizes a paper in one go."""
    results = []
    for path in paths:
        # One check, two callers: the build refuses exactly what `atlas validate` calls an error.
        checked = check_file(path, taxonomy)
        paper, problems = checked.paper, [problem for problem in checked.problems if problem.is_error]
        if paper is None or problems or taxonomy is None:
            results.append((paper, problems, None, None))
        else:
            results.append((paper, problems, classify(paper, taxonomy), bag_of_words(paper.title, paper.abstract)))
    return results


def _to_render(corpus: Corpus, preview: Preview | None) -> list:
    """The items whose page must be rendered: all of them, or with a Preview those whose page
    would show something else than it did when last written (and still is on disk)."""
    if preview is None:
        return corpus.items
    shown = {item.paper.slug: _shown_on_page(corpus, item) for item in corpus.items}
    stale = [item for item in corpus.items if preview.shown.get(item.paper.slug, _NOTHING) != shown[item.paper.slug]]
    preview.shown = shown
    return stale


_NOTHING = object()


def _shown_on_page(corpus: Corpus, item) -> tuple:
    """Everything of the corpus that a paper's page shows (render._paper_context): the paper as
    classified, and its related papers' slugs, titles, first authors and dates."""
    related = (corpus.by_slug[slug].paper for slug in corpus.related.get(item.paper.slug, ()))
    return item, tuple((paper.slug, paper.title, paper.authors[:1], paper.date) for paper in related)


def _write_index_pages(corpus: Corpus, docs: Path, existing: set[str], site_url: str) -> tuple[dict[str, str], site.WriteReport]:
    indexes = render_indexes(corpus, site_url)
    return indexes, site.write_pages(docs, sorted(indexes.items()), existing)


def _write_paper_pages(context: tuple, items: list) -> list[site.WriteReport]:
    corpus, docs, existing, site_url = context
    return [site.write_pages(docs, render_papers(corpus, items, site_url), existing)]


def build(content: Path, out: Path, site_dir: Path, config: Path, strict: bool = False,
          progress: Progress | None = None) -> BuildReport:
    """The whole site: generate build/docs/ from content/, then publish it with MkDocs into `site_dir`.

    Raises site.SiteError when MkDocs fails; with `strict`, any warning stops the build.
    """
    docs, site_url = out / "docs", site.configured_url(config)
    report, corpus = generate_pages(content, docs, progress, site_url)
    if corpus is None or report.errors or (strict and report.warnings):
        return report
    # MkDocs needs only the pages and keeps one core busy; the search index, feeds and API are
    # made on the other core meanwhile, out of MkDocs' sight, and copied into the site when both are done.
    with parallel.in_background(_write_data, (corpus, docs, site_url)) as writing:
        # The forked process has the corpus; MkDocs needs none of it. Let go of it here, so that
        # the build does not hold two copies of it (the other process's reads unshare its pages).
        del corpus
        gc.collect()
        started = time.perf_counter()
        messages = site.run_mkdocs(config, docs, site_dir, strict, exclude=DATA_FILES)
        mkdocs_seconds = time.perf_counter() - started
        written = writing.get()
    site.copy_files(docs, site_dir, [path for path in site.existing_pages(docs) if is_data_file(path)])
    if site_url:
        sitemaps.write_sitemaps(site_dir, site_url)  # MkDocs' one sitemap would pass the protocol's 50,000 URLs
    return replace(_with_data(report, written), mkdocs_warnings=tuple(messages), mkdocs_seconds=mkdocs_seconds)
