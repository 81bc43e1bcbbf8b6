"""Writing content/: one writer at a time, and every batch all or nothing, even across a crash.

A batch is applied the way git and SQLite make their changes durable:
1. every new text is staged beside its target (`.name.atlas-new`), and all are synced to disk;
2. the journal, naming each target with the hash of what it held and what it will hold, is
   written and renamed into place: from this instant the batch has happened;
3. the staged files are renamed over their targets, and the journal is deleted.

A crash before step 2 leaves staged files and no journal: the batch never happened, and
recovery deletes them. A crash after it leaves a journal: recovery finishes the renames. Either
way `content/` ends as it was before the batch or as it is after, and no temporary file
outlives the recovery, which the next command that takes the lock runs before anything else.
A target that no longer holds what the batch read (a person saved it meanwhile) stops the
batch before step 2, and is never overwritten by recovery either.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LOCK = ".atlas.lock"
JOURNAL = ".atlas-journal.json"
STAGED = ".atlas-new"  # suffix of a staged file: `.<name>.atlas-new` beside its target
LEGACY_TEMPORARY = ".tmp"  # what earlier versions left in papers/ when killed (`.<slug>.<random>.tmp`)
ABSENT = None  # the hash of a file that does not exist
ANY = "any"  # expect nothing: overwrite whatever is there


class ContentBusy(Exception):
    """Another atlas command holds the lock on content/."""


class Conflict(Exception):
    """A file changed since the batch read it; nothing was written."""

    def __init__(self, path: Path, now: str | None) -> None:
        what = "was deleted" if now is ABSENT else "was created" if now == "created" else "changed"
        super().__init__(f"{path} {what} while this command ran (was it edited?); nothing was written: run the command again")
        self.path = path


@dataclass(frozen=True)
class Write:
    """One file of a batch: its path relative to content/, its new text (None deletes it), and
    the hash it must hold now (ABSENT for none, ANY when it does not matter)."""

    path: str
    text: str | None
    expected: str | None = ANY


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current_hash(path: Path) -> str | None:
    """The hash of the file's bytes, or ABSENT when there is no file."""
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return ABSENT


@contextlib.contextmanager
def locked(content: Path) -> Iterator[list[str]]:
    """Hold the lock on `content` (raises ContentBusy when another command holds it), after
    finishing or undoing any batch a crash interrupted; yields what that recovery did.

    The lock is `content/.atlas.lock`, held with flock and deleted on release, so content/
    holds nothing of ours between commands. The kernel releases it if we are killed.
    """
    content.mkdir(parents=True, exist_ok=True)
    descriptor = _acquire(content / LOCK)
    try:
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield recover(content)
    finally:
        (content / LOCK).unlink(missing_ok=True)  # while still held: a waiting process then sees a new file
        os.close(descriptor)


def _acquire(path: Path) -> int:
    """A descriptor of the lock file at `path`, locked; ContentBusy if another process holds it."""
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(descriptor)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise ContentBusy(f"another atlas command is writing {path.parent}/ (pid {holder})") from None
        try:
            if os.fstat(descriptor).st_ino == os.stat(path).st_ino:
                return descriptor
        except FileNotFoundError:
            pass
        os.close(descriptor)  # the holder deleted this file as we locked it: lock the new one


def recover_if_idle(content: Path) -> list[str]:
    """For commands that only read: recover an interrupted batch when no writer is at work."""
    if not (content / JOURNAL).exists() and not (content / LOCK).exists() and not _leftovers(content):
        return []  # nothing a crash left: no need to take the lock
    try:
        with locked(content) as recovered:
            return recovered
    except ContentBusy:
        return []


def apply(content: Path, writes: list[Write]) -> None:
    """Apply the batch: every write, or (on any error or crash) none of them.

    Raises Conflict, before anything is written, when a file does not hold what it was expected to.
    The caller holds the lock.
    """
    entries, staged = [], []
    try:
        for write in writes:
            target = content / write.path
            now = current_hash(target)
            if write.expected != ANY and now != write.expected:
                raise Conflict(target, "created" if write.expected is ABSENT else now)
            entry = {"path": write.path, "old": now, "new": None, "staged": None}
            if write.text is not None:
                data = write.text.encode("utf-8")
                entry.update(new=digest(data), staged=_stage(content, target, data))
                staged.append(content / entry["staged"])
            entries.append(entry)
        if staged:
            os.sync()  # one flush for every staged file: an fsync each cost 0.3 ms a file
        _write_journal(content, entries)
    except BaseException:
        if not (content / JOURNAL).exists():  # once the journal is in place, recovery finishes the batch
            for path in staged:
                path.unlink(missing_ok=True)
        raise
    _roll_forward(content, entries)
    (content / JOURNAL).unlink()
    _sync_folder(content)


def recover(content: Path) -> list[str]:
    """Finish the batch a journal records, then delete every staged file no journal names.

    Returns a line for a person about each thing done.
    """
    done = []
    journal = content / JOURNAL
    if journal.exists():
        entries = json.loads(journal.read_text(encoding="utf-8"))["writes"]
        kept = _roll_forward(content, entries)
        done.append(f"finished a batch of {len(entries)} file(s) that an interrupted atlas command had begun")
        done += [f"kept {path}: it was edited after the interrupted command; check it by hand" for path in kept]
        journal.unlink()
    for leftover in _leftovers(content):
        leftover.unlink(missing_ok=True)
        done.append(f"removed {leftover}, left by an atlas command interrupted before it wrote anything")
    (content / (JOURNAL + ".new")).unlink(missing_ok=True)
    if done:
        _sync_folder(content)
    return done


def _stage(content: Path, target: Path, data: bytes) -> str:
    """Write `data` beside `target`, synced, with the target's mode (or the umask's for a new
    file); the staged file's path relative to content/."""
    staged = target.with_name(f".{target.name}{STAGED}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = os.stat(target).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # as any editor would create it
    with open(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as handle:
        handle.write(data)  # synced with the whole batch, before the journal commits it
    os.chmod(staged, mode)  # a staged file left by a crash may have had another
    return str(staged.relative_to(content))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write_journal(content: Path, entries: list[dict]) -> None:
    pending = content / (JOURNAL + ".new")
    with open(pending, "w", encoding="utf-8") as handle:
        json.dump({"writes": entries}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pending, content / JOURNAL)  # the commit point
    _sync_folder(content)


def _roll_forward(content: Path, entries: list[dict]) -> list[Path]:
    """Put each write of a committed batch in place, unless its target holds neither what the
    batch read nor what it wrote (a person's later edit): those are kept and returned."""
    kept = []
    for entry in entries:
        target = content / entry["path"]
        staged = content / entry["staged"] if entry["staged"] else None
        now = current_hash(target)
        if now == entry["new"]:
            pass  # done before the interruption
        elif now != entry["old"]:
            kept.append(target)
        elif staged is not None:
            os.replace(staged, target)
        else:
            target.unlink(missing_ok=True)
        if staged is not None:
            staged.unlink(missing_ok=True)
    for folder in {(content / entry["path"]).parent for entry in entries}:
        _sync_folder(folder)
    return kept


def _leftovers(content: Path) -> list[Path]:
    """Staged files of batches that never committed, and temporary files of earlier versions."""
    found = []
    for folder in (content, content / "papers"):
        if folder.is_dir():
            found += [entry for entry in folder.iterdir() if entry.name.startswith(".") and entry.name.endswith(STAGED)]
    papers = content / "papers"
    if papers.is_dir():
        found += [entry for entry in papers.iterdir() if entry.name.startswith(".") and entry.name.endswith(LEGACY_TEMPORARY)]
    return sorted(found)


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
