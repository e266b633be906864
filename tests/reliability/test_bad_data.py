"""Bad data: what a real Urjanet delivery can contain, through the loader, every installed
plugin's transformer and the period validation; and malformed fixture JSON at the CLI.

Nothing may crash, and every statement that does not end up in a bill is reported with a reason
: by the transformer (`TransformResult.dropped`) or by the validation (a rejected
period). Databases are real: SQLite and MariaDB (the `urjanet_db` fixture), plus a delivery
without primary keys on each, which is where repeated rows and non-UTF-8 bytes come from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from datafeeds_core.database import make_engine
from datafeeds_core.job.transform import run_transformer
from datafeeds_core.job.validation import validate_periods
from datafeeds_core.plugin_api.contract import AnyOf, Match, Selection
from datafeeds_core.plugin_api.registry import discover, load
from datafeeds_core.testing import DatabaseFactory, UrjanetBackend, UrjanetTestDatabase
from datafeeds_core.urjanet import loader
from datafeeds_core.urjanet.model import (
    Account,
    BillingPeriod,
    Charge,
    DroppedStatement,
    Meter,
    UrjanetData,
    Usage,
)
from datafeeds_core.urjanet.schema import create_schema

KEYS = sorted({info.key for info in discover()})
# See test_properties.py: a statement that only gave such a period its range, with no charge
# or usage of its own, lost nothing.
FILLED_FROM_SEVERAL = {"ladwp-water-urjanet", "pge-urjanet-v2", "pge-urjanet-generation"}
NUMBER = "9900420042"
PROVIDER = "CityOfWataugaTX"
HUGE = Decimal("99999999999999.9999")  # the largest DECIMAL(18,4)
TODAY = date.today()
FUTURE = TODAY + timedelta(days=10)
# The statements with an AccountNumber, and the one with every nullable column null.
SELECTION = Selection(
    account=(AnyOf((Match("AccountNumber", "eq", NUMBER), Match("AccountNumber", "is_null"))),)
)


def link(pk: int) -> str:
    return f"https://urjanet.example/statement/{pk}"


def water_meter(pk: int, start: date | None, end: date | None, **values: Any) -> Meter:
    charge = Charge(
        PK=pk * 10 + 1,
        ChargeActualName="Water",
        ChargeAmount=Decimal("40.0000"),
        ChargeUnitsUsed=Decimal("12.0000"),
        UsageUnit="kW",
        IntervalStart=start,
        IntervalEnd=end,
        ChargeId="ch.usage_charge",
    )
    usage = Usage(
        PK=pk * 10 + 2,
        UsageAmount=Decimal("7.0000"),
        RateComponent="[total]",
        MeasurementType="general_consumption",
        EnergyUnit="ccf",
        IntervalStart=start,
        IntervalEnd=end,
    )
    fields = {"charges": (charge,), "usages": (usage,), **values}
    return Meter(
        PK=pk,
        Tariff="W1",
        ServiceType="water",
        PODid="POD-1",
        MeterNumber="M-1",
        IntervalStart=start,
        IntervalEnd=end,
        **fields,
    )


def statement(
    pk: int, statement_date: date | None, start: date | None, end: date | None, **values: Any
) -> Account:
    fields: dict[str, Any] = {
        "meters": (water_meter(pk * 10, start, end),),
        "floating_charges": (
            Charge(PK=pk * 100 + 9, ChargeAmount=Decimal("3.5000"), IntervalStart=start),
        ),
        "NewCharges": Decimal("43.5000"),
        "TotalBillAmount": Decimal("43.5000"),
        "OutstandingBalance": Decimal("0.0000"),
        **values,
    }
    return Account(
        PK=pk,
        UtilityProvider=PROVIDER,
        AccountNumber=NUMBER,
        RawAccountNumber=NUMBER,
        SourceLink=link(pk),
        StatementType="statement_type_bill",
        StatementDate=statement_date,
        IntervalStart=start,
        IntervalEnd=end,
        **fields,
    )


def D(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def bad_statements() -> UrjanetData:
    """Every kind of bad statement next to good ones (the good ones give the bad ones
    neighbours to overlap, touch and supersede)."""
    nothing = Account(
        PK=101,
        meters=(Meter(PK=1010, charges=(Charge(PK=1011),), usages=(Usage(PK=1012),)),),
        floating_charges=(Charge(PK=1013),),
    )
    negative = Decimal("-12.3400")
    return UrjanetData(
        (
            nothing,  # every nullable column null, in every table
            statement(102, D(2024, 2, 5), D(2024, 1, 1), D(2024, 2, 1)),
            statement(103, D(2024, 3, 5), D(2024, 2, 1), D(2024, 3, 1)),
            statement(104, D(2024, 3, 6), D(2024, 3, 1), D(2024, 3, 1)),  # zero-length
            statement(105, D(2024, 4, 5), D(2024, 4, 1), D(2024, 3, 1)),  # reversed
            statement(
                106,
                D(2024, 4, 6),
                D(2024, 3, 1),
                D(2024, 4, 1),
                NewCharges=negative,
                TotalBillAmount=negative,
                meters=(
                    replace(
                        water_meter(1060, D(2024, 3, 1), D(2024, 4, 1)),
                        charges=(Charge(PK=10601, ChargeAmount=negative, UsageUnit="kW"),),
                        usages=(Usage(PK=10602, UsageAmount=negative, RateComponent="[total]"),),
                    ),
                ),
            ),
            statement(
                107,
                D(2024, 5, 6),
                D(2024, 4, 1),
                D(2024, 5, 1),
                NewCharges=HUGE,
                TotalBillAmount=HUGE,
                AmountDue=-HUGE,
                meters=(
                    replace(
                        water_meter(1070, D(2024, 4, 1), D(2024, 5, 1)),
                        charges=(
                            Charge(
                                PK=10701, ChargeAmount=HUGE, ChargeUnitsUsed=HUGE, UsageUnit="kW"
                            ),
                            Charge(PK=10702, ChargeAmount=HUGE, ChargeUnitsUsed=-HUGE),
                        ),
                        usages=(Usage(PK=10703, UsageAmount=HUGE, RateComponent="[total]"),),
                    ),
                ),
            ),
            statement(108, FUTURE + timedelta(days=5), FUTURE - timedelta(days=20), FUTURE),
            statement(109, None, D(2023, 12, 1), D(2024, 1, 1)),  # no statement date
            statement(110, D(2023, 11, 5), D(2023, 11, 1), None),  # no end
            statement(
                111, D(2023, 10, 5), D(2023, 10, 1), D(2023, 11, 1), meters=(), floating_charges=()
            ),  # nothing attached: the loader leaves it out
            statement(
                112,
                D(2023, 10, 6),
                D(2023, 10, 1),
                D(2023, 11, 1),
                meters=(water_meter(1120, None, D(2023, 9, 1)),),  # meter: reversed, no start
            ),
            statement(113, D(2023, 9, 5), D(2023, 6, 1), D(2023, 9, 1)),  # a 92-day correction
            statement(114, D(1, 1, 1), D(1, 1, 1), D(9999, 12, 31)),  # placeholder dates
        )
    )


def in_a_bill_or_reported(
    key: str,
    data: UrjanetData,
    periods: tuple[BillingPeriod, ...],
    dropped: tuple[DroppedStatement, ...],
    today: date,
) -> list[str]:
    """The problems: statements that are neither in a kept period nor reported, and kept
    periods in the future."""
    kept, rejected = validate_periods(periods, today)
    problems = [f"{key}: {p.start}..{p.end} ends after {today}" for p in kept if p.end > today]
    rejected_spans = {(r.IntervalStart, r.IntervalEnd) for r in rejected}
    assert all(r.reason for r in rejected) and all(d.reason for d in dropped)
    in_kept = {u for p in kept for u in p.source_urls}
    in_rejected = {u for p in periods if (p.start, p.end) in rejected_spans for u in p.source_urls}
    reported = {d.PK for d in dropped}
    for account in data.accounts:
        if account.PK in reported:
            continue
        if account.SourceLink is not None and account.SourceLink in in_kept | in_rejected:
            continue
        if key in FILLED_FROM_SEVERAL and not (account.meter_charges() or account.meter_usages()):
            continue
        problems.append(f"{key}: statement PK={account.PK} is in no bill and not reported")
    return problems


# ------------------------------------------------------------------ the Urjanet database


def test_bad_statements_load_and_every_transformer_reports_what_it_leaves_out(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(bad_statements())

    data = urjanet_db.load(SELECTION)

    loaded = {a.PK: a for a in data.accounts}
    assert sorted(loaded, key=str) == [
        101,
        102,
        103,
        104,
        105,
        106,
        107,
        108,
        109,
        110,
        112,
        113,
        114,
    ]
    assert loaded[101] == bad_statements().accounts[0]  # nulls stay nulls, nothing invented
    assert loaded[107].NewCharges == HUGE and loaded[106].NewCharges == Decimal("-12.3400")
    problems = []
    for key in KEYS:
        result = run_transformer(load(key), data)  # a crash would raise JobFailed here
        problems += in_a_bill_or_reported(key, data, result.periods, result.dropped, TODAY)
        assert 114 in {d.PK for d in result.dropped}, key  # placeholder dates: reported
    assert problems == []


def test_a_run_over_bad_statements_writes_the_good_bills_and_records_every_left_out_one(
    cli: Any, platform_databases: Any, urjanet_databases: Any
) -> None:
    """What the user sees: `datafeeds run` exits 0, bills for the good statements, and the run
    record lists every statement left out with its reason."""
    platform = platform_databases.get("sqlite")
    urjanet = urjanet_databases.get("sqlite")
    urjanet.seed(bad_statements())
    target = platform.add_target("watauga-urjanet", utility_account_id=NUMBER, service_id="S-1")
    try:
        result = cli(
            "run",
            "--oid",
            str(target.data_source_oid),
            "--start",
            "2023-01-01",
            env={"DATAFEEDS_PLATFORM_URL": platform.url, "DATAFEEDS_URJANET_URL": urjanet.url},
        )

        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        (run,) = platform.rows("datafeeds_run")
        assert run["status"] == "succeeded"
        left_out = {d["pk"]: d["reason"] for d in run["details"]["dropped_statements"]}
        assert run["counts"]["dropped_statements"] == len(run["details"]["dropped_statements"])
        assert left_out[104].startswith("zero-length") and left_out[105].startswith("zero-length")
        assert left_out[109] == "no statement date" and left_out[114].startswith("date out of")
        future = [d for d in run["details"]["dropped_statements"] if d["pk"] is None]
        assert [d["reason"].split(" (")[0] for d in future] == ["ends in the future"]
        bills = platform.rows("bill", service=target.service_oid)
        assert bills and all(b["closing"] <= TODAY for b in bills)
        assert {(b["initial"], b["closing"]) for b in bills} >= {
            (D(2024, 1, 1), D(2024, 1, 31)),
            (D(2024, 4, 1), D(2024, 5, 1)),
        }
        for pk in (104, 105, 109, 114):
            assert f"dropped statement PK={pk} " in result.stderr
    finally:
        platform.clear()
        urjanet.clear()


# ------------------------------------------------------------------ a delivery without keys


@pytest.fixture
def keyless_delivery(
    urjanet_backend: UrjanetBackend, database_factory: DatabaseFactory
) -> Iterator[Engine]:
    """The Urjanet tables as a delivery we do not own may have them: no primary keys (so rows
    can repeat), and on MariaDB a latin1 and a binary text column (bytes that are not UTF-8).
    SQLite's columns hold any bytes already."""
    engine = make_engine(database_factory.create(urjanet_backend))
    create_schema(engine)
    with engine.begin() as conn:
        for table in ("Account", "Meter", "Charge", "Usage"):
            if urjanet_backend == "mariadb":
                conn.exec_driver_sql(f"ALTER TABLE `{table}` DROP PRIMARY KEY")
            else:  # SQLite cannot drop a key: copy the table without it
                conn.exec_driver_sql(f'CREATE TABLE "{table}_" AS SELECT * FROM "{table}" WHERE 0')
                conn.exec_driver_sql(f'DROP TABLE "{table}"')
                conn.exec_driver_sql(f'ALTER TABLE "{table}_" RENAME TO "{table}"')
        if urjanet_backend == "mariadb":
            conn.exec_driver_sql(
                "ALTER TABLE `Meter` MODIFY `Tariff` VARCHAR(255) CHARACTER SET latin1"
            )
            conn.exec_driver_sql("ALTER TABLE `Charge` MODIFY `ChargeActualName` VARBINARY(255)")
    yield engine
    engine.dispose()


def insert(conn: Connection, table: str, **values: Any) -> None:
    columns = ", ".join(f"`{c}`" for c in values)  # backquotes: MariaDB and SQLite alike
    params = ", ".join(f":{c}" for c in values)
    conn.execute(text(f"INSERT INTO `{table}` ({columns}) VALUES ({params})"), values)


def test_repeated_rows_load_once_and_non_utf8_text_loads_readable(
    keyless_delivery: Engine, urjanet_backend: str
) -> None:
    account = {
        "AccountNumber": NUMBER,
        "UtilityProvider": PROVIDER,
        "StatementDate": "2024-02-05",
        "IntervalStart": "2024-01-01",
        "IntervalEnd": "2024-02-01",
        "NewCharges": "10.0000",
    }
    with keyless_delivery.begin() as conn:
        for _ in range(2):  # the same rows twice, every column equal
            insert(conn, "Account", PK=1, SourceLink=link(1), **account)
            insert(conn, "Meter", PK=2, AccountFK=1, ServiceType="water", MeterNumber="M-1")
            insert(conn, "Charge", PK=3, AccountFK=1, MeterFK=2, ChargeAmount="7.0000")
            insert(conn, "Usage", PK=5, AccountFK=1, MeterFK=2, UsageAmount="100.0000")
        # One statement delivered as two documents: the same PK, another source link.
        later = {**account, "IntervalStart": "2024-02-01", "IntervalEnd": "2024-03-01"}
        insert(conn, "Account", PK=6, SourceLink=link(6), **later)
        insert(conn, "Account", PK=6, SourceLink=link(66), **later)
        insert(conn, "Meter", PK=7, AccountFK=6, ServiceType="water", MeterNumber="M-1")
        insert(conn, "Charge", PK=8, AccountFK=6, MeterFK=7, ChargeAmount="9.0000")
        # Text that is not UTF-8.
        insert(conn, "Charge", PK=4, AccountFK=1, MeterFK=2, ChargeActualName=b"\xff\xfeRate")
        if urjanet_backend == "mariadb":
            conn.exec_driver_sql(
                "INSERT INTO `Meter` (`PK`, `AccountFK`, `Tariff`, `ServiceType`) "
                "VALUES (9, 6, _latin1 0x43E96C6C6F, 'water')"  # "Céllo" in latin1
            )
        else:
            conn.exec_driver_sql(
                "INSERT INTO `Meter` (`PK`, `AccountFK`, `Tariff`, `ServiceType`) "
                "VALUES (9, 6, CAST(x'43e96c6c6f' AS TEXT), 'water')"  # not UTF-8 text
            )

    data = loader.load(keyless_delivery, SELECTION)

    first, *split = data.accounts
    assert first.PK == 1 and [a.SourceLink for a in split] == [link(6), link(66)]
    (meter,) = first.meters
    assert [c.PK for c in meter.charges] == [3, 4] and [u.PK for u in meter.usages] == [5]
    assert meter.charges[1].ChargeActualName == "\ufffd\ufffdRate"
    tariffs = {m.Tariff for a in split for m in a.meters}
    expected = "Céllo" if urjanet_backend == "mariadb" else "C\ufffdllo"
    assert tariffs == {None, expected}
    problems = []
    for key in KEYS:
        result = run_transformer(load(key), data)
        problems += in_a_bill_or_reported(key, data, result.periods, result.dropped, TODAY)
    assert problems == []


# ------------------------------------------------------------------ fixture JSON at the CLI


@pytest.mark.parametrize(
    "content",
    [
        b"",
        '{"accounts": []}'.encode("utf-16"),
        b'{"accounts": [{"PK": 1, "AccountNumber": "caf\xe9"}]}',
        b'{"accounts": {"PK": 1}}',
        b'{"accounts": [null]}',
        b'{"accounts": [{"PK": true}]}',
        b'{"accounts": [{"PK": 1, "StatementDate": 20200101}]}',
        b'{"accounts": [{"PK": 1, "StatementDate": "2020-02-30"}]}',
        b'{"accounts": [{"PK": 1, "NewCharges": "NaN"}]}',
        b'{"accounts": [{"PK": 1, "NewCharges": Infinity}]}',
        b'{"accounts": [{"PK": 1, "NewCharges": "1e999999999"}]}',
        b'{"accounts": [{"PK": 1, "floating_charges": [{"PK": 3, "ChargeAmount": [1]}]}]}',
        b'{"accounts": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=[
        "empty",
        "utf-16",
        "latin-1",
        "accounts-not-a-list",
        "null-account",
        "boolean-pk",
        "date-as-number",
        "february-30",
        "nan-amount",
        "infinite-amount",
        "amount-beyond-any-context",
        "amount-as-list",
        "nested-too-deeply",
    ],
)
def test_malformed_fixture_json_exits_1_with_one_line(
    cli: Any, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)

    result = cli("urjanet", "transform", "watauga-urjanet", str(path))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr


def test_a_folder_given_as_the_fixture_exits_1_with_one_line(cli: Any, tmp_path: Path) -> None:
    result = cli("urjanet", "transform", "watauga-urjanet", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot read") and result.stderr.count("\n") == 1


# ------------------------------------------------------------- regressions the properties found


def test_statements_sharing_a_date_are_taken_in_pk_order_whatever_the_row_order() -> None:
    older_pk = statement(1, D(2024, 2, 5), D(2024, 1, 1), D(2024, 2, 1))
    newer_pk = statement(2, D(2024, 2, 5), D(2024, 1, 5), D(2024, 2, 5))
    for key in ("watauga-urjanet", "ladwp-urjanet-v2", "pge-urjanet-v2", "sdge-urjanet"):
        transform = load(key).transformer()
        one = transform(UrjanetData((older_pk, newer_pk)))
        other = transform(UrjanetData((newer_pk, older_pk)))
        assert one == replace(other, dropped=one.dropped), key
        # A dropped statement may have no PK: str orders None among the numbers.
        assert sorted((d.PK for d in one.dropped), key=str) == sorted(
            (d.PK for d in other.dropped), key=str
        ), key


def test_nve_pulls_back_the_end_of_an_older_bill_sharing_its_last_day_with_a_newer_one() -> None:
    older = statement(1, D(2024, 2, 5), D(2024, 1, 1), D(2024, 2, 1))
    newer = statement(2, D(2024, 3, 5), D(2024, 1, 31), D(2024, 3, 1))  # starts a day early
    periods = load("nve-urjanet").transformer()(UrjanetData((older, newer))).periods
    assert [(p.start, p.end) for p in periods] == [
        (D(2024, 1, 2), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 3, 1)),
    ]


def test_sdge_drops_an_older_bill_ending_on_the_first_day_of_a_period_taken() -> None:
    correction = statement(
        1,
        D(2024, 6, 1),
        D(2024, 1, 1),
        D(2024, 4, 1),  # over 45 days: split by its [total] usage, 2024-01-01..2024-02-01
        meters=(water_meter(10, D(2024, 1, 1), D(2024, 2, 1)),),
    )
    # Its period would start on 2024-02-01, the last day of the one taken.
    older = statement(2, D(2024, 3, 1), D(2024, 1, 31), D(2024, 3, 1))
    result = load("sdge-urjanet").transformer()(UrjanetData((correction, older)))
    assert [(p.start, p.end) for p in result.periods] == [(D(2024, 1, 2), D(2024, 2, 1))]
    assert [d.PK for d in result.dropped] == [2]


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("sdge-urjanet", "correction statement without a [total] usage to split by"),
        ("ladwp-urjanet-v2", "long statement without a charge range"),
    ],
)
def test_a_long_statement_with_nothing_to_split_by_is_reported(key: str, reason: str) -> None:
    long = statement(1, D(2024, 6, 1), D(2024, 1, 1), D(2024, 4, 1))
    bare = replace(long, meters=(replace(long.meters[0], charges=(), usages=()),))
    result = load(key).transformer()(UrjanetData((bare,)))
    assert result.periods == ()
    assert [(d.PK, d.reason) for d in result.dropped] == [(1, reason)]


def test_ladwp_water_reports_a_statement_whose_charges_and_usages_were_all_superseded() -> None:
    older = statement(1, D(2024, 2, 5), D(2024, 1, 1), D(2024, 2, 1))
    # The newer statement bills February and re-bills January (a charge and a usage from
    # January 1st), so January takes both from it.
    meter = water_meter(20, D(2024, 2, 1), D(2024, 3, 1))
    rebill = water_meter(21, D(2024, 1, 1), D(2024, 2, 1))
    meter = replace(
        meter, charges=meter.charges + rebill.charges, usages=meter.usages + rebill.usages
    )
    newer = statement(2, D(2024, 3, 5), D(2024, 2, 1), D(2024, 3, 1), meters=(meter,))

    result = load("ladwp-water-urjanet").transformer()(UrjanetData((older, newer)))

    january = result.periods[0]
    assert (january.start, january.statement, january.source_urls) == (
        D(2024, 1, 1),
        D(2024, 2, 5),  # the older statement gave the period its range and date
        (link(2),),  # and the newer one every charge and usage
    )
    assert [(d.PK, d.reason) for d in result.dropped] == [
        (1, "superseded: none of its charges or usages went into a period")
    ]


def test_validation_reads_period_ends_as_inclusive_like_the_bill_writer() -> None:
    first = BillingPeriod(start=D(2024, 1, 1), end=D(2024, 2, 1))
    touching = BillingPeriod(start=D(2024, 2, 1), end=D(2024, 3, 1))
    after = BillingPeriod(start=D(2024, 3, 2), end=D(2024, 4, 1))
    kept, rejected = validate_periods((touching, after, first), TODAY)
    assert kept == (first, after)
    assert [(r.IntervalStart, r.reason) for r in rejected] == [
        (D(2024, 2, 1), "overlaps the period 2024-01-01..2024-02-01")
    ]
