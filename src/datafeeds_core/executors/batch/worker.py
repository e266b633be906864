"""The container's worker: find what this Batch job runs, run it, log JSON lines, exit with the
documented code (0 ok, 1 failed, 2 usage, 3 configuration, 4 plugin, 75 transient).

A job request is named by the arguments (`--oid`, optionally `--run-id`, dates) or by a manifest
entry: `--manifest URL` and the array index Batch sets in AWS_BATCH_JOB_ARRAY_INDEX. A manifest
index that holds a slice of several requests (`batch submit --chunk-size K`) runs them all, each
in its own process (executors/batch/chunk.py).
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import replace
from datetime import date
from types import FrameType
from typing import TYPE_CHECKING

from datafeeds_core import logs
from datafeeds_core.errors import DatafeedsError, ExitCode, TransientError, UsageError
from datafeeds_core.executors.batch import manifest
from datafeeds_core.job.request import JobRequest, JobRuntime
from datafeeds_core.platform.batch_runs import TERMINATED_ERROR_CLASS

if TYPE_CHECKING:
    from datafeeds_core.config import Settings

log = logs.get("worker")
ARRAY_INDEX_VAR = "AWS_BATCH_JOB_ARRAY_INDEX"
NO_MANIFEST = "none"  # the job definition's default `manifest` parameter


class Terminated(TransientError):
    """Batch stopped the container (Spot reclaim, timeout, cancellation)."""


assert Terminated.__name__ == TERMINATED_ERROR_CLASS


def array_index(environ: dict[str, str] | os._Environ[str]) -> int | None:
    """AWS_BATCH_JOB_ARRAY_INDEX; without it, the index an array child's job id ends with
    (`<array job id>:<index>`, as Batch names children; moto's Batch sets only the job id)."""
    raw = environ.get(ARRAY_INDEX_VAR)
    if raw in (None, ""):
        _, sep, index = environ.get("AWS_BATCH_JOB_ID", "").rpartition(":")
        return int(index) if sep and index.isdigit() else None
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"{ARRAY_INDEX_VAR} must be a number; got {raw!r}") from None


def assignment(
    *,
    oid: int | None,
    run_id: int | None,
    start: date | None,
    end: date | None,
    dry_run: bool,
    manifest_url: str | None,
    environ: dict[str, str] | os._Environ[str] = os.environ,
) -> JobRequest | manifest.Slice:
    """What to run: the arguments, or the manifest entry at this array index (or the slice
    there, when it holds several)."""
    if manifest_url == NO_MANIFEST:
        manifest_url = None
    if manifest_url:
        if oid is not None or run_id is not None:
            raise UsageError("give either --manifest or --oid/--run-id, not both")
        parts = manifest.read_slices(manifest_url)
        part = manifest.slice_at(parts, array_index(environ), manifest_url)
        if len(part) > 1:
            return part
        [entry] = part
        return entry
    if oid is None:
        raise UsageError("the worker needs --oid N or --manifest URL (Batch array jobs)")
    return JobRequest(oid, start, end, dry_run, run_id=run_id)


def json_logging() -> None:
    """Worker logs are JSON lines on stderr (CloudWatch keeps one event per line), each with
    the run id, data source and scraper once known (`logs.bind`)."""
    logs.setup("json")
    for handler in logging.getLogger(logs.LOGGER).handlers:
        handler.setFormatter(logs.JsonFormatter())


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(
        f"stopped by {signal.Signals(signum).name} (Spot reclaim, timeout or cancellation)"
    )


def _open_run(settings: Settings, job: JobRequest) -> int:
    """A run for a worker started by hand (no run queued for it)."""
    import uuid

    from datafeeds_core.database import PLATFORM, open_existing
    from datafeeds_core.platform import run_records

    start, end = job.dates(date.today())
    engine = open_existing(settings.platform_url, PLATFORM)
    try:
        return run_records.open_run(
            engine,
            data_source_oid=job.oid,
            scraper_key=None,
            task_id=os.environ.get("AWS_BATCH_JOB_ID") or str(uuid.uuid4()),
            date_start=start,
            date_end=end,
            executor="batch",
            status="queued",
            dry_run=job.dry_run,
            batch_job_id=os.environ.get("AWS_BATCH_JOB_ID"),
        )
    finally:
        engine.dispose()


def run(job: JobRequest, settings: Settings) -> int:
    """Run the request; returns the exit code. Every outcome is logged as a JSON line."""
    from datafeeds_core.job.pipeline import run_job
    from datafeeds_core.job.summary import counts_line

    signal.signal(signal.SIGTERM, _terminate)
    try:
        logs.bind(oid=job.oid)
        run_id = job.run_id if job.run_id is not None else _open_run(settings, job)
        logs.bind(run_id=run_id)
        log.info(
            "worker: data source %s, run %s, batch job %s",
            job.oid,
            run_id,
            os.environ.get("AWS_BATCH_JOB_ID", "-"),
        )
        runtime = JobRuntime(executor="batch", task_id=os.environ.get("AWS_BATCH_JOB_ID"))
        outcome = run_job(replace(job, run_id=run_id), settings, runtime, echo=log.info)
    except DatafeedsError as exc:
        log.error("%s: %s", type(exc).__name__, exc)
        return int(exc.exit_code)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    logs.bind(scraper=outcome.scraper)  # the job's own binding ended with it
    if outcome.error:
        log.error("run %s %s: %s", outcome.run_id, outcome.status, outcome.error)
    log.info(
        "run %s: %s, exit %s (%s)",
        outcome.run_id,
        outcome.status,
        outcome.exit_code,
        counts_line(outcome.counts),
    )
    return int(outcome.exit_code)


def work(
    *,
    oid: int | None,
    run_id: int | None,
    start: date | None,
    end: date | None,
    dry_run: bool,
    manifest_url: str | None,
) -> int:
    """Resolve, run, and turn any expected failure into its exit code (the CLI's whole job)."""
    from datafeeds_core.config import settings

    json_logging()
    try:
        job = assignment(
            oid=oid, run_id=run_id, start=start, end=end, dry_run=dry_run, manifest_url=manifest_url
        )
        if not isinstance(job, JobRequest):
            from datafeeds_core.executors.batch.chunk import run_slice

            return run_slice(job, settings())
        return run(job, settings())
    except DatafeedsError as exc:
        log.error("%s: %s", type(exc).__name__, exc)
        return int(exc.exit_code)
    except Exception as exc:  # still one JSON line and a documented code
        log.exception("worker failed: %s", type(exc).__name__)
        return int(ExitCode.FAILED)
