"""LADWP water statements to billing periods.

Periods come from meter ranges, newest statement first. Charges and usages are then placed in the
period that contains their start day, and a period takes each kind (charges, usages) from the
first statement that supplies it: a re-billed month keeps the newer statement's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from datafeeds_core.plugin_api import (
    Account,
    BillingPeriod,
    Charge,
    DroppedStatement,
    IntervalIndex,
    IntervalSet,
    TransformResult,
    UrjanetData,
    Usage,
    by_statement_date_nulls_oldest,
    merge_overlaps,
    newest_first,
    rules,
    shift_endpoints,
    unused_statements,
)


@dataclass
class _Period:
    """A period being filled: each kind comes from one statement only."""

    seed: Account
    charges: list[Charge] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)
    charges_from: int | None = None  # position of the statement that supplied the charges
    usages_from: int | None = None
    sources: list[str] = field(default_factory=list)
    contributors: set[int] = field(default_factory=set)  # ids of the statements it took from


def meter_ranges(account: Account) -> list[tuple[date, date]]:
    """The statement's meter ranges, overlapping ones merged; empty ranges left out."""
    return merge_overlaps(
        (m.IntervalStart, m.IntervalEnd)
        for m in account.meters
        if m.IntervalStart is not None
        and m.IntervalEnd is not None
        and m.IntervalStart < m.IntervalEnd
    )


def _place(index: IntervalIndex[_Period], day: date | None) -> _Period | None:
    if day is None:
        return None
    hits = index.point_query(day)
    return hits[0].data if len(hits) == 1 else None


def _note_source(period: _Period, account: Account) -> None:
    period.contributors.add(id(account))
    if account.SourceLink and account.SourceLink not in period.sources:
        period.sources.append(account.SourceLink)


def water_transform(data: UrjanetData) -> TransformResult:
    dropped: list[DroppedStatement] = []
    accounts = newest_first(data.accounts, by_statement_date_nulls_oldest)

    history: IntervalSet[_Period] = IntervalSet()
    reported: set[int] = set()
    for account in accounts:
        ranges = meter_ranges(account)
        added = False
        for begin, end in ranges:
            if not history.overlaps(begin, end):
                history.add(begin, end, _Period(account))
                added = True
        if not added:
            reason = "no meter range" if not ranges else "overlaps a newer statement"
            dropped.append(DroppedStatement.of(account, reason))
            reported.add(id(account))

    index = IntervalIndex(history.sorted())
    for position, account in enumerate(accounts):
        for charge in account.meter_charges():
            period = _place(index, charge.IntervalStart)
            if period is not None and period.charges_from in (None, position):
                period.charges_from = position
                period.charges.append(charge)
                _note_source(period, account)
        for usage in account.meter_usages():
            period = _place(index, usage.IntervalStart)
            if period is not None and period.usages_from in (None, position):
                period.usages_from = position
                period.usages.append(usage)
                _note_source(period, account)

    periods = []
    used: set[int] = set()
    for interval in shift_endpoints(history.sorted()):
        period = interval.data
        if interval.begin >= interval.end:
            dropped.append(
                DroppedStatement.of(period.seed, "one-day period touching its neighbour")
            )
            reported.add(id(period.seed))
            continue
        used |= period.contributors
        periods.append(
            BillingPeriod(
                start=interval.begin,
                end=interval.end,
                statement=period.seed.StatementDate,
                tariff=rules.first_tariff(period.seed),
                source_urls=tuple(period.sources),
                total_charge=rules.sum_amounts(c.ChargeAmount for c in period.charges),
                peak_demand=None,
                total_usage=rules.sum_amounts(
                    u.UsageAmount for u in period.usages if rules.is_total(u)
                ),
                line_items=tuple(period.charges),
            )
        )
    dropped += unused_statements(accounts, used, reported)
    return TransformResult(tuple(periods), tuple(dropped))
