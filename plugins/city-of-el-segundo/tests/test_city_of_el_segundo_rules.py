"""City of El Segundo, CA transform: period end − 1 day (SPEC §4.3), then the generic
water rules (SPEC §4.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_city_of_el_segundo import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Meter, UrjanetData, Usage


def stmt(
    pk: int,
    start: date,
    end: date,
    statement: date = date(2020, 6, 1),
    usages: tuple[Usage, ...] = (),
    **amounts: Decimal | None,
) -> Account:
    return Account(
        PK=pk,
        StatementDate=statement,
        IntervalStart=start,
        IntervalEnd=end,
        meters=(Meter(PK=pk, ServiceType="water", usages=usages),),
        **amounts,  # type: ignore[arg-type]
    )


def spans(data: UrjanetData) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in TRANSFORMER(data).periods]


def test_each_period_ends_the_day_before_the_statements_interval_end():
    data = UrjanetData(
        (stmt(1, date(2020, 1, 1), date(2020, 2, 1)), stmt(2, date(2020, 2, 1), date(2020, 3, 1)))
    )
    assert spans(data) == [
        (date(2020, 1, 1), date(2020, 1, 31)),
        (date(2020, 2, 1), date(2020, 2, 29)),
    ]


def test_the_overlap_test_uses_the_shortened_period():
    # Raw intervals share 2020-01-31; shortened by a day they only touch, so both are kept
    # and the earlier one then ends a day before the next begins.
    data = UrjanetData(
        (
            stmt(1, date(2020, 1, 1), date(2020, 2, 1), statement=date(2020, 2, 5)),
            stmt(2, date(2020, 1, 31), date(2020, 3, 1), statement=date(2020, 3, 5)),
        )
    )
    assert spans(data) == [
        (date(2020, 1, 1), date(2020, 1, 30)),
        (date(2020, 1, 31), date(2020, 2, 29)),
    ]


def test_a_one_day_statement_is_reported_not_turned_into_an_empty_period():
    result = TRANSFORMER(UrjanetData((stmt(1, date(2020, 1, 1), date(2020, 1, 2)),)))
    assert result.periods == ()
    assert [d.PK for d in result.dropped] == [1]


def test_a_second_run_over_the_same_statements_gives_the_same_periods():
    data = UrjanetData((stmt(1, date(2020, 1, 1), date(2020, 2, 1)),))
    assert spans(data) == spans(data) == [(date(2020, 1, 1), date(2020, 1, 31))]
    assert data.accounts[0].IntervalEnd == date(2020, 2, 1)


def test_total_and_usage_follow_the_generic_water_rules():
    usage = Usage(PK=1, UsageAmount=Decimal("12"), EnergyUnit="HCF", RateComponent="[total]")
    data = UrjanetData(
        (
            stmt(
                1, date(2020, 1, 1), date(2020, 2, 1), usages=(usage,), NewCharges=Decimal("40.10")
            ),
            stmt(
                2,
                date(2020, 2, 1),
                date(2020, 3, 1),
                NewCharges=Decimal("0"),
                OutstandingBalance=Decimal("0"),
                TotalBillAmount=Decimal("7"),
            ),
            stmt(3, date(2020, 3, 1), date(2020, 4, 1), NewCharges=Decimal("-3")),
        )
    )
    periods = TRANSFORMER(data).periods
    assert [(p.total_charge, p.total_usage, p.peak_demand) for p in periods] == [
        (Decimal("40.10"), Decimal("12.0"), None),
        (Decimal("7"), Decimal("0"), None),
        (Decimal("0"), Decimal("0"), None),
    ]
