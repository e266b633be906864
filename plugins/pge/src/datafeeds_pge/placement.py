"""Periods being filled from several statements, and the "best fit" that places a charge or a
usage into one of them. Shared by the bill and the generation transformers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from datafeeds_core.plugin_api import (
    DAY,
    Account,
    BillingPeriod,
    Charge,
    DroppedStatement,
    Interval,
    IntervalIndex,
    TransformResult,
    Usage,
    rules,
    unused_statements,
)
from datafeeds_pge.utility_codes import utility_code

# A charge that re-bills an earlier range names it: "01/02/2019 - 02/01/2019 …".
CORRECTION = re.compile(r"^\d*/\d*/\d* - \d*/\d*/\d*")
NEM_TOTAL = "total nem charges before taxes"


def is_correction(charge: Charge) -> bool:
    return bool(CORRECTION.match(charge.ChargeActualName or ""))


def is_nem_total(charge: Charge) -> bool:
    """The net-metering subtotal line, which repeats charges already listed."""
    return NEM_TOTAL in (charge.ChargeActualName or "").lower()


@dataclass
class Slot:
    """One period: seeded by the statement that defined it; each kind of data is taken from the
    first statement that supplies it."""

    seed: Account
    utility: list[Charge] | None = None
    third_party: list[Charge] | None = None
    usages: list[Usage] | None = None
    sources: list[str] = field(default_factory=list)
    contributors: set[int] = field(default_factory=set)  # ids of the statements it took from

    def contributed(self, account: Account) -> None:
        self.contributors.add(id(account))
        if account.SourceLink and account.SourceLink not in self.sources:
            self.sources.append(account.SourceLink)


@dataclass
class Found:
    """What one statement has for each period it touches."""

    utility: list[Charge] = field(default_factory=list)
    third_party: list[Charge] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)


def close_or_containing(period: Interval[Slot], start: date, end: date) -> bool:
    """The period contains [start, end), or both its ends are within a day of them."""
    if period.begin <= start and end <= period.end:
        return True
    return abs(period.begin - start) <= DAY and abs(period.end - end) <= DAY


def only_fit(index: IntervalIndex[Slot], start: date, end: date) -> Interval[Slot] | None:
    """The one period that contains [start, end) or has both ends within a day of it."""
    for begin, until in ((start, end), (start, end + DAY), (start - DAY, end)):
        found = [p for p in index.range_query(begin, until) if close_or_containing(p, start, end)]
        if found:
            return found[0] if len(found) == 1 else None
    return None


def overlap_days(period: Interval[Slot], start: date, end: date) -> int:
    """Days shared by [start, end] and [period.begin, period.end], both inclusive."""
    return (min(period.end, end) - max(period.begin, start)).days + 1


def widest_fit(index: IntervalIndex[Slot], start: date, end: date) -> Interval[Slot] | None:
    """The period sharing the most days with [start, end] among those overlapping it widened a
    day at the start (else at the end); on a tie the earliest."""
    found = index.range_query(start - DAY, end) or index.range_query(start, end + DAY)
    return max(found, key=lambda p: overlap_days(p, start, end), default=None)


def fill(
    found: dict[int, Found],
    slots: dict[int, Interval[Slot]],
    account: Account,
    usage_total: Callable[[Iterable[Usage]], Decimal],
) -> None:
    """Give each period this statement's data of the kinds it does not have yet; usages also
    replace usages that sum to nothing."""
    for key, what in found.items():
        slot = slots[key].data
        took = False
        if what.utility and slot.utility is None:
            slot.utility = what.utility
            took = True
        if what.third_party and slot.third_party is None:
            slot.third_party = what.third_party
            took = True
        if what.usages and (slot.usages is None or usage_total(slot.usages) == 0):
            slot.usages = what.usages
            took = True
        if took:
            slot.contributed(account)


def kwh_or_therms_total(usages: Iterable[Usage]) -> Decimal:
    """The `[total]` usages in kWh or therms."""
    return rules.sum_amounts(
        u.UsageAmount for u in usages if rules.is_total(u) and u.EnergyUnit in ("kWh", "therms")
    )


def periods_and_dropped(
    accounts: Sequence[Account],
    index: IntervalIndex[Slot],
    period_of: Callable[[Interval[Slot]], BillingPeriod],
    no_period_reason: str,
) -> TransformResult:
    """The filled periods as billing periods; statements that seed none, seed a zero-length one
    or contribute to none are dropped, each reported once."""
    seeds = {id(i.data.seed) for i in index}
    dropped = [DroppedStatement.of(a, no_period_reason) for a in accounts if id(a) not in seeds]
    reported = {id(a) for a in accounts if id(a) not in seeds}
    periods = []
    used: set[int] = set()
    for interval in index:
        if interval.begin >= interval.end:
            dropped.append(DroppedStatement.of(interval.data.seed, "zero-length period"))
            reported.add(id(interval.data.seed))
            continue
        used |= interval.data.contributors
        periods.append(period_of(interval))
    dropped += unused_statements(accounts, used, reported)
    return TransformResult(tuple(periods), tuple(dropped))


def billing_period(
    interval: Interval[Slot],
    charges: list[Charge],
    usage_total: Callable[[Iterable[Usage]], Decimal],
) -> BillingPeriod:
    """The billing period of a filled `interval` whose line items are `charges`."""
    slot = interval.data
    usages = slot.usages or []
    seed = slot.seed
    return BillingPeriod(
        start=interval.begin,
        end=interval.end,
        statement=seed.StatementDate,
        tariff=rules.first_tariff(seed),
        source_urls=tuple(slot.sources),
        total_charge=rules.sum_amounts(c.ChargeAmount for c in charges),
        peak_demand=rules.max_or_none(u.UsageAmount for u in usages if u.EnergyUnit == "kW")
        or rules.ZERO,
        total_usage=usage_total(usages),
        line_items=tuple(charges),
        service_id=next((m.PODid for m in seed.meters), None),
        utility_account_id=seed.RawAccountNumber,
        utility=utility_code(seed.UtilityProvider),
    )
