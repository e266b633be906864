"""Feed configuration (datafeeds_feed_config) and which data sources are due."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import typer
from typer.testing import CliRunner, Result

from datafeeds_core.cli import feeds as feeds_cli
from datafeeds_core.errors import ConfigurationError, UsageError
from datafeeds_core.platform.feeds import (
    UNCHANGED,
    DueSource,
    chosen_data_sources,
    due_data_sources,
    get_feed,
    set_feed,
)
from datafeeds_core.testing import PlatformTestDatabase

MONDAY = date(2024, 6, 3)
assert MONDAY.weekday() == 0


def source(db: PlatformTestDatabase, key: str) -> int:
    return int(db.add_target(key).data_source_oid)


def test_due_data_sources_are_those_of_enabled_feeds_due_that_day(
    platform_db: PlatformTestDatabase,
) -> None:
    daily = source(platform_db, "daily-urjanet")
    mondays = source(platform_db, "monday-urjanet")
    source(platform_db, "tuesday-urjanet")
    source(platform_db, "off-urjanet")
    source(platform_db, "unconfigured-urjanet")
    set_feed(platform_db.engine, "daily-urjanet", enabled=True, queue="high")
    set_feed(platform_db.engine, "monday-urjanet", enabled=True, weekday=0)
    set_feed(platform_db.engine, "tuesday-urjanet", enabled=True, weekday=1)
    set_feed(platform_db.engine, "off-urjanet", enabled=False)

    with platform_db.engine.connect() as conn:
        on_monday = due_data_sources(conn, today=MONDAY)
        on_tuesday = due_data_sources(conn, today=MONDAY + timedelta(days=1))

    assert on_monday == [
        DueSource(daily, "daily-urjanet", "datafeeds-high"),
        DueSource(mondays, "monday-urjanet", "datafeeds-medium"),
    ]
    assert [s.scraper_key for s in on_tuesday] == ["daily-urjanet", "tuesday-urjanet"]


def test_due_data_sources_narrow_to_a_scraper_and_to_oids(
    platform_db: PlatformTestDatabase,
) -> None:
    a1, a2 = source(platform_db, "a-urjanet"), source(platform_db, "a-urjanet")
    b1 = source(platform_db, "b-urjanet")
    for key in ("a-urjanet", "b-urjanet"):
        set_feed(platform_db.engine, key, enabled=True)

    with platform_db.engine.connect() as conn:
        by_key = due_data_sources(conn, today=MONDAY, scraper="a-urjanet")
        by_oid = due_data_sources(conn, today=MONDAY, oids=[a2, b1])

    assert [s.oid for s in by_key] == [a1, a2]
    assert [s.oid for s in by_oid] == [a2, b1]


def test_chosen_data_sources_ignore_the_feed_configuration(
    platform_db: PlatformTestDatabase,
) -> None:
    off = source(platform_db, "off-urjanet")
    other = source(platform_db, "other-urjanet")
    set_feed(platform_db.engine, "off-urjanet", enabled=False, queue="low")

    with platform_db.engine.connect() as conn:
        by_key = chosen_data_sources(conn, scraper="off-urjanet")
        by_oid = chosen_data_sources(conn, oids=[other, off])

    assert by_key == [DueSource(off, "off-urjanet", "datafeeds-low")]
    assert by_oid == [
        DueSource(off, "off-urjanet", "datafeeds-low"),
        DueSource(other, "other-urjanet", "datafeeds-medium"),
    ]


def test_chosen_data_sources_refuse_an_oid_that_names_none(
    platform_db: PlatformTestDatabase,
) -> None:
    known = source(platform_db, "a-urjanet")
    with platform_db.engine.connect() as conn, pytest.raises(ConfigurationError, match="424242"):
        chosen_data_sources(conn, oids=[known, 424242])
    with platform_db.engine.connect() as conn, pytest.raises(ConfigurationError, match="b-urjanet"):
        chosen_data_sources(conn, scraper="b-urjanet", oids=[known])


def test_set_feed_creates_a_disabled_row_then_changes_only_what_is_given(
    platform_db: PlatformTestDatabase,
) -> None:
    created = set_feed(platform_db.engine, "x-urjanet")
    assert (created.enabled, created.queue, created.weekday) == (False, "datafeeds-medium", None)
    assert created.utility_account_scope is False  # boolean NOT NULL in production

    set_feed(platform_db.engine, "x-urjanet", enabled=True, weekday=4)
    set_feed(platform_db.engine, "x-urjanet", queue="datafeeds-low")
    with platform_db.engine.connect() as conn:
        stored = get_feed(conn, "x-urjanet")
    assert stored is not None
    assert (stored.enabled, stored.queue, stored.weekday) == (True, "datafeeds-low", 4)

    everyday = set_feed(platform_db.engine, "x-urjanet", weekday=None)
    unchanged = set_feed(platform_db.engine, "x-urjanet", weekday=UNCHANGED)
    assert everyday.weekday is None and unchanged == everyday


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"queue": "urgent"}, "queue"), ({"weekday": 7}, "weekday"), ({"weekday": -1}, "weekday")],
)
def test_set_feed_refuses_an_unknown_queue_or_weekday(
    platform_db: PlatformTestDatabase, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        set_feed(platform_db.engine, "x-urjanet", **kwargs)  # type: ignore[arg-type]
    assert platform_db.rows("datafeeds_feed_config") == []


root = typer.Typer()
root.add_typer(feeds_cli.app, name="feeds")


def invoke(db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", db.url)
    return CliRunner().invoke(root, ["feeds", *args])


def test_feeds_cli_sets_and_lists_feed_configurations(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    source(platform_db, "a-urjanet")
    source(platform_db, "b-urjanet")

    result = invoke(
        platform_db,
        monkeypatch,
        "set",
        "a-urjanet",
        "--enable",
        "--queue",
        "high",
        "--weekday",
        "2",
    )
    listed = invoke(platform_db, monkeypatch, "list", "--json")
    table = invoke(platform_db, monkeypatch, "list")

    assert result.exit_code == 0, result.output
    assert result.stdout == "a-urjanet: enabled, queue datafeeds-high, on Wednesdays\n"
    assert json.loads(listed.stdout) == [
        {
            "name": "a-urjanet",
            "enabled": True,
            "queue": "datafeeds-high",
            "weekday": 2,
            "sequential": False,
            "utility_account_scope": False,
            "data_sources": 1,
        }
    ]
    assert "b-urjanet" in table.stdout and "no configuration" in table.stdout


@pytest.mark.parametrize("args", [["--weekday", "8"], ["--weekday", "monday"], ["--queue", "x"]])
def test_feeds_cli_refuses_bad_values_with_exit_2(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    result = invoke(platform_db, monkeypatch, "set", "a-urjanet", *args)
    assert result.exit_code == 2
    assert platform_db.rows("datafeeds_feed_config") == []
