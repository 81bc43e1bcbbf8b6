"""`atlas serve`: the site, served on this machine, rebuilt within seconds of a saved change.

One loop, in order, on every change to content/, mkdocs.yml or overrides/:
0. the pages of the papers whose files changed, first, as the last generation knew the rest
   (pipeline.write_edited_papers), and MkDocs' rebuild of them: served a second or two after
   the save;
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
from pathlib import Path

from . import site
from .pipeline import DATA_FILES, BuildReport, Preview, generate_pages, is_data_file, write_data, write_edited_papers
from .progress import Progress


class Server:
    def __init__(self, content: Path, out: Path, config: Path, quiet: bool, show) -> None:
        self.content, self.docs, self.config, self.quiet, self.show = content, out / "docs", config, quiet, show
        self.preview, self.site_dir = Preview(), Path(tempfile.mkdtemp(prefix="atlas-serve-"))
        self.theme = [config, config.parent / "overrides"]
        self.theme_seen = self._theme_state()
        self.data_lock = threading.Lock()

    def build(self, clean: bool = False) -> BuildReport:
        """Generate the pages, then let MkDocs rebuild the site: dirty, or clean when the
        configuration or the theme changed since the last build."""
        if not clean and write_edited_papers(self.content, self.docs, self.preview):
            site.run_mkdocs(self.config, self.docs, self.site_dir, strict=False, exclude=DATA_FILES, dirty=True, serve_url=self.url)
        taxonomy = self.preview.taxonomy
        report, corpus = generate_pages(self.content, self.docs, Progress(quiet=True), preview=self.preview)
        self.show(report)
        if taxonomy is not None and self.preview.taxonomy != taxonomy:
            print("serve: the taxonomy changed: every paper was classified again and its pages rebuilt", file=sys.stderr)
        theme = self._theme_state()
        if theme != self.theme_seen and not clean:
            print("serve: mkdocs.yml or overrides/ changed: rebuilding every page", file=sys.stderr)
            clean, self.theme_seen = True, theme
        if corpus is None or report.errors:
            return report
        site.run_mkdocs(self.config, self.docs, self.site_dir, strict=False, exclude=DATA_FILES, dirty=not clean,
                        serve_url=self.url)
        threading.Thread(target=self._data, args=(corpus,), daemon=True).start()
        return report

    def _data(self, corpus) -> None:
        with self.data_lock:  # one at a time, in the order of the edits
            write_data(corpus, self.docs)
            site.copy_files(self.docs, self.site_dir, [path for path in site.existing_pages(self.docs) if is_data_file(path)])

    def _theme_state(self) -> dict[str, int]:
        files = [path for root in self.theme for path in ([root] if root.is_file() else root.rglob("*")) if path.is_file()]
        return {str(path): path.stat().st_mtime_ns for path in files}

    def serve(self, dev_addr: str) -> int:
        from mkdocs.livereload import LiveReloadServer

        host, _, port = dev_addr.rpartition(":")
        self.url = f"http://{host}:{port}/"
        try:
            if self.build(clean=True).errors:
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
