"""A Batch array child that runs a slice of K data sources (`batch submit --chunk-size K`).

One container start is paid for K jobs instead of one each. Every job still runs as it does
under `datafeeds launch`: in its own process forked from a warm server (executors/local/),
with its own run record and exit code; the child relays each job's log to stderr (JSON lines,
each with its run id) as the job ends. The child's exit code is what Batch decides on:

- 75 while a run of the slice failed retryably (a dependency out of reach, exit 75) or did not
  finish: Batch starts the child again, and that attempt runs only those runs (finished runs,
  successful or failed for good, are left as they are);
- else 1 when a run failed, 0 when every run succeeded (or had no new data, or was a dry run).

A slice too long for one attempt stops starting jobs after 80 % of the attempt's timeout
(`start_by`): its unstarted runs stay queued for the retry, since Batch does not retry an
attempt that timed out.

SIGTERM (Spot reclaim, timeout, cancellation) stops the running jobs and records every
unfinished run of the slice as terminated, as a one-source worker does; the child exits 75.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from datafeeds_core import logs
from datafeeds_core.errors import ExitCode
from datafeeds_core.executors.local.executor import OK_STATUSES, JobResult, LocalJob, QuietObserver
from datafeeds_core.platform.batch_runs import OPEN, RETRYABLE_ERROR_CLASSES

if TYPE_CHECKING:
    from datafeeds_core.config import Settings
    from datafeeds_core.executors.batch.manifest import Slice
    from datafeeds_core.platform.run_model import RunRecord

log = logs.get("worker")
CONCURRENCY_VAR = "DATAFEEDS_WORKER_CONCURRENCY"
# One job at a time by default: a Fargate child has 0.5 vCPU, and jobs in parallel would share
# it (set DATAFEEDS_WORKER_CONCURRENCY with `batch register --env` for larger tasks).
DEFAULT_CONCURRENCY = 1
# The share of an attempt's timeout in which a child starts jobs; the rest is for the jobs that
# are running then to finish (a job takes seconds, an attempt's timeout is an hour by default).
BUDGET_SHARE = 0.8


def exit_code(records: Sequence[RunRecord | None]) -> int:
    """The child's exit code from its slice's run records (None: a record that vanished)."""
    if any(r is None or retryable(r) for r in records):
        return int(ExitCode.TRANSIENT)
    if any(r is not None and r.status not in OK_STATUSES for r in records):
        return int(ExitCode.FAILED)
    return int(ExitCode.OK)


def retryable(record: RunRecord) -> bool:
    """Unfinished, or failed in a way Batch retries."""
    return record.status in OPEN or (
        record.status == "failed" and record.error_class in RETRYABLE_ERROR_CLASSES
    )


def concurrency(environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    raw = environ.get(CONCURRENCY_VAR) or str(DEFAULT_CONCURRENCY)
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        from datafeeds_core.errors import UsageError

        raise UsageError(f"{CONCURRENCY_VAR} must be a whole number of at least 1; got {raw!r}")
    return value


class RelayLogs(QuietObserver):
    """Copies each finished job's log file to stderr (CloudWatch), one JSON line each."""

    def finished(self, result: JobResult) -> None:
        run_id = result.job.run_id
        try:
            lines = result.job.log_path.read_text(errors="replace").splitlines()
        except OSError:
            lines = []
        for line in lines:
            if not line.strip():
                continue
            try:
                json.loads(line)
            except ValueError:  # the job's plain print-out (its summary): JSON like the rest
                line = json.dumps({"level": "INFO", "run_id": run_id, "message": line})
            sys.stderr.write(line + "\n")
        log.info(
            "run %s: %s, exit %s (%.1f s)",
            run_id,
            result.status,
            result.exit_code,
            result.duration_s,
            extra={"run_id": run_id},
        )


def start_by(settings: Settings, now: float | None = None) -> float | None:
    """When the child stops starting jobs: after BUDGET_SHARE of the attempt's timeout
    (DATAFEEDS_JOB_TIMEOUT, set by `batch register --timeout`). Batch does not retry an attempt
    that timed out, so a slice too long for one attempt ends it in time instead: its unstarted
    runs stay queued, the child exits 75, and Batch's retry runs just those."""
    if settings.job_timeout_s is None:
        return None
    return (time.monotonic() if now is None else now) + BUDGET_SHARE * settings.job_timeout_s


def run_slice(part: Slice, settings: Settings) -> int:
    """Run the slice's unfinished runs; returns the child's exit code."""
    from datafeeds_core.database import make_engine
    from datafeeds_core.executors.local.executor import LocalExecutor
    from datafeeds_core.platform import batch_runs
    from datafeeds_core.platform.run_history import get_runs

    run_ids = [e.run_id for e in part if e.run_id is not None]  # a manifest's entries have one
    job_id = os.environ.get("AWS_BATCH_JOB_ID") or "array-child"
    engine = make_engine(settings.platform_url)
    try:
        todo = set(batch_runs.requeue_unfinished(engine, run_ids))
        records = get_runs(engine, run_ids)
        log_dir = settings.run_log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        jobs = [
            LocalJob(
                e,
                task_id=job_id,
                log_path=log_dir / f"{e.run_id}.log",
                scraper_key=records[e.run_id].scraper if e.run_id in records else None,
            )
            for e in part
            if e.run_id in todo
        ]
        log.info(
            "array child %s: %d of the slice's %d runs to run", job_id, len(jobs), len(run_ids)
        )
        executor = LocalExecutor(
            settings,
            concurrency=concurrency(),
            plugin_keys=[j.scraper_key for j in jobs if j.scraper_key],
            cancel_on_interrupt=False,
            executor="batch",
        )
        try:
            if jobs:  # else a retry found every run finished: no fork server to start
                executor.run(jobs, RelayLogs(), start_by=start_by(settings))
        except KeyboardInterrupt as exc:  # SIGTERM: the executor stopped its jobs
            stopped = batch_runs.terminate_unfinished(
                engine, run_ids, f"{exc or 'stopped'} (Spot reclaim, timeout or cancellation)"
            )
            log.error("array child %s stopped: %d runs left unfinished", job_id, stopped)
            return int(ExitCode.TRANSIENT)
        after = get_runs(engine, run_ids)
        left = sum(1 for i in run_ids if i in after and after[i].status == "queued")
        if left:
            log.info(
                "array child %s: the attempt's time to start jobs is spent; %d runs left queued "
                "for Batch's retry",
                job_id,
                left,
            )
        return exit_code([after.get(i) for i in run_ids])
    finally:
        engine.dispose()
