"""`datafeeds run` as a real subprocess against PostgreSQL (platform) and MariaDB (Urjanet)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID, demo_statements
from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.plugin_api.registry import load
from datafeeds_core.testing import DatafeedsCli, PlatformDatabases, UrjanetDatabases

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb]
KEY = "watauga-urjanet"


@dataclass
class Setup:
    oid: int
    target: Any
    env: dict[str, str]
    platform: Any
    statements: int


@pytest.fixture(params=["postgresql", "production"])
def job(
    request: pytest.FixtureRequest,
    platform_databases: PlatformDatabases,
    urjanet_databases: UrjanetDatabases,
    tmp_path: Path,
) -> Iterator[Setup]:
    """PostgreSQL as `db init` makes it, and the production schema with `db init` on top."""
    platform = platform_databases.get(request.param)
    urjanet = urjanet_databases.get("mariadb")
    bills = tmp_path / "bills"
    bills.mkdir()
    data = demo_statements(load(KEY).metadata(), date.today(), link=f"file://{bills}/{{pk}}.pdf")
    for account in data.accounts:
        (bills / f"{account.PK}.pdf").write_bytes(make_pdf([f"statement {account.PK}"]))
    urjanet.seed(data)
    target = platform.add_target(
        KEY, utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
    )
    env = {
        "DATAFEEDS_PLATFORM_URL": platform.url,
        "DATAFEEDS_URJANET_URL": urjanet.url,
        "DATAFEEDS_DOCUMENTS_URL": f"file://{tmp_path / 'documents'}",
        "DATAFEEDS_DOCUMENT_ROOT": str(bills),
    }
    yield Setup(target.data_source_oid, target, env, platform, len(data.accounts))
    platform.clear()
    urjanet.clear()


def _window() -> list[str]:
    today = date.today()
    return ["--start", str(today - timedelta(days=730)), "--end", str(today)]


def test_run_writes_bills_records_the_run_and_prints_the_summary(
    cli: DatafeedsCli, job: Setup
) -> None:
    result = cli("run", "--oid", str(job.oid), *_window(), env=job.env)
    assert result.returncode == 0, result.stderr
    bills = job.platform.rows("bill", service=job.target.service_oid)
    assert len(bills) == 24
    assert all(b["source"] == "datafeeds" and not b["manual"] for b in bills)
    assert all(b["attachments"] and b["attachments"][0]["format"] == "PDF" for b in bills)
    lines = result.stdout.splitlines()
    bar = lines.index("=" * 80)
    assert lines[bar + 1] == "Final Billing Summary"
    assert lines[bar + 3].split() == [
        "Start",
        "End",
        "Cost",
        "Use",
        "Peak",
        "Has",
        "PDF",
        "Utility",
        "Code",
    ]
    rows = lines[bar + 4 : bar + 4 + 24]
    assert all(row.split()[5] == "True" for row in rows)
    (run,) = job.platform.rows("datafeeds_run")
    assert run["status"] == "succeeded" and run["scraper"] == KEY
    assert run["counts"]["new"] == 24 and run["counts"]["documents_fetched"] == 24
    assert run["counts"]["dropped_statements"] == 1  # the corrected statement
    assert run["details"]["dropped_statements"][0]["reason"].startswith("overlaps")
    assert (
        "Scraper Launch Settings:" in result.stderr
        and f"Meter Data Source OID: {job.oid}" in result.stderr
    )


@pytest.mark.slow
def test_second_run_adds_no_bill(cli: DatafeedsCli, job: Setup) -> None:
    assert cli("run", "--oid", str(job.oid), *_window(), env=job.env).returncode == 0
    before = job.platform.rows("bill", service=job.target.service_oid)
    again = cli("run", "--oid", str(job.oid), *_window(), env=job.env)
    assert again.returncode == 0
    assert job.platform.rows("bill", service=job.target.service_oid) == before
    runs = job.platform.rows("datafeeds_run")
    assert [r["status"] for r in runs] == ["succeeded", "no-new-data"]
    assert runs[1]["counts"]["unchanged"] == 24 and runs[1]["counts"]["documents_reused"] == 24


def test_bills_fan_out_to_the_same_said_and_utility_and_each_service_is_counted(
    cli: DatafeedsCli, job: Setup
) -> None:
    sibling = job.platform.add_service(
        utility=job.target.utility,
        utility_account_id=DEMO_ACCOUNT_NUMBER,
        service_id=DEMO_SERVICE_ID,
    )
    job.platform.add_meter(sibling)
    other_utility = job.platform.add_service(
        utility="utility:elsewhere", utility_account_id="X", service_id=DEMO_SERVICE_ID
    )
    job.platform.add_meter(other_utility)

    result = cli("run", "--oid", str(job.oid), *_window(), env=job.env)

    assert result.returncode == 0, result.stderr
    own = job.target.service_oid
    assert f"  service {own} (this meter's service): new 24," in result.stdout
    assert f"  service {sibling} (same SAID and utility): new 24," in result.stdout
    assert len(job.platform.rows("bill", service=sibling)) == 24
    assert job.platform.rows("bill", service=other_utility) == []
    (run,) = job.platform.rows("datafeeds_run")
    assert run["counts"]["fan_out_services"] == 1 and run["counts"]["new"] == 24
    services = {s["service"]: (s["fan_out"], s["new"]) for s in run["details"]["services"]}
    assert services == {own: (False, 24), sibling: (True, 24)}
    shown = cli("runs", "show", str(run["id"]), env=job.env)
    assert f"services:       {own}: new 24, updated 0, replaced 0; {sibling} (fan-out): new 24" in (
        shown.stdout
    )


def test_manual_bill_in_the_window_survives(cli: DatafeedsCli, job: Setup) -> None:
    today = date.today()
    month = date(today.year, today.month, 1) - timedelta(days=60)
    start = date(month.year, month.month, 1)
    manual = job.platform.add_bill(
        job.target.service_oid, start, start + timedelta(days=27), manual=True, cost=1.0
    )
    result = cli("run", "--oid", str(job.oid), *_window(), env=job.env)
    assert result.returncode == 0, result.stderr
    bills = job.platform.rows("bill", service=job.target.service_oid)
    kept = [b for b in bills if b["oid"] == manual]
    assert kept and kept[0]["manual"] and kept[0]["cost"] == 1.0
    assert not any(b["initial"] == start and not b["manual"] for b in bills)
    (run,) = job.platform.rows("datafeeds_run")
    assert run["counts"]["skipped"] == 1 and run["counts"]["new"] == 23


def test_dry_run_changes_nothing_and_reports_the_diff(cli: DatafeedsCli, job: Setup) -> None:
    result = cli("run", "--oid", str(job.oid), "--dry-run", *_window(), env=job.env)
    assert result.returncode == 0, result.stderr
    assert job.platform.rows("bill") == []
    assert job.platform.rows("bill_document") == []
    assert sum(line.split()[:1] == ["new"] for line in result.stdout.splitlines()) == 24
    (run,) = job.platform.rows("datafeeds_run")
    assert run["status"] == "dry-run" and len(run["dry_run_diff"]) == 24


def test_unknown_oid_exits_3_with_one_line(cli: DatafeedsCli, job: Setup) -> None:
    result = cli("run", "--oid", "987654321", env=job.env)
    assert result.returncode == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: no meter data source with oid 987654321"]
    assert "Traceback" not in result.stderr
    (run,) = job.platform.rows("datafeeds_run")
    assert run["status"] == "failed" and run["error_class"] == "ConfigurationError"


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "2020-02-30"],
        ["--end", "tomorrow"],
        ["--start", "2021-01-01", "--end", "2020-01-01"],
        ["--start", "2021-01-01", "--end", "2021-01-01"],
    ],
    ids=["impossible-date", "not-a-date", "reversed", "empty"],
)
def test_bad_dates_exit_2_with_one_line(cli: DatafeedsCli, job: Setup, args: list[str]) -> None:
    result = cli("run", "--oid", str(job.oid), *args, env=job.env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert job.platform.rows("datafeeds_run") == []


@pytest.mark.parametrize("oid", ["-5", "0", "abc", "99999999999999999999999"])
def test_bad_oids_are_usage_errors(cli: DatafeedsCli, job: Setup, oid: str) -> None:
    result = cli("run", "--oid", oid, env=job.env)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_uninstalled_scraper_exits_3_and_lists_installed(cli: DatafeedsCli, job: Setup) -> None:
    meter = job.platform.add_meter(job.target.service_oid)
    oid = job.platform.add_data_source(meter, "pge-urjanet-v3")
    result = cli("run", "--oid", str(oid), env=job.env)
    assert result.returncode == 3
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "pge-urjanet-v3" in line and KEY in line


def test_a_source_without_the_meta_its_plugin_requires_exits_3_with_one_line(
    cli: DatafeedsCli, job: Setup
) -> None:
    # Written straight into the platform, as `sources create` would have refused it.
    meter = job.platform.add_meter(job.target.service_oid)
    oid = job.platform.add_data_source(meter, "generic-urjanet-water")
    result = cli("run", "--oid", str(oid), env=job.env)
    assert result.returncode == 3, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "generic-urjanet-water" in line and "utility_provider" in line
    assert "Traceback" not in result.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_urjanet_database_exits_75(cli: DatafeedsCli, job: Setup) -> None:
    env = {
        **job.env,
        "DATAFEEDS_URJANET_URL": f"mysql+mysqldb://root@127.0.0.1:{_closed_port()}/urjanet",
    }
    result = cli("run", "--oid", str(job.oid), env=env)
    assert result.returncode == 75
    assert "Urjanet database unreachable" in result.stderr and "Traceback" not in result.stderr
    (run,) = job.platform.rows("datafeeds_run")
    assert run["status"] == "failed" and run["error_class"] == "TransientError"


def test_unreachable_platform_database_exits_75_without_leaking_the_password(
    cli: DatafeedsCli, job: Setup
) -> None:
    url = f"postgresql://postgres:s3cret-pw@127.0.0.1:{_closed_port()}/platform"
    result = cli("run", "--oid", str(job.oid), env={**job.env, "DATAFEEDS_PLATFORM_URL": url})
    assert result.returncode == 75
    assert "platform database unreachable" in result.stderr
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1
