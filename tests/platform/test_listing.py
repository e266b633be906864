"""The listings' read path on the embedded SQLite file (`platform/listing.py`, standard library
only) gives the same answers as the SQLAlchemy queries it stands in for, and never writes."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from datafeeds_core.database import make_engine
from datafeeds_core.platform import listing
from datafeeds_core.platform.init import init_database
from datafeeds_core.platform.provisioning import add_meter, create_data_source, list_data_sources
from datafeeds_core.platform.run_history import list_runs
from datafeeds_core.platform.run_records import finish_run, open_run
from datafeeds_core.platform.schema import datafeeds_run

NOW = datetime.now(UTC)


@pytest.fixture
def platform_file(tmp_path: Path) -> Path:
    """A platform database with two meters, three data sources and runs of every kind."""
    path = tmp_path / "platform.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        init_database(engine)
        meters = [
            add_meter(
                engine,
                utility="utility:watauga",
                utility_account_id=f"01234{i}",
                service_id=f"77{i}",
                account_name=f"Account {i % 2}",
                commodity="ccf",
            )
            for i in range(2)
        ]
        create_data_source(engine, None, meters[0], "watauga-urjanet")
        create_data_source(engine, None, meters[1], "watauga-urjanet")
        create_data_source(
            engine, None, meters[1], "generic-urjanet-water", {"utility_provider": "X"}
        )
        for i, status in enumerate(["succeeded", "failed", "dry-run", "no-new-data", "running"]):
            run_id = open_run(
                engine,
                data_source_oid=1 + i % 3,
                scraper_key=["watauga-urjanet", "generic-urjanet-water"][i % 2],
                task_id=f"t{i}",
                date_start=date(2026, 1, 1),
                date_end=date(2026, 6, 1),
                executor="cli",
                dry_run=status == "dry-run",
            )
            if status != "running":
                finish_run(
                    engine,
                    run_id,
                    status=status,
                    counts={"new": i},
                    error_class="JobFailed" if status == "failed" else None,
                    error_message="bad" if status == "failed" else None,
                    dry_run_diff=[{"operation": "new"}] if status == "dry-run" else None,
                    details={"dropped_statements": [{"pk": i, "reason": "why"}]},
                )
            with engine.begin() as conn:
                conn.execute(
                    update(datafeeds_run)
                    .where(datafeeds_run.c.id == run_id)
                    .values(queued_at=NOW - timedelta(days=i))
                )
    finally:
        engine.dispose()
    return path


FILTERS: list[dict[str, Any]] = [
    {},
    {"limit": 2},
    {"limit": None},
    {"scraper": "watauga-urjanet"},
    {"data_source": 2},
    {"status": "failed"},
    {"since": NOW - timedelta(days=2, hours=1)},
    {"since": NOW - timedelta(days=30), "scraper": "generic-urjanet-water", "status": "failed"},
    {"data_source": 999},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[str(sorted(f)) for f in FILTERS])
def test_runs_read_from_the_file_equal_the_sqlalchemy_query(
    platform_file: Path, filters: dict[str, Any]
) -> None:
    engine = make_engine(f"sqlite:///{platform_file}")
    try:
        expected = list_runs(engine, **filters)
    finally:
        engine.dispose()
    assert listing.list_runs(platform_file, **filters) == expected
    if not filters:
        assert len(expected) == 5 and expected[-1].details is not None


@pytest.mark.parametrize(
    "filters", [{}, {"scraper": "watauga-urjanet"}, {"meter_oid": 1}, {"scraper": "nope"}]
)
def test_data_sources_read_from_the_file_equal_the_sqlalchemy_query(
    platform_file: Path, filters: dict[str, Any]
) -> None:
    engine = make_engine(f"sqlite:///{platform_file}")
    try:
        if "meter_oid" in filters:
            filters = {"meter_oid": list_data_sources(engine)[0].meter}
        expected = list_data_sources(engine, **filters)
    finally:
        engine.dispose()
    assert listing.list_data_sources(platform_file, **filters) == expected
    if not filters:
        assert len(expected) == 3 and expected[2].meta == {"utility_provider": "X"}


def test_only_an_existing_plain_sqlite_file_is_read_directly(tmp_path: Path) -> None:
    there = tmp_path / "p.db"
    there.write_bytes(b"")
    assert listing.sqlite_file(f"sqlite:///{there}") == there
    assert listing.sqlite_file(f"sqlite:///{tmp_path / 'missing.db'}") is None
    assert listing.sqlite_file("sqlite:///:memory:") is None
    assert listing.sqlite_file(f"sqlite:///{there}?mode=ro") is None
    assert listing.sqlite_file("postgresql://u@h/db") is None


def test_the_listing_commands_do_not_import_sqlalchemy(platform_file: Path) -> None:
    code = (
        "import sys\n"
        "from datafeeds_core.cli import main\n"
        "sys.argv = ['datafeeds'] + sys.argv[1:]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "print('sqlalchemy' in sys.modules, code)\n"
    )
    env = {"DATAFEEDS_HOME": str(platform_file.parent), "PATH": "/usr/bin:/bin"}  # embedded
    for args in (["runs", "list"], ["sources", "list", "--json"]):
        done = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
        )
        assert done.stdout.strip().splitlines()[-1] == "False 0", done.stderr


def test_a_file_without_the_schema_is_left_to_the_sqlalchemy_path(tmp_path: Path) -> None:
    """The listing command then says what SQLAlchemy's path says (no new message, no write)."""
    empty = tmp_path / "platform.db"
    empty.write_bytes(b"")
    with pytest.raises(listing.Unreadable):
        listing.list_runs(empty)
    with pytest.raises(listing.Unreadable):
        listing.list_data_sources(empty)
    env = {"DATAFEEDS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for args in (["runs", "list"], ["sources", "list"]):
        done = subprocess.run(
            [sys.executable, "-m", "datafeeds_core", *args], capture_output=True, text=True, env=env
        )
        assert done.returncode != 0 and done.stderr.startswith("error: ")
        assert "Traceback" not in done.stderr and "Unreadable" not in done.stderr
