"""The `atlas` command: argument parsing and display. The work happens in pipeline.py."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from . import __version__, store
from .formats import FORMATS
from .pipeline import IngestReport, ingest
from .progress import Progress

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
    return parser


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
