"""`write_partial_bills`: generation-only bills are inserted, or supersede older versions."""

from __future__ import annotations

from datetime import date
from typing import Any

from datafeeds_core.job.validation import validated
from datafeeds_core.platform import schema
from datafeeds_core.platform.bill_writer import WriteReport, write_partial_bills
from datafeeds_core.platform.datasources import JobTarget
from datafeeds_core.testing import PlatformTestDatabase
from datafeeds_core.urjanet.model import BillingPeriod

TODAY = date(2024, 12, 31)


def write(
    db: PlatformTestDatabase, target: JobTarget, periods: list[BillingPeriod], **kw: Any
) -> WriteReport:
    checked = validated(periods, TODAY, start=date(2023, 1, 1), end=TODAY)
    return write_partial_bills(db.engine, target, checked, **kw)


def gen_target(db: PlatformTestDatabase) -> JobTarget:
    target: JobTarget = db.add_target(
        "cca-urjanet",
        utility="utility:pge",
        utility_account_id="T-1",
        service_id="S-1",
        gen_utility="utility:cca",
        gen_utility_account_id="G-1",
        gen_service_id="GS-1",
    )
    return target


def add_partial(
    db: PlatformTestDatabase, service: int, initial: date, closing: date, **values: Any
) -> int:
    row = {
        "provider_type": "generation-only",
        "visible": True,
        "manual": False,
        "cost": 10.0,
        "used": 1.0,
    }
    with db.engine.begin() as conn:
        return int(
            conn.execute(
                schema.partial_bill.insert()
                .values(service=service, initial=initial, closing=closing, **{**row, **values})
                .returning(schema.partial_bill.c.oid)
            ).scalar_one()
        )


def test_new_partial_bills_use_the_services_generation_ids(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = gen_target(platform_db)
    periods = [
        make_period("2024-01-01", "2024-01-31", cost="10.005", used="3.123456"),
        make_period("2024-02-01", "2024-02-29", utility_account_id="SCRAPED-9"),
    ]

    report = write(platform_db, target, periods)

    assert report.table == "partial_bill" and report.counts()["new"] == 2
    first, second = platform_db.rows("partial_bill")
    assert (first["cost"], first["used"], first["provider_type"]) == (
        10.01,
        3.1235,
        "generation-only",
    )
    assert (first["service_id"], first["utility"], first["utility_account_id"]) == (
        "GS-1",
        "utility:cca",
        "G-1",
    )
    assert second["utility_account_id"] == "SCRAPED-9"  # scraped values win
    assert (first["tariff"], first["superseded_by"]) == ("A-1", None)
    assert "source" not in first  # production's partial_bill has no source column
    assert platform_db.rows("bill") == []


def test_rerun_leaves_partial_bills_unchanged(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = gen_target(platform_db)
    periods = [make_period("2024-01-01", "2024-01-31"), make_period("2024-02-01", "2024-02-29")]
    write(platform_db, target, periods)
    before = platform_db.rows("partial_bill")

    again = write(platform_db, target, periods)

    assert again.counts()["unchanged"] == 2
    assert platform_db.rows("partial_bill") == before


def test_changed_or_overlapped_partial_bills_are_superseded_not_deleted(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = gen_target(platform_db)
    same_dates = add_partial(
        platform_db, target.service_oid, date(2024, 1, 1), date(2024, 1, 31), cost=1.0
    )
    overlapped = add_partial(platform_db, target.service_oid, date(2024, 2, 10), date(2024, 2, 20))
    tnd = add_partial(
        platform_db,
        target.service_oid,
        date(2024, 2, 1),
        date(2024, 2, 29),
        provider_type="tnd-only",
    )
    bill = platform_db.add_bill(target.service_oid, date(2024, 1, 1), date(2024, 1, 31))
    with platform_db.engine.begin() as conn:
        conn.execute(schema.partial_bill_link.insert().values(bill=bill, partial_bill=same_dates))
    links = platform_db.rows("partial_bill_link")

    report = write(
        platform_db,
        target,
        [
            make_period("2024-01-01", "2024-01-31", cost="5"),
            make_period("2024-02-01", "2024-02-29"),
        ],
    )

    updated, replaced = report.decisions
    assert (updated.operation, updated.replaced_oids) == ("updated", (same_dates,))
    assert (replaced.operation, replaced.replaced_oids) == ("replaced", (overlapped,))
    rows = {r["oid"]: r for r in platform_db.rows("partial_bill")}
    assert rows[same_dates]["superseded_by"] == updated.bill_oid
    assert rows[overlapped]["superseded_by"] == replaced.bill_oid
    assert rows[tnd]["superseded_by"] is None  # another provider type is not ours to supersede
    assert rows[updated.bill_oid]["cost"] == 5.0
    assert platform_db.rows("partial_bill_link") == links  # links are webapps' business

    # The superseded rows no longer count: a rerun finds the new versions unchanged.
    assert (
        write(
            platform_db,
            target,
            [
                make_period("2024-01-01", "2024-01-31", cost="5"),
                make_period("2024-02-01", "2024-02-29"),
            ],
        ).counts()["unchanged"]
        == 2
    )


def test_manual_partial_bills_are_left_alone(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = gen_target(platform_db)
    manual = add_partial(
        platform_db, target.service_oid, date(2024, 1, 1), date(2024, 1, 31), manual=True
    )
    before = platform_db.rows("partial_bill")

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31", cost="5")])

    assert [(d.operation, d.existing_oid) for d in report.decisions] == [("skipped", manual)]
    assert platform_db.rows("partial_bill") == before


def test_partial_dry_run_writes_nothing(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = gen_target(platform_db)
    add_partial(platform_db, target.service_oid, date(2024, 1, 1), date(2024, 1, 31), cost=1.0)
    before = platform_db.rows("partial_bill")
    periods = [
        make_period("2024-01-01", "2024-01-31", cost="5"),
        make_period("2024-02-01", "2024-02-29"),
    ]

    dry = write(platform_db, target, periods, dry_run=True)

    assert [d.operation for d in dry.decisions] == ["updated", "new"]
    assert platform_db.rows("partial_bill") == before
