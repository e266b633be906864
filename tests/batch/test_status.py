"""`datafeeds batch status [--sync]` and `datafeeds batch logs`: Batch's view of jobs in the run
records. moto finishes every job at once (or fails it with MOTO_SIMPLE_BATCH_FAIL_AFTER=0);
timeouts, retries and lost jobs are simulated."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from datafeeds_core.cli import batch as batch_cli
from datafeeds_core.executors.batch import aws as batch
from datafeeds_core.executors.batch.definition import JobDefinitionSpec
from datafeeds_core.executors.batch.states import reconcile
from datafeeds_core.platform import batch_runs, run_records
from datafeeds_core.testing import PlatformTestDatabase

from .conftest import LOG_GROUP, Aws

START, END = date(2024, 1, 1), date(2026, 1, 1)
SECRET = "arn:aws:secretsmanager:us-west-1:123456789012:secret:datafeeds/url-AbCdEf"
UNKNOWN_JOB = "00000000-0000-4000-8000-000000000000"


class Source:
    def __init__(self, oid: int) -> None:
        self.oid, self.scraper_key, self.queue = oid, "watauga-urjanet", "datafeeds-high"


@pytest.fixture
def job_definition(aws: Aws) -> str:
    spec = JobDefinitionSpec(
        name="datafeeds-status-test",
        image="123456789012.dkr.ecr.us-west-1.amazonaws.com/datafeeds:test",
        execution_role_arn="arn:aws:iam::123456789012:role/execution",
        job_role_arn="arn:aws:iam::123456789012:role/worker",
        log_group=LOG_GROUP,
        secrets={"DATAFEEDS_PLATFORM_URL": SECRET, "DATAFEEDS_URJANET_URL": SECRET},
    )
    batch.register(spec, batch=aws.client("batch"))
    return spec.name


def submit_one(
    aws: Aws, db: PlatformTestDatabase, job_definition: str, oid: int
) -> batch.Submission:
    options = batch.SubmitOptions(start=START, end=END, job_definition=job_definition)
    [submission] = batch.submit(db.engine, [Source(oid)], options, batch=aws.client("batch"))
    return submission


def queued_with_job(db: PlatformTestDatabase, oid: int, job_id: str) -> int:
    [run_id] = batch_runs.open_queued_runs(db.engine, [batch_runs.QueuedRun(oid, "k", START, END)])
    batch_runs.attach_batch_jobs(db.engine, {run_id: job_id})
    return run_id


def status_cli(db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", db.url)
    return CliRunner().invoke(batch_cli.app, ["status", *args])


def test_status_sync_moves_open_runs_to_what_batch_says_happened(
    aws: Aws,
    platform_db: PlatformTestDatabase,
    job_definition: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    succeeded = submit_one(aws, platform_db, job_definition, 1).run_ids[0]
    monkeypatch.setenv("MOTO_SIMPLE_BATCH_FAIL_AFTER", "0")  # moto runs in this process
    failed_job = submit_one(aws, platform_db, job_definition, 2)
    monkeypatch.delenv("MOTO_SIMPLE_BATCH_FAIL_AFTER")
    failed = failed_job.run_ids[0]
    lost = queued_with_job(platform_db, 3, f"{UNKNOWN_JOB}:4")
    # The worker closed this one itself (no new data) before its job failed: it stays.
    closed = queued_with_job(platform_db, 4, failed_job.job_id)
    run_records.start_run(platform_db.engine, closed)
    run_records.finish_run(platform_db.engine, closed, status="no-new-data", counts={})
    # Queued a moment ago, not submitted yet: its submitter may still be at it.
    [pending] = batch_runs.open_queued_runs(
        platform_db.engine, [batch_runs.QueuedRun(5, "k", START, END)]
    )

    dry = status_cli(platform_db, monkeypatch)
    assert dry.exit_code == 0, dry.output
    assert "3 run records differ; --sync writes them" in dry.stdout
    assert {r["status"] for r in platform_db.rows("datafeeds_run")} == {"queued", "no-new-data"}

    result = status_cli(platform_db, monkeypatch, "--sync")

    assert result.exit_code == 0, result.output
    assert "4 open Batch runs; jobs: FAILED 1, SUCCEEDED 1, UNKNOWN 2" in result.stdout
    assert "updated 3 run records" in result.stdout
    runs = {r["id"]: r for r in platform_db.rows("datafeeds_run")}
    assert runs[succeeded]["status"] == "succeeded"
    assert runs[failed]["status"] == "failed"
    assert runs[failed]["error_class"] == "BatchJobFailed"
    assert runs[lost]["status"] == "lost"
    assert f"Batch no longer knows job {UNKNOWN_JOB}:4" in runs[lost]["error_message"]
    assert runs[closed]["status"] == "no-new-data"
    assert runs[pending]["status"] == "queued"
    assert all(runs[r]["finished_at"] is not None for r in (succeeded, failed, lost))
    assert runs[succeeded]["log_location"].startswith(f"cloudwatch:{LOG_GROUP}:")


@pytest.mark.slow
def test_status_sync_asks_batch_once_per_hundred_jobs(
    aws: Aws, platform_db: PlatformTestDatabase, api_calls: Any
) -> None:
    runs = batch_runs.open_queued_runs(
        platform_db.engine, [batch_runs.QueuedRun(i, "k", START, END) for i in range(250)]
    )
    batch_runs.attach_batch_jobs(
        platform_db.engine, {r: f"{UNKNOWN_JOB}:{i}" for i, r in enumerate(runs)}
    )

    report = batch.status(platform_db.engine, sync=True, batch=api_calls.watch(aws.client("batch")))

    assert api_calls == {"DescribeJobs": 3}
    assert report.written == 250
    assert {r["status"] for r in platform_db.rows("datafeeds_run")} == {"lost"}


def test_a_run_the_worker_closes_meanwhile_keeps_the_workers_status(
    platform_db: PlatformTestDatabase,
) -> None:
    run_id = queued_with_job(platform_db, 9, f"{UNKNOWN_JOB}:0")
    [open_run] = batch_runs.unsettled_runs(platform_db.engine)
    change = reconcile(open_run, None, now=datetime.now(UTC), log_group_name=LOG_GROUP)
    assert change is not None and change.to_status == "lost"
    run_records.start_run(platform_db.engine, run_id)
    run_records.finish_run(platform_db.engine, run_id, status="succeeded", counts={"new": 2})

    assert batch_runs.apply_changes(platform_db.engine, [change]) == 0
    assert run_records.get_run(platform_db.engine, run_id).status == "succeeded"


def _run(status: str, error_class: str | None = None, queued_minutes_ago: int = 60) -> Any:
    now = datetime.now(UTC)
    return batch_runs.BatchRun(
        id=1,
        data_source=5,
        scraper="k",
        status=status,
        batch_job_id="job-1",
        error_class=error_class,
        queued_at=now - timedelta(minutes=queued_minutes_ago),
        started_at=None,
    )


@pytest.mark.parametrize(
    ("record", "job", "expected"),
    [
        (_run("queued"), {"status": "RUNNABLE"}, None),
        (_run("queued"), {"status": "STARTING"}, None),
        (_run("queued"), {"status": "RUNNING"}, "running"),
        # A host was lost mid-run and Batch queued the next attempt.
        (_run("running"), {"status": "RUNNABLE"}, "queued"),
        (_run("running"), {"status": "SUCCEEDED"}, "succeeded"),
        (
            _run("running"),
            {"status": "FAILED", "statusReason": "Job attempt duration exceeded timeout"},
            "timed-out",
        ),
        # The worker saw SIGTERM and closed the run failed; Batch knows why.
        (
            _run("failed", "Terminated"),
            {"status": "FAILED", "statusReason": "Job attempt duration exceeded timeout"},
            "timed-out",
        ),
        (_run("failed", "Terminated"), {"status": "RUNNABLE"}, "queued"),  # Spot: retried
        (_run("failed", "Terminated"), {"status": "FAILED", "statusReason": "x"}, None),
        (_run("running"), None, "lost"),
        (_run("failed", "Terminated"), None, None),
    ],
)
def test_batch_states_map_onto_run_statuses(record: Any, job: Any, expected: str | None) -> None:
    change = reconcile(record, job, now=datetime.now(UTC), log_group_name=LOG_GROUP)
    assert (change.to_status if change else None) == expected


def test_a_failed_job_keeps_batchs_reason_and_exit_code() -> None:
    job = {
        "status": "FAILED",
        "statusReason": "Essential container in task exited",
        "attempts": [{"container": {"exitCode": 1, "logStreamName": "datafeeds/default/abc"}}],
    }
    change = reconcile(_run("running"), job, now=datetime.now(UTC), log_group_name=LOG_GROUP)

    assert change is not None
    assert change.error_message == "Essential container in task exited; exit code 1; 1 attempt"
    assert change.log_location == f"cloudwatch:{LOG_GROUP}:datafeeds/default/abc"


def test_a_run_never_submitted_is_lost_only_after_a_grace_period() -> None:
    fresh = batch_runs.BatchRun(1, 5, "k", "queued", None, None, datetime.now(UTC), None)
    stale = batch_runs.BatchRun(
        1, 5, "k", "queued", None, None, datetime.now(UTC) - timedelta(hours=1), None
    )

    assert reconcile(fresh, None, now=datetime.now(UTC), log_group_name=LOG_GROUP) is None
    by_hand = batch_runs.BatchRun(
        1, 5, "k", "running", None, None, datetime.now(UTC) - timedelta(hours=1), None
    )
    assert reconcile(by_hand, None, now=datetime.now(UTC), log_group_name=LOG_GROUP) is None
    change = reconcile(stale, None, now=datetime.now(UTC), log_group_name=LOG_GROUP)
    assert change is not None and change.to_status == "lost"


def test_logs_prints_the_cloudwatch_stream_of_a_runs_job(
    aws: Aws,
    platform_db: PlatformTestDatabase,
    job_definition: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    submission = submit_one(aws, platform_db, job_definition, 11)
    [job] = aws.client("batch").describe_jobs(jobs=[submission.job_id])["jobs"]
    stream = job["attempts"][-1]["container"]["logStreamName"]
    logs = aws.client("logs")
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    lines = [
        json.dumps({"message": f"line {i}", "run_id": submission.run_ids[0]}) for i in range(3)
    ]
    now = int(datetime.now(UTC).timestamp() * 1000)
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(lines)],
    )
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", platform_db.url)

    result = CliRunner().invoke(batch_cli.app, ["logs", str(submission.run_ids[0])])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"== {submission.job_id} attempt 1: {LOG_GROUP} {stream}",
        *lines,
    ]


def test_logs_of_a_job_batch_forgot_is_a_configuration_error(aws: Aws) -> None:
    result = CliRunner().invoke(batch_cli.app, ["logs", UNKNOWN_JOB])

    assert result.exit_code == 3
    assert f"Batch no longer knows job {UNKNOWN_JOB}" in result.output


def test_runs_the_worker_saw_terminated_stay_open_to_batchs_verdict(
    platform_db: PlatformTestDatabase,
) -> None:
    terminated = queued_with_job(platform_db, 21, f"{UNKNOWN_JOB}:1")
    failed = queued_with_job(platform_db, 22, f"{UNKNOWN_JOB}:2")
    for run_id, error_class in ((terminated, "Terminated"), (failed, "JobFailed")):
        run_records.start_run(platform_db.engine, run_id)
        run_records.finish_run(
            platform_db.engine, run_id, status="failed", counts={}, error_class=error_class
        )

    assert [r.id for r in batch_runs.unsettled_runs(platform_db.engine)] == [terminated]


class RunningJobs:
    """A Batch client whose every job is RUNNING."""

    def describe_jobs(self, jobs: list[str]) -> dict[str, Any]:
        return {"jobs": [{"jobId": j, "status": "RUNNING"} for j in jobs]}


def test_status_sync_leaves_the_waiting_runs_of_a_running_slice_child_queued(
    platform_db: PlatformTestDatabase,
) -> None:
    # Three runs in one child's slice (--chunk-size): the child starts each itself. Two have
    # finished, the next not started yet: the last one waiting is the slice's only open run.
    child = "c0ffee00-0000-4000-8000-000000000001:0"
    first, second, waiting = (queued_with_job(platform_db, oid, child) for oid in (1, 2, 3))
    for run_id in (first, second):
        run_records.start_run(platform_db.engine, run_id)
        run_records.finish_run(platform_db.engine, run_id, status="succeeded", counts={})
    alone = queued_with_job(platform_db, 4, "c0ffee00-0000-4000-8000-000000000002:0")

    report = batch.status(platform_db.engine, sync=True, batch=RunningJobs())

    assert [(c.run_id, c.to_status) for c in report.changes] == [(alone, "running")]
    statuses = {r["id"]: r["status"] for r in platform_db.rows("datafeeds_run")}
    assert [statuses[r] for r in (first, second, waiting)] == ["succeeded", "succeeded", "queued"]
