"""HECO transform rules (SPEC §4.3): interval ordering, total fallback, consumption usage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_heco import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Meter, UrjanetData, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))


def stmt(
    pk: int, span: tuple[date, date] | None, statement: date | None = None, **kw: object
) -> Account:
    start, end = span or (None, None)
    values: dict[str, object] = {"NewCharges": Decimal("100")}
    values.update(kw)
    return Account(PK=pk, IntervalStart=start, IntervalEnd=end, StatementDate=statement, **values)  # type: ignore[arg-type]


def use(
    pk: int, amount: str, unit: str = "kWh", kind: str = "general_consumption", rc: str = "[total]"
) -> Usage:
    return Usage(
        PK=pk,
        UsageAmount=Decimal(amount),
        EnergyUnit=unit,
        MeasurementType=kind,
        RateComponent=rc,
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
    )


def test_statements_without_a_statement_date_become_periods_ordered_by_interval():
    result = TRANSFORMER(UrjanetData((stmt(1, JAN), stmt(2, FEB))))
    assert [(p.start, p.end, p.statement) for p in result.periods] == [
        (date(2020, 1, 1), date(2020, 1, 31), None),
        (date(2020, 2, 1), date(2020, 3, 1), None),
    ]
    assert result.dropped == ()


def test_same_interval_end_keeps_the_lowest_pk_and_reports_the_other():
    result = TRANSFORMER(
        UrjanetData(
            (
                stmt(8, JAN, date(2020, 3, 1), NewCharges=Decimal(8)),
                stmt(3, JAN, date(2020, 2, 2), NewCharges=Decimal(3)),
            )
        )
    )
    assert [p.total_charge for p in result.periods] == [Decimal(3)]
    assert [d.PK for d in result.dropped] == [8]


def test_statements_missing_an_interval_date_are_reported():
    result = TRANSFORMER(UrjanetData((stmt(1, JAN), Account(PK=2, IntervalStart=date(2020, 2, 1)))))
    assert len(result.periods) == 1
    assert [(d.PK, d.reason) for d in result.dropped] == [(2, "no statement interval")]


def test_total_is_new_charges_when_positive_else_bill_amount_minus_outstanding_balance():
    positive = stmt(1, JAN, NewCharges=Decimal("50.25"), TotalBillAmount=Decimal("999"))
    credit = stmt(
        2,
        FEB,
        NewCharges=Decimal("0"),
        TotalBillAmount=Decimal("120.50"),
        OutstandingBalance=Decimal("20.25"),
    )
    totals = [p.total_charge for p in TRANSFORMER(UrjanetData((positive, credit))).periods]
    assert totals == [Decimal("50.25"), Decimal("100.25")]


def test_usage_is_deduplicated_general_consumption_of_any_rate_component():
    meters = (
        Meter(
            PK=1,
            usages=(
                use(1, "300", rc="[on_peak]"),
                use(2, "200", rc="[off_peak]"),
                use(3, "80", "kW", "demand"),
            ),
        ),
        Meter(
            PK=2,
            usages=(use(4, "300", rc="[total]"), use(5, "50", "kVARH", "reactive_consumption")),
        ),
    )
    (period,) = TRANSFORMER(UrjanetData((stmt(1, JAN, meters=meters),))).periods
    # 300 [on_peak] and 300 [total] share amount, unit and dates: counted once.
    assert period.total_usage == Decimal("500")


def test_single_unit_usage_is_converted():
    meters = (
        Meter(PK=1, usages=(use(1, "10", "gallons"), use(2, "5", "gallons", rc="[on_peak]"))),
    )
    (period,) = TRANSFORMER(UrjanetData((stmt(1, JAN, meters=meters),))).periods
    assert period.total_usage == Decimal("15") * Decimal("0.0013368")
