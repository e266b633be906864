"""PG&E bill rules, on small hand-made statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Unpack

import pytest
from datafeeds_pge.bills import pge_transform
from datafeeds_pge.utility_codes import utility_code

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account, Charge, Usage

D = date
JAN, FEB, MAR = D(2020, 1, 1), D(2020, 2, 1), D(2020, 3, 1)


def charge(
    pk: int,
    amount: str,
    start: date = JAN,
    end: date = FEB,
    **fields: Unpack[builders.ChargeFields],
) -> Charge:
    return builders.charge(pk, amount, span=(start, end), **fields)


def usage(
    pk: int,
    amount: str,
    start: date = JAN,
    end: date = FEB,
    *,
    EnergyUnit: str = "kWh",
    RateComponent: str = "[total]",
) -> Usage:
    return builders.usage(pk, amount, EnergyUnit, RateComponent, span=(start, end))


def statement(
    pk: int,
    issued: date | None,
    charges: tuple[Charge, ...] = (),
    usages: tuple[Usage, ...] = (),
    provider: str = "PacGAndE",
    meter_range: tuple[date, date] = (JAN, FEB),
) -> Account:
    return builders.statement(
        pk,
        builders.meter(
            pk * 10,
            charges=charges,
            usages=usages,
            span=meter_range,
            PODid="5231532252",
            Tariff="E19",
        ),
        issued=issued,
        span=meter_range,
        UtilityProvider=provider,
        RawAccountNumber="0011060001-1",
        SourceLink=f"url{pk}",
    )


def test_periods_come_from_total_usages_and_a_start_touching_the_previous_end_moves() -> None:
    result = pge_transform(
        builders.urjanet_data(
            statement(1, D(2020, 2, 5), usages=(usage(1, "10"),)),
            statement(2, D(2020, 3, 5), usages=(usage(2, "20", FEB, MAR),)),
            statement(3, D(2020, 3, 6), usages=(usage(3, "5", FEB, MAR, RateComponent="x"),)),
        )
    )
    assert [(p.start, p.end) for p in result.periods] == [(JAN, FEB), (D(2020, 2, 2), MAR)]
    assert [d.PK for d in result.dropped] == [3]


def test_each_kind_comes_from_the_newest_statement_that_has_it() -> None:
    newer = statement(
        2,
        D(2020, 3, 1),
        charges=(charge(21, "80"),),
        usages=(usage(22, "16"),),
    )
    older = statement(1, D(2020, 2, 5), charges=(charge(11, "70"),), usages=(usage(12, "15"),))
    cca = statement(
        3,
        D(2020, 2, 6),
        charges=(charge(31, "40", ThirdPartyProvider="MCE"),),
        provider="MCE",
    )

    (period,) = pge_transform(builders.urjanet_data(older, cca, newer)).periods

    assert [c.PK for c in period.line_items] == [21, 31]  # utility, then third-party
    assert period.total_charge == Decimal("120")
    assert period.total_usage == Decimal("16")
    assert period.source_urls == ("url2", "url3")
    assert period.statement == D(2020, 3, 1)
    assert (period.service_id, period.utility_account_id) == ("5231532252", "0011060001-1")
    assert period.utility == "utility:pge"


def test_a_zero_usage_is_replaced_by_an_older_statements_usage() -> None:
    newer = statement(2, D(2020, 3, 1), usages=(usage(21, "0"),))
    older = statement(1, D(2020, 2, 5), usages=(usage(11, "15"),))
    (period,) = pge_transform(builders.urjanet_data(newer, older)).periods
    assert period.total_usage == Decimal("15")
    assert period.source_urls == ("url2", "url1")


def test_corrections_nem_subtotals_and_charges_running_past_the_period_are_skipped() -> None:
    account = statement(
        1,
        D(2020, 2, 5),
        charges=(
            charge(1, "10"),
            charge(2, "99", ChargeActualName="12/01/2019 - 12/31/2019 Rebill"),
            charge(3, "99", ChargeActualName="TOTAL NEM CHARGES BEFORE TAXES"),
            charge(4, "99", JAN, D(2020, 2, 2)),  # utility charge a day past the end
            charge(5, "7", JAN, D(2020, 2, 2), ThirdPartyProvider="MCE"),  # kept
            charge(6, "99", JAN, D(2020, 2, 3), ThirdPartyProvider="MCE"),  # two days: not
        ),
        usages=(usage(1, "10"),),
    )
    (period,) = pge_transform(builders.urjanet_data(account)).periods
    assert [c.PK for c in period.line_items] == [1, 5]


def test_a_charge_fitting_two_periods_is_placed_in_neither() -> None:
    # A charge over both months is contained by neither and close to neither.
    first = statement(1, D(2020, 2, 5), usages=(usage(1, "10"),))
    second = statement(
        2, D(2020, 3, 5), charges=(charge(21, "5", JAN, MAR),), usages=(usage(2, "20", FEB, MAR),)
    )
    result = pge_transform(builders.urjanet_data(first, second))
    assert [p.line_items for p in result.periods] == [(), ()]


def test_usage_counts_kwh_and_therms_totals_and_peak_is_the_max_kw() -> None:
    account = statement(
        1,
        D(2020, 2, 5),
        usages=(
            usage(1, "100"),
            usage(2, "7", EnergyUnit="therms"),
            usage(3, "50", RateComponent="[on_peak]"),
            usage(4, "9", EnergyUnit="kVARH"),
            usage(5, "35.5", EnergyUnit="kW", RateComponent="[max]"),
        ),
    )
    (period,) = pge_transform(builders.urjanet_data(account)).periods
    assert period.total_usage == Decimal("107")
    assert period.peak_demand == Decimal("35.5")
    without_kw = statement(1, D(2020, 2, 5), usages=(usage(1, "1"),))
    (period,) = pge_transform(builders.urjanet_data(without_kw)).periods
    assert period.peak_demand == 0


def test_a_statement_without_a_date_sorts_as_the_oldest() -> None:
    undated = statement(1, None, charges=(charge(11, "1"),), usages=(usage(12, "1"),))
    dated = statement(2, D(2020, 2, 5), charges=(charge(21, "2"),), usages=(usage(22, "2"),))
    (period,) = pge_transform(builders.urjanet_data(undated, dated)).periods
    assert period.total_charge == Decimal("2")


@pytest.mark.parametrize(
    ("provider", "code"),
    [
        ("PacGAndE", "utility:pge"),
        ("CleanPowerSF", "utility:cpsf"),
        ("MCE", "utility:mce"),
        ("MontereyBayCommunityPowerCA", "utility:ccce"),
        ("CentralCoastCommunityEnergy", "utility:ccce"),
        ("RedwoodCoastEnergyAuthority", "utility:rcea"),
        ("SomeNewCCA", "SomeNewCCA"),
        (None, None),
    ],
)
def test_providers_map_to_platform_utility_codes(provider: str, code: str) -> None:
    assert utility_code(provider) == code
