"""HECO transform rules: interval ordering, total fallback, consumption usage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Unpack

from datafeeds_heco import TRANSFORMER

from datafeeds_core.testing.builders import (
    StatementFields,
    meter,
    only_period,
    statement,
    urjanet_data,
    usage,
)
from datafeeds_core.urjanet.model import Account, Meter, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))


def stmt(
    pk: int,
    span: tuple[date, date] | None,
    issued: date | None = None,
    meters: tuple[Meter, ...] = (),
    **fields: Unpack[StatementFields],
) -> Account:
    fields.setdefault("NewCharges", Decimal("100"))
    return statement(pk, *meters, issued=issued, span=span, **fields)


def use(
    pk: int, amount: str, unit: str = "kWh", kind: str = "general_consumption", rc: str = "[total]"
) -> Usage:
    return usage(pk, amount, unit, rc, span=JAN, MeasurementType=kind)


def test_statements_without_a_statement_date_become_periods_ordered_by_interval() -> None:
    result = TRANSFORMER(urjanet_data(stmt(1, JAN), stmt(2, FEB)))
    assert [(p.start, p.end, p.statement) for p in result.periods] == [
        (date(2020, 1, 1), date(2020, 1, 31), None),
        (date(2020, 2, 1), date(2020, 3, 1), None),
    ]
    assert result.dropped == ()


def test_same_interval_end_keeps_the_lowest_pk_and_reports_the_other() -> None:
    result = TRANSFORMER(
        urjanet_data(
            stmt(8, JAN, date(2020, 3, 1), NewCharges=Decimal(8)),
            stmt(3, JAN, date(2020, 2, 2), NewCharges=Decimal(3)),
        )
    )
    assert [p.total_charge for p in result.periods] == [Decimal(3)]
    assert [d.PK for d in result.dropped] == [8]


def test_statements_missing_an_interval_date_are_reported() -> None:
    result = TRANSFORMER(urjanet_data(stmt(1, JAN), statement(2, span=(date(2020, 2, 1), None))))
    assert len(result.periods) == 1
    assert [(d.PK, d.reason) for d in result.dropped] == [(2, "no statement interval")]


def test_total_is_new_charges_when_positive_else_bill_amount_minus_outstanding_balance() -> None:
    positive = stmt(1, JAN, NewCharges=Decimal("50.25"), TotalBillAmount=Decimal("999"))
    credit = stmt(
        2,
        FEB,
        NewCharges=Decimal("0"),
        TotalBillAmount=Decimal("120.50"),
        OutstandingBalance=Decimal("20.25"),
    )
    totals = [p.total_charge for p in TRANSFORMER(urjanet_data(positive, credit)).periods]
    assert totals == [Decimal("50.25"), Decimal("100.25")]


def test_usage_is_deduplicated_general_consumption_of_any_rate_component() -> None:
    meters = (
        meter(
            1,
            usages=(
                use(1, "300", rc="[on_peak]"),
                use(2, "200", rc="[off_peak]"),
                use(3, "80", "kW", "demand"),
            ),
        ),
        meter(
            2,
            usages=(use(4, "300", rc="[total]"), use(5, "50", "kVARH", "reactive_consumption")),
        ),
    )
    period = only_period(TRANSFORMER(urjanet_data(stmt(1, JAN, meters=meters))))
    # 300 [on_peak] and 300 [total] share amount, unit and dates: counted once.
    assert period.total_usage == Decimal("500")


def test_single_unit_usage_is_converted() -> None:
    meters = (meter(1, usages=(use(1, "10", "gallons"), use(2, "5", "gallons", rc="[on_peak]"))),)
    period = only_period(TRANSFORMER(urjanet_data(stmt(1, JAN, meters=meters))))
    assert period.total_usage == Decimal("15") * Decimal("0.0013368")
