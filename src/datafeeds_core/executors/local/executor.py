"""The local executor: each job in its own child process, forked from a warm fork server.

The server (multiprocessing's "forkserver") imports the job pipeline, the database layers and the
plugins about to run once; every child is a fork of it, so a job pays no import cost and shares
nothing with its siblings. This process never forks (the server does), so it may hold threads
(a progress display) once the server is up.

Isolation: a child logs into its own file (`<log dir>/<run_id>.log`, stdout and stderr included)
and closes its own run record. A child that dies without closing it (a signal, `os._exit`, an
interpreter crash) is recorded here as failed ("Crashed"); one that outlives `timeout_s` is
terminated, then killed, and recorded as timed out. A run cancelled while queued is never
started; one cancelled while running is stopped. The run records are the source of truth for
how each job ended.

Ctrl-C, SIGTERM or SIGHUP stop the launcher cleanly: its running jobs are stopped and every
unfinished run is cancelled. Should the launcher itself be killed, each child still ends itself
(SIGALRM) a little after its own timeout; its run then stays "running".
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from datafeeds_core import logs
from datafeeds_core.config import Settings
from datafeeds_core.errors import DatafeedsError, ExitCode
from datafeeds_core.job.request import JobRequest

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerProcess

    from sqlalchemy.engine import Engine

    from datafeeds_core.platform.run_model import RunRecord

log = logs.get("local")

# Imported once in the fork server (a module that fails to import is skipped by multiprocessing).
PRELOAD = (
    # multiprocessing runs the launcher's main script again in every child (as __mp_main__):
    # for the `datafeeds` console script that is `from datafeeds_core.cli import main`, which
    # cost each job ~11 ms of imports until the server had them (docs/performance.md, item 4).
    "datafeeds_core.cli",
    "datafeeds_core.job.pipeline",
    "datafeeds_core.executors.local.liveness",
    "datafeeds_core.cli.render",
    "datafeeds_core.database",
    "datafeeds_core.plugin_api.registry",
    "datafeeds_core.job.transform",
    "datafeeds_core.job.validation",
    "datafeeds_core.job.summary",
    "datafeeds_core.platform.run_records",
    "datafeeds_core.platform.datasources",
    "datafeeds_core.platform.bill_writer",
    "datafeeds_core.urjanet.loader",
    "datafeeds_core.urjanet.transform",
    "datafeeds_core.urjanet.rules",
    "datafeeds_core.documents.service",
    "datafeeds_core.platform.bill_documents",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.dialects.mysql.mysqldb",
    # The drivers themselves: the dialects import them only when an engine is made, so every
    # child paid for it (psycopg ~90 ms, most of the gap between two jobs: docs/performance.md).
    "psycopg",
    "MySQLdb",
    "pypdf",  # ~70 ms, imported by the first new document a job validates
    "datafeeds_core.executors.local.warmup",  # last: the plugins of the keys being launched
)
POLL_S = 1.0  # how often running runs are checked for a cancellation
KILL_GRACE_S = 5.0  # between SIGTERM and SIGKILL for a job that must stop
OK_STATUSES = ("succeeded", "no-new-data", "dry-run")


@dataclass(frozen=True)
class LocalJob:
    """One queued request for the executor (its run record exists before the job starts), with
    what the executor owns for it: the task id, the log file, and the plugin to warm up."""

    request: JobRequest  # its run_id is set
    task_id: str
    log_path: Path
    scraper_key: str | None = None  # the plugin the fork server imports ahead (None: unknown)

    def __post_init__(self) -> None:
        if self.request.run_id is None:
            raise ValueError("a local job runs a queued run: its request needs a run_id")

    @property
    def run_id(self) -> int:
        assert self.request.run_id is not None
        return self.request.run_id

    @property
    def oid(self) -> int:
        return self.request.oid


@dataclass(frozen=True)
class JobResult:
    job: LocalJob
    record: RunRecord | None  # the run record after the job (None: it vanished)
    exit_code: int | None  # the child's exit code, negative for a signal; None: never started
    duration_s: float = 0.0

    @property
    def status(self) -> str:
        return self.record.status if self.record is not None else "lost"

    @property
    def ok(self) -> bool:
        """Did the job end with exit code 0 (succeeded, no new data, or a dry run)?"""
        return self.exit_code == 0

    @property
    def started(self) -> bool:
        return self.exit_code is not None


class Observer(Protocol):
    """What the launcher tells whoever shows progress."""

    def begin(self, total: int) -> None: ...

    def started(self, job: LocalJob) -> None: ...

    def finished(self, result: JobResult) -> None: ...

    def end(self) -> None: ...


class QuietObserver:
    def begin(self, total: int) -> None:
        pass

    def started(self, job: LocalJob) -> None:
        pass

    def finished(self, result: JobResult) -> None:
        pass

    def end(self) -> None:
        pass


# ---------------------------------------------------------------- the child


@dataclass(frozen=True)
class _ChildTask:
    job: LocalJob
    settings: Settings
    environ: Mapping[str, str]  # the launcher's, not the (older) fork server's
    today: date | None
    # The child's own deadline, after the launcher's: a job outlives no launcher by more.
    backstop_s: float | None = None
    timeout_s: float | None = None  # the launcher's --timeout: the job plans its steps by it
    executor: str = "local"


def _noop() -> None:
    """Started once to bring the fork server up (and its imports done) before any job."""


def _child_main(task: _ChildTask) -> None:
    """Runs in the forked child: log into the run's file, run the job, exit with its code."""
    os.environ.clear()
    os.environ.update(task.environ)
    job = task.job
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    fd = os.open(job.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)  # a killed child keeps what it printed
    faulthandler.enable(file=sys.stderr)  # an interpreter crash leaves its traceback in the log
    if task.backstop_s is not None:
        signal.setitimer(signal.ITIMER_REAL, task.backstop_s)  # SIGALRM ends the process
    logs.setup_run_log(sys.stderr, task.settings.log_format, job.run_id)
    sys.exit(_run(task))


def _run(task: _ChildTask) -> int:
    from datafeeds_core.executors.local.liveness import LOCAL_EXECUTORS, run_held
    from datafeeds_core.job.pipeline import Job
    from datafeeds_core.job.request import JobRuntime
    from datafeeds_core.job.summary import outcome_error, outcome_lines

    job = task.job
    home = task.settings.home
    runtime = JobRuntime(
        executor=task.executor,
        task_id=job.task_id,
        timeout_s=task.timeout_s,
        # The launcher's runs are judged by their lock files; a Batch child's by Batch.
        hold=(lambda run_id: run_held(home, run_id)) if task.executor in LOCAL_EXECUTORS else None,
    )
    try:
        outcome = Job(job.request, task.settings, runtime, today=task.today, echo=print).run()
    except DatafeedsError as exc:  # the run could not be started (cancelled, database down)
        log.error("run %s: %s", job.run_id, exc)
        return int(exc.exit_code)
    for line in outcome_lines(outcome):
        print(line)
    error = outcome_error(outcome)
    if error:
        print(error, file=sys.stderr)
    return outcome.exit_code


# ---------------------------------------------------------------- the parent


@dataclass
class _Active:
    job: LocalJob
    process: ForkServerProcess
    started: float
    deadline: float | None
    stop_reason: str | None = None  # "timeout" | "cancelled" once the parent stopped it


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the job's process was killed by {name} before it closed its run record"
    return f"the job's process exited with code {code} before it closed its run record"


def _interrupted(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def _interrupt_on_termination() -> dict[int, Any]:
    """SIGTERM and SIGHUP stop the launcher as Ctrl-C does (its jobs stopped, their runs
    cancelled) instead of leaving orphans; returns the handlers to restore."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}
    return {s: signal.signal(s, _interrupted) for s in (signal.SIGTERM, signal.SIGHUP)}


@dataclass
class LocalExecutor:
    """Runs queued jobs in child processes, at most `concurrency` at a time."""

    settings: Settings
    concurrency: int = 2
    timeout_s: float | None = None
    plugin_keys: Sequence[str] = ()
    today: date | None = None
    poll_s: float = POLL_S
    grace_s: float = KILL_GRACE_S
    # Interrupted, the launcher cancels its unfinished runs; a Batch child leaves them for its
    # caller to record as terminated, so that Batch's retry runs them again.
    cancel_on_interrupt: bool = True
    # Whose runs these are: "local" (a launcher's), or "batch" for the slice of a Batch array
    # child (executors/batch/chunk.py), whose runs Batch settles rather than lock files.
    executor: str = "local"
    _context: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ValueError("a timeout must be positive")

    def start(self) -> float:
        """Bring the fork server up with its imports done; returns the seconds it took.

        Call it before starting any thread (a progress display) in this process. The server is
        this process's for its lifetime: a second executor reuses it (its jobs load the plugins
        that server has not).
        """
        from datafeeds_core.executors.local.warmup import WARM_PLUGINS_VAR

        began = time.monotonic()
        context = multiprocessing.get_context("forkserver")
        keys = sorted({k for k in self.plugin_keys if k})
        os.environ[WARM_PLUGINS_VAR] = ",".join(keys)  # read by warmup in the server
        context.set_forkserver_preload(list(PRELOAD))
        probe = context.Process(target=_noop, name="datafeeds-warmup")
        probe.start()
        probe.join()
        self._context = context
        return time.monotonic() - began

    def run(
        self,
        jobs: Iterable[LocalJob],
        observer: Observer | None = None,
        *,
        start_by: float | None = None,
    ) -> list[JobResult]:
        """Run every job; returns their results in the order they ended.

        Past `start_by` (a `time.monotonic()` value) no further job starts: the jobs not started
        keep their queued run records, for a later attempt. The first job always starts, so each
        attempt makes progress."""
        from datafeeds_core.database import PLATFORM, open_existing

        if self._context is None:
            self.start()
        observer = observer or QuietObserver()
        pending = deque(jobs)
        engine = open_existing(self.settings.platform_url, PLATFORM)
        results: list[JobResult] = []
        active: dict[int, _Active] = {}

        def done(result: JobResult) -> None:
            results.append(result)
            observer.finished(result)

        previous = _interrupt_on_termination()
        try:
            observer.begin(len(pending))
            next_poll = time.monotonic() + self.poll_s
            while pending or active:
                if start_by is not None and (active or results) and time.monotonic() >= start_by:
                    pending.clear()
                self._fill(engine, pending, active, observer, done)
                if not active:
                    continue
                now = time.monotonic()
                deadlines = [a.deadline for a in active.values() if a.deadline is not None]
                wake = min([next_poll, *deadlines])
                for sentinel in wait(list(active), timeout=max(0.0, wake - now)):
                    done(self._collect(engine, active.pop(int(sentinel))))  # type: ignore[arg-type]
                now = time.monotonic()
                for sentinel, running in list(active.items()):
                    if running.deadline is not None and now >= running.deadline:
                        self._stop(running, "timeout")
                        done(self._collect(engine, active.pop(sentinel)))
                if now >= next_poll:
                    next_poll = now + self.poll_s
                    self._stop_cancelled(engine, active, done)
        except BaseException:
            self._abandon(engine, pending, active)
            raise
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            observer.end()
            engine.dispose()
        return results

    # ------------------------------------------------------------ steps

    def _fill(
        self,
        engine: Engine,
        pending: deque[LocalJob],
        active: dict[int, _Active],
        observer: Observer,
        done: Callable[[JobResult], None],
    ) -> None:
        from datafeeds_core.platform.run_history import get_runs

        while pending and len(active) < self.concurrency:
            job = pending.popleft()
            record = get_runs(engine, [job.run_id]).get(job.run_id)
            if record is None or record.status != "queued":  # cancelled (or taken) meanwhile
                done(JobResult(job, record, None))
                continue
            backstop = self.timeout_s + 2 * self.grace_s + 60 if self.timeout_s else None
            task = _ChildTask(
                job,
                self.settings,
                dict(os.environ),
                self.today,
                backstop,
                self.timeout_s,
                self.executor,
            )
            process = self._context.Process(
                target=_child_main, args=(task,), name=f"datafeeds-run-{job.run_id}"
            )
            process.start()
            now = time.monotonic()
            deadline = now + self.timeout_s if self.timeout_s is not None else None
            active[process.sentinel] = _Active(job, process, now, deadline)
            observer.started(job)

    def _stop(self, running: _Active, reason: str) -> None:
        """Terminate, then kill after the grace period; waits for the process to be gone."""
        running.stop_reason = reason
        process = running.process
        if process.exitcode is None:
            process.terminate()
            process.join(self.grace_s)
        if process.exitcode is None:
            process.kill()
        process.join()

    def _stop_cancelled(
        self, engine: Engine, active: dict[int, _Active], done: Callable[[JobResult], None]
    ) -> None:
        from datafeeds_core.platform.run_history import statuses

        if not active:
            return
        now = statuses(engine, [a.job.run_id for a in active.values()])
        for sentinel, running in list(active.items()):
            if now.get(running.job.run_id) == "cancelled":
                self._stop(running, "cancelled")
                done(self._collect(engine, active.pop(sentinel)))

    def _collect(self, engine: Engine, running: _Active) -> JobResult:
        """Read how the job ended; close its run record if the child could not."""
        from datafeeds_core.platform.run_history import get_runs
        from datafeeds_core.platform.run_records import FINAL, finish_run

        process = running.process
        process.join()
        code = process.exitcode
        duration = time.monotonic() - running.started
        job = running.job
        record = get_runs(engine, [job.run_id]).get(job.run_id)
        if record is not None and record.status not in FINAL:
            if running.stop_reason == "timeout":
                finish_run(
                    engine,
                    job.run_id,
                    status="timed-out",
                    counts={},
                    error_class="Timeout",
                    error_message=f"no result after {self.timeout_s:g}s: the job was stopped",
                )
            else:
                finish_run(
                    engine,
                    job.run_id,
                    status="failed",
                    counts={},
                    error_class="Crashed",
                    error_message=_describe_exit(code),
                )
            record = get_runs(engine, [job.run_id]).get(job.run_id)
        if running.stop_reason is not None and record is not None:
            # Stopped by us: the job's own outcome (if it closed its record in time) decides.
            code = 0 if record.status in OK_STATUSES else int(ExitCode.FAILED)
        return JobResult(job, record, code, duration)

    def _abandon(
        self, engine: Engine, pending: deque[LocalJob], active: dict[int, _Active]
    ) -> None:
        """Interrupted (Ctrl-C, an error here): stop the children, cancel what did not finish."""
        from datafeeds_core.platform.run_history import cancel_run, statuses
        from datafeeds_core.platform.run_records import FINAL

        for running in active.values():
            try:
                self._stop(running, "cancelled")
            except Exception:  # keep stopping the others
                log.exception("could not stop the process of run %s", running.job.run_id)
        if not self.cancel_on_interrupt:
            return
        ids = [a.job.run_id for a in active.values()] + [j.run_id for j in pending]
        try:
            found = statuses(engine, ids)
        except Exception:  # the original error matters more
            log.exception("could not read the unfinished runs")
            return
        for run_id, status in found.items():
            if status in FINAL:
                continue
            try:
                cancel_run(engine, run_id, reason="the launcher was interrupted")
            except Exception:
                log.exception("could not cancel run %s", run_id)
