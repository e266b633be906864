"""FPL: generic electric rules, each charge listed once (SPEC §4.1, §8.7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_fpl import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def charge(pk: int, amount: str, unit: str = "", used: str | None = None) -> Charge:
    return Charge(
        PK=pk,
        ChargeAmount=Decimal(amount),
        UsageUnit=unit,
        ChargeUnitsUsed=Decimal(used) if used is not None else None,
    )


def stmt(meters: tuple[Meter, ...], floating: tuple[Charge, ...]) -> Account:
    return Account(
        PK=1,
        StatementDate=date(2020, 2, 3),
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
        NewCharges=Decimal("321.09"),
        meters=meters,
        floating_charges=floating,
    )


def test_charges_loaded_as_meter_and_floating_charges_are_listed_once():
    demand, energy, tax = (
        charge(1, "100", "kW", "75"),
        charge(2, "200", "kWh", "1000"),
        charge(3, "21.09"),
    )
    usage = Usage(
        PK=9,
        UsageAmount=Decimal(1000),
        EnergyUnit="kWh",
        RateComponent="[total]",
        IntervalStart=JAN[0],
        IntervalEnd=JAN[1],
    )
    # The shape of the reference input: every account charge under the meter, and the
    # floating ones again as floating charges.
    data = UrjanetData(
        (
            stmt(
                (Meter(PK=5, Tariff="GSLD-1", charges=(demand, energy, tax), usages=(usage,)),),
                (tax,),
            ),
        )
    )
    (period,) = TRANSFORMER(data).periods
    assert [c.PK for c in period.line_items] == [1, 2, 3]
    assert (period.total_charge, period.total_usage, period.peak_demand, period.tariff) == (
        Decimal("321.09"),
        Decimal(1000),
        Decimal(75),
        "GSLD-1",
    )


def test_peak_counts_a_kw_charge_that_is_only_floating():
    # Loaded where they belong, a floating kW charge still counts, as it did when the system we
    # replace loaded every account charge under the meter.
    data = UrjanetData(
        (
            stmt(
                (Meter(PK=5, charges=(charge(1, "10", "kW", "40"),)),),
                (charge(2, "5", "kW", "55"),),
            ),
        )
    )
    (period,) = TRANSFORMER(data).periods
    assert period.peak_demand == Decimal(55)
    assert [c.PK for c in period.line_items] == [1, 2]


def test_several_meters_are_accepted():
    data = UrjanetData(
        (
            stmt(
                (Meter(PK=5, charges=(charge(1, "1"),)), Meter(PK=6, charges=(charge(2, "2"),))), ()
            ),
        )
    )
    (period,) = TRANSFORMER(data).periods
    assert [c.PK for c in period.line_items] == [1, 2]
    assert period.peak_demand is None
