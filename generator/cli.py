"""The `atlas` command: argument parsing and display. The work happens in pipeline.py."""

from __future__ import annotations

import argparse
import difflib
import sys
import threading
from pathlib import Path

from . import __version__, store
from .formats import FORMATS
from .pipeline import BuildReport, IngestReport, build, generate, ingest
from .progress import Progress
from .site import SiteError

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
    ingest_cmd.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)")
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
    return parser


def _site_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)")
    command.add_argument("--out", type=Path, default=Path("build"), metavar="DIR", help="where the generated pages go, in DIR/docs (default: build)")
    command.add_argument("--config", type=Path, default=Path("mkdocs.yml"), metavar="FILE", help="MkDocs configuration (default: mkdocs.yml)")
    command.add_argument("--quiet", action="store_true", help="print only errors and warnings")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `atlas` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    return args.run(args)


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
        f"-> {papers} papers: {len(report.created)} new, {len(report.updated)} updated, {report.unchanged} unchanged; "
        f"{outcome}; {len(report.warnings)} warning(s)"
    )


def _show_changes(report: IngestReport, content: Path) -> None:
    """On stdout: each file that would be created, and a diff of each that would change."""
    for paper in report.created:
        print(f"would create {store.paper_path(content, paper.slug)}")
    for before, after in report.updated:
        path = str(store.paper_path(content, after.slug))
        diff = difflib.unified_diff(
            store.render_paper(before).splitlines(keepends=True),
            store.render_paper(after).splitlines(keepends=True),
            fromfile=path,
            tofile=path,
        )
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


def run_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    def regenerate() -> BuildReport:
        report = generate(args.content, args.out / "docs", Progress(quiet=True))
        _show_problems(report)
        if not args.quiet:
            print(_build_summary(report), file=sys.stderr)
        return report

    if regenerate().errors:
        return EXIT_PROBLEMS
    threading.Thread(target=_watch, args=(args.content, regenerate), daemon=True).start()
    serve(str(args.config), livereload=True, dev_addr=args.dev_addr, docs_dir=str((args.out / "docs").resolve()))
    return EXIT_OK


def _watch(folder: Path, on_change, interval: float = 0.5) -> None:
    """Call `on_change` whenever a file under `folder` is added, removed or modified."""
    import time

    def snapshot() -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*") if p.is_file()}

    seen = snapshot()
    while True:
        time.sleep(interval)
        try:
            now = snapshot()
        except OSError:  # a file vanished while we looked; look again next time
            continue
        if now != seen:
            seen = now
            on_change()


def _show_problems(report: BuildReport) -> None:
    for problem in report.problems:
        print(problem, file=sys.stderr)
    for message in report.mkdocs_warnings:
        print(f"mkdocs: warning: {message}", file=sys.stderr)


def _build_summary(report: BuildReport) -> str:
    return (
        f"build: {report.papers} papers -> {report.pages} files ({len(report.written)} written, {report.unchanged} unchanged, "
        f"{len(report.removed)} removed); pages {report.generate_seconds:.1f} s, search index {report.search_seconds:.1f} s"
    )
