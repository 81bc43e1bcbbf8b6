"""Reading files that strangers may have put in our way: only regular files, never more bytes
than asked for, never through a symlink that leaves the folder it belongs to.

A FIFO named `digest.txt` would block a plain read for ever, a symlink to /dev/zero would fill
memory however small `st_size` claims the file is, and a symlink in content/papers/ to a file
elsewhere would publish that file. Every reader of contributed files goes through here.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


class UnreadableFile(Exception):
    """The file cannot be read safely; the message says why, for a person."""


def read_capped(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    Raises UnreadableFile for anything else: a FIFO, a device, a socket, a folder, a file
    larger than `limit` (counted as read, not as stat reports it) or an OS error.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise UnreadableFile(f"cannot read {what}: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"{_KINDS.get(stat.S_IFMT(mode), 'a special file')}, not a regular file; a {what} is a text file")
        chunks, size = [], 0
        while chunk := os.read(descriptor, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise UnreadableFile(f"{what} is over {limit:,} bytes, the most one may hold")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"cannot read {what}: {exc.strerror or exc}") from exc
    finally:
        os.close(descriptor)


def leaves(path: Path, root: Path) -> bool:
    """Whether `path`, with every symlink followed, lies outside the folder `root`."""
    if path.is_symlink():
        return not path.resolve().is_relative_to(_resolved(root))
    return not _resolved(path.parent).is_relative_to(_resolved(root))  # one lstat a file, not one a path part


@functools.lru_cache(maxsize=64)
def _resolved(folder: Path) -> Path:
    return folder.resolve()
