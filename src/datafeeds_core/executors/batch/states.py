"""What a Batch job's state means for its run record (pure: `datafeeds batch status` applies it).

SUBMITTED, PENDING, RUNNABLE, STARTING → queued; RUNNING → running; SUCCEEDED → succeeded;
FAILED → timed-out when Batch stopped it for its timeout, else failed; a job Batch no longer
knows → lost. A status the worker wrote itself is final and more precise: only open runs (and
runs the worker saw terminated) change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from datafeeds_core.platform.batch_runs import TERMINATED_ERROR_CLASS, BatchRun, StatusChange

QUEUED_STATES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING")
# A run opened by a submission that died before Batch answered has no job id; after this long
# it is not coming.
UNSUBMITTED_GRACE = timedelta(minutes=15)
TIMEOUT_REASON = "Job attempt duration exceeded timeout"


def run_status(job: dict[str, Any]) -> str:
    state = job.get("status", "")
    if state in QUEUED_STATES:
        return "queued"
    if state == "RUNNING":
        return "running"
    if state == "SUCCEEDED":
        return "succeeded"
    reasons = [job.get("statusReason") or ""]
    reasons += [a.get("statusReason") or "" for a in job.get("attempts", [])]
    if any(r.startswith(TIMEOUT_REASON) for r in reasons):
        return "timed-out"
    return "failed"


def failure_message(job: dict[str, Any]) -> str:
    """Batch's reason, with the last attempt's exit code and container reason."""
    parts = [job.get("statusReason") or "Batch job failed"]
    attempts = job.get("attempts") or []
    container = (attempts[-1].get("container") if attempts else None) or job.get("container") or {}
    if container.get("exitCode") is not None:
        parts.append(f"exit code {container['exitCode']}")
    if container.get("reason"):
        parts.append(str(container["reason"]))
    if attempts:
        parts.append(f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''}")
    return "; ".join(parts)


def log_stream(job: dict[str, Any]) -> str | None:
    container = job.get("container") or {}
    stream = container.get("logStreamName")
    if not stream:
        for attempt in reversed(job.get("attempts") or []):
            stream = (attempt.get("container") or {}).get("logStreamName")
            if stream:
                break
    return str(stream) if stream else None


def log_group(job: dict[str, Any], default: str) -> str:
    options = ((job.get("container") or {}).get("logConfiguration") or {}).get("options") or {}
    return str(options.get("awslogs-group") or default)


def reconcile(
    run: BatchRun, job: dict[str, Any] | None, *, now: datetime, log_group_name: str
) -> StatusChange | None:
    """The change Batch's view asks of `run`, or None."""
    if job is None:
        if run.status == "failed":
            return None  # the worker's "terminated" is all anyone will know
        if run.batch_job_id is None:
            if run.status != "queued":
                return None  # a worker started by hand: Batch has nothing to say about it
            if run.queued_at is not None and now - run.queued_at < UNSUBMITTED_GRACE:
                return None  # its submission may still be going on
            message = "the run was never submitted to Batch (no job id)"
        else:
            message = f"Batch no longer knows job {run.batch_job_id}"
        return StatusChange(
            run.id, run.status, "lost", "BatchJobLost", message, started_at=run.started_at
        )
    target = run_status(job)
    stream = log_stream(job)
    location = f"cloudwatch:{log_group(job, log_group_name)}:{stream}" if stream else None
    if run.status == "failed":
        # The worker saw SIGTERM: Batch either retries (open again) or timed it out.
        if run.error_class == TERMINATED_ERROR_CLASS and target in (
            "queued",
            "running",
            "timed-out",
        ):
            return StatusChange(
                run.id,
                run.status,
                target,
                *_error(target, job),
                location,
                started_at=run.started_at,
            )
        return None
    if target == run.status:
        return None
    return StatusChange(
        run.id, run.status, target, *_error(target, job), location, started_at=run.started_at
    )


def _error(target: str, job: dict[str, Any]) -> tuple[str | None, str | None]:
    if target == "failed":
        return "BatchJobFailed", failure_message(job)
    if target == "timed-out":
        return "BatchJobTimedOut", failure_message(job)
    return None, None
