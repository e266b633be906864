"""The Urjanet loader: exact selections, a constant number of queries, robust row parsing.

Every database test runs on SQLite and on MariaDB (the `urjanet_db` fixture).
"""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

from datafeeds_core.config import urjanet_url_from_env
from datafeeds_core.database import make_engine
from datafeeds_core.errors import ConfigurationError, MalformedInput, TransientError
from datafeeds_core.plugin_api.conformance import compare_json
from datafeeds_core.plugin_api.contract import (
    AnyOf,
    Match,
    Selection,
    account_number_is,
    provider_is,
    service_type_in,
)
from datafeeds_core.testing import (
    DatabaseFactory,
    UrjanetBackend,
    UrjanetTestDatabase,
    reference_fixtures_dir,
)
from datafeeds_core.urjanet import loader
from datafeeds_core.urjanet.fixture_json import load_urjanet_data, read_periods
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage
from datafeeds_core.urjanet.schema import create_schema, tables_for
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, GENERIC_WATER, Transformer

PROVIDER = "CityOfWataugaTX"


# ------------------------------------------------------------------ helpers


def fixture_path(relative: str) -> Path:
    return reference_fixtures_dir() / relative


def statement(
    pk: int,
    number: str = "17291111",
    *,
    provider: str = PROVIDER,
    meters: tuple[Meter, ...] = (),
    floating: tuple[Charge, ...] = (),
    **scalars: Any,
) -> Account:
    defaults: dict[str, Any] = {
        "StatementDate": date(2020, 1, 1),
        "IntervalStart": date(2019, 12, 1),
        "IntervalEnd": date(2020, 1, 1),
        "NewCharges": Decimal("10.0000"),
    }
    return Account(
        PK=pk,
        UtilityProvider=provider,
        AccountNumber=number,
        RawAccountNumber=number,
        meters=meters,
        floating_charges=floating,
        **{**defaults, **scalars},
    )


def meter(
    pk: int, service: str = "water", *, charges: int = 0, usages: int = 0, **kw: Any
) -> Meter:
    """A meter whose charge and usage PKs derive from its own (pk * 100 + i)."""
    return Meter(
        PK=pk,
        ServiceType=service,
        MeterNumber=kw.pop("MeterNumber", f"M{pk}"),
        charges=tuple(
            Charge(PK=pk * 100 + i, ChargeActualName=f"c{i}", ChargeAmount=Decimal("1.2500"))
            for i in range(charges)
        ),
        usages=tuple(
            Usage(PK=pk * 100 + i, UsageAmount=Decimal("42.0000"), RateComponent="[total]")
            for i in range(usages)
        ),
        **kw,
    )


def floating(pk: int) -> Charge:
    return Charge(PK=pk, ChargeActualName="late fee", ChargeAmount=Decimal("5.0000"))


def by_number(number: str, **kw: Any) -> Selection:
    return Selection(
        account=(account_number_is(number), provider_is(PROVIDER)),
        meter=(service_type_in("water"),),
        **kw,
    )


def pks(data: UrjanetData) -> list[int | None]:
    return [a.PK for a in data.accounts]


def canonical(data: UrjanetData) -> UrjanetData:
    """Lists ordered by PK; a charge listed both as floating and under a meter (the FPL
    reference fixtures do this) kept only as the floating charge it is stored as."""
    accounts = []
    for a in sorted(data.accounts, key=lambda a: a.PK or 0):
        floating_pks = {c.PK for c in a.floating_charges}
        meters = tuple(
            replace(
                m,
                charges=tuple(
                    sorted((c for c in m.charges if c.PK not in floating_pks), key=lambda c: c.PK)
                ),
                usages=tuple(sorted(m.usages, key=lambda u: u.PK)),
            )
            for m in sorted(a.meters, key=lambda m: m.PK or 0)
        )
        accounts.append(
            replace(
                a,
                meters=meters,
                floating_charges=tuple(sorted(a.floating_charges, key=lambda c: c.PK)),
            )
        )
    return UrjanetData(tuple(accounts))


class QueryLog:
    """SQL statements executed on one connection (a before_cursor_execute listener)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)


def load_counting(engine: Engine, selection: Selection) -> tuple[UrjanetData, QueryLog]:
    log = QueryLog()
    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", log)
        data = loader.load(conn, selection)
    return data, log


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize(
    ("relative", "selection", "transformer"),
    [
        (
            "watauga/07291000_input.json",
            Selection(
                account=(account_number_is("17291111"), provider_is("CityOfWataugaTX")),
                meter=(service_type_in("water"),),
            ),
            GENERIC_WATER,
        ),
        ("fpl/fpl01_input.json", Selection(account=(provider_is("FPL"),)), GENERIC_ELECTRIC),
    ],
    ids=["watauga", "fpl"],
)
def test_seeded_reference_fixture_loads_back_and_transforms_to_the_same_periods(
    urjanet_db: UrjanetTestDatabase, relative: str, selection: Selection, transformer: Transformer
) -> None:
    path = fixture_path(relative)
    original = load_urjanet_data(path)
    urjanet_db.seed(original)

    loaded = loader.load(urjanet_db.engine, selection)

    assert loaded == canonical(original)
    from_fixture = transformer(original).periods
    from_database = transformer(loaded).periods
    assert from_database, "the fixture should produce periods"
    assert compare_json(from_fixture, from_database) == []
    expected = read_periods(
        path.with_name(path.name.replace("_input", "_expected")).read_text(encoding="utf-8")
    )
    assert compare_json(expected, from_database) == []


def test_loaded_decimals_keep_four_places(urjanet_db: UrjanetTestDatabase) -> None:
    urjanet_db.seed(UrjanetData((statement(1, meters=(meter(1, charges=1, usages=1),)),)))

    loaded = loader.load(urjanet_db.engine, by_number("17291111"))

    account = loaded.accounts[0]
    assert str(account.NewCharges) == "10.0000"
    assert str(account.meters[0].charges[0].ChargeAmount) == "1.2500"
    assert str(account.meters[0].usages[0].UsageAmount) == "42.0000"


def test_xml_tables_load_double_amounts_as_exact_decimals(urjanet_db: UrjanetTestDatabase) -> None:
    data = UrjanetData(
        (
            statement(
                1,
                NewCharges=Decimal("1782.03"),
                meters=(meter(1, charges=1, usages=1),),
                floating=(replace(floating(7), ChargeAmount=Decimal("0.1")),),
            ),
        )
    )
    urjanet_db.seed(data, tables="xml")

    loaded = loader.load(urjanet_db.engine, by_number("17291111"), tables="xml")

    account = loaded.accounts[0]
    assert str(account.NewCharges) == "1782.03"  # through str, not Decimal(float)
    assert str(account.floating_charges[0].ChargeAmount) == "0.1"
    assert account.meters[0].charges[0].ChargeAmount == Decimal("1.25")
    assert loader.load(urjanet_db.engine, by_number("17291111")) == UrjanetData()


# ------------------------------------------------------------------ selection precision


def test_look_alike_accounts_and_other_meters_are_never_selected(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    target = statement(
        1,
        meters=(meter(1, charges=2, usages=1), meter(2, "electric", charges=1, usages=1)),
        floating=(floating(900),),
    )
    urjanet_db.seed(
        UrjanetData(
            (
                target,
                statement(2, provider="CityOfOtherTX", meters=(meter(3, charges=1),)),
                statement(3, "17291112", meters=(meter(4, charges=1),)),
                statement(4, "1729111", meters=(meter(5, charges=1),)),
                statement(5, "17291111-1", meters=(meter(6, charges=1),)),
            )
        )
    )

    loaded = loader.load(urjanet_db.engine, by_number("17291111"))

    assert pks(loaded) == [1]
    (account,) = loaded.accounts
    assert [m.PK for m in account.meters] == [1]
    assert [c.PK for c in account.meters[0].charges] == [100, 101]
    assert [u.PK for u in account.meters[0].usages] == [100]
    assert [c.PK for c in account.floating_charges] == [900]


LIKE_NUMBERS = {
    1: "55_1%0",  # the account the patterns below name
    2: "55A1%0",  # "_" as a wildcard would match
    3: "55_1X0",  # "%" as a wildcard would match
    4: "55A1XYZ0",
    5: "7/_9",  # contains the escape character itself
    6: "7_9",  # "/_" unescaped would mean a literal "_"
    7: "7/X9",
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Match("AccountNumber", "eq", "55_1%0"), [1]),
        (Match("AccountNumber", "startswith", "55_1%"), [1]),
        (Match("AccountNumber", "endswith", "_1%0"), [1]),
        (Match("AccountNumber", "contains", "_1%"), [1]),
        (Match("AccountNumber", "contains", "/_"), [5]),
        (Match("AccountNumber", "endswith", "_9"), [5, 6]),
        (Match("AccountNumber", "in", ("55_1%0", "7_9")), [1, 6]),
        (Match("AccountNumber", "in", ()), []),
    ],
    ids=["eq", "startswith", "endswith", "contains", "escape-char", "endswith-2", "in", "in-empty"],
)
def test_like_patterns_treat_wildcards_in_values_literally(
    urjanet_db: UrjanetTestDatabase, condition: Match, expected: list[int]
) -> None:
    urjanet_db.seed(
        UrjanetData(tuple(statement(pk, n, meters=(meter(pk),)) for pk, n in LIKE_NUMBERS.items()))
    )

    loaded = loader.load(urjanet_db.engine, Selection(account=(condition, provider_is(PROVIDER))))

    assert pks(loaded) == expected


@pytest.mark.parametrize(
    ("condition", "expected_meters"),
    [
        (Match("MeterNumber", "contains", "1234", strip_spaces=True), [1, 2]),
        (Match("MeterNumber", "contains", "12 34", strip_spaces=True), [1, 2]),
        (Match("MeterNumber", "contains", "1234"), [2]),
        (Match("MeterNumber", "eq", "AB1234", strip_spaces=True), [1, 2]),
        (Match("MeterNumber", "in", ("AB 12 34",), strip_spaces=True), [1, 2]),
        (Match("PODid", "is_null"), [1, 3]),
        (Match("PODid", "not_null"), [2]),
        (Match("PODid", "ne", "P2"), [1, 3]),
        (AnyOf((Match("PODid", "eq", "P2"), Match("MeterNumber", "eq", "AB 1X34"))), [2, 3]),
        (AnyOf(()), []),
    ],
    ids=[
        "strip",
        "strip-both-sides",
        "no-strip",
        "strip-eq",
        "strip-in",
        "is_null",
        "not_null",
        "ne-keeps-null",
        "any-of",
        "any-of-nothing",
    ],
)
def test_meter_conditions_select_meters_and_their_rows(
    urjanet_db: UrjanetTestDatabase, condition: Any, expected_meters: list[int]
) -> None:
    meters = (
        meter(1, MeterNumber="AB 12 34", charges=1, usages=1),
        meter(2, MeterNumber="AB1234", PODid="P2", charges=1, usages=1),
        meter(3, MeterNumber="AB 1X34", charges=1, usages=1),
    )
    urjanet_db.seed(UrjanetData((statement(1, meters=meters, floating=(floating(900),)),)))

    selection = Selection(account=(account_number_is("17291111"),), meter=(condition,))
    (account,) = loader.load(urjanet_db.engine, selection).accounts

    assert [m.PK for m in account.meters] == expected_meters
    assert [c.PK for m in account.meters for c in m.charges] == [pk * 100 for pk in expected_meters]
    assert [u.PK for m in account.meters for u in m.usages] == [pk * 100 for pk in expected_meters]
    assert [c.PK for c in account.floating_charges] == [900]


def test_any_of_and_ne_on_accounts(urjanet_db: UrjanetTestDatabase) -> None:
    urjanet_db.seed(
        UrjanetData(
            (
                statement(1, "A", meters=(meter(1),), StatementType="statement_type_bill"),
                statement(2, "B", meters=(meter(2),), StatementType="statement_type_adjustment"),
                statement(3, "C", meters=(meter(3),)),
                statement(4, "D", meters=(meter(4),), StatementType="statement_type_bill"),
            )
        )
    )
    selection = Selection(
        account=(
            AnyOf((Match("AccountNumber", "eq", "A"), Match("RawAccountNumber", "in", ("B", "C")))),
            Match("StatementType", "ne", "statement_type_adjustment"),
        )
    )

    assert pks(loader.load(urjanet_db.engine, selection)) == [1, 3]


def test_accounts_without_selected_meters_or_floating_charges_are_dropped(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        UrjanetData(
            (
                statement(1, meters=(meter(1),)),
                statement(2, meters=(meter(2, "electric"),)),  # nothing selected: dropped
                statement(3, meters=(meter(3, "electric"),), floating=(floating(900),)),
                statement(4),  # no meter at all
            )
        )
    )

    loaded = loader.load(urjanet_db.engine, by_number("17291111"))

    assert pks(loaded) == [1, 3]
    assert loaded.accounts[1].meters == ()


def test_accounts_need_meter_selects_accounts_by_their_meters(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        UrjanetData(
            (
                statement(1, "X1", provider="DirectEnergy", meters=(meter(1, PODid="POD9"),)),
                statement(2, "X2", provider="DirectEnergy", meters=(meter(2, PODid="POD1"),)),
                statement(3, "X3", provider="Other", meters=(meter(3, PODid="POD9"), meter(4))),
                statement(4, "X4", floating=(floating(900),), meters=(meter(5, PODid="POD8"),)),
            )
        )
    )
    by_pod = Selection(
        account=(),
        meter=(Match("PODid", "eq", "POD9"), service_type_in("water")),
        accounts_need_meter=True,
    )

    loaded = loader.load(urjanet_db.engine, by_pod)

    assert pks(loaded) == [1, 3]
    assert [m.PK for a in loaded.accounts for m in a.meters] == [1, 3]
    # With account conditions too, an account whose only match is a floating charge is out.
    strict = Selection(
        account=(Match("AccountNumber", "in", ("X1", "X4")),),
        meter=(Match("PODid", "eq", "POD9"),),
        accounts_need_meter=True,
    )
    assert pks(loader.load(urjanet_db.engine, strict)) == [1]
    assert pks(loader.load(urjanet_db.engine, replace(strict, accounts_need_meter=False))) == [1, 4]


@pytest.mark.parametrize(
    "selection",
    [
        Selection(account=()),
        Selection(account=(), meter=(service_type_in("water"),)),
        Selection(account=(), accounts_need_meter=True),
    ],
    ids=["nothing", "meters-only", "need-meter-without-meter-conditions"],
)
def test_selection_without_account_condition_is_refused_before_connecting(
    selection: Selection,
) -> None:
    unusable = make_engine(f"mysql+mysqldb://root@127.0.0.1:{free_port()}/urjanet")
    with pytest.raises(ConfigurationError, match="no account condition"):
        loader.load(unusable, selection)


@pytest.mark.parametrize(
    "selection",
    [
        Selection(account=(Match("NoSuchColumn", "eq", "1"),)),
        Selection(account=(provider_is("X"),), meter=(Match("AccountNumber", "eq", "1"),)),
        Selection(account=(Match("AccountNumber", "contains", 5),)),
        Selection(account=(Match("AccountNumber", "in", "12"),)),
        Selection(account=(Match("AccountNumber", "eq", None),)),
        Selection(account=(Match("AccountNumber", "like", "1"),)),  # type: ignore[arg-type]
    ],
    ids=[
        "unknown-column",
        "account-column-on-meter",
        "like-not-text",
        "in-string",
        "eq-none",
        "op",
    ],
)
def test_invalid_conditions_are_configuration_errors(selection: Selection) -> None:
    with pytest.raises(ConfigurationError):
        loader.Queries.build(selection, tables_for("sql"))


# ------------------------------------------------------------------ query count


def fifty_three_meter_statements(count: int) -> UrjanetData:
    return UrjanetData(
        tuple(
            statement(
                pk,
                meters=tuple(meter(pk * 10 + i, charges=2, usages=2) for i in range(3)),
                floating=(floating(900_000 + pk),),
            )
            for pk in range(1, count + 1)
        )
    )


@pytest.mark.parametrize("count", [5, 50])
def test_loading_costs_four_queries_whatever_the_number_of_statements(
    urjanet_db: UrjanetTestDatabase, count: int
) -> None:
    stored = urjanet_db.seed(fifty_three_meter_statements(count))

    loaded, log = load_counting(urjanet_db.engine, by_number("17291111"))

    assert loaded == stored
    assert sum(len(a.meters) for a in loaded.accounts) == 3 * count
    assert len(log.statements) == 4
    for sql in log.statements:  # what MySQL 5.6 accepts: no CTE, no window function
        assert not sql.lstrip().upper().startswith("WITH")
        assert " OVER " not in sql.upper() and " OVER(" not in sql.upper()


def test_no_match_costs_one_query(urjanet_db: UrjanetTestDatabase) -> None:
    urjanet_db.seed(fifty_three_meter_statements(2))

    loaded, log = load_counting(urjanet_db.engine, by_number("nobody"))

    assert loaded == UrjanetData()
    assert len(log.statements) == 1


def test_very_many_accounts_are_loaded_in_chunks(
    urjanet_db: UrjanetTestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = urjanet_db.seed(fifty_three_meter_statements(5))
    monkeypatch.setattr(loader, "IN_CHUNK", 2)

    loaded, log = load_counting(urjanet_db.engine, by_number("17291111"))

    assert loaded == stored
    assert len(log.statements) == 1 + 3 * 3  # accounts, then 3 queries per chunk of 2


# ------------------------------------------------------------------ rows


def test_null_columns_everywhere_load_as_none(urjanet_db: UrjanetTestDatabase) -> None:
    bare = UrjanetData(
        (
            Account(
                PK=1,
                floating_charges=(Charge(PK=9),),
                meters=(Meter(PK=2, charges=(Charge(PK=10),), usages=(Usage(PK=11),)),),
            ),
        )
    )
    urjanet_db.seed(bare)

    loaded = loader.load(urjanet_db.engine, Selection(account=(Match("AccountNumber", "is_null"),)))

    assert loaded == bare


@pytest.fixture
def legacy_typed_engine(
    urjanet_backend: UrjanetBackend, database_factory: DatabaseFactory
) -> Iterator[Engine]:
    """A Urjanet schema with the types a real database may have instead of ours:
    DATETIME dates, a BIT(1) flag, and a date column that is text. SQLite needs no DDL change:
    any of its columns stores any value."""
    engine = make_engine(database_factory.create(urjanet_backend))
    create_schema(engine)
    if urjanet_backend == "mariadb":
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE `Account` MODIFY `StatementDate` DATETIME")
            conn.exec_driver_sql(
                "ALTER TABLE `Charge` MODIFY `IsAdjustmentCharge` BIT(1), "
                "MODIFY `IntervalStart` DATETIME"
            )
            conn.exec_driver_sql("ALTER TABLE `Meter` MODIFY `IntervalStart` VARCHAR(32)")
    yield engine
    engine.dispose()


def test_datetime_values_load_as_dates_and_bit_zero_as_false(legacy_typed_engine: Engine) -> None:
    with legacy_typed_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO Account (PK, AccountNumber, StatementDate) VALUES (1, :n, :d)"),
            {"n": "A1", "d": "2019-08-15 13:45:00"},
        )
        conn.execute(
            text(
                "INSERT INTO Charge (PK, AccountFK, MeterFK, IsAdjustmentCharge, IntervalStart) "
                "VALUES (:pk, 1, NULL, :flag, :start)"
            ),
            [
                {"pk": 10, "flag": b"\x00", "start": "2019-07-11 08:00:00"},
                {"pk": 11, "flag": b"\x01", "start": None},
            ],
        )

    (account,) = loader.load(
        legacy_typed_engine, Selection(account=(account_number_is("A1"),))
    ).accounts

    assert type(account.StatementDate) is date and account.StatementDate == date(2019, 8, 15)
    zero, one = account.floating_charges
    assert zero.IsAdjustmentCharge is False
    assert one.IsAdjustmentCharge is True
    assert type(zero.IntervalStart) is date and zero.IntervalStart == date(2019, 7, 11)


def test_an_unparseable_value_names_table_row_and_column(legacy_typed_engine: Engine) -> None:
    with legacy_typed_engine.begin() as conn:
        conn.execute(text("INSERT INTO Account (PK, AccountNumber) VALUES (1, 'A1')"))
        conn.execute(
            text("INSERT INTO Meter (PK, AccountFK, IntervalStart) VALUES (5, 1, 'not a date')")
        )

    with pytest.raises(MalformedInput, match="Meter PK=5: column IntervalStart holds 'not a date'"):
        loader.load(legacy_typed_engine, Selection(account=(account_number_is("A1"),)))


# ------------------------------------------------------------------ purity, refine, outages


def test_loading_mutates_neither_the_selection_nor_the_seeded_data(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    data = fifty_three_meter_statements(3)
    data_before = copy.deepcopy(data)
    numbers = ["17291111"]
    selection = Selection(
        account=(Match("AccountNumber", "in", numbers), provider_is(PROVIDER)),
        meter=(service_type_in("water"),),
    )
    selection_before = copy.deepcopy(selection)

    stored = urjanet_db.seed(data)
    first = loader.load(urjanet_db.engine, selection)
    second = loader.load(urjanet_db.engine, selection)

    assert data == data_before
    assert selection == selection_before and numbers == ["17291111"]
    assert first == second == stored


def test_refine_runs_on_the_loaded_data(urjanet_db: UrjanetTestDatabase) -> None:
    urjanet_db.seed(fifty_three_meter_statements(4))
    seen: list[UrjanetData] = []

    def keep_even(data: UrjanetData) -> UrjanetData:
        seen.append(data)
        return UrjanetData(tuple(a for a in data.accounts if (a.PK or 0) % 2 == 0))

    loaded = loader.load(urjanet_db.engine, by_number("17291111", refine=keep_even))

    assert pks(seen[0]) == [1, 2, 3, 4]
    assert pks(loaded) == [2, 4]


def test_lists_are_ordered_by_primary_key(urjanet_db: UrjanetTestDatabase) -> None:
    shuffled = UrjanetData(
        (
            statement(
                7,
                meters=(meter(9, charges=3, usages=3), meter(3, charges=2)),
                floating=(floating(9905), floating(9901)),
            ),
            statement(2, meters=(meter(5, usages=1),)),
        )
    )
    urjanet_db.seed(shuffled)

    loaded = loader.load(urjanet_db.engine, by_number("17291111"))

    assert loaded == canonical(shuffled)
    assert pks(loaded) == [2, 7]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_mysql_server_is_a_transient_error() -> None:
    engine = make_engine(f"mysql+mysqldb://root@127.0.0.1:{free_port()}/urjanet")
    try:
        with pytest.raises(TransientError, match="Urjanet database unreachable"):
            loader.load(engine, by_number("17291111"))
    finally:
        engine.dispose()


# ------------------------------------------------------------------ legacy configuration


def test_url_from_legacy_variables_quotes_the_password() -> None:
    url = urjanet_url_from_env(
        {
            "URJANET_MYSQL_HOST": "db.internal",
            "URJANET_MYSQL_USER": "reader",
            "URJANET_MYSQL_PASSWORD": "p@ss:w/rd%",
            "URJANET_MYSQL_DB": "urja",
        }
    )
    assert url is not None
    parsed = make_url(url)
    assert parsed.drivername == "mysql+mysqldb"
    assert (parsed.username, parsed.password, parsed.host, parsed.database) == (
        "reader",
        "p@ss:w/rd%",
        "db.internal",
        "urja",
    )


def test_url_from_legacy_variables_uses_the_documented_defaults() -> None:
    parsed = make_url(urjanet_url_from_env({"URJANET_MYSQL_HOST": "h"}) or "")
    assert (parsed.username, parsed.password, parsed.database) == ("gridium", "gridium", "urjanet")


def test_no_legacy_host_means_no_url() -> None:
    assert urjanet_url_from_env({"URJANET_MYSQL_USER": "u"}) is None
