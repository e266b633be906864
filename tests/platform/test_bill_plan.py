"""Deciding bills without a database: window, duplicates, item mapping."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from datafeeds_core.job.validation import in_window
from datafeeds_core.platform.bill_plan import (
    ExistingBill,
    line_item,
    plan_bills,
    to_bill,
)
from datafeeds_core.urjanet.model import Charge


def _existing(oid: int, initial: str, closing: str, **values: Any) -> ExistingBill:
    row: dict[str, Any] = {
        "cost": 1.0,
        "used": 1.0,
        "peak": None,
        "items": None,
        "attachments": None,
        "utility_code": None,
        "manual": False,
    }
    row.update(values)
    return ExistingBill(
        oid=oid, initial=date.fromisoformat(initial), closing=date.fromisoformat(closing), **row
    )


def test_window_keeps_periods_touching_start_and_drops_those_starting_at_end(
    make_period: Any,
) -> None:
    periods = [
        make_period("2024-01-01", "2024-02-29"),
        make_period("2024-03-01", "2024-03-31"),
        make_period("2024-04-01", "2024-04-30"),
    ]
    kept = in_window(periods, date(2024, 2, 29), date(2024, 4, 1))
    assert [p.start for p in kept] == [date(2024, 1, 1), date(2024, 3, 1)]


def test_duplicate_bills_with_the_same_dates_are_both_replaced(make_period: Any) -> None:
    existing = [_existing(1, "2024-01-01", "2024-01-31"), _existing(2, "2024-01-01", "2024-01-31")]
    [plan] = plan_bills([to_bill(make_period("2024-01-01", "2024-01-31"))], existing)
    assert (plan.decision.operation, plan.decision.replaced_oids) == ("replaced", (1, 2))


def test_no_existing_bill_means_new_and_audit_follows_enrolment(make_period: Any) -> None:
    [plan] = plan_bills([to_bill(make_period("2024-01-01", "2024-01-31"))], [], audit=True)
    assert (plan.decision.operation, plan.decision.audit) == ("new", True)


def test_line_item_kind_and_unit_follow_the_usage_unit() -> None:
    def kind_unit(unit: str | None) -> tuple[str, str]:
        item = line_item(Charge(PK=1, ChargeAmount=Decimal("1"), UsageUnit=unit))
        return item["kind"], item["unit"]

    assert kind_unit("kW") == ("demand", "kw")
    assert [kind_unit(u) for u in ("kWh", "Therms", "HCF", "ccf")] == [
        ("use", "kwh"),
        ("use", "therms"),
        ("use", "hcf"),
        ("use", "ccf"),
    ]
    assert kind_unit("gallons") == ("other", "other")
    assert kind_unit(None) == ("other", "other")
