"""SDG&E rules, on small hand-made statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Unpack

from datafeeds_sdge.transform import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account, Charge, Usage

D = date


def charge(
    pk: int, amount: str, start: date, end: date, **fields: Unpack[builders.ChargeFields]
) -> Charge:
    return builders.charge(pk, amount, span=(start, end), **fields)


def total_usage(pk: int, amount: str, start: date, end: date) -> Usage:
    return builders.usage(pk, amount, "kWh", "[total]", span=(start, end))


def statement(
    pk: int,
    issued: date,
    start: date,
    end: date,
    charges: tuple[Charge, ...] = (),
    usages: tuple[Usage, ...] = (),
    meter_range: tuple[date, date] | None = None,
    floating: tuple[Charge, ...] = (),
) -> Account:
    m_start, m_end = meter_range or (start, end)
    return builders.statement(
        pk,
        builders.meter(
            pk * 10, charges=charges, usages=usages, span=(m_start, m_end), Tariff="AL-TOU"
        ),
        issued=issued,
        span=(start, end),
        floating=floating,
        SourceLink=f"url{pk}",
    )


spans = builders.spans


def test_a_period_starts_the_day_after_the_statement_start_and_ends_are_not_shifted() -> None:
    result = TRANSFORMER(
        builders.urjanet_data(
            statement(1, D(2020, 2, 18), D(2020, 1, 15), D(2020, 2, 13)),
            statement(2, D(2020, 3, 18), D(2020, 2, 13), D(2020, 3, 16)),
        )
    )
    assert spans(result) == [(D(2020, 1, 16), D(2020, 2, 13)), (D(2020, 2, 14), D(2020, 3, 16))]


def test_an_overlapping_statement_falls_back_to_its_meter_range_or_is_dropped() -> None:
    newest = statement(3, D(2020, 3, 18), D(2020, 2, 13), D(2020, 3, 16))
    # Its own range touches the newest period; its meter's range does not.
    older = statement(
        2,
        D(2020, 2, 18),
        D(2020, 1, 15),
        D(2020, 2, 14),
        meter_range=(D(2020, 1, 15), D(2020, 2, 11)),
    )
    oldest = statement(1, D(2020, 2, 1), D(2020, 1, 20), D(2020, 2, 20))

    result = TRANSFORMER(builders.urjanet_data(oldest, older, newest))

    assert spans(result) == [(D(2020, 1, 16), D(2020, 2, 11)), (D(2020, 2, 14), D(2020, 3, 16))]
    assert [(d.PK, d.reason) for d in result.dropped] == [
        (1, "overlaps a newer statement already taken")
    ]


def test_a_correction_longer_than_45_days_is_split_per_total_usage_interval() -> None:
    jan, feb, mar = D(2019, 1, 10), D(2019, 2, 10), D(2019, 3, 10)
    correction = statement(
        1,
        D(2019, 3, 20),
        jan,
        mar,
        charges=(
            charge(11, "100", jan, feb),
            charge(12, "200", feb, mar),
            charge(13, "7", jan, feb),
        ),
        usages=(total_usage(21, "1000", jan, feb), total_usage(22, "2000", feb, mar)),
        floating=(charge(31, "5", jan, mar),),
    )

    periods = TRANSFORMER(builders.urjanet_data(correction)).periods

    assert [(p.start, p.end) for p in periods] == [(D(2019, 1, 11), feb), (D(2019, 2, 11), mar)]
    assert [p.total_charge for p in periods] == [Decimal("107"), Decimal("200")]
    assert [p.total_usage for p in periods] == [Decimal("1000"), Decimal("2000")]
    assert [[c.PK for c in p.line_items] for p in periods] == [[11, 13, 31], [12, 31]]
    assert [p.statement for p in periods] == [D(2019, 3, 20), D(2019, 3, 20)]


def test_a_correction_piece_overlapping_a_period_already_taken_is_reported_not_added() -> None:
    jan, feb, mar = D(2019, 1, 10), D(2019, 2, 10), D(2019, 3, 10)
    newer = statement(2, D(2019, 4, 1), D(2019, 3, 1), D(2019, 3, 20))
    # 48 days, clear of the newer period; its second usage interval runs into it.
    correction = statement(
        1,
        D(2019, 3, 20),
        jan,
        D(2019, 2, 27),
        usages=(total_usage(21, "1000", jan, feb), total_usage(22, "2000", feb, mar)),
    )

    result = TRANSFORMER(builders.urjanet_data(correction, newer))

    assert spans(result) == [(D(2019, 1, 11), feb), (D(2019, 3, 2), D(2019, 3, 20))]
    assert [d.PK for d in result.dropped] == [1]
    assert "correction piece 2019-02-11..2019-03-10" in result.dropped[0].reason


def test_total_is_meter_charges_without_late_fees_and_peak_skips_capacity_reservation() -> None:
    start, end = D(2020, 1, 1), D(2020, 2, 1)
    account = statement(
        1,
        D(2020, 2, 5),
        start,
        end,
        charges=(
            charge(1, "10.50", start, end, ChargeId="ch.usage_charge"),
            charge(2, "4.00", start, end, ChargeId="ch.late_fee"),
            builders.charge(
                3,
                "3",
                span=(start, end),
                used="90",
                unit="kW",
                ChargeActualName="Capacity Reservation Demand",
            ),
            builders.charge(4, "1", span=(start, end), used="31.4", unit="kW"),
        ),
        floating=(charge(5, "99", start, end),),
    )

    (period,) = TRANSFORMER(builders.urjanet_data(account)).periods

    assert period.total_charge == Decimal("14.50")
    assert period.peak_demand == Decimal("31.4")
    assert [c.PK for c in period.line_items] == [1, 2, 3, 4, 5]


def test_no_kw_charge_means_a_null_peak() -> None:
    account = statement(1, D(2020, 2, 5), D(2020, 1, 1), D(2020, 2, 1))
    (period,) = TRANSFORMER(builders.urjanet_data(account)).periods
    assert period.peak_demand is None


def test_statements_without_meters_or_statement_date_are_reported() -> None:
    no_meters = replace(statement(1, D(2020, 2, 5), D(2020, 1, 1), D(2020, 2, 1)), meters=())
    undated = replace(statement(3, D(2020, 4, 5), D(2020, 3, 1), D(2020, 4, 1)), StatementDate=None)

    result = TRANSFORMER(builders.urjanet_data(no_meters, undated))

    assert result.periods == ()
    assert sorted((d.PK, d.reason) for d in result.dropped) == [
        (1, "no meters"),
        (3, "no statement date"),
    ]
