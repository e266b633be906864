"""City of Mountain View, CA transform: the generic water rules (SPEC §4.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_mountainview import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Meter, UrjanetData, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))
MAR = (date(2020, 3, 1), date(2020, 4, 1))
APR = (date(2020, 4, 1), date(2020, 5, 1))


def stmt(
    pk: int,
    span: tuple[date, date],
    statement: date | None = date(2020, 6, 1),
    usages: tuple[Usage, ...] = (),
    **amounts: Decimal | None,
) -> Account:
    return Account(
        PK=pk,
        StatementDate=statement,
        IntervalStart=span[0],
        IntervalEnd=span[1],
        meters=(Meter(PK=pk, ServiceType="water", Tariff="W1", usages=usages),),
        **amounts,  # type: ignore[arg-type]
    )


def use(pk: int, amount: str, unit: str = "ccf", component: str = "[total]") -> Usage:
    return Usage(PK=pk, UsageAmount=Decimal(amount), EnergyUnit=unit, RateComponent=component)


def test_touching_statements_become_periods_ending_a_day_before_the_next():
    result = TRANSFORMER(UrjanetData((stmt(2, FEB), stmt(1, JAN))))
    assert [(p.start, p.end, p.tariff) for p in result.periods] == [
        (date(2020, 1, 1), date(2020, 1, 31), "W1"),
        (date(2020, 2, 1), date(2020, 3, 1), "W1"),
    ]


def test_the_newest_statement_wins_an_overlap_and_the_other_is_reported():
    older = stmt(1, JAN, statement=date(2020, 2, 5), NewCharges=Decimal("10"))
    correction = stmt(
        2, (date(2020, 1, 15), date(2020, 2, 1)), date(2020, 3, 5), NewCharges=Decimal("4")
    )
    result = TRANSFORMER(UrjanetData((older, correction)))
    assert [(p.start, p.total_charge) for p in result.periods] == [
        (date(2020, 1, 15), Decimal("4"))
    ]
    assert [d.PK for d in result.dropped] == [1]


def test_a_statement_without_a_statement_date_is_reported_not_used():
    result = TRANSFORMER(UrjanetData((stmt(1, JAN, statement=None),)))
    assert result.periods == ()
    assert [(d.PK, d.reason) for d in result.dropped] == [(1, "no statement date")]


def test_total_is_new_charges_if_positive_else_bill_amount_when_nothing_is_owed_else_zero():
    statements = (
        stmt(1, JAN, NewCharges=Decimal("25.50"), TotalBillAmount=Decimal("99")),
        stmt(
            2,
            FEB,
            NewCharges=Decimal("0"),
            OutstandingBalance=Decimal("0"),
            TotalBillAmount=Decimal("30"),
        ),
        stmt(
            3,
            MAR,
            NewCharges=Decimal("0"),
            OutstandingBalance=Decimal("5"),
            TotalBillAmount=Decimal("30"),
        ),
        stmt(4, APR, NewCharges=None, TotalBillAmount=Decimal("30")),
    )
    totals = [p.total_charge for p in TRANSFORMER(UrjanetData(statements)).periods]
    assert totals == [Decimal("25.50"), Decimal("30"), Decimal("0"), Decimal("0")]


def test_usage_is_the_deduplicated_total_usages_converted_by_their_unit_and_there_is_no_peak():
    usages = (
        use(1, "1000", "gallons"),
        use(2, "1000", "gallons"),  # same amount, unit and dates: counted once
        use(3, "500", "gallons"),
        use(4, "700", "gallons", "[tier1]"),
    )
    (period,) = TRANSFORMER(UrjanetData((stmt(1, JAN, usages=usages),))).periods
    assert period.total_usage == Decimal("1500") * Decimal("0.0013368")
    assert period.peak_demand is None

