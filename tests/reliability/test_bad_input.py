"""Bad input at the edges: command-line arguments, environment variables and plugin entry points.

Every mistake gives one `error:` line on stderr, never a traceback, and the documented exit
code: 2 usage, 3 configuration, 4 plugin, 75 transient. Account numbers and service ids full of
SQL and LIKE metacharacters are stored as they are and match only themselves. Everything runs
the real command in a subprocess (the `cli` fixture).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from datafeeds_core.database import make_engine
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData

HUGE = str(2**63)  # one past the largest bigint
HUGER = "99999999999999999999999"
USAGE, CONFIGURATION, PLUGIN, TRANSIENT = 2, 3, 4, 75


def one_error_line(result: Any) -> str:
    """The single `error:` line; nothing on stderr looks like a traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    error: str = errors[0]
    return error


# ------------------------------------------------------------------ arguments


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--oid", "abc"], "Invalid value for '--oid'"),
        (["run", "--oid", "-5"], "Invalid value for '--oid'"),
        (["run", "--oid", "0"], "Invalid value for '--oid'"),
        (["run", "--oid", HUGE], "Invalid value for '--oid'"),
        (["run"], "Missing option '--oid'"),
        (["run", "--oid", "1", "--bogus"], "No such option: --bogus"),
        (["run", "--oid", "1", "--start", "2024-13-01"], "--start: '2024-13-01' is not a date"),
        (["run", "--oid", "1", "--end", "'; DROP TABLE bill; --"], "is not a date"),
        (["run", "--oid", "1", "--start", "2024-05-01", "--end", "2024-01-01"], "must be before"),
        (["run", "--oid", "1", "--end", "10000-01-01"], "is not a date"),
        (["nosuchcommand"], "No such command 'nosuchcommand'"),
        (
            ["meters", "add", "--utility", "utility:x", "--utility-account-id", "1"]
            + ["--service-id", "2", "--account-oid", HUGER],
            f"account {HUGER} is out of range",
        ),
        (
            ["meters", "add", "--utility", "utility:x", "--utility-account-id", "1"]
            + ["--service-id", "2", "--account-name", "A", "--meter-oid", "-7"],
            "meter -7 is out of range",
        ),
        (["sources", "create", HUGER, "1", "watauga-urjanet"], f"account {HUGER} is out of range"),
        (["sources", "create", "1", "1", "watauga-urjanet", "--meta", "[1]"], "JSON object"),
        (["runs", "show", HUGER], f"run {HUGER} is out of range"),
        (["runs", "list", "--oid", HUGER], f"data source {HUGER} is out of range"),
        (["runs", "list", "--since", "yesterday"], "--since: 'yesterday' is not a date"),
        (["launch", "--oid", HUGER], f"data source {HUGER} is out of range"),
        (["launch", "--oid", "1;2"], "--oid: '1;2' is not a data source oid"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_arguments_exit_2_with_one_line(cli: Any, args: list[str], says: str) -> None:
    if args[0] in ("meters", "sources", "runs"):  # they open the platform database first
        assert cli("db", "init").returncode == 0
    result = cli(*args)

    assert result.returncode == USAGE, result.stderr
    assert says in one_error_line(result)
    assert result.stderr.count("\n") == 1  # nothing but the error line


# ------------------------------------------------------------------ the environment


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DATAFEEDS_DOCUMENT_CONCURRENCY": "abc"}, "must be an integer, got 'abc'"),
        ({"DATAFEEDS_DOCUMENT_CONCURRENCY": "0"}, "must be positive"),
        ({"DATAFEEDS_DOCUMENT_TIMEOUT": "nan"}, "must be a finite number"),
        ({"DATAFEEDS_DOCUMENT_TIMEOUT": "1e999"}, "must be a finite number"),
        ({"DATAFEEDS_RUN_RETENTION_DAYS": "soon"}, "must be an integer"),
        ({"DATAFEEDS_LOG_FORMAT": "xml"}, "DATAFEEDS_LOG_FORMAT must be one of text, json"),
        ({"DATAFEEDS_LOG_LEVEL": "LOUD"}, "DATAFEEDS_LOG_LEVEL must be one of"),
        ({"DATAFEEDS_PLATFORM_URL": "not a url"}, "DATAFEEDS_PLATFORM_URL is not a database URL"),
        ({"DATAFEEDS_PLATFORM_URL": "postgresql://"}, "DATAFEEDS_PLATFORM_URL names no database"),
        ({"POSTGRES_URL": "oracle://scott:tiger@db/x"}, "POSTGRES_URL: unsupported database"),
        ({"DATAFEEDS_URJANET_URL": "://"}, "DATAFEEDS_URJANET_URL is not a database URL"),
        pytest.param(
            {"DATAFEEDS_PLATFORM_URL": "postgresql://postgres@127.0.0.1:5432/datafeeds_none"},
            "platform database refused the connection: connection failed: connection to server "
            'at "127.0.0.1", port 5432 failed: FATAL:  database "datafeeds_none" does not exist',
            marks=pytest.mark.postgres,
        ),
    ],
    ids=lambda v: " ".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else None,
)
def test_wrong_settings_exit_3_with_one_line_naming_the_variable(
    cli: Any, env: dict[str, str], says: str
) -> None:
    result = cli("run", "--oid", "1", env=env)

    assert result.returncode == CONFIGURATION, result.stderr
    line = one_error_line(result)
    assert says in line
    assert "tiger" not in result.stderr  # a URL's password is never repeated
    assert result.stderr.count("\n") == 1


def test_a_wrong_urjanet_password_exits_3_and_is_not_retried(
    cli: Any, platform_databases: Any, urjanet_databases: Any
) -> None:
    platform = platform_databases.get("sqlite")
    database = make_url(urjanet_databases.get("mariadb").url).database or ""
    target = platform.add_target("watauga-urjanet")
    env = {
        "DATAFEEDS_PLATFORM_URL": platform.url,
        "URJANET_MYSQL_HOST": "127.0.0.1",
        "URJANET_MYSQL_USER": "root",
        "URJANET_MYSQL_PASSWORD": "not-the-password",
        "URJANET_MYSQL_DB": database,
    }
    try:
        result = cli("run", "--oid", str(target.data_source_oid), env=env)
        (run,) = platform.rows("datafeeds_run")
    finally:
        platform.clear()

    assert result.returncode == CONFIGURATION
    line = one_error_line(result)
    assert line.startswith("error: Urjanet database refused the connection: (1045")
    assert "not-the-password" not in result.stderr
    assert (run["status"], run["error_class"]) == ("failed", "ConfigurationError")


def test_an_unreachable_platform_database_exits_75(cli: Any) -> None:
    url = "postgresql://postgres:s3cret@127.0.0.1:1/platform"  # nothing listens on port 1
    result = cli("run", "--oid", "1", env={"DATAFEEDS_PLATFORM_URL": url})

    assert result.returncode == TRANSIENT
    assert "platform database unreachable" in one_error_line(result)
    assert "s3cret" not in result.stderr


def test_postgres_url_in_the_psycopg2_spelling_is_accepted(
    cli: Any, platform_databases: Any
) -> None:
    platform = platform_databases.get("postgresql")
    url = make_url(platform.url).set(drivername="postgresql+psycopg2")

    result = cli("runs", "list", env={"POSTGRES_URL": url.render_as_string(hide_password=False)})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no runs"


# ------------------------------------------------------------------ SQL and LIKE metacharacters

SDGE = "sdge-urjanet"
ACCOUNT_ID = "12%_'; DROP TABLE bill; --"  # stored as given; SDG&E compares it without spaces
SERVICE_ID = "%_'--;"  # SDG&E selects meters whose number contains it: a LIKE pattern
METER = "MTR%_'--;001"


def sdge_statement(pk: int, number: str, meter: str, start: date, end: date) -> Account:
    charge = Charge(PK=pk * 10 + 1, ChargeAmount=Decimal("25.0000"), ChargeId="ch.usage_charge")
    return Account(
        PK=pk,
        UtilityProvider="SDGAndE",
        AccountNumber=number,
        RawAccountNumber=number,
        SourceLink=f"https://urjanet.example/statement/{pk}",
        StatementDate=end,
        IntervalStart=start,
        IntervalEnd=end,
        NewCharges=Decimal("25.0000"),
        meters=(
            Meter(
                PK=pk * 10,
                ServiceType="electric",
                MeterNumber=meter,
                IntervalStart=start,
                IntervalEnd=end,
                charges=(charge,),
            ),
        ),
    )


@pytest.fixture(params=["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)])
def metacharacter_statements(request: Any, urjanet_databases: Any) -> Any:
    """The statement of the service, and look-alikes an unescaped pattern would also take."""
    urjanet = urjanet_databases.get(request.param)
    number = ACCOUNT_ID.replace(" ", "")
    urjanet.seed(
        UrjanetData(
            (
                sdge_statement(1, number, METER, date(2024, 1, 1), date(2024, 2, 1)),
                # Same account, another meter: '%%_%' would match it.
                sdge_statement(2, number, "MTR12345", date(2024, 2, 1), date(2024, 3, 1)),
                # An account an unescaped '12%_…' would match.
                sdge_statement(
                    3, "12ab';DROPTABLEbill;--", METER, date(2024, 3, 1), date(2024, 4, 1)
                ),
            )
        )
    )
    yield urjanet
    urjanet.clear()


@pytest.mark.slow
def test_ids_full_of_sql_and_like_metacharacters_are_stored_and_matched_literally(
    cli: Any, metacharacter_statements: Any
) -> None:
    env = {"DATAFEEDS_URJANET_URL": metacharacter_statements.url}
    assert cli("db", "init", env=env).returncode == 0
    added = cli(
        "meters",
        "add",
        "--utility",
        "utility:sdge",
        "--utility-account-id",
        ACCOUNT_ID,
        "--service-id",
        SERVICE_ID,
        "--account-name",
        "O'Brien; --",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    meter = added.stdout.strip().splitlines()[-1]
    account = re.search(r"to account (\d+)", added.stderr)
    assert account is not None, added.stderr
    source = cli("sources", "create", account[1], meter, SDGE, env=env)
    assert source.returncode == 0, source.stderr

    run = cli(
        "run",
        "--oid",
        source.stdout.strip(),
        "--start",
        "2023-06-01",
        "--end",
        "2024-06-01",
        env=env,
    )

    assert run.returncode == 0, run.stderr
    platform = make_engine(f"sqlite:///{cli.home / 'platform.db'}")
    try:
        with platform.connect() as conn:
            service = conn.execute(
                text("SELECT utility_account_id, service_id FROM utility_service")
            ).one()
            bills = conn.execute(text("SELECT initial, closing, cost FROM bill")).all()
            account = conn.execute(text("SELECT name FROM snapmeter_account")).scalar_one()
    finally:
        platform.dispose()
    assert tuple(service) == (ACCOUNT_ID, SERVICE_ID) and account == "O'Brien; --"
    # Only the service's own statement: January (SDG&E periods start a day late).
    assert [(str(b.initial), str(b.closing), b.cost) for b in bills] == [
        ("2024-01-02", "2024-02-01", 25.0)
    ]


# ------------------------------------------------------------------ plugin entry points

HOOKLESS = '"""A module that implements no datafeeds hook."""\n'


@pytest.mark.parametrize(
    ("entry_point", "modules", "says"),
    [
        ("datafeeds_ghost", {}, "No module named 'datafeeds_ghost'"),
        ("datafeeds_half:plugin", {"datafeeds_half": HOOKLESS}, "names 'plugin', which"),
        ("datafeeds_half", {"datafeeds_half": HOOKLESS}, "gives no metadata"),
        ("datafeeds_boom", {"datafeeds_boom": "raise ImportError('no libfoo')"}, "no libfoo"),
    ],
    ids=["module-missing", "attribute-missing", "no-hooks", "import-fails"],
)
@pytest.mark.slow
def test_an_entry_point_pointing_nowhere_exits_4_with_one_line(
    cli: Any,
    fake_dists: Any,
    tmp_path: Path,
    entry_point: str,
    modules: dict[str, str],
    says: str,
) -> None:
    fake_dists.add("datafeeds-ghost", {"ghost-urjanet": entry_point}, modules)
    fixture = tmp_path / "in.json"
    fixture.write_text('{"accounts": []}')

    transform = cli(
        "urjanet", "transform", "ghost-urjanet", str(fixture), pythonpath=fake_dists.root
    )
    check = cli("plugins", "check", pythonpath=fake_dists.root)
    assert cli("db", "init").returncode == 0  # sources create needs the platform database
    create = cli("sources", "create", "1", "1", "ghost-urjanet", pythonpath=fake_dists.root)

    assert transform.returncode == PLUGIN
    assert says in one_error_line(transform) and "ghost-urjanet" in transform.stderr
    assert transform.stderr.count("\n") == 1
    assert check.returncode == PLUGIN
    [broken] = [line for line in check.stdout.splitlines() if line.startswith("ghost-urjanet")]
    assert "broken" in broken and says in broken
    assert [line for line in check.stdout.splitlines() if " ok " in line]  # the others load
    assert create.returncode == PLUGIN and says in one_error_line(create)


@pytest.mark.slow
def test_running_a_data_source_whose_plugin_is_broken_exits_4_and_records_why(
    cli: Any, fake_dists: Any
) -> None:
    fake_dists.add("datafeeds-ghost", {"ghost-urjanet": "datafeeds_ghost"}, {})
    assert cli("db", "init").returncode == 0
    added = cli(
        "meters", "add", "--utility", "utility:x", "--utility-account-id", "1",
        "--service-id", "2", "--account-name", "A",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    platform = make_engine(f"sqlite:///{cli.home / 'platform.db'}")
    try:
        with platform.begin() as conn:  # a data source created while the plugin still worked
            conn.execute(
                text(
                    "INSERT INTO snapmeter_meter_data_source (hex_id, meter, name, meta, "
                    "source_types) VALUES ('ab', :meter, 'ghost-urjanet', '{}', '[\"billing\"]')"
                ),
                {"meter": int(added.stdout.strip().splitlines()[-1])},
            )
            oid = conn.execute(text("SELECT max(oid) FROM snapmeter_meter_data_source")).scalar()

        result = cli("run", "--oid", str(oid), pythonpath=fake_dists.root)

        with platform.connect() as conn:
            run = conn.execute(text("SELECT status, error_class FROM datafeeds_run")).one()
    finally:
        platform.dispose()
    assert result.returncode == PLUGIN
    assert "No module named 'datafeeds_ghost'" in one_error_line(result)
    assert tuple(run) == ("failed", "PluginError")
