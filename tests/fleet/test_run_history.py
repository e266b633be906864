"""Run history: listing with filters, cancelling, statistics, retention, and the `runs` CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select, update
from typer.testing import CliRunner, Result

from datafeeds_core.cli import runs as runs_cli
from datafeeds_core.errors import ConfigurationError, UsageError
from datafeeds_core.platform.run_history import (
    cancel_run,
    list_runs,
    log_tail,
    prune_runs,
    run_stats,
)
from datafeeds_core.platform.run_records import finish_run, get_run, open_run
from datafeeds_core.platform.schema import datafeeds_run, snapmeter_meter_data_source
from datafeeds_core.testing import PlatformTestDatabase

NOW = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)


def add_run(
    db: PlatformTestDatabase,
    *,
    oid: int = 1,
    scraper: str = "a-urjanet",
    status: str = "succeeded",
    dry_run: bool = False,
    queued_at: datetime | None = None,
    finished_at: datetime | None = None,
    log_location: str | None = None,
    counts: dict[str, int] | None = None,
) -> int:
    """A run of data source `oid` (created if missing) that ended with `status` ("queued" and
    "running" stay open)."""
    mds = snapmeter_meter_data_source
    with db.engine.begin() as conn:
        if conn.execute(select(mds.c.oid).where(mds.c.oid == oid)).first() is None:
            conn.execute(mds.insert().values(oid=oid, meter=oid, name=scraper))
    run_id = open_run(
        db.engine,
        data_source_oid=oid,
        scraper_key=scraper,
        task_id=f"task-{oid}",
        date_start=date(2024, 1, 1),
        date_end=date(2024, 6, 1),
        status="queued" if status == "queued" else "running",
        dry_run=dry_run,
        log_location=log_location,
    )
    if status not in ("queued", "running"):
        finish_run(db.engine, run_id, status=status, counts=counts or {})
    values: dict[str, Any] = {}
    if queued_at is not None:
        values.update(queued_at=queued_at, started_at=queued_at)
    if finished_at is not None:
        values["finished_at"] = finished_at
    if values:
        with db.engine.begin() as conn:
            conn.execute(update(datafeeds_run).where(datafeeds_run.c.id == run_id).values(**values))
    return run_id


def test_list_runs_filters_by_scraper_data_source_status_and_queue_time(
    platform_db: PlatformTestDatabase,
) -> None:
    old = add_run(platform_db, oid=1, queued_at=NOW - timedelta(days=40))
    a_failed = add_run(platform_db, oid=1, status="failed", queued_at=NOW - timedelta(days=2))
    b_ok = add_run(platform_db, oid=2, scraper="b-urjanet", queued_at=NOW - timedelta(days=1))
    e = platform_db.engine

    assert [r.id for r in list_runs(e)] == [b_ok, a_failed, old]  # newest first
    assert [r.id for r in list_runs(e, scraper="a-urjanet")] == [a_failed, old]
    assert [r.id for r in list_runs(e, data_source=2)] == [b_ok]
    assert [r.id for r in list_runs(e, status="failed")] == [a_failed]
    assert [r.id for r in list_runs(e, since=NOW - timedelta(days=7))] == [b_ok, a_failed]
    assert [r.id for r in list_runs(e, limit=1)] == [b_ok]
    with pytest.raises(UsageError, match="status must be one of"):
        list_runs(e, status="done")


def test_cancelling_a_queued_run_closes_it_and_it_can_no_longer_start(
    platform_db: PlatformTestDatabase,
) -> None:
    from datafeeds_core.errors import JobFailed
    from datafeeds_core.platform.run_records import start_run

    run_id = add_run(platform_db, status="queued")

    run = cancel_run(platform_db.engine, run_id)

    assert (run.status, run.error_class, run.attempt) == ("cancelled", "Cancelled", 0)
    assert run.finished_at is not None and run.started_at is None
    with pytest.raises(JobFailed, match="cancelled"):
        start_run(platform_db.engine, run_id)


def test_a_running_run_can_be_cancelled_a_finished_one_cannot(
    platform_db: PlatformTestDatabase,
) -> None:
    running = add_run(platform_db, status="running")
    done = add_run(platform_db, status="succeeded")

    assert cancel_run(platform_db.engine, running).duration_s is not None
    with pytest.raises(UsageError, match="is succeeded"):
        cancel_run(platform_db.engine, done)
    with pytest.raises(ConfigurationError, match="no run with id"):
        cancel_run(platform_db.engine, done + 1000)
    assert get_run(platform_db.engine, done).status == "succeeded"


def test_stats_give_success_rates_per_scraper_and_staleness_per_data_source(
    platform_db: PlatformTestDatabase,
) -> None:
    day = timedelta(days=1)
    last_ok = NOW - 3 * day
    add_run(platform_db, oid=1, queued_at=NOW - 5 * day, finished_at=NOW - 5 * day)
    add_run(platform_db, oid=1, status="no-new-data", queued_at=last_ok, finished_at=last_ok)
    add_run(platform_db, oid=1, status="failed", queued_at=NOW - day)
    add_run(platform_db, oid=1, status="dry-run", dry_run=True, queued_at=NOW - day / 2)
    add_run(platform_db, oid=2, status="timed-out", queued_at=NOW - day)
    add_run(platform_db, oid=2, status="cancelled", queued_at=NOW - day)
    add_run(
        platform_db,
        oid=3,
        scraper="b-urjanet",
        queued_at=NOW - 60 * day,
        finished_at=NOW - 60 * day,
    )

    # A run of an oid no data source has (a mistyped `datafeeds run --oid`).
    add_run(platform_db, oid=404, scraper="b-urjanet", status="failed", queued_at=NOW - 60 * day)
    mds = snapmeter_meter_data_source
    with platform_db.engine.begin() as conn:
        conn.execute(mds.delete().where(mds.c.oid == 404))

    stats = run_stats(platform_db.engine, since=NOW - 30 * day, now=NOW)

    assert 404 not in {f.data_source for f in stats.sources}
    [a] = stats.scrapers  # b's only run is older than the window
    assert (a.scraper, a.runs, a.succeeded, a.failed) == ("a-urjanet", 5, 2, 2)
    assert a.success_rate == 0.5 and a.last_success == last_ok
    by_source = {f.data_source: f for f in stats.sources}
    assert by_source[1].staleness == 3 * day and by_source[1].last_status == "failed"
    assert by_source[2].last_success is None and by_source[2].staleness is None
    assert by_source[3].staleness == 60 * day

    stale = run_stats(platform_db.engine, since=NOW - 30 * day, now=NOW, stale_after=10 * day)
    assert [f.data_source for f in stale.sources] == [2, 3]


def test_prune_deletes_only_runs_finished_before_the_retention_and_their_logs(
    platform_db: PlatformTestDatabase, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    old_log, outside = logs / "old.log", tmp_path / "elsewhere.log"
    old_log.write_text("x\n")
    outside.write_text("x\n")
    long_ago = NOW - timedelta(days=100)
    old = add_run(platform_db, queued_at=long_ago, finished_at=long_ago, log_location=str(old_log))
    old_outside = add_run(
        platform_db, queued_at=long_ago, finished_at=long_ago, log_location=str(outside)
    )
    still_queued = add_run(platform_db, status="queued", queued_at=long_ago)
    recent = add_run(platform_db, queued_at=NOW - timedelta(days=1), finished_at=NOW)

    report = prune_runs(platform_db.engine, retention_days=30, log_dir=logs, now=NOW)

    assert (report.runs_deleted, report.logs_deleted) == (2, 1)
    remaining = {r["id"] for r in platform_db.rows("datafeeds_run")}
    assert remaining == {still_queued, recent}
    assert not old_log.exists() and outside.exists()
    assert old not in remaining and old_outside not in remaining


def test_log_tail_reads_the_last_lines_of_a_local_log(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    log.write_text("".join(f"line {i}\n" for i in range(5000)))

    assert log_tail(str(log), 3) == ["line 4997", "line 4998", "line 4999"]
    assert log_tail(str(log), 6000) == [f"line {i}" for i in range(5000)]
    assert log_tail(str(tmp_path / "missing.log"), 3) is None
    assert log_tail("s3://bucket/run.log", 3) is None


# ---------------------------------------------------------------- the CLI

root = typer.Typer()
root.add_typer(runs_cli.app, name="runs")


def invoke(
    db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str
) -> Result:
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", db.url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(root, ["runs", *args])


def test_runs_list_json_applies_the_filters(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_run(platform_db, oid=1, status="failed")
    ok = add_run(platform_db, oid=2, counts={"new": 3})

    result = invoke(platform_db, monkeypatch, "list", "--oid", "2", "--json")
    table = invoke(platform_db, monkeypatch, "list", "--status", "failed", "--since", "1d")

    assert result.exit_code == 0, result.output
    [run] = json.loads(result.stdout)
    assert (run["id"], run["status"], run["counts"]["new"]) == (ok, "succeeded", 3)
    assert table.exit_code == 0 and "failed" in table.stdout and "succeeded" not in table.stdout


def test_runs_show_prints_the_details_and_the_tail_of_the_log(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "7.log"
    log.write_text("".join(f"step {i}\n" for i in range(30)))
    run_id = add_run(platform_db, status="failed", log_location=str(log))

    result = invoke(platform_db, monkeypatch, "show", str(run_id), "--lines", "2")

    assert result.exit_code == 0, result.output
    assert "status:         failed" in result.stdout
    assert result.stdout.endswith("step 28\nstep 29\n")
    assert "step 27" not in result.stdout


def test_runs_cancel_exits_2_for_a_finished_run_and_3_for_an_unknown_one(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = add_run(platform_db)
    queued = add_run(platform_db, status="queued")

    assert invoke(platform_db, monkeypatch, "cancel", str(done)).exit_code == 2
    assert invoke(platform_db, monkeypatch, "cancel", str(done + 100)).exit_code == 3
    cancelled = invoke(platform_db, monkeypatch, "cancel", str(queued))
    assert (cancelled.exit_code, cancelled.stdout) == (0, f"run {queued}: cancelled\n")


def test_nothing_expires_unless_a_retention_is_set(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATAFEEDS_RUN_RETENTION_DAYS", raising=False)
    ancient = datetime(2000, 1, 1, tzinfo=UTC)
    kept = add_run(platform_db, queued_at=ancient, finished_at=ancient)

    unset = invoke(platform_db, monkeypatch, "prune", DATAFEEDS_HOME=str(tmp_path))

    assert unset.exit_code == 0 and "nothing pruned" in unset.stdout
    assert [r["id"] for r in platform_db.rows("datafeeds_run")] == [kept]

    pruned = invoke(
        platform_db,
        monkeypatch,
        "prune",
        DATAFEEDS_HOME=str(tmp_path),
        DATAFEEDS_RUN_RETENTION_DAYS="365",
    )
    assert pruned.exit_code == 0 and pruned.stdout.startswith("pruned 1 run ")
    assert platform_db.rows("datafeeds_run") == []


def test_runs_stats_json_reports_rates_and_staleness(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_run(platform_db, oid=1)
    add_run(platform_db, oid=1, status="failed")

    result = invoke(platform_db, monkeypatch, "stats", "--json")

    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    [scraper] = stats["scrapers"]
    assert (scraper["scraper"], scraper["success_rate"]) == ("a-urjanet", 0.5)
    [source] = stats["data_sources"]
    assert source["last_status"] == "failed" and source["last_success"] is not None
