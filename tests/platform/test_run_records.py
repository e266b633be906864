"""Run records: opened in their own transaction, started per attempt, finished with counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from datafeeds_core.errors import ConfigurationError, JobFailed
from datafeeds_core.platform.run_records import (
    COUNT_KEYS,
    finish_run,
    get_run,
    open_run,
    start_run,
)
from datafeeds_core.testing import PlatformTestDatabase


def _open(db: PlatformTestDatabase, **kwargs: object) -> int:
    values: dict[str, object] = {
        "data_source_oid": 42,
        "scraper_key": "watauga-urjanet",
        "task_id": "task-1",
        "date_start": date(2023, 1, 1),
        "date_end": date(2024, 12, 31),
    }
    values.update(kwargs)
    return open_run(db.engine, **values)  # type: ignore[arg-type]


def test_an_opened_run_is_running_from_the_start(platform_db: PlatformTestDatabase) -> None:
    before = datetime.now(UTC)
    run_id = _open(platform_db, meter_oid=7)

    run = get_run(platform_db.engine, run_id)

    assert (run.id, run.status, run.attempt, run.executor, run.dry_run) == (
        run_id,
        "running",
        1,
        "cli",
        False,
    )
    assert (run.data_source, run.scraper, run.meter, run.task_id) == (
        42,
        "watauga-urjanet",
        7,
        "task-1",
    )
    assert (run.date_start, run.date_end) == (date(2023, 1, 1), date(2024, 12, 31))
    assert run.started_at is not None and run.started_at >= before.replace(microsecond=0)
    assert run.started_at.tzinfo is not None
    assert run.finished_at is None and run.counts == {}


def test_a_queued_run_counts_attempts_as_it_is_started(platform_db: PlatformTestDatabase) -> None:
    run_id = _open(platform_db, status="queued", executor="batch", scraper_key=None)
    assert (
        get_run(platform_db.engine, run_id).status,
        get_run(platform_db.engine, run_id).attempt,
    ) == ("queued", 0)
    assert get_run(platform_db.engine, run_id).started_at is None

    assert start_run(platform_db.engine, run_id) == 1
    assert start_run(platform_db.engine, run_id) == 2  # a Batch retry

    run = get_run(platform_db.engine, run_id)
    assert (run.status, run.attempt, run.executor) == ("running", 2, "batch")


def test_a_run_opened_with_its_target_keeps_it(platform_db: PlatformTestDatabase) -> None:
    run_id = _open(platform_db, scraper_key="sdge-urjanet", meter_oid=99)
    run = get_run(platform_db.engine, run_id)
    assert (run.scraper, run.meter) == ("sdge-urjanet", 99)


def test_starting_a_queued_run_records_the_scraper_and_meter_its_job_found(
    platform_db: PlatformTestDatabase,
) -> None:
    run_id = _open(platform_db, scraper_key=None, status="queued")
    start_run(platform_db.engine, run_id, scraper_key="sdge-urjanet", meter_oid=99)
    run = get_run(platform_db.engine, run_id)
    assert (run.status, run.scraper, run.meter) == ("running", "sdge-urjanet", 99)
    start_run(platform_db.engine, run_id)  # a retry whose lookup failed keeps what was found
    assert get_run(platform_db.engine, run_id).meter == 99


def test_finish_records_status_counts_duration_and_a_redacted_error(
    platform_db: PlatformTestDatabase,
) -> None:
    run_id = _open(platform_db)

    finish_run(
        platform_db.engine,
        run_id,
        status="failed",
        counts={"new": 2, "dropped_statements": 1},
        error_class="TransientError",
        error_message="cannot reach postgresql://datafeeds:s3cret@db.example/platform",
    )

    run = get_run(platform_db.engine, run_id)
    assert run.status == "failed"
    assert run.counts == {
        key: {"new": 2, "dropped_statements": 1}.get(key, 0) for key in COUNT_KEYS
    }
    assert run.finished_at is not None and run.started_at is not None
    assert run.finished_at >= run.started_at
    assert run.duration_s == pytest.approx(
        (run.finished_at - run.started_at).total_seconds(), abs=1e-3
    )
    assert run.error_class == "TransientError"
    assert run.error_message == "cannot reach postgresql://datafeeds:***@db.example/platform"


def test_a_successful_dry_run_is_recorded_as_a_dry_run_with_its_diff(
    platform_db: PlatformTestDatabase,
) -> None:
    run_id = _open(platform_db, dry_run=True)
    diff = [{"operation": "new", "start": "2024-01-01", "end": "2024-01-31"}]

    finish_run(platform_db.engine, run_id, status="succeeded", counts={"new": 1}, dry_run_diff=diff)

    run = get_run(platform_db.engine, run_id)
    assert (run.status, run.dry_run, run.dry_run_diff) == ("dry-run", True, diff)


def test_a_finished_run_cannot_be_started_again(platform_db: PlatformTestDatabase) -> None:
    run_id = _open(platform_db)
    finish_run(platform_db.engine, run_id, status="succeeded", counts={})
    with pytest.raises(JobFailed, match="succeeded"):
        start_run(platform_db.engine, run_id)


def test_unknown_runs_and_bad_values_are_refused(platform_db: PlatformTestDatabase) -> None:
    with pytest.raises(ConfigurationError, match="no run with id 12345"):
        get_run(platform_db.engine, 12345)
    with pytest.raises(ConfigurationError):
        finish_run(platform_db.engine, 12345, status="failed", counts={})
    with pytest.raises(ConfigurationError):
        start_run(platform_db.engine, 12345)
    run_id = _open(platform_db)
    with pytest.raises(ValueError, match="unknown count keys: bogus"):
        finish_run(platform_db.engine, run_id, status="failed", counts={"bogus": 1})
    with pytest.raises(ValueError, match="status"):
        finish_run(platform_db.engine, run_id, status="running", counts={})
    with pytest.raises(ValueError, match="executor"):
        _open(platform_db, executor="cron")
