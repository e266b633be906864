"""Which local runs still have a process: a lock file per run, held by the process running it.

A job run on this machine (`datafeeds run`, a `datafeeds launch` child) holds an exclusive lock
(flock) on `<home>/running/<run id>.lock` while its run is running; a launcher holds one on
`<home>/running/launch-<uuid>.lock`, which lists the runs it queued. The kernel drops a lock
when its process ends, however it ends (kill -9 included), so `datafeeds runs sync` tells a live
run from a lost one without a heartbeat: a lock file nobody holds belongs to a process that is
gone. Its run, if still "running" (or, for a launcher, still "queued"), becomes "lost".

A run with no lock file here is left alone: it runs on another machine or from another home, or
is a Batch worker's (`datafeeds batch status --sync` settles those). Liveness is best effort for
the job itself: a home that cannot hold lock files costs a warning, never the run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from datafeeds_core import logs

try:
    import fcntl
except ImportError:  # not a POSIX system: no liveness, runs are never judged lost here
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.batch_runs import StatusChange

log = logs.get("liveness")

FOLDER = "running"
LAUNCH_PREFIX = "launch-"
SUFFIX = ".lock"
LOCAL_EXECUTORS = ("local", "cli")
PROCESS_LOST = (
    "ProcessLost",
    "no process runs it any more: it ended without closing its run "
    "(killed, out of memory, or its machine stopped)",
)
LAUNCHER_LOST = ("LauncherLost", "its launcher ended before starting it")


def folder_of(home: Path) -> Path:
    return home / FOLDER


def _try_lock(fd: int) -> bool:
    assert fcntl is not None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _hold(folder: Path, name: str, content: bytes) -> int:
    """A locked file named `name` with `content`; returns its descriptor (keep it open).

    The file is locked under a temporary name and then renamed, so `name` never exists unlocked
    while its process lives.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        if not _try_lock(fd):
            raise OSError(f"cannot lock the new file {tmp}")
        os.write(fd, content)
        os.replace(tmp, folder / name)
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return fd


def _let_go(path: Path, fd: int) -> None:
    """Unlink, then unlock: a sync never finds the file unlocked while we are alive."""
    with suppress(OSError):
        path.unlink()
    os.close(fd)


@contextmanager
def run_held(home: Path, run_id: int) -> Iterator[None]:
    """Hold run `run_id`'s lock file for the body (a warning, and no lock, if it cannot be)."""
    if fcntl is None:
        yield
        return
    folder = folder_of(home)
    name = f"{run_id}{SUFFIX}"
    try:
        fd = _hold(folder, name, f"{os.getpid()}\n".encode())
    except OSError as exc:
        log.warning("run %s: no liveness lock (%s); `runs sync` cannot judge it", run_id, exc)
        yield
        return
    try:
        yield
    finally:
        _let_go(folder / name, fd)


class LaunchHold:
    """A launcher's lock file, listing the runs it queued (`add` as they are opened)."""

    def __init__(self, path: Path | None, fd: int | None) -> None:
        self.path = path
        self.fd = fd

    def add(self, run_ids: Iterable[int]) -> None:
        if self.fd is not None:
            os.write(self.fd, "".join(f"{i}\n" for i in run_ids).encode())


@contextmanager
def launcher_held(home: Path) -> Iterator[LaunchHold]:
    if fcntl is None:
        yield LaunchHold(None, None)
        return
    import uuid

    folder = folder_of(home)
    name = f"{LAUNCH_PREFIX}{uuid.uuid4().hex}{SUFFIX}"
    try:
        fd = _hold(folder, name, b"")
    except OSError as exc:
        log.warning("no launcher liveness lock (%s); `runs sync` cannot judge its queue", exc)
        yield LaunchHold(None, None)
        return
    try:
        yield LaunchHold(folder / name, fd)
    finally:
        _let_go(folder / name, fd)


# ---------------------------------------------------------------- sync


@dataclass(frozen=True)
class Orphans:
    """Lock files whose process is gone: the runs they name, and the files (ours to delete)."""

    runs: tuple[int, ...]  # runs whose own process is gone
    queued: tuple[int, ...]  # runs queued by a launcher that is gone
    files: tuple[tuple[Path, int], ...]  # (path, descriptor holding its lock)


def _ids(text: str) -> list[int]:
    return [int(word) for word in text.split() if word.isdigit()]


def orphans(home: Path) -> Orphans:
    """Every lock file in `home` that nobody holds, locked by us (release with `forget`)."""
    folder = folder_of(home)
    if fcntl is None or not folder.is_dir():
        return Orphans((), (), ())
    runs: list[int] = []
    queued: list[int] = []
    files: list[tuple[Path, int]] = []
    for path in sorted(folder.iterdir()):
        if not path.name.endswith((SUFFIX, ".tmp")):
            continue
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:  # removed meanwhile: its process let go of it
            continue
        if not _try_lock(fd):
            os.close(fd)  # alive
            continue
        files.append((path, fd))
        stem = path.name.removesuffix(SUFFIX)
        if stem.isdigit():
            runs.append(int(stem))
        elif stem.startswith(LAUNCH_PREFIX):
            with open(fd, closefd=False) as f:
                queued += _ids(f.read())
    return Orphans(tuple(runs), tuple(queued), tuple(files))


def forget(found: Orphans) -> None:
    for path, fd in found.files:
        _let_go(path, fd)


def lost_runs(engine: Engine, found: Orphans) -> list[StatusChange]:
    """Running local runs without a process, and queued local runs without a launcher."""
    from sqlalchemy import select

    from datafeeds_core.platform.batch_runs import StatusChange
    from datafeeds_core.platform.failures import platform_errors
    from datafeeds_core.platform.schema import datafeeds_run as t

    wanted = {*found.runs, *found.queued}
    if not wanted:
        return []
    with platform_errors(), engine.connect() as conn:
        rows = conn.execute(
            select(t.c.id, t.c.status, t.c.started_at)
            .where(t.c.id.in_(sorted(wanted)), t.c.executor.in_(LOCAL_EXECUTORS))
            .order_by(t.c.id)
        ).all()
    changes = []
    for row in rows:
        if row.status == "running" and row.id in found.runs:
            why = PROCESS_LOST
        elif row.status == "queued" and row.id in found.queued:
            why = LAUNCHER_LOST
        else:
            continue
        started = row.started_at
        if started is not None and started.tzinfo is None:  # SQLite: written in UTC
            from datetime import UTC

            started = started.replace(tzinfo=UTC)
        changes.append(StatusChange(int(row.id), row.status, "lost", *why, started_at=started))
    return changes


@dataclass(frozen=True)
class SyncReport:
    changes: list[StatusChange]
    written: int
    files_removed: int


def sync(engine: Engine, home: Path, *, write: bool = True) -> SyncReport:
    """Mark the runs of gone processes lost (with `write`), then delete their lock files."""
    from datafeeds_core.platform.batch_runs import apply_changes

    found = orphans(home)
    try:
        changes = lost_runs(engine, found)
        written = apply_changes(engine, changes) if write and changes else 0
    except BaseException:
        for _, fd in found.files:  # keep the files for the next sync
            os.close(fd)
        raise
    if not write:
        for _, fd in found.files:
            os.close(fd)
        return SyncReport(changes, 0, 0)
    forget(found)
    return SyncReport(changes, written, len(found.files))
