"""`write_bills`: idempotent writes to the meter's own service, in one locked transaction."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from datafeeds_core.database import make_engine
from datafeeds_core.errors import TransientError
from datafeeds_core.job.validation import validated
from datafeeds_core.platform.bill_writer import WriteReport, write_bills
from datafeeds_core.platform.datasources import JobTarget
from datafeeds_core.testing import PlatformTestDatabase
from datafeeds_core.urjanet.model import BillingPeriod, Charge

TODAY = date(2024, 12, 31)
START, END = date(2023, 1, 1), TODAY


def write(
    db: PlatformTestDatabase,
    target: JobTarget,
    periods: list[BillingPeriod],
    start: date = START,
    end: date = END,
    **kwargs: Any,
) -> WriteReport:
    return write_bills(db.engine, target, validated(periods, TODAY, start=start, end=end), **kwargs)


def ops(report: WriteReport) -> list[tuple[str, str, str]]:
    return [(d.operation, d.start.isoformat(), d.end.isoformat()) for d in report.decisions]


def bills(db: PlatformTestDatabase, service: int) -> list[tuple[str, str, float | None]]:
    return [
        (r["initial"].isoformat(), r["closing"].isoformat(), r["cost"])
        for r in sorted(db.rows("bill", service=service), key=lambda r: r["initial"])
    ]


def test_new_bills_are_inserted_as_datafeeds_rows(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    items = (
        Charge(
            PK=1,
            ChargeActualName="Water",
            ChargeAmount=Decimal("40.5"),
            ChargeUnitsUsed=Decimal("12"),
            ChargeRatePerUnit=Decimal("3.375"),
            UsageUnit="CCF",
        ),
        Charge(PK=2, ChargeActualName="Demand", ChargeAmount=Decimal("9"), UsageUnit="kW"),
        Charge(PK=3, ChargeActualName="Fee", ChargeAmount=Decimal("1")),
    )
    periods = [
        make_period(
            "2024-01-01", "2024-01-31", cost="50.5", used="12.123456", peak="7.000049", items=items
        ),
        make_period("2024-02-01", "2024-02-29", cost="60", used=None, peak=None),
    ]

    report = write(platform_db, target, periods)

    assert ops(report) == [("new", "2024-01-01", "2024-01-31"), ("new", "2024-02-01", "2024-02-29")]
    assert report.counts() == {"new": 2, "updated": 0, "unchanged": 0, "replaced": 0, "skipped": 0}
    first, second = platform_db.rows("bill", service=target.service_oid)
    assert [d.bill_oid for d in report.decisions] == [first["oid"], second["oid"]]
    assert (first["cost"], first["used"], first["peak"]) == (50.5, 12.1235, 7.0)
    assert (second["used"], second["peak"]) == (0.0, None)  # unknown use is 0, peak stays null
    assert first["items"] == [
        {
            "description": "Water",
            "quantity": 12.0,
            "rate": 3.375,
            "total": 40.5,
            "kind": "use",
            "unit": "ccf",
        },
        {
            "description": "Demand",
            "quantity": None,
            "rate": None,
            "total": 9.0,
            "kind": "demand",
            "unit": "kw",
        },
        {
            "description": "Fee",
            "quantity": None,
            "rate": None,
            "total": 1.0,
            "kind": "other",
            "unit": "other",
        },
    ]
    assert second["items"] is None and first["attachments"] is None
    for row in (first, second):
        assert row["source"] == "datafeeds" and row["manual"] is False and row["visible"] is True
        assert row["utility_code"] == "A-1"
        assert row["created"] is not None and row["modified"] is not None


def test_bills_never_go_to_a_service_of_another_utility_with_the_same_said(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target(service_id="SAID-SHARED")
    # Another utility's service with the same bare service_id, with a meter on it.
    other = platform_db.add_service(utility="utility:other", service_id="SAID-SHARED")
    platform_db.add_meter(other)

    write(platform_db, target, [make_period("2024-01-01", "2024-01-31")])

    assert len(platform_db.rows("bill", service=target.service_oid)) == 1
    assert platform_db.rows("bill", service=other) == []


def test_bills_fan_out_to_services_with_the_same_said_and_utility_that_a_meter_points_at(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target(service_id="SAID-SHARED")
    sibling = platform_db.add_service(service_id="SAID-SHARED")  # same utility (utility:test)
    platform_db.add_meter(sibling)
    meterless = platform_db.add_service(service_id="SAID-SHARED")  # no meter points at it
    other_said = platform_db.add_service(service_id="SAID-OTHER")
    platform_db.add_meter(other_said)
    platform_db.add_bill(sibling, date(2024, 1, 1), date(2024, 1, 31), cost=1.0)
    periods = [make_period("2024-01-01", "2024-01-31"), make_period("2024-02-01", "2024-02-29")]

    report = write(platform_db, target, periods)

    assert [r.service_oid for r in report.fanned_out] == [sibling]
    assert report.service_counts() == {
        target.service_oid: {"new": 2, "updated": 0, "unchanged": 0, "replaced": 0, "skipped": 0},
        sibling: {"new": 1, "updated": 1, "unchanged": 0, "replaced": 0, "skipped": 0},
    }
    assert (
        bills(platform_db, sibling)
        == bills(platform_db, target.service_oid)
        == [
            ("2024-01-01", "2024-01-31", 100.0),
            ("2024-02-01", "2024-02-29", 100.0),
        ]
    )
    assert platform_db.rows("bill", service=meterless) == []
    assert platform_db.rows("bill", service=other_said) == []
    # A rerun changes nothing on any of them.
    again = write(platform_db, target, periods)
    assert not again.has_changes
    assert {s: c["unchanged"] for s, c in again.service_counts().items()} == {
        target.service_oid: 2,
        sibling: 2,
    }


def test_a_dry_run_decides_for_the_fanned_out_services_and_writes_nothing(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target(service_id="SAID-SHARED")
    sibling = platform_db.add_service(service_id="SAID-SHARED")
    platform_db.add_meter(sibling)

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31")], dry_run=True)

    assert report.service_counts()[sibling]["new"] == 1 and report.has_changes
    assert platform_db.rows("bill") == []


def test_rerun_writes_nothing_new(platform_db: PlatformTestDatabase, make_period: Any) -> None:
    target = platform_db.add_target()
    periods = [
        make_period(
            "2024-01-01",
            "2024-01-31",
            peak="3",
            items=(Charge(PK=1, ChargeActualName="Use", ChargeAmount=Decimal("5")),),
        ),
        make_period("2024-02-01", "2024-02-29"),
    ]
    write(platform_db, target, periods)
    before = platform_db.rows("bill")

    again = write(platform_db, target, periods)

    assert again.counts()["unchanged"] == 2 and not again.has_changes
    assert [d.bill_oid for d in again.decisions] == [r["oid"] for r in before]
    assert platform_db.rows("bill") == before


def test_exact_dates_with_new_values_update_the_row(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    items = [
        {
            "description": "old",
            "quantity": 1.0,
            "rate": 1.0,
            "total": 1.0,
            "kind": "use",
            "unit": "ccf",
        }
    ]
    existing = platform_db.add_bill(
        target.service_oid, date(2024, 1, 1), date(2024, 1, 31), cost=10.0, used=5.0, items=items
    )

    report = write(
        platform_db, target, [make_period("2024-01-01", "2024-01-31", cost="12.5", used="6")]
    )

    [decision] = report.decisions
    assert (decision.operation, decision.existing_oid, decision.bill_oid) == (
        "updated",
        existing,
        existing,
    )
    [row] = platform_db.rows("bill", service=target.service_oid)
    assert (row["oid"], row["cost"], row["used"], row["source"]) == (
        existing,
        12.5,
        6.0,
        "datafeeds",
    )
    assert row["items"] == items  # empty incoming items do not wipe the existing ones


def test_exact_dates_with_the_same_values_from_another_source_are_unchanged(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    platform_db.add_bill(
        target.service_oid,
        date(2024, 1, 1),
        date(2024, 1, 31),
        cost=100.0,
        used=10.0,
        peak=None,
        utility_code="A-1",
        source="webapps",
    )

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31")])

    assert ops(report) == [("unchanged", "2024-01-01", "2024-01-31")]


def test_overlapped_bills_are_replaced(platform_db: PlatformTestDatabase, make_period: Any) -> None:
    target = platform_db.add_target()
    a = platform_db.add_bill(target.service_oid, date(2024, 1, 1), date(2024, 1, 20))
    b = platform_db.add_bill(target.service_oid, date(2024, 1, 21), date(2024, 2, 5))

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31", cost="75")])

    [decision] = report.decisions
    assert decision.operation == "replaced"
    assert decision.replaced_oids == (a, b)
    assert bills(platform_db, target.service_oid) == [("2024-01-01", "2024-01-31", 75.0)]


def test_manual_bill_survives_and_the_incoming_bill_is_skipped(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    exact = platform_db.add_bill(
        target.service_oid, date(2024, 1, 1), date(2024, 1, 31), manual=True, cost=1.0
    )
    overlapped = platform_db.add_bill(
        target.service_oid, date(2024, 2, 10), date(2024, 2, 20), manual=True, cost=2.0
    )
    before = platform_db.rows("bill")

    report = write(
        platform_db,
        target,
        [
            make_period("2024-01-01", "2024-01-31", cost="9"),
            make_period("2024-02-01", "2024-02-29", cost="9"),
        ],
    )

    assert [(d.operation, d.existing_oid) for d in report.decisions] == [
        ("skipped", exact),
        ("skipped", overlapped),
    ]
    assert all("manually" in (d.reason or "") for d in report.decisions)
    assert platform_db.rows("bill") == before


def _stitch(db: PlatformTestDatabase, service: int, **partial: Any) -> int:
    """A bill in January linked to a January partial bill with `partial` values; its oid."""
    from datafeeds_core.platform import schema

    stitched = db.add_bill(service, date(2024, 1, 1), date(2024, 1, 31), cost=1.0)
    with db.engine.begin() as conn:
        oid = conn.execute(
            schema.partial_bill.insert()
            .values(
                service=service,
                initial=date(2024, 1, 1),
                closing=date(2024, 1, 31),
                provider_type="generation-only",
                **{"visible": True, **partial},
            )
            .returning(schema.partial_bill.c.oid)
        ).scalar_one()
        conn.execute(schema.partial_bill_link.insert().values(bill=stitched, partial_bill=oid))
    return stitched


def test_a_bill_stitched_from_partial_bills_is_never_overwritten(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    _stitch(platform_db, target.service_oid)

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31", cost="9")])

    assert ops(report) == [("skipped", "2024-01-01", "2024-01-31")]
    assert "stitched" in (report.decisions[0].reason or "")


def test_only_a_visible_active_partial_bill_protects_a_bill(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    # As the old system: a hidden partial bill protects nothing (its "safe override" rule).
    target = platform_db.add_target()
    stitched = _stitch(platform_db, target.service_oid, visible=False)

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31", cost="9")])

    assert ops(report) == [("updated", "2024-01-01", "2024-01-31")]
    assert platform_db.rows("bill", oid=stitched)[0]["cost"] == 9.0


@pytest.mark.parametrize(
    ("existing", "incoming", "reason"),
    [
        ({"used": 10.0}, {"cost": "5", "used": "0"}, "no use"),
        ({"peak": 4.0}, {"peak": None}, "no peak"),
    ],
)
def test_an_update_that_would_lose_use_or_peak_is_skipped(
    platform_db: PlatformTestDatabase,
    make_period: Any,
    existing: dict[str, Any],
    incoming: dict[str, Any],
    reason: str,
) -> None:
    target = platform_db.add_target()
    platform_db.add_bill(target.service_oid, date(2024, 1, 1), date(2024, 1, 31), **existing)
    before = platform_db.rows("bill")

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31", **incoming)])

    assert report.decisions[0].operation == "skipped"
    assert reason in (report.decisions[0].reason or "")
    assert platform_db.rows("bill") == before


def test_only_periods_overlapping_the_window_are_written_end_exclusive(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    periods = [
        make_period("2024-01-01", "2024-01-31"),  # ends before start
        make_period("2024-02-01", "2024-03-01"),  # ends on start: overlaps (start inclusive)
        make_period("2024-03-02", "2024-03-31"),
        make_period("2024-04-01", "2024-04-30"),  # starts on end: outside (end exclusive)
    ]

    report = write(platform_db, target, periods, start=date(2024, 3, 1), end=date(2024, 4, 1))

    assert ops(report) == [("new", "2024-02-01", "2024-03-01"), ("new", "2024-03-02", "2024-03-31")]
    assert [b[:2] for b in bills(platform_db, target.service_oid)] == [
        ("2024-02-01", "2024-03-01"),
        ("2024-03-02", "2024-03-31"),
    ]


def test_first_start_on_an_existing_closing_moves_a_day_later(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    platform_db.add_bill(target.service_oid, date(2023, 12, 1), date(2024, 1, 1))
    periods = [make_period("2024-01-01", "2024-01-31"), make_period("2024-02-01", "2024-02-29")]

    first = write(platform_db, target, periods)
    second = write(platform_db, target, periods)

    assert ops(first) == [("new", "2024-01-02", "2024-01-31"), ("new", "2024-02-01", "2024-02-29")]
    assert second.counts()["unchanged"] == 2


@pytest.mark.parametrize(
    ("periods", "reason", "written"),
    [
        (
            [("2024-01-01", "2024-01-31"), ("2024-01-31", "2024-02-28")],
            "overlaps the period 2024-01-01..2024-01-31",
            [("2024-01-01", "2024-01-31", 100.0)],
        ),
        ([("2024-12-01", "2025-01-05")], "ends in the future (2025-01-05 > 2024-12-31)", []),
        (
            [("2024-01-05", "2024-01-05")],
            "zero-length or reversed period 2024-01-05..2024-01-05",
            [],
        ),
    ],
)
def test_invalid_periods_are_set_aside_before_the_writer_and_never_written(
    platform_db: PlatformTestDatabase,
    make_period: Any,
    periods: list[tuple[str, str]],
    reason: str,
    written: list[tuple[str, str, float]],
) -> None:
    """The writer takes only validated periods: the invalid ones are set aside (with their
    reason) by the one validation, and nothing of them reaches the table."""
    target = platform_db.add_target()
    checked = validated(
        [make_period(s, e) for s, e in periods], TODAY, start=START, end=date(2025, 2, 1)
    )
    assert [d.reason for d in checked.rejected] == [reason]
    write_bills(platform_db.engine, target, checked)
    assert bills(platform_db, target.service_oid) == written


def test_bill_audit_enrolment_hides_new_bills_behind_a_pending_audit(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    platform_db.enrol_in_bill_audit(target.meter_oid)
    existing = platform_db.add_bill(
        target.service_oid, date(2024, 2, 1), date(2024, 2, 29), cost=1.0
    )
    periods = [make_period("2024-01-01", "2024-01-31"), make_period("2024-02-01", "2024-02-29")]

    report = write(platform_db, target, periods)

    new, updated = report.decisions
    assert (new.operation, new.audit, updated.operation, updated.audit) == (
        "new",
        True,
        "updated",
        True,
    )
    rows = {r["oid"]: r for r in platform_db.rows("bill")}
    assert rows[new.bill_oid]["visible"] is False
    assert rows[existing]["visible"] is True  # an updated bill keeps its visibility
    audits = platform_db.rows("bill_audit")
    assert new.bill_oid is not None
    assert sorted(a["bill"] for a in audits) == sorted([new.bill_oid, existing])
    assert {a["workflow_state"] for a in audits} == {"pending"}
    assert {a["bill_service"] for a in audits} == {target.service_oid}
    events = platform_db.rows("bill_audit_event")
    assert sorted(e["audit"] for e in events) == sorted(a["oid"] for a in audits)
    assert {e["description"] for e in events} == {"Initialized bill audit."}

    # A rerun finds the bills unchanged and starts no second audit.
    assert write(platform_db, target, periods).counts()["unchanged"] == 2
    assert len(platform_db.rows("bill_audit")) == 2


def test_an_audited_bill_that_replaces_bills_stays_visible(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    # The old system hides only new bills that replace nothing: a month the customer could
    # already see must not disappear while its replacement is audited.
    target = platform_db.add_target()
    platform_db.enrol_in_bill_audit(target.meter_oid)
    platform_db.add_bill(target.service_oid, date(2024, 1, 5), date(2024, 2, 4), cost=1.0)

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31")])

    (replacing,) = report.decisions
    assert (replacing.operation, replacing.audit) == ("replaced", True)
    (row,) = platform_db.rows("bill")
    assert (row["oid"], row["visible"]) == (replacing.bill_oid, True)
    assert [a["bill"] for a in platform_db.rows("bill_audit")] == [replacing.bill_oid]


def test_the_audit_carries_the_building_name_of_the_meters_account(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    from datafeeds_core.platform import schema

    target = platform_db.add_target()
    (link,) = platform_db.rows("snapmeter_account_meter", meter=target.meter_oid)
    other_account = platform_db.add_account("Other")
    building = platform_db.add_building(link["account"], "Main Street Plant")
    with platform_db.engine.begin() as conn:
        conn.execute(
            schema.snapmeter_building.insert().values(
                building=building, account=other_account, name="Their name", oid=1
            )
        )
        conn.execute(
            schema.meter.update()
            .where(schema.meter.c.oid == target.meter_oid)
            .values(building=building)
        )
    platform_db.enrol_in_bill_audit(target.meter_oid)

    write(platform_db, target, [make_period("2024-01-01", "2024-01-31")])

    (audit,) = platform_db.rows("bill_audit")
    assert (audit["building_name"], audit["account_name"]) == ("Main Street Plant", "Test account")


def test_audit_follows_the_first_non_sub_meter_of_the_service(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    sub = platform_db.add_meter(target.service_oid, kind="sub", oid=1)  # lowest oid, but a sub
    platform_db.enrol_in_bill_audit(sub)
    platform_db.enrol_in_bill_audit(target.meter_oid, status="trial")

    report = write(platform_db, target, [make_period("2024-01-01", "2024-01-31")])

    assert report.decisions[0].audit is False
    assert platform_db.rows("bill")[0]["visible"] is True
    assert platform_db.rows("bill_audit") == []


def test_dry_run_writes_nothing_and_reports_the_same_decisions(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    platform_db.enrol_in_bill_audit(target.meter_oid)
    platform_db.add_bill(
        target.service_oid,
        date(2024, 1, 1),
        date(2024, 1, 31),
        cost=100.0,
        used=10.0,
        utility_code="A-1",
    )
    platform_db.add_bill(target.service_oid, date(2024, 2, 1), date(2024, 2, 29), cost=1.0)
    platform_db.add_bill(target.service_oid, date(2024, 3, 5), date(2024, 3, 20))
    platform_db.add_bill(target.service_oid, date(2024, 4, 1), date(2024, 4, 30), manual=True)
    periods = [
        make_period("2024-01-01", "2024-01-31"),
        make_period("2024-02-01", "2024-02-29"),
        make_period("2024-03-01", "2024-03-31"),
        make_period("2024-04-01", "2024-04-30"),
        make_period("2024-05-01", "2024-05-31"),
    ]
    tables = ("bill", "bill_audit", "bill_audit_event")
    before = {t: platform_db.rows(t) for t in tables}

    dry = write(platform_db, target, periods, dry_run=True)

    assert {t: platform_db.rows(t) for t in tables} == before
    assert dry.dry_run and [d.operation for d in dry.decisions] == [
        "unchanged",
        "updated",
        "replaced",
        "skipped",
        "new",
    ]
    real = write(platform_db, target, periods)

    def same(report: WriteReport) -> list[Any]:
        return [
            (
                d.operation,
                d.start,
                d.end,
                d.cost,
                d.used,
                d.peak,
                d.reason,
                d.existing_oid,
                d.replaced_oids,
                d.audit,
            )
            for d in report.decisions
        ]

    assert same(dry) == same(real)
    assert dry.counts() == real.counts()


def test_the_write_holds_the_service_lock_while_it_reads_and_writes(
    platform_db: PlatformTestDatabase, make_period: Any
) -> None:
    target = platform_db.add_target()
    seen: list[str] = []

    def held_by_another_connection() -> str:
        if platform_db.engine.dialect.name == "postgresql":
            observer = create_engine(platform_db.engine.url)
            try:
                with observer.connect() as conn:
                    rows = conn.execute(
                        text(
                            "SELECT granted FROM pg_locks WHERE locktype = 'advisory' "
                            "AND pid <> pg_backend_pid() "
                            "AND ((classid::bigint << 32) | objid::bigint) = :key"
                        ),
                        {"key": target.service_oid},
                    ).all()
            finally:
                observer.dispose()
            return {(): "not locked", ((True,),): "locked"}.get(tuple(rows), str(rows))
        assert platform_db.engine.url.database is not None
        other = sqlite3.connect(platform_db.engine.url.database, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            return "not locked"
        except sqlite3.OperationalError as exc:
            return "locked" if "locked" in str(exc) else str(exc)
        finally:
            other.close()

    def check(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM bill" in statement and not seen:
            seen.append(held_by_another_connection())

    event.listen(platform_db.engine, "after_cursor_execute", check)
    try:
        write(platform_db, target, [make_period("2024-01-01", "2024-01-31")])
    finally:
        event.remove(platform_db.engine, "after_cursor_execute", check)

    assert seen == ["locked"]
    assert held_by_another_connection() == "not locked"  # released at commit


def test_an_unreachable_database_is_a_transient_error(make_period: Any) -> None:
    engine = make_engine("postgresql://postgres@127.0.0.1:9/platform")  # nothing listens on 9
    target = JobTarget(
        data_source_oid=1,
        scraper_key="k",
        meta={},
        source_types=("billing",),
        meter_oid=1,
        meter_name=None,
        service_oid=1,
        utility=None,
        utility_account_id=None,
        service_id=None,
        gen_utility_account_id=None,
        gen_service_id=None,
        gen_utility=None,
        provider_type=None,
    )
    with pytest.raises(TransientError, match="platform database unreachable"):
        write_bills(
            engine,
            target,
            validated([make_period("2024-01-01", "2024-01-31")], TODAY, start=START, end=END),
        )
