"""PG&E statements to billing periods.

A PG&E statement may re-bill months and may carry a CCA's (third-party) charges; the periods come
from `[total]` usage ranges, newest statement first, and every statement's charges and usages are
then placed in the period they fit best. A period takes utility charges, third-party charges and
usages each from the first (newest) statement that has them.
"""

from __future__ import annotations

from datetime import date

from datafeeds_core.plugin_api import (
    DAY,
    Account,
    BillingPeriod,
    Interval,
    IntervalIndex,
    IntervalSet,
    TransformResult,
    UrjanetData,
    by_statement_date_nulls_oldest,
    interval_of,
    merge_overlaps,
    newest_first,
    rules,
    shift_endpoints_start,
)
from datafeeds_pge.placement import (
    Found,
    Slot,
    billing_period,
    fill,
    is_correction,
    is_nem_total,
    kwh_or_therms_total,
    only_fit,
    periods_and_dropped,
)


def usage_ranges(account: Account) -> list[tuple[date, date]]:
    """The ranges of the statement's `[total]` usages (a zero-length usage stands for its
    meter's range), overlapping ones merged."""
    ranges = []
    for meter in account.meters:
        for usage in meter.usages:
            if not rules.is_total(usage):
                continue
            span = interval_of(usage)
            if span is None or span[0] >= span[1]:
                span = interval_of(meter)
            if span is not None and span[0] < span[1]:
                ranges.append(span)
    return merge_overlaps(ranges)


def rough_out(accounts: list[Account]) -> IntervalSet[Slot]:
    history: IntervalSet[Slot] = IntervalSet()
    for account in accounts:
        for begin, end in reversed(usage_ranges(account)):
            if not history.overlaps(begin, end):
                history.add(begin, end, Slot(account))
    return history


def place_statement(account: Account, index: IntervalIndex[Slot]) -> dict[int, Found]:
    found: dict[int, Found] = {}
    for charge in account.meter_charges():
        span = interval_of(charge)
        period = only_fit(index, *span) if span else None
        if period is None or span is None:
            continue
        what = found.setdefault(id(period), Found())
        if span[1] <= period.end:
            if is_correction(charge) or is_nem_total(charge):
                continue
            (what.third_party if charge.ThirdPartyProvider else what.utility).append(charge)
        elif span[1] == period.end + DAY and charge.ThirdPartyProvider:
            what.third_party.append(charge)
    for usage in account.meter_usages():
        span = interval_of(usage)
        period = only_fit(index, *span) if span else None
        if period is not None:
            found.setdefault(id(period), Found()).usages.append(usage)
    return found


def period_of(interval: Interval[Slot]) -> BillingPeriod:
    slot = interval.data
    charges = (slot.utility or []) + (slot.third_party or [])
    return billing_period(interval, charges, kwh_or_therms_total)


def pge_transform(data: UrjanetData) -> TransformResult:
    accounts = newest_first(data.accounts, by_statement_date_nulls_oldest)
    history = rough_out(accounts)
    index = IntervalIndex(shift_endpoints_start(history.sorted()))
    slots = {id(i): i for i in index}
    for account in accounts:
        fill(place_statement(account, index), slots, account, kwh_or_therms_total)

    return periods_and_dropped(
        accounts, index, period_of, "defines no period (no [total] usage range, or overlapped)"
    )
