"""PG&E CCA generation statements (xml delivery) to billing periods.

The skeleton of the bill transformer, with the generation statements' own habits: every usage
(and a meter without usages, by its range) defines a period; ends are pulled back so periods do
not touch; a charge goes to the period it shares the most days with; all charges are generation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from datafeeds_core.plugin_api import (
    DAY,
    Account,
    BillingPeriod,
    Interval,
    IntervalIndex,
    IntervalSet,
    TransformResult,
    UrjanetData,
    Usage,
    by_statement_date_nulls_oldest,
    interval_of,
    merge_overlaps,
    newest_first,
    rules,
    shift_endpoints_end,
)
from datafeeds_pge.placement import (
    Found,
    Slot,
    billing_period,
    fill,
    is_correction,
    is_nem_total,
    periods_and_dropped,
    widest_fit,
)

ENERGY_UNITS = ("kWh", "therms")


def statement_ranges(account: Account) -> list[tuple[date, date]]:
    """The ranges of all the statement's usages (a meter without usages: its own range),
    overlapping ones merged; a zero-length usage stands for its meter's range."""
    ranges = []
    for meter in account.meters:
        meter_span = interval_of(meter)
        spans = [interval_of(u) for u in meter.usages] if meter.usages else [meter_span]
        for span in spans:
            if span is None or span[0] >= span[1]:
                span = meter_span
            if span is not None and span[0] < span[1]:
                ranges.append(span)
    return merge_overlaps(ranges)


def generation_usage(usages: Iterable[Usage]) -> Decimal:
    """A `[total]` kWh/therms usage if there is one; else the kWh/therms usages whose rate
    component names a total or a peak period."""
    energy = [u for u in usages if u.EnergyUnit in ENERGY_UNITS]
    total = next((u for u in energy if rules.is_total(u)), None)
    if total is not None:
        return total.UsageAmount if total.UsageAmount is not None else rules.ZERO
    return rules.sum_amounts(
        u.UsageAmount
        for u in energy
        if "total" in (u.RateComponent or "") or "peak" in (u.RateComponent or "")
    )


def place_statement(account: Account, index: IntervalIndex[Slot]) -> dict[int, Found]:
    found: dict[int, Found] = {}
    for charge in account.meter_charges():
        span = interval_of(charge)
        period = widest_fit(index, *span) if span else None
        if period is None or span is None:
            continue
        if span[1] <= period.end + 2 * DAY and not (is_correction(charge) or is_nem_total(charge)):
            found.setdefault(id(period), Found()).utility.append(charge)
    for usage in account.meter_usages():
        span = interval_of(usage)
        period = widest_fit(index, *span) if span else None
        if period is not None:
            found.setdefault(id(period), Found()).usages.append(usage)
    return found


def period_of(interval: Interval[Slot]) -> BillingPeriod:
    return billing_period(interval, interval.data.utility or [], generation_usage)


def generation_transform(data: UrjanetData) -> TransformResult:
    accounts = newest_first(data.accounts, by_statement_date_nulls_oldest)
    history: IntervalSet[Slot] = IntervalSet()
    for account in accounts:
        for begin, end in reversed(statement_ranges(account)):
            if not history.overlaps(begin, end):
                history.add(begin, end, Slot(account))
    index = IntervalIndex(shift_endpoints_end(history.sorted()))
    slots = {id(i): i for i in index}
    for account in accounts:
        fill(place_statement(account, index), slots, account, generation_usage)

    return periods_and_dropped(
        accounts, index, period_of, "defines no period (no usage or meter range, or overlapped)"
    )
