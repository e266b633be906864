"""`datafeeds db init`, `meters add`, `sources create`: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from datafeeds_core.cli import db, meters, sources
from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.testing import DatabaseFactory, PlatformBackend, PlatformTestDatabase

root = typer.Typer()
root.add_typer(db.app, name="db")
root.add_typer(meters.app, name="meters")
root.add_typer(sources.app, name="sources")


def invoke(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", url)
    return CliRunner().invoke(root, list(args))


def test_db_init_reports_what_it_created_then_that_nothing_changed(
    database_factory: DatabaseFactory,
    empty_backend: PlatformBackend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = database_factory.create(empty_backend)

    first = invoke(url, monkeypatch, "db", "init")
    second = invoke(url, monkeypatch, "db", "init")

    assert first.exit_code == 0, first.output
    assert "empty database: created the platform schema" in first.stdout
    assert "datafeeds_run" in first.stdout
    assert "applied migrations: 0001, 0002, 0003" in first.stdout
    assert second.exit_code == 0, second.output
    assert "nothing to do: the database is up to date (revision 0003)" in second.stdout


def test_db_init_creates_the_folder_of_an_embedded_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/home/sub/platform.db"
    result = invoke(url, monkeypatch, "db", "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "home" / "sub" / "platform.db").is_file()


def test_meters_add_prints_only_the_meter_oid(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = invoke(
        platform_db.url,
        monkeypatch,
        "meters",
        "add",
        "--account-name",
        "Watauga customer",
        "--utility",
        "utility:watauga",
        "--utility-account-id",
        "12-345",
        "--service-id",
        "S-1",
        "--commodity",
        "ccf",
    )

    assert result.exit_code == 0, result.output
    [meter] = platform_db.rows("meter")
    assert result.stdout == f"{meter['oid']}\n"
    assert meter["commodity"] == "ccf"


@pytest.mark.parametrize(
    ("account", "code"),
    [
        (["--account-oid", "1", "--account-name", "x"], 2),  # both
        ([], 2),  # neither
        (["--account-oid", "31337"], 3),  # unknown
    ],
)
def test_meters_add_account_errors_exit_with_their_codes(
    platform_db: PlatformTestDatabase,
    monkeypatch: pytest.MonkeyPatch,
    account: list[str],
    code: int,
) -> None:
    result = invoke(
        platform_db.url,
        monkeypatch,
        "meters",
        "add",
        *account,
        "--utility",
        "utility:watauga",
        "--utility-account-id",
        "1",
        "--service-id",
        "S",
    )
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")


def test_sources_create_prints_the_new_data_source_oid(
    platform_db: PlatformTestDatabase,
    monkeypatch: pytest.MonkeyPatch,
    fake_plugins: dict[str, PluginMetadata],
) -> None:
    fake_plugins["watauga-urjanet"] = PluginMetadata(provider="W", commodity="water")
    account = platform_db.add_account()
    meter = platform_db.add_meter(platform_db.add_service(), account=account)

    result = invoke(
        platform_db.url,
        monkeypatch,
        "sources",
        "create",
        str(account),
        str(meter),
        "watauga-urjanet",
        "--meta",
        '{"note": "from the CLI"}',
    )

    assert result.exit_code == 0, result.output
    [row] = platform_db.rows("snapmeter_meter_data_source")
    assert result.stdout == f"{row['oid']}\n"
    assert row["meta"] == {"note": "from the CLI"}


@pytest.mark.parametrize("meta", ["{not json", "[1, 2]"])
def test_sources_create_with_malformed_meta_is_a_usage_error(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch, meta: str
) -> None:
    result = invoke(
        platform_db.url,
        monkeypatch,
        "sources",
        "create",
        "1",
        "2",
        "watauga-urjanet",
        "--meta",
        meta,
    )
    assert result.exit_code == 2, result.output
    assert "--meta" in result.stderr
    assert platform_db.rows("snapmeter_meter_data_source") == []


def test_sources_create_with_an_unknown_scraper_exits_3(
    platform_db: PlatformTestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = platform_db.add_account()
    meter = platform_db.add_meter(platform_db.add_service(), account=account)
    result = invoke(
        platform_db.url, monkeypatch, "sources", "create", str(account), str(meter), "nope-urjanet"
    )
    assert result.exit_code == 3, result.output
    assert 'no plugin installed for scraper "nope-urjanet"' in result.stderr


def test_commands_on_an_uninitialised_database_say_to_run_db_init(
    database_factory: DatabaseFactory,
    empty_backend: PlatformBackend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = database_factory.create(empty_backend)
    result = invoke(
        url,
        monkeypatch,
        "meters",
        "add",
        "--account-name",
        "x",
        "--utility",
        "utility:watauga",
        "--utility-account-id",
        "1",
        "--service-id",
        "S",
    )
    assert result.exit_code == 3, result.output
    assert "run `datafeeds db init`" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
