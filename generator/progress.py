"""Progress on stderr: a counter redrawn in place on a terminal, one line per stage elsewhere."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """Reports `label: done/total`; silent when quiet."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()

    def count(self, label: str, done: int, total: int) -> None:
        """Record that `done` of `total` items of a stage are finished."""
        if self.quiet or total == 0:
            return
        if self.live:
            end = "\n" if done == total else ""
            self.stream.write(f"\r{label}: {done}/{total}{end}")
            self.stream.flush()
        elif done == total:
            self.stream.write(f"{label}: {done}/{total}\n")
