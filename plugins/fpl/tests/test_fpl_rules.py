"""FPL: generic electric rules, each charge listed once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_fpl import TRANSFORMER

from datafeeds_core.testing import builders
from datafeeds_core.testing.builders import meter, only_period, statement, urjanet_data, usage
from datafeeds_core.urjanet.model import Account, Charge, Meter

JAN = (date(2020, 1, 1), date(2020, 2, 1))


def charge(pk: int, amount: str, unit: str = "", used: str | None = None) -> Charge:
    return builders.charge(pk, amount, unit=unit, used=used)


def stmt(meters: tuple[Meter, ...], floating: tuple[Charge, ...]) -> Account:
    return statement(
        1,
        *meters,
        issued=date(2020, 2, 3),
        span=JAN,
        NewCharges=Decimal("321.09"),
        floating=floating,
    )


def test_charges_loaded_as_meter_and_floating_charges_are_listed_once() -> None:
    demand, energy, tax = (
        charge(1, "100", "kW", "75"),
        charge(2, "200", "kWh", "1000"),
        charge(3, "21.09"),
    )
    kwh = usage(9, 1000, span=JAN)
    # The shape of the reference input: every account charge under the meter, and the
    # floating ones again as floating charges.
    data = urjanet_data(
        stmt((meter(5, charges=(demand, energy, tax), usages=(kwh,), Tariff="GSLD-1"),), (tax,))
    )
    period = only_period(TRANSFORMER(data))
    assert [c.PK for c in period.line_items] == [1, 2, 3]
    assert (period.total_charge, period.total_usage, period.peak_demand, period.tariff) == (
        Decimal("321.09"),
        Decimal(1000),
        Decimal(75),
        "GSLD-1",
    )


def test_peak_counts_a_kw_charge_that_is_only_floating() -> None:
    # Loaded where they belong, a floating kW charge still counts, as it did when the system we
    # replace loaded every account charge under the meter.
    data = urjanet_data(
        stmt((meter(5, charges=(charge(1, "10", "kW", "40"),)),), (charge(2, "5", "kW", "55"),))
    )
    period = only_period(TRANSFORMER(data))
    assert period.peak_demand == Decimal(55)
    assert [c.PK for c in period.line_items] == [1, 2]


def test_several_meters_are_accepted() -> None:
    data = urjanet_data(
        stmt((meter(5, charges=(charge(1, "1"),)), meter(6, charges=(charge(2, "2"),))), ())
    )
    period = only_period(TRANSFORMER(data))
    assert [c.PK for c in period.line_items] == [1, 2]
    assert period.peak_demand is None
