"""The `atlas` command: argument parsing and display. The work happens in pipeline.py."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path

from . import __version__, formats, store
from .evaluate import classify_papers, describe, evaluate_labels
from .evaluate import report as evaluation_report
from .formats import FORMATS
from .limits import bare_arxiv_identifier
from .model import Entry, Problem, Source, error
from .pipeline import BuildReport, IngestReport, add_paper, added_today, build, ingest, remove_paper
from .progress import Progress
from .site import SiteError
from .sources import watch
from .sources.arxiv import ArxivClient, ArxivError
from .sources.huggingface import HuggingFaceClient, HuggingFaceError
from .sources.update import enrich, entry_from_arxiv, fetch
from .validate import validate

EXIT_OK, EXIT_PROBLEMS = 0, 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atlas", description="Post-Training Atlas: papers in, research atlas out.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest_cmd = commands.add_parser(
        "ingest",
        help="turn digests into paper files in content/papers/",
        description="Parse digests (files, or folders of *.txt), merge each paper with its twins and with "
        "content/papers/, and write one file per paper. Nothing is written if any input has an error.",
    )
    ingest_cmd.add_argument("paths", nargs="+", metavar="PATH", help="digest file, or folder of *.txt digests")
    _content_option(ingest_cmd)
    ingest_cmd.add_argument("--format", choices=["auto", *FORMATS], default="auto", help="digest format (default: detect per file)")
    ingest_cmd.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    ingest_cmd.add_argument("--quiet", action="store_true", help="print only errors and warnings")
    ingest_cmd.set_defaults(run=run_ingest)

    build_cmd = commands.add_parser(
        "build",
        help="build the site: content/ -> build/docs/ -> site/",
        description="Classify, relate and group the papers in content/, write the MkDocs pages to "
        "OUT/docs/, then publish them with MkDocs into SITE.",
    )
    _site_options(build_cmd)
    build_cmd.add_argument("--site", type=Path, default=Path("site"), metavar="DIR", help="where the site goes (default: site)")
    build_cmd.add_argument("--strict", action="store_true", help="fail on any warning, ours or MkDocs'")
    build_cmd.set_defaults(run=run_build)

    serve_cmd = commands.add_parser(
        "serve",
        help="preview the site, regenerating it when content/ changes",
        description="Build the pages, serve them with live reload, and regenerate them whenever a file "
        "in content/ changes.",
    )
    _site_options(serve_cmd)
    serve_cmd.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="IP:PORT", help="address to serve on (default: 127.0.0.1:8000)")
    serve_cmd.set_defaults(run=run_serve)

    add_cmd = commands.add_parser(
        "add",
        help="add one paper: flags and the abstract on stdin, or a pasted digest snippet",
        description="Write content/papers/<slug>.md for one paper, checked as `atlas validate` checks a file. "
        "The abstract comes on standard input. With --digest, standard input is instead a digest snippet "
        "in any format ingest reads (title, authors, date and abstract in one paste). A paper the atlas "
        "already has is refused, with the name of its file.",
    )
    _content_option(add_cmd)
    add_cmd.add_argument("--title", help="the paper's title")
    add_cmd.add_argument("--authors", default="", help='authors, separated by commas: "Ana Lee, Bo Chen"')
    add_cmd.add_argument("--date", type=_date, help="publication date, YYYY-MM-DD")
    add_cmd.add_argument("--arxiv", help="arXiv identifier, e.g. 2502.21231; alone, title, authors, date and abstract come from arXiv")
    add_cmd.add_argument("--topic", action="append", default=[], metavar="SLUG", help="a topic from content/taxonomy.yml (repeatable)")
    add_cmd.add_argument("--method", action="append", default=[], metavar="SLUG", help="a method from content/taxonomy.yml (repeatable)")
    add_cmd.add_argument("--tag", action="append", default=[], help="a free-form tag (repeatable)")
    add_cmd.add_argument("--digest", action="store_true", help="standard input is a digest snippet holding one paper")
    add_cmd.add_argument("--format", choices=["auto", *FORMATS], default="auto", help="the snippet's format (default: detect)")
    add_cmd.add_argument("--dry-run", action="store_true", help="print the file that would be written; write nothing")
    add_cmd.add_argument("--quiet", action="store_true", help="print only errors and warnings")
    add_cmd.set_defaults(run=run_add)

    fetch_cmd = commands.add_parser(
        "fetch",
        help="ask arXiv for new papers of the queries in content/sources.yml, save and ingest them",
        description="For each query in content/sources.yml, ask arXiv's API for papers submitted since the newest "
        "one already saved for it (or since --since), save each page that brings a new paper into "
        "content/digests/arxiv/, and ingest those pages; nothing is written if arXiv fails. An entry that cannot "
        "become a paper is skipped with a warning. The API's address is ATLAS_ARXIV_API (default arXiv's own); "
        "ATLAS_ARXIV_TIMEOUT, ATLAS_ARXIV_BUDGET and ATLAS_ARXIV_MAX_BYTES bound each answer and the whole "
        "command; answers are cached in ATLAS_CACHE (default build/cache).",
    )
    _content_option(fetch_cmd)
    fetch_cmd.add_argument("--since", type=_since, metavar="DATE", help="ask for papers submitted since this day, YYYY-MM-DD")
    fetch_cmd.add_argument("--skipped", type=Path, metavar="FILE",
                           help="write the entries skipped to FILE, one JSON object a line (query, arxiv, reason)")
    fetch_cmd.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    fetch_cmd.add_argument("--quiet", action="store_true", help="print only errors and warnings")
    fetch_cmd.set_defaults(run=run_fetch)

    enrich_cmd = commands.add_parser(
        "enrich",
        help="complete papers that lack an arXiv id, authors or a date, from arXiv; and code links, from Hugging Face",
        description="Look up every paper (or those named) that lacks an arXiv id, authors or a date: by id where "
        "it has one, else by its exact title, accepting a record only when title and abstract match. Fills "
        "empty fields only; prints what was resolved, what is ambiguous and what was not found. Then asks "
        "Hugging Face (ATLAS_HF_API) for the code and project pages of every paper with an arXiv id and no "
        "links.code, and fills links.code and links.project where they are empty.",
    )
    enrich_cmd.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="paper files (default: every paper that needs it)")
    _content_option(enrich_cmd)
    enrich_cmd.add_argument("--offline", action="store_true", help="ask no one: use the cache and --from files only")
    enrich_cmd.add_argument("--from", dest="from_files", action="append", default=[], metavar="FILE",
                            help="an arXiv Atom file to take records from (repeatable)")
    enrich_cmd.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    enrich_cmd.add_argument("--quiet", action="store_true", help="print only errors, warnings and what was not resolved")
    enrich_cmd.set_defaults(run=run_enrich)

    remove_cmd = commands.add_parser(
        "remove",
        help="take a paper out of the atlas so that ingest does not bring it back",
        description="Delete content/papers/SLUG.md and record the paper (its digest lines, arXiv id, title, "
        "abstract) and the reason in content/removed.yml; ingest then skips every digest entry that is this paper.",
    )
    remove_cmd.add_argument("slug", metavar="SLUG", help="the paper's file name without .md")
    _content_option(remove_cmd)
    remove_cmd.add_argument("--reason", required=True, metavar="TEXT", help="why the paper leaves the atlas (kept for reviewers)")
    remove_cmd.add_argument("--quiet", action="store_true", help="print only errors")
    remove_cmd.set_defaults(run=run_remove)

    classify_cmd = commands.add_parser(
        "classify",
        help="show each paper's methods, central and mentioned, with evidence; or measure them against labels",
        description="Print the topics and methods the taxonomy gives each paper (every one, or the slugs named): "
        "each method central (the paper proposes, uses or studies it) or mentioned (background, baselines, "
        "comparisons), with the sentence that shows it. With --evaluate FILE, measure the methods of the "
        "labelled papers against FILE instead: precision and recall overall and per method, then every "
        "false positive and every miss with its evidence, and the papers FILE does not label yet.",
    )
    classify_cmd.add_argument("slugs", nargs="*", metavar="SLUG", help="papers to show (default: all)")
    _content_option(classify_cmd)
    classify_cmd.add_argument("--evaluate", type=Path, metavar="FILE",
                              help="labelled methods to measure against, e.g. tests/data/method_labels.yml")
    classify_cmd.set_defaults(run=run_classify)

    validate_cmd = commands.add_parser(
        "validate",
        help="check paper files and the taxonomy, reporting every problem",
        description="Check the taxonomy and the paper files (every one, or those named): front matter, "
        "types, dates, topics and methods, links, duplicates of papers already in the atlas. Prints every "
        "problem as path:line: message; exits 1 on errors (and, with --strict, on warnings).",
    )
    validate_cmd.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="paper files to check (default: all of content/papers/)")
    _content_option(validate_cmd)
    validate_cmd.add_argument("--format", choices=["text", "github"], default="text",
                              help="text (default), or GitHub Actions annotations that show on the pull request")
    validate_cmd.add_argument("--strict", action="store_true", help="fail on warnings too")
    validate_cmd.add_argument("--quiet", action="store_true", help="print only the problems")
    validate_cmd.set_defaults(run=run_validate)
    return parser


def _content_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)")


def _site_options(command: argparse.ArgumentParser) -> None:
    _content_option(command)
    command.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="where the generated pages go, in DIR/docs (default: build)")
    command.add_argument("--config", type=Path, default=Path("mkdocs.yml"), metavar="FILE", help="MkDocs configuration (default: mkdocs.yml)")
    command.add_argument("--quiet", action="store_true", help="print only errors and warnings")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `atlas` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (store.ContentBusy, ArxivError, HuggingFaceError) as stopped:  # another writer; a bad ATLAS_ARXIV_* or ATLAS_HF_* setting
        print(f"atlas {args.command}: error: {stopped}; nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    except BrokenPipeError:  # `atlas classify | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush cannot fail again
        return EXIT_OK


def run_ingest(args: argparse.Namespace) -> int:
    report = ingest(args.paths, args.content, args.format, args.dry_run, Progress(quiet=args.quiet))
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.errors:
        print(f"ingest: {len(report.errors)} error(s); nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.dry_run:
        _show_changes(report, args.content)
    if not args.quiet:
        print(_summary(report), file=sys.stderr)
    return EXIT_OK


def _summary(report: IngestReport) -> str:
    changed = len(report.created) + len(report.updated)
    papers = changed + report.unchanged
    if not changed:
        outcome = "nothing to write"
    elif report.written:
        outcome = f"{changed} file(s) written"
    else:
        outcome = f"{changed} file(s) would be written"
    return (
        f"ingest: {report.digests} digest(s), {report.entries} entries ({report.twins} joined a paper already known) "
        f"-> {papers} papers: {len(report.created)} new, {len(report.updated)} updated, {report.unchanged} unchanged"
        f"{f', {report.skipped} entries of removed papers skipped' if report.skipped else ''}; "
        f"{outcome}; {len(report.warnings)} warning(s)"
    )


def _show_changes(report: IngestReport, content: Path) -> None:
    """On stdout: each file that would be created, and a diff of each that would change."""
    for paper in report.created:
        print(f"would create {store.paper_path(content, paper.slug)}")
    for _, after in report.updated:
        path = store.paper_path(content, after.slug)
        current = store.read_text(path)[0] or ""
        diff = difflib.unified_diff(current.splitlines(keepends=True), report.texts[after.slug].splitlines(keepends=True),
                                    fromfile=str(path), tofile=str(path))
        sys.stdout.writelines(diff)


def run_build(args: argparse.Namespace) -> int:
    try:
        report = build(args.content, args.out, args.site, args.config, args.strict, Progress(quiet=args.quiet))
    except SiteError as exc:
        print(f"mkdocs: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    _show_problems(report)
    if report.errors or (args.strict and report.warnings):
        print(f"build: {len(report.errors)} error(s), {len(report.warnings)} warning(s); the site was not built", file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.quiet:
        print(_build_summary(report) + f"; mkdocs {report.mkdocs_seconds:.1f} s -> {args.site}/", file=sys.stderr)
    return EXIT_OK


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is no date written YYYY-MM-DD") from None


def _since(text: str) -> dt.date:
    """A day to fetch from: 1990-01-01 up to today."""
    day, today = _date(text), added_today()
    if not watch.EARLIEST <= day <= today:
        raise argparse.ArgumentTypeError(f"{text} is not a day from {watch.EARLIEST} to today ({today})")
    return day


STDIN = "<stdin>"


def run_add(args: argparse.Namespace) -> int:
    if sys.stdin.isatty() and not (args.arxiv and not (args.title or args.digest)):
        print(f"atlas add: paste the {'digest snippet' if args.digest else 'abstract'}, then press Ctrl-D", file=sys.stderr)
    if args.arxiv and not (args.title or args.digest):
        entry, problems = entry_from_arxiv(arxiv_client(), args.arxiv)  # everything from arXiv, through the cache
    else:
        entry, problems = _entry_to_add(args, sys.stdin.buffer.read())
    if entry is not None:
        if args.arxiv and entry.arxiv is None and (given := bare_arxiv_identifier(args.arxiv)):
            entry = replace(entry, arxiv=given)  # so a paper the atlas has is found by its id
        curated = {key: value for key, value in (("topics", args.topic), ("methods", args.method), ("tags", args.tag),
                                                 ("links", {"arxiv": entry.arxiv or args.arxiv} if args.arxiv else None)) if value}
        report = add_paper(args.content, entry, curated, args.dry_run)
        problems = list(report.problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if entry is None or report.errors:
        print(f"add: {sum(p.is_error for p in problems)} error(s); nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.dry_run:
        sys.stdout.write(report.text)
    elif not args.quiet:
        print(f"add: wrote {report.path}; see it with `atlas serve`", file=sys.stderr)
    return EXIT_OK


def _entry_to_add(args: argparse.Namespace, data: bytes) -> tuple[Entry | None, list[Problem]]:
    """The paper to add, from the flags and standard input, or why there is none."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        return None, [error(STDIN, data[: exc.start].count(b"\n") + 1, "not UTF-8 text")]
    if not args.digest:
        abstract = " ".join(text.split())
        missing = [what for what, value in (("--title", args.title), ("an abstract on standard input", abstract)) if not value]
        if missing:
            return None, [error(STDIN, None, f"needs {' and '.join(missing)} (or --digest with a pasted digest snippet)")]
        return Entry(abstract, Source(STDIN, "manual", 1), " ".join(args.title.split()), _authors(args.authors), args.date), []
    digest = formats.parse_digest(text, STDIN, args.format)
    if digest.problems and any(p.is_error for p in digest.problems):
        return None, list(digest.problems)
    if len(digest.entries) != 1:
        return None, [error(STDIN, None, f"the snippet holds {len(digest.entries)} papers; add takes one (use `atlas ingest` for more)")]
    (entry,) = digest.entries
    flags = {"title": args.title and " ".join(args.title.split()), "date": args.date, "authors": _authors(args.authors)}
    return replace(entry, **{key: value for key, value in flags.items() if value}), list(digest.problems)


def _authors(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def arxiv_client(offline: bool = False) -> ArxivClient:
    """The arXiv client commands use, caching under ATLAS_CACHE (default build/cache)."""
    return ArxivClient(Path(os.environ.get("ATLAS_CACHE", "build/cache")) / "arxiv", offline=offline)


def run_fetch(args: argparse.Namespace) -> int:
    report = fetch(args.content, arxiv_client(), args.since, args.dry_run, Progress(quiet=args.quiet))
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if args.skipped:
        args.skipped.write_text("".join(json.dumps(asdict(entry)) + "\n" for entry in report.skipped), encoding="utf-8")
    if report.errors:
        print(f"fetch: {len(report.errors)} error(s); nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.dry_run and report.ingest:
        _show_changes(report.ingest, args.content)
    if not args.quiet:
        papers = f"; {_summary(report.ingest)}" if report.ingest else "; no new papers"
        print(f"fetch: {report.requests} request(s) to arXiv, {len(report.pages)} new page(s){papers}", file=sys.stderr)
    return EXIT_OK


def run_enrich(args: argparse.Namespace) -> int:
    cache = Path(os.environ.get("ATLAS_CACHE", "build/cache"))
    report = enrich(args.content, arxiv_client(args.offline), args.paths, args.from_files, args.dry_run,
                    HuggingFaceClient(cache / "huggingface", offline=args.offline))
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for lookup in report.lookups:
        if lookup.outcome != "resolved" or not args.quiet:
            print(f"{lookup.outcome}: {store.paper_path(args.content, lookup.slug)}: {lookup.detail}")
    for code in report.code_lookups:
        if code.outcome == "found" and not args.quiet:
            print(f"code: {store.paper_path(args.content, code.slug)}: {code.detail}")
    if report.errors:
        print(f"enrich: {len(report.errors)} error(s); nothing was written", file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.quiet:
        counts = {outcome: sum(lookup.outcome == outcome for lookup in report.lookups) for outcome in ("resolved", "ambiguous", "not found")}
        done = f"{len(report.updated)} file(s) {'written' if report.written else 'would be written' if report.updated else 'to write'}"
        code = sum(lookup.outcome == "found" for lookup in report.code_lookups)
        print(f"enrich: {report.requests} request(s) to arXiv; {counts['resolved']} resolved, {counts['ambiguous']} ambiguous, "
              f"{counts['not found']} not found; {report.code_requests} request(s) to Hugging Face, {code} with code or "
              f"project links; {done}", file=sys.stderr)
    return EXIT_OK


def run_remove(args: argparse.Namespace) -> int:
    report = remove_paper(args.content, args.slug, args.reason)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.errors:
        print("remove: nothing was removed", file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.quiet:
        print(f"remove: took {args.slug} out of the atlas; content/removed.yml keeps why, and ingest will skip it", file=sys.stderr)
    return EXIT_OK


def run_classify(args: argparse.Namespace) -> int:
    if args.evaluate is not None:
        result, problems = evaluate_labels(args.content, args.evaluate)
        for problem in problems:
            print(problem, file=sys.stderr)
        if result is not None:
            print(evaluation_report(result, args.evaluate))
        return EXIT_OK if result is not None else EXIT_PROBLEMS
    classified, problems = classify_papers(args.content, args.slugs)
    for problem in problems:
        print(problem, file=sys.stderr)
    print("\n\n".join(describe(paper, classification) for paper, classification in classified))
    return EXIT_PROBLEMS if any(problem.is_error for problem in problems) else EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    files, problems = validate(args.content, args.paths)
    for problem in problems:
        print(github_annotation(problem) if args.format == "github" else problem)
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    if not args.quiet:
        print(f"validate: {files} file(s) checked; {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_PROBLEMS if errors or (args.strict and warnings) else EXIT_OK


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that shows the problem on the pull request's diff."""
    def escaped(text: str, property_value: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if property_value else text

    where = f"file={escaped(problem.path, True)}" + (f",line={problem.line}" if problem.line else "")
    return f"::{'error' if problem.is_error else 'warning'} {where}::{escaped(problem.message)}"


def run_serve(args: argparse.Namespace) -> int:
    from .preview import Server

    def show(report: BuildReport) -> None:
        _show_problems(report)
        if not args.quiet:
            print(_build_summary(report), file=sys.stderr)

    code = Server(args.content, args.out, args.config, args.quiet, show).serve(args.dev_addr)
    return EXIT_PROBLEMS if code else EXIT_OK


def _show_problems(report: BuildReport) -> None:
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for message in report.mkdocs_warnings:
        print(f"mkdocs: warning: {message}", file=sys.stderr)


def _build_summary(report: BuildReport) -> str:
    return (
        f"build: {report.papers} papers -> {report.pages} files ({len(report.written)} written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed); pages {report.generate_seconds:.1f} s, search index, feeds and API {report.data_seconds:.1f} s"
    )
