"""A run cancelled while queued is never started by whoever picks it up (launch, Batch worker)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from datafeeds_core.config import load
from datafeeds_core.job.pipeline import run_job
from datafeeds_core.job.request import JobRequest, JobRuntime
from datafeeds_core.platform import run_records
from datafeeds_core.platform.run_history import cancel_run
from datafeeds_core.testing import PlatformTestDatabase


def test_cancelled_queued_run_is_skipped_with_exit_0_and_writes_nothing(
    platform_db: PlatformTestDatabase, tmp_path: Path
) -> None:
    target = platform_db.add_target("watauga-urjanet", utility_account_id="1", service_id="2")
    run_id = run_records.open_run(
        platform_db.engine,
        data_source_oid=target.data_source_oid,
        scraper_key=target.scraper_key,
        task_id="job-1:0",
        date_start=date(2020, 1, 1),
        date_end=date(2021, 1, 1),
        executor="batch",
        status="queued",
    )
    cancel_run(platform_db.engine, run_id)
    settings = load({"DATAFEEDS_HOME": str(tmp_path), "DATAFEEDS_PLATFORM_URL": platform_db.url})
    outcome = run_job(
        JobRequest(oid=target.data_source_oid, run_id=run_id), settings, JobRuntime("batch")
    )
    assert (outcome.status, outcome.exit_code) == ("cancelled", 0)
    assert run_records.get_run(platform_db.engine, run_id).status == "cancelled"
    assert platform_db.rows("bill") == []
