"""`datafeeds_core.testing` as a plugin author meets it: a test module that only uses the fixtures
the installed pytest plugin provides, run by pytest's own `pytester`."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from datafeeds_core.testing.builders import charge, meter, statement, urjanet_data, usage
from datafeeds_core.testing.locations import (
    FIXTURES_VAR,
    PLATFORM_SCHEMA_VAR,
    platform_schema,
    reference_fixtures,
    reference_fixtures_dir,
)
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage

pytest_plugins = ["pytester"]


@pytest.fixture
def fixtures() -> Path:
    return reference_fixtures_dir()


AUTHOR_TESTS = """
import json
from pathlib import Path

from datafeeds_core.plugin_api.contract import (
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.testing import conformance_suite

F = Path({fixtures!r})

test_pairs = conformance_suite("watauga-urjanet", folder=F / "watauga")
test_csv = conformance_suite(
    "city-of-bellevue-urjanet", folder=F / "city_of_bellevue", csv=F / "city-of-bellevue.csv"
)


def test_seeded_statements_load_back(urjanet_db):
    stored = urjanet_db.seed_fixture_json(F / "watauga" / "07291000_input.json")
    loaded = urjanet_db.load(
        Selection(
            account=(account_number_is("17291111"), provider_is("CityOfWataugaTX")),
            meter=(service_type_in("water"),),
        )
    )
    assert loaded == stored


def test_a_job_target_on_the_platform(platform_db):
    target = platform_db.add_target("watauga-urjanet", utility_account_id="17-2911-11")
    assert target.utility_account_id == "17-2911-11"
    (source,) = platform_db.rows("snapmeter_meter_data_source")
    assert source["oid"] == target.data_source_oid and source["name"] == "watauga-urjanet"


def test_the_cli_runs_isolated_from_my_settings(datafeeds_cli, monkeypatch):
    monkeypatch.setenv("DATAFEEDS_PLATFORM_URL", "postgresql://nobody@127.0.0.1:9/nowhere")
    listed = datafeeds_cli("plugins", "list", "--json")
    initialised = datafeeds_cli("db", "init")
    assert listed.returncode == 0 and initialised.returncode == 0, initialised.stderr
    assert "watauga-urjanet" in {{e["key"] for e in json.loads(listed.stdout)}}
    assert (datafeeds_cli.home / "platform.db").is_file()
"""


@pytest.mark.slow
def test_plugin_author_fixtures_and_conformance_suites_run_and_pass(
    pytester: pytest.Pytester, fixtures: Path
) -> None:
    pytester.makepyfile(test_author=AUTHOR_TESTS.format(fixtures=str(fixtures)))

    result = pytester.runpytest("-p", "no:randomly", "-v")

    rows = csv.DictReader(io.StringIO((fixtures / "city-of-bellevue.csv").read_text()))
    csv_keys = list(dict.fromkeys(r["utility_account_id"] for r in rows))  # in file order
    pairs = sorted((fixtures / "watauga").glob("*_input.json"))
    # urjanet_db: sqlite, mariadb; platform_db: sqlite, postgresql, production; the CLI test.
    result.assert_outcomes(passed=len(pairs) + len(csv_keys) + 2 + 3 + 1)
    result.stdout.fnmatch_lines(
        [
            *(f"*test_pairs?watauga/{path.stem}? PASSED*" for path in pairs),
            *(f"*test_csv?city_of_bellevue/{key}? PASSED*" for key in csv_keys),
            "*test_seeded_statements_load_back?mariadb? PASSED*",
            "*test_a_job_target_on_the_platform?postgresql? PASSED*",
            "*test_a_job_target_on_the_platform?production? PASSED*",
        ],
        consecutive=False,
    )


def test_csv_suite_reports_wrong_values_and_missing_inputs(
    pytester: pytest.Pytester, fixtures: Path
) -> None:
    rows = list(csv.DictReader(io.StringIO((fixtures / "city-of-bellevue.csv").read_text())))
    wrong = next(r for r in rows if r["utility_account_id"] == "04212006")
    wrong["cost"] = f"{float(wrong['cost']) + 1:.2f}"
    orphan = {**wrong, "utility_account_id": "99999999"}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows([wrong, orphan])
    expectations = pytester.path / "bellevue.csv"
    expectations.write_text(out.getvalue())
    pytester.makepyfile(
        test_author=f"""
from pathlib import Path
from datafeeds_core.testing import conformance_suite

test_csv = conformance_suite(
    "city-of-bellevue-urjanet",
    folder=Path({str(fixtures / "city_of_bellevue")!r}),
    csv=Path({str(expectations)!r}),
)
test_empty = conformance_suite(
    "city-of-bellevue-urjanet", folder=Path("inputs"), csv=Path("nowhere.csv")
)
"""
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            f"*cost expected {wrong['cost']}, got*",
            "*has rows for 99999999 but its input*99999999.json is missing*",
            "*no reference fixtures for city-of-bellevue-urjanet: add rows*nowhere.csv*",
        ],
        consecutive=False,
    )


def test_the_header_names_where_the_reference_fixtures_and_the_schema_are_read_from(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fixtures: Path
) -> None:
    monkeypatch.setenv(FIXTURES_VAR, str(fixtures))
    monkeypatch.setenv(PLATFORM_SCHEMA_VAR, str(pytester.path / "nowhere.sql"))
    pytester.makepyfile(test_nothing="def test_nothing() -> None:\n    pass\n")

    result = pytester.runpytest("-p", "no:randomly")

    result.stdout.fnmatch_lines(
        [
            f"datafeeds reference fixtures: {fixtures} (${FIXTURES_VAR})",
            f"datafeeds platform schema: {pytester.path / 'nowhere.sql'} (${PLATFORM_SCHEMA_VAR})"
            " - MISSING",
        ]
    )


def test_by_default_the_locations_are_beside_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIXTURES_VAR, raising=False)
    monkeypatch.delenv(PLATFORM_SCHEMA_VAR, raising=False)
    checkout = Path(__file__).resolve().parents[1]
    # Resolved on both sides: ../shared may be a symbolic link (as in a CI clone's set-up).
    beside = (checkout.parent / "shared").resolve()

    assert reference_fixtures().path == beside / "urjanet" / "fixtures"
    assert platform_schema().path == beside / "reference" / "platform-schema.sql"
    assert "default ../shared/urjanet/fixtures beside" in reference_fixtures().describe()


def test_a_test_that_needs_missing_reference_fixtures_fails_saying_what_to_set(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FIXTURES_VAR, str(pytester.path / "no-fixtures"))
    pytester.makepyfile(
        test_author="""
from datafeeds_core.testing import conformance_suite, reference_fixtures_dir

test_shared = conformance_suite("watauga-urjanet")


def test_reads_a_fixture() -> None:
    assert (reference_fixtures_dir() / "watauga").is_dir()
"""
    )

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(failed=2)
    missing = (
        f"*reference fixtures not found at {pytester.path / 'no-fixtures'} "
        f"(from ${FIXTURES_VAR}); set {FIXTURES_VAR} to its path*"
    )
    result.stdout.fnmatch_lines([missing, missing], consecutive=False)


def test_the_builders_make_the_model_objects_they_name() -> None:
    jan = (date(2020, 1, 1), date(2020, 2, 1))
    built = urjanet_data(
        statement(
            1,
            meter(
                10,
                charges=(charge(100, "5", span=jan, unit="kW", used="42", ChargeId="c"),),
                usages=(usage(200, "12.5", span=jan, MeasurementType="general_consumption"),),
                span=jan,
                Tariff="E19",
            ),
            issued=date(2020, 2, 5),
            span=jan,
            floating=(charge(101, 1),),
            NewCharges=Decimal("40"),
        )
    )

    by_hand = UrjanetData(
        (
            Account(
                PK=1,
                StatementDate=date(2020, 2, 5),
                IntervalStart=jan[0],
                IntervalEnd=jan[1],
                NewCharges=Decimal("40"),
                meters=(
                    Meter(
                        PK=10,
                        Tariff="E19",
                        IntervalStart=jan[0],
                        IntervalEnd=jan[1],
                        charges=(
                            Charge(
                                PK=100,
                                ChargeAmount=Decimal("5"),
                                UsageUnit="kW",
                                ChargeUnitsUsed=Decimal("42"),
                                ChargeId="c",
                                IntervalStart=jan[0],
                                IntervalEnd=jan[1],
                            ),
                        ),
                        usages=(
                            Usage(
                                PK=200,
                                UsageAmount=Decimal("12.5"),
                                EnergyUnit="kWh",
                                RateComponent="[total]",
                                MeasurementType="general_consumption",
                                IntervalStart=jan[0],
                                IntervalEnd=jan[1],
                            ),
                        ),
                    ),
                ),
                floating_charges=(Charge(PK=101, ChargeAmount=Decimal(1)),),
            ),
        )
    )
    assert built == by_hand
