"""Seeding writes UrjanetData into the schema the loader reads (tests, fixtures, the demo)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from datafeeds_core.plugin_api.contract import Match, Selection
from datafeeds_core.testing import UrjanetTestDatabase
from datafeeds_core.urjanet import schema
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage


def test_missing_account_and_meter_pks_are_assigned_after_the_highest_one(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(UrjanetData((Account(PK=40, AccountNumber="A", meters=(Meter(PK=70),)),)))
    data = UrjanetData(
        (
            Account(AccountNumber="A", meters=(Meter(ServiceType="water"), Meter(PK=75))),
            Account(AccountNumber="A", floating_charges=(Charge(PK=1),)),
        )
    )
    before = copy.deepcopy(data)

    stored = urjanet_db.seed(data)

    assert data == before
    assert [a.PK for a in stored.accounts] == [41, 42]
    assert [m.PK for m in stored.accounts[0].meters] == [76, 75]
    loaded = urjanet_db.load(Selection(account=(Match("PK", "in", (41, 42)),)))
    assert [a.PK for a in loaded.accounts] == [41, 42]
    assert [m.PK for m in loaded.accounts[0].meters] == [75, 76]  # loaded in PK order
    assert loaded.accounts[1] == stored.accounts[1]


def test_a_charge_listed_as_floating_and_under_a_meter_is_stored_once_as_floating(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    shared = Charge(PK=5, ChargeAmount=Decimal("2.0000"))
    own = Charge(PK=6, ChargeAmount=Decimal("3.0000"))
    urjanet_db.seed(
        UrjanetData(
            (
                Account(
                    PK=1, floating_charges=(shared,), meters=(Meter(PK=2, charges=(shared, own)),)
                ),
            )
        )
    )

    with urjanet_db.engine.connect() as conn:
        rows = conn.execute(
            select(schema.charge.c.PK, schema.charge.c.MeterFK).order_by(schema.charge.c.PK)
        ).all()
    assert [tuple(r) for r in rows] == [(5, None), (6, 2)]


def test_two_different_charges_with_one_pk_are_refused(urjanet_db: UrjanetTestDatabase) -> None:
    data = UrjanetData(
        (
            Account(
                PK=1,
                floating_charges=(Charge(PK=5, ChargeAmount=Decimal("1")),),
                meters=(Meter(PK=2, charges=(Charge(PK=5, ChargeAmount=Decimal("2")),)),),
            ),
        )
    )
    with pytest.raises(ValueError, match="share PK 5"):
        urjanet_db.seed(data)
    with urjanet_db.engine.connect() as conn:  # nothing half-written
        assert conn.execute(select(func.count()).select_from(schema.account)).scalar() == 0


def test_seeding_many_rows_uses_one_insert_per_table(urjanet_db: UrjanetTestDatabase) -> None:
    from sqlalchemy import event

    data = UrjanetData(
        tuple(
            Account(
                PK=a,
                meters=(
                    Meter(
                        PK=a,
                        charges=(Charge(PK=a),),
                        usages=(Usage(PK=a, UsageAmount=Decimal("1.5")),),
                    ),
                ),
            )
            for a in range(1, 201)
        )
    )
    inserts: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement)

    with urjanet_db.engine.begin() as conn:
        event.listen(conn, "before_cursor_execute", record)
        from datafeeds_core.urjanet.seed import seed

        seed(conn, data)

    # MySQLdb rewrites an executemany INSERT into one multi-row statement; SQLite runs it as one
    # executemany call: either way one cursor execution per table.
    assert len(inserts) == 4
