"""`atlas serve`: the site, served on this machine, rebuilt within seconds of a saved change.

One loop, in order, on every change to content/, mkdocs.yml or overrides/:
0. the pages of the papers whose files changed, first, as the last generation knew the rest
   (pipeline.write_edited_papers), stamped from the shell MkDocs last rendered (stamp.py):
   served a second after the save (LiveReloadServer holds page requests back while its
   builder runs, so steps 1 to 3 then run beside it, in the background);
1. the pages, generated again where something they show changed (pipeline.Preview);
2. MkDocs, rebuilding dirty: only the pages whose source is newer than their HTML, and the
   paper pages stamped likewise (mkdocs_hooks.py); a change to mkdocs.yml or overrides/ is a
   clean rebuild of everything instead, and says so;
3. the search index, feeds and API, in the background (they take longer, and MkDocs only
   copies them): the page is served before them, as `atlas build` copies them in after MkDocs.
MkDocs' own `serve` watches docs/ and would start rebuilding while the generator still writes
it; here the generator's writing and MkDocs' reading never overlap.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import parallel, site, stamp
from .pipeline import DATA_FILES, BuildReport, Preview, generate_pages, is_data_file, write_data, write_edited_papers
from .progress import Progress


def _write_data(job: tuple) -> None:
    write_data(*job)


class Server:
    def __init__(self, content: Path, out: Path, config: Path, quiet: bool, show) -> None:
        self.content, self.docs, self.config, self.quiet, self.show = content, out / "docs", config, quiet, show
        self.preview, self.site_dir = Preview(), Path(tempfile.mkdtemp(prefix="atlas-serve-"))
        self.theme = [config, config.parent / "overrides"]
        self.theme_seen = self._theme_state()
        self.lock, self.data_lock = threading.Lock(), threading.Lock()

    def build(self, clean: bool = False) -> None:
        """LiveReloadServer's builder, run on every change (while it runs, the server holds
        page requests back, so it returns quickly): the pages of the edited papers, stamped from
        the last shell MkDocs rendered, when that is all the change asks for first; then the
        rest in the background. Anything else (the theme changed, a problem): everything, now."""
        started = time.perf_counter()
        first = [] if clean or self._theme_state() != self.theme_seen else write_edited_papers(
            self.content, self.docs, self.preview)
        site_dir = str(self.site_dir.resolve())
        pages = [(path, str((self.docs / path).resolve()), stamp.destination(site_dir, path)) for path in first]
        if first and stamp.stamp_again(site_dir, pages) == []:
            if not self.quiet:
                print(f"serve: {', '.join(first)} rebuilt in {time.perf_counter() - started:.1f} s; now the rest", file=sys.stderr)
            threading.Thread(target=self.update, daemon=True).start()
        else:
            self.update(clean)

    def update(self, clean: bool = False) -> BuildReport:
        """Generate the pages, then let MkDocs rebuild the site: dirty, or clean when the
        configuration or the theme changed since the last build; then the data files."""
        with self.lock:
            taxonomy = self.preview.taxonomy
            report, corpus = generate_pages(self.content, self.docs, Progress(quiet=True), preview=self.preview)
            self.show(report)
            if taxonomy is not None and self.preview.taxonomy != taxonomy:
                print("serve: the taxonomy changed: every paper was classified again and its pages rebuilt", file=sys.stderr)
            theme = self._theme_state()
            if theme != self.theme_seen:
                print("serve: mkdocs.yml or overrides/ changed: rebuilding every page", file=sys.stderr)
                clean, self.theme_seen = True, theme
            if corpus is None or report.errors:
                return report
            self._mkdocs(clean)
        threading.Thread(target=self._data, args=(corpus,), daemon=True).start()
        return report

    def _mkdocs(self, clean: bool) -> None:
        try:
            site.run_mkdocs(self.config, self.docs, self.site_dir, strict=False, exclude=DATA_FILES, dirty=not clean,
                            serve_url=self.url)
        except site.SiteError as failed:
            print(f"mkdocs: error: {failed}", file=sys.stderr)

    def _data(self, corpus) -> None:
        # In a forked process: in a thread, building the index would hold the interpreter's lock
        # while the next edit is being generated.
        with self.data_lock, parallel.in_background(_write_data, (corpus, self.docs)) as writing:  # one at a time
            writing.get()
        site.copy_files(self.docs, self.site_dir, [path for path in site.existing_pages(self.docs) if is_data_file(path)])

    def _theme_state(self) -> dict[str, int]:
        files = [path for root in self.theme for path in ([root] if root.is_file() else root.rglob("*")) if path.is_file()]
        return {str(path): path.stat().st_mtime_ns for path in files}

    def serve(self, dev_addr: str) -> int:
        from mkdocs.livereload import LiveReloadServer

        host, _, port = dev_addr.rpartition(":")
        self.url = f"http://{host}:{port}/"
        try:
            if self.update(clean=True).errors:
                return 1
            server = LiveReloadServer(builder=self.build, host=host, port=int(port), root=str(self.site_dir))
            server.error_handler = self._error_page
            for path in (self.content, *self.theme):
                if path.exists():
                    server.watch(str(path))
            try:
                server.serve()
            except KeyboardInterrupt:
                pass
            finally:
                server.shutdown()
            return 0
        finally:
            shutil.rmtree(self.site_dir, ignore_errors=True)

    def _error_page(self, code: int) -> bytes | None:
        page = self.site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None
