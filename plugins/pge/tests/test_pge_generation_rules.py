"""PG&E CCA generation rules, on small hand-made statements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from datafeeds_pge import GENERATION, datafeeds_metadata
from datafeeds_pge.generation import generation_transform

from datafeeds_core.testing import builders
from datafeeds_core.urjanet.model import Account, Charge, Meter, Usage

D = date
OCT, NOV, DEC = D(2017, 10, 4), D(2017, 11, 1), D(2017, 12, 4)


def charge(pk: int, amount: str, start: date, end: date) -> Charge:
    return builders.charge(pk, amount, span=(start, end))


def usage(pk: int, amount: str, start: date, end: date, component: str, unit: str = "kWh") -> Usage:
    return builders.usage(pk, amount, unit, component, span=(start, end))


def meter(
    pk: int,
    start: date,
    end: date,
    charges: Iterable[Charge] = (),
    usages: Iterable[Usage] = (),
) -> Meter:
    return builders.meter(
        pk,
        charges=tuple(charges),
        usages=tuple(usages),
        span=(start, end),
        PODid=f"ESP{pk}",
        Tariff="E-19-S",
    )


def statement(pk: int, issued: date, *meters: Meter) -> Account:
    return builders.statement(
        pk,
        *meters,
        issued=issued,
        UtilityProvider="PeninsulaCleanEnergyCA",
        RawAccountNumber="0000000000-0",
        SourceLink=f"url{pk}",
    )


def test_every_usage_and_a_meter_without_usages_define_periods_pulled_apart_at_the_end() -> None:
    account = statement(
        1,
        D(2017, 11, 13),
        meter(1, OCT, NOV, usages=[usage(1, "7092", OCT, NOV, "[mid_peak, summer]")]),
        meter(2, NOV, D(2017, 11, 2)),  # a one-day meter without usages
    )
    later = statement(2, D(2017, 12, 13), meter(3, D(2017, 11, 2), DEC))

    periods = generation_transform(builders.urjanet_data(account, later)).periods

    assert [(p.start, p.end) for p in periods] == [
        (OCT, D(2017, 10, 30)),
        (D(2017, 10, 31), NOV),
        (D(2017, 11, 2), DEC),
    ]


def test_a_charge_goes_to_the_period_it_shares_most_days_with_if_it_ends_soon_enough() -> None:
    account = statement(
        1,
        D(2017, 11, 13),
        meter(
            1,
            OCT,
            NOV,
            charges=[charge(1, "239.55", OCT, NOV)],
            usages=[usage(1, "7092", OCT, NOV, "[mid_peak, summer]")],
        ),
        meter(
            2,
            NOV,
            D(2017, 11, 2),
            charges=[charge(2, "16.70", NOV, D(2017, 11, 2)), charge(3, "9", NOV, D(2017, 11, 9))],
        ),
    )
    later = statement(2, D(2017, 12, 13), meter(3, D(2017, 11, 2), DEC))

    october, one_day, _ = generation_transform(builders.urjanet_data(account, later)).periods

    # The October charge ends 2 days after its (pulled back) period: still accepted.
    assert [c.PK for c in october.line_items] == [1]
    assert [c.PK for c in one_day.line_items] == [2]  # charge 3 ends a week later: dropped
    assert october.total_charge == Decimal("239.55")


def test_a_tie_between_two_periods_goes_to_the_earlier_one() -> None:
    first = statement(1, D(2018, 1, 10), meter(1, D(2018, 1, 1), D(2018, 1, 11)))
    second = statement(
        2,
        D(2018, 1, 25),
        meter(
            2,
            D(2018, 1, 11),
            D(2018, 1, 21),
            charges=[charge(9, "5", D(2018, 1, 9), D(2018, 1, 12))],
        ),
    )
    # Periods Jan 1-10 and Jan 11-21: the charge shares two days with each.
    periods = generation_transform(builders.urjanet_data(second, first)).periods
    assert [[c.PK for c in p.line_items] for p in periods] == [[9], []]


def test_usage_is_a_total_when_there_is_one_else_total_and_peak_components() -> None:
    def used(*usages: Usage) -> Decimal | None:
        account = statement(1, D(2017, 11, 13), meter(1, OCT, NOV, usages=usages))
        period = builders.only_period(generation_transform(builders.urjanet_data(account)))
        return period.total_usage

    parts = (
        usage(1, "7092", OCT, NOV, "[mid_peak, summer]"),
        usage(2, "12403", OCT, NOV, "[summer, off_peak]"),
        usage(3, "88", OCT, NOV, "[summer, on_peak]", unit="kW"),
        usage(4, "5", OCT, NOV, "[summer]"),
    )
    assert used(*parts) == Decimal("19495")
    assert used(usage(9, "19000", OCT, NOV, "[total]"), *parts) == Decimal("19000")


def test_peak_is_the_max_kw_usage_and_line_items_identify_the_cca() -> None:
    account = statement(
        1,
        D(2017, 11, 13),
        meter(1, OCT, NOV, usages=[usage(1, "87.8658", OCT, NOV, "[summer, on_peak]", "kW")]),
    )
    period = builders.only_period(generation_transform(builders.urjanet_data(account)))
    assert period.peak_demand == Decimal("87.8658")
    assert (period.utility, period.service_id) == ("utility:pce", "ESP1")
    assert period.utility_account_id == "0000000000-0"


def test_the_key_writes_generation_only_partial_bills() -> None:
    metadata = datafeeds_metadata(GENERATION)
    assert metadata is not None and metadata.bill_type == "generation-only"
