"""NV Energy rules, on small hand-made statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from datafeeds_nve.transform import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account, BillingPeriod, Charge, Usage

D = date
JAN, FEB, MAR = D(2020, 1, 1), D(2020, 2, 1), D(2020, 3, 1)


def usage(
    pk: int,
    amount: str,
    name: str | None = None,
    *,
    EnergyUnit: str = "kWh",
    RateComponent: str | None = None,
    MeasurementType: str = "general_consumption",
) -> Usage:
    return builders.usage(
        pk,
        amount,
        EnergyUnit,
        RateComponent,
        span=(JAN, FEB),
        UsageActualName=name,
        MeasurementType=MeasurementType,
    )


def statement(
    pk: int,
    issued: date,
    start: date = JAN,
    end: date = FEB,
    charges: tuple[Charge, ...] = (),
    usages: tuple[Usage, ...] = (),
    floating: tuple[Charge, ...] = (),
    meter_range: tuple[date, date] | None = None,
) -> Account:
    m_start, m_end = meter_range or (start, end)
    return builders.statement(
        pk,
        builders.meter(pk * 10, charges=charges, usages=usages, span=(m_start, m_end)),
        issued=issued,
        span=(start, end),
        floating=floating,
    )


def one_period(*accounts: Account) -> BillingPeriod:
    return builders.only_period(TRANSFORMER(builders.urjanet_data(*accounts)))


def test_the_period_is_the_first_meters_range_from_the_next_day_with_no_end_shift() -> None:
    result = TRANSFORMER(
        builders.urjanet_data(
            statement(1, D(2020, 2, 5), meter_range=(D(2019, 12, 31), FEB)),
            statement(2, D(2020, 3, 5), FEB, MAR),
        )
    )
    # The statement says Jan 1, its meter Dec 31: the meter decides.
    assert [(p.start, p.end) for p in result.periods] == [(JAN, FEB), (D(2020, 2, 2), MAR)]


def test_a_statement_without_meters_uses_its_own_range() -> None:
    account = replace(statement(1, D(2020, 2, 5)), meters=())
    period = one_period(account)
    assert (period.start, period.end) == (D(2020, 1, 2), FEB)


def test_the_latest_statement_wins_an_overlap_on_the_raw_ranges() -> None:
    newer = statement(2, D(2020, 2, 20), D(2020, 1, 20), MAR)
    result = TRANSFORMER(builders.urjanet_data(statement(1, D(2020, 2, 5)), newer))
    assert [p.statement for p in result.periods] == [D(2020, 2, 20)]
    assert [d.PK for d in result.dropped] == [1]


def test_total_is_meter_charges_plus_billed_floating_charges() -> None:
    account = statement(
        1,
        D(2020, 2, 5),
        charges=(builders.charge(1, "100.10"),),
        floating=(
            builders.charge(2, "5.00", ChargeId="ch.universal_energy_charge"),
            builders.charge(3, "40.00", ChargeId="ch.service_charge"),
            builders.charge(4, "2.50", ChargeId="ch.usage_charge"),
        ),
    )
    period = one_period(account)
    assert period.total_charge == Decimal("107.60")
    assert [c.PK for c in period.line_items] == [1, 2, 4]


def test_usage_drops_a_total_that_repeats_the_time_of_use_parts() -> None:
    account = statement(
        1,
        D(2020, 2, 5),
        usages=(
            usage(1, "300", RateComponent="[total]"),
            usage(2, "100", "WOTE"),
            usage(3, "200", "WTOA"),
            usage(4, "50", "Other name"),  # neither [total] nor a TOU code
            usage(5, "7", "WTOR", MeasurementType="demand"),
        ),
    )
    assert one_period(account).total_usage == Decimal("300")


def test_every_usage_equal_to_the_tou_sum_is_dropped_not_every_other_one() -> None:
    # The reference removed while iterating and kept the second of two adjacent equal totals.
    first = usage(1, "300", RateComponent="[total]")
    second = replace(first, PK=2, IntervalEnd=D(2020, 2, 2))  # survives de-duplication
    account = statement(
        1, D(2020, 2, 5), usages=(first, second, usage(3, "100", "WOTE"), usage(4, "200", "SOTE"))
    )
    assert one_period(account).total_usage == Decimal("300")


def test_a_lone_total_is_the_usage() -> None:
    account = statement(1, D(2020, 2, 5), usages=(usage(1, "4321", RateComponent="[total]"),))
    assert one_period(account).total_usage == Decimal("4321")


def test_peak_is_the_max_kw_demand_except_facility_demand_and_zero_without_one() -> None:
    demand = {"MeasurementType": "demand", "EnergyUnit": "kW"}
    account = statement(
        1,
        D(2020, 2, 5),
        usages=(
            usage(1, "56", "kW", **demand),
            usage(2, "99", "kW fac", **demand),  # "fac" as the reference spells it
            usage(3, "60", None, **demand),  # a null name neither crashes nor is excluded
            usage(4, "80", "kW", MeasurementType="demand", EnergyUnit="kVA"),
        ),
    )
    assert one_period(account).peak_demand == Decimal("60")
    assert one_period(statement(1, D(2020, 2, 5))).peak_demand == Decimal("0")
