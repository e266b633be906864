"""`datafeeds launch` and `datafeeds runs rerun` through the real CLI: isolated child processes,
one run record per data source, crashes and hangs contained, dry runs that write nothing."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

ON_SQLITE = pytest.mark.parametrize(("platform_backend", "urjanet_backend"), [("sqlite", "sqlite")])
ON_SERVERS = pytest.mark.parametrize(
    ("platform_backend", "urjanet_backend"),
    [
        pytest.param(platform, "mariadb", marks=[pytest.mark.postgres, pytest.mark.mariadb])
        for platform in ("postgresql", "production")
    ],
)


def oids(*targets: Any) -> str:
    return ",".join(str(t.data_source_oid) for t in targets)


def launches_every_data_source(fleet: Any, fleet_cli: Any) -> None:
    fleet.seed_demo()
    targets = [fleet.add_source() for _ in range(4)]

    result = fleet_cli("launch", "--oid", oids(*targets), "--concurrency", "2")

    assert result.returncode == 0, result.stdout + result.stderr
    for target in targets:
        run = fleet.run_of(target.data_source_oid)
        bills = fleet.bills(target.service_oid)
        assert bills, "each data source's bills are written to its own service"
        assert (run["status"], run["executor"], run["attempt"]) == ("succeeded", "local", 1)
        assert run["counts"]["new"] == len(bills)
        assert run["scraper"] == "watauga-urjanet" and run["meter"] == target.meter_oid
        log = Path(run["log_location"])
        assert log == fleet.log_dir / f"{run['id']}.log"
        text = log.read_text()
        assert f"run {run['id']} : Scraper Launch Settings:" in text
        assert "Final Billing Summary" in text  # the job's stdout lands in its log, not ours
        assert f"run {run['id']} oid {target.data_source_oid} watauga-urjanet: succeeded" in (
            result.stdout
        )
    assert "Final Billing Summary" not in result.stdout


@ON_SQLITE
@pytest.mark.slow
def test_launch_runs_every_data_source_in_its_own_process_and_records_each_run(
    fleet: Any, fleet_cli: Any
) -> None:
    launches_every_data_source(fleet, fleet_cli)


@ON_SERVERS
@pytest.mark.slow
def test_launch_on_postgresql_and_mariadb_records_each_run(fleet: Any, fleet_cli: Any) -> None:
    launches_every_data_source(fleet, fleet_cli)


@ON_SQLITE
@pytest.mark.slow
def test_a_crashed_killed_or_hung_job_is_recorded_and_the_others_succeed(
    fleet: Any, fleet_cli: Any
) -> None:
    fleet.seed_demo()
    good = [fleet.add_source(), fleet.add_source()]
    crash = fleet.add_source("crash-urjanet")  # SIGKILLs itself
    vanish = fleet.add_source("vanish-urjanet")  # os._exit(3) mid-job
    hang = fleet.add_source("hang-urjanet")  # waits for an event nobody sets

    result = fleet_cli(
        "launch",
        "--oid",
        oids(crash, good[0], vanish, hang, good[1]),
        "--concurrency",
        "2",
        "--timeout",
        # Long enough for a good job on a loaded two-core machine; the hung job costs this much.
        "5",
    )

    assert result.returncode == 1, result.stdout + result.stderr
    for target in good:
        assert fleet.run_of(target.data_source_oid)["status"] == "succeeded"
        assert fleet.bills(target.service_oid)
    crashed = fleet.run_of(crash.data_source_oid)
    assert (crashed["status"], crashed["error_class"]) == ("failed", "Crashed")
    assert "SIGKILL" in crashed["error_message"]
    vanished = fleet.run_of(vanish.data_source_oid)
    assert (vanished["status"], vanished["error_class"]) == ("failed", "Crashed")
    assert "exited with code 3" in vanished["error_message"]
    hung = fleet.run_of(hang.data_source_oid)
    assert (hung["status"], hung["error_class"]) == ("timed-out", "Timeout")
    assert hung["finished_at"] is not None
    for target in (crash, vanish, hang):
        assert f"oid {target.data_source_oid} " in result.stdout  # listed among the failures


def _within(timeout_s: float, fd: int) -> bytes:
    """What the gate plugin writes, once it is running (fails after `timeout_s`)."""
    ready, _, _ = select.select([fd], [], [], timeout_s)
    assert ready, "the gated job never started"
    return os.read(fd, 100)


def _gate(tmp_path: Path, fleet_cli: Any) -> tuple[int, int]:
    """FIFOs the gate plugin reports to and waits on; the test holds both ends open."""
    started, release = tmp_path / "started", tmp_path / "release"
    os.mkfifo(started)
    os.mkfifo(release)
    fleet_cli.env.update(FLEET_STARTED=str(started), FLEET_RELEASE=str(release))
    return os.open(started, os.O_RDONLY | os.O_NONBLOCK), os.open(release, os.O_RDWR)


def _finish(process: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@ON_SQLITE
def test_a_run_cancelled_while_queued_is_never_started(
    fleet: Any, fleet_cli: Any, tmp_path: Path
) -> None:
    started, release = _gate(tmp_path, fleet_cli)
    first, second = fleet.add_source("gate-urjanet"), fleet.add_source("empty-urjanet")
    process = fleet_cli.start(
        "launch", "--oid", oids(first, second), "--concurrency", "1", "--timeout", "60"
    )
    try:
        assert _within(60, started).startswith(b"started ")
        queued = fleet.run_of(second.data_source_oid)
        assert queued["status"] == "queued"  # opened before any job started

        cancel = fleet_cli("runs", "cancel", str(queued["id"]))
        os.write(release, b"go\n")
        out, err = _finish(process)
    finally:
        os.close(started)
        os.close(release)

    assert cancel.returncode == 0 and cancel.stdout == f"run {queued['id']}: cancelled\n"
    assert process.returncode == 0, out + err
    skipped = fleet.run_of(second.data_source_oid)
    assert (skipped["status"], skipped["attempt"], skipped["started_at"]) == ("cancelled", 0, None)
    assert "not started" in out
    assert fleet.run_of(first.data_source_oid)["status"] == "no-new-data"


@ON_SQLITE
def test_cancelling_a_running_run_stops_its_process(
    fleet: Any, fleet_cli: Any, tmp_path: Path
) -> None:
    started, release = _gate(tmp_path, fleet_cli)
    gated, other = fleet.add_source("gate-urjanet"), fleet.add_source("empty-urjanet")
    process = fleet_cli.start(
        "launch", "--oid", oids(gated, other), "--concurrency", "1", "--timeout", "60"
    )
    try:
        _within(60, started)
        running = fleet.run_of(gated.data_source_oid)
        assert running["status"] == "running"

        cancel = fleet_cli("runs", "cancel", str(running["id"]))
        out, err = _finish(process)  # never released: only the launcher can end that job
    finally:
        os.close(started)
        os.close(release)

    assert cancel.returncode == 0
    assert process.returncode == 0, out + err
    stopped = fleet.run_of(gated.data_source_oid)
    assert (stopped["status"], stopped["error_class"]) == ("cancelled", "Cancelled")
    assert fleet.run_of(other.data_source_oid)["status"] == "no-new-data"


@ON_SQLITE
def test_stopping_the_launcher_stops_its_jobs_and_cancels_their_runs(
    fleet: Any, fleet_cli: Any, tmp_path: Path
) -> None:
    started, release = _gate(tmp_path, fleet_cli)
    gated, waiting = fleet.add_source("gate-urjanet"), fleet.add_source("empty-urjanet")
    process = fleet_cli.start(
        "launch", "--oid", oids(gated, waiting), "--concurrency", "1", "--timeout", "60"
    )
    try:
        job_pid = int(_within(60, started).split()[1])
        process.terminate()  # SIGTERM, as a service manager stops the launcher
        _finish(process)
    finally:
        os.close(started)
        os.close(release)

    assert process.returncode != 0
    for target in (gated, waiting):
        run = fleet.run_of(target.data_source_oid)
        assert (run["status"], run["error_message"]) == (
            "cancelled",
            "the launcher was interrupted",
        )
    with pytest.raises(ProcessLookupError):
        os.kill(job_pid, 0)  # the job's process is gone (and reaped), not orphaned


@ON_SQLITE
@pytest.mark.slow
def test_launch_all_runs_the_data_sources_of_enabled_feeds_due_today(
    fleet: Any, fleet_cli: Any
) -> None:
    today = date.today().weekday()  # Monday = 0, as the feed configuration counts
    every_day = fleet.add_source("empty-urjanet")
    on_today = fleet.add_source("watauga-urjanet")  # no statements: no new data
    off_today = fleet.add_source("fortworth-water-urjanet")
    disabled = fleet.add_source("crash-urjanet")
    unconfigured = fleet.add_source("vanish-urjanet")
    no_plugin = fleet.add_source("not-installed-urjanet")
    settings = [
        ("empty-urjanet", "--enable", "none"),
        ("watauga-urjanet", "--enable", str(today)),
        ("fortworth-water-urjanet", "--enable", str((today + 1) % 7)),
        ("crash-urjanet", "--disable", "none"),
        ("not-installed-urjanet", "--enable", "none"),
    ]
    for key, switch, weekday in settings:
        assert fleet_cli("feeds", "set", key, switch, "--weekday", weekday).returncode == 0

    result = fleet_cli("launch", "--all", "--timeout", "30")

    assert result.returncode == 0, result.stdout + result.stderr
    launched = {run["data_source"] for run in fleet.runs()}
    assert launched == {every_day.data_source_oid, on_today.data_source_oid}
    for target in (off_today, disabled, unconfigured, no_plugin):
        assert not fleet.runs(data_source=target.data_source_oid)
    assert "left out (no plugin installed): not-installed-urjanet (1)" in result.stdout
    listed = json.loads(fleet_cli("feeds", "list", "--json").stdout)
    by_name = {f["name"]: f for f in listed}
    assert by_name["fortworth-water-urjanet"]["weekday"] == (today + 1) % 7
    assert by_name["crash-urjanet"]["enabled"] is False
    assert by_name["empty-urjanet"]["data_sources"] == 1


@ON_SQLITE
def test_dry_run_over_the_fleet_writes_no_bill_and_reports_would_be_new_bills(
    fleet: Any, fleet_cli: Any
) -> None:
    fleet.seed_demo()
    fresh, known = fleet.add_source(), fleet.add_source()
    start = date.today() - timedelta(days=730)
    # `known` already has a manual bill over the whole window: every period would be skipped.
    fleet.platform.add_bill(known.service_oid, start, date.today() - timedelta(days=1), manual=True)
    before = fleet.platform.rows("bill")

    result = fleet_cli("launch", "--oid", oids(fresh, known), "--dry-run")

    assert result.returncode == 0, result.stdout + result.stderr
    assert fleet.platform.rows("bill") == before
    runs = {t.data_source_oid: fleet.run_of(t.data_source_oid) for t in (fresh, known)}
    assert {r["status"] for r in runs.values()} == {"dry-run"}
    fresh_ops = [d["operation"] for d in runs[fresh.data_source_oid]["dry_run_diff"]]
    known_ops = [d["operation"] for d in runs[known.data_source_oid]["dry_run_diff"]]
    assert fresh_ops and set(fresh_ops) == {"new"}
    assert known_ops and set(known_ops) == {"skipped"}
    assert "Dry run: nothing was written" in result.stdout
    for oid, new, skipped in (
        (fresh.data_source_oid, len(fresh_ops), 0),
        (known.data_source_oid, 0, len(known_ops)),
    ):
        row = rf"\b{oid}\s*\S\s*watauga-urjanet\s*\S\s*{runs[oid]['id']}\s*\S\s*{new}\s*\S"
        assert re.search(row, result.stdout), result.stdout
        assert runs[oid]["counts"]["skipped"] == skipped


@ON_SQLITE
@pytest.mark.slow
def test_rerun_makes_a_new_run_for_the_same_data_source_and_dates(
    fleet: Any, fleet_cli: Any
) -> None:
    fleet.seed_demo()
    target = fleet.add_source()
    first = fleet_cli("launch", "--oid", oids(target), "--start", "2020-01-01")
    assert first.returncode == 0, first.stdout + first.stderr
    [old] = fleet.runs()

    result = fleet_cli("runs", "rerun", str(old["id"]))

    assert result.returncode == 0, result.stdout + result.stderr
    [_, new] = fleet.runs()
    assert new["id"] != old["id"]
    assert (new["data_source"], new["date_start"], new["date_end"], new["dry_run"]) == (
        old["data_source"],
        old["date_start"],
        old["date_end"],
        old["dry_run"],
    )
    assert new["status"] == "no-new-data"  # the first run wrote every bill already
    assert Path(new["log_location"]).is_file()


@ON_SQLITE
def test_launch_refuses_an_unknown_oid_before_starting_anything(fleet: Any, fleet_cli: Any) -> None:
    target = fleet.add_source("empty-urjanet")

    result = fleet_cli("launch", "--oid", f"{target.data_source_oid},999999")

    assert result.returncode == 3
    assert "999999" in result.stderr
    assert fleet.runs() == []


@ON_SQLITE
def test_launch_without_a_choice_is_a_usage_error(fleet: Any, fleet_cli: Any) -> None:
    result = fleet_cli("launch")
    assert result.returncode == 2
    assert "--all" in result.stderr
