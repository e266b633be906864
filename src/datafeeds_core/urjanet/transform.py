"""The statement-history transformer and the generic electric and water rules.

A transformer is a pure function UrjanetData -> TransformResult. `HistoryTransformer` is the
"latest statement wins" skeleton; each field is a hook a plugin replaces with `dataclasses.replace`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from datafeeds_core.urjanet import rules
from datafeeds_core.urjanet.intervals import DAY, Interval, IntervalSet, shift_endpoints
from datafeeds_core.urjanet.model import (
    Account,
    BillingPeriod,
    Charge,
    DroppedStatement,
    TransformResult,
    UrjanetData,
    interval_of,
)

Range = tuple[date, date]


class Transformer(Protocol):
    def __call__(self, data: UrjanetData) -> TransformResult: ...


def needs_statement_date(account: Account) -> str | None:
    return None if account.StatementDate is not None else "no statement date"


def needs_interval(account: Account) -> str | None:
    if account.IntervalStart is None or account.IntervalEnd is None:
        return "no statement interval"
    return None


def by_statement_date(account: Account) -> Any:
    return account.StatementDate


def by_statement_date_nulls_oldest(account: Account) -> Any:
    """StatementDate, a null date counting as older than any other (sorting never crashes)."""
    return (account.StatementDate is not None, account.StatementDate or date.min)


def by_interval_end_then_pk(account: Account) -> Any:
    """(IntervalEnd, −PK): sorted descending, the latest end first and, for equal ends, the
    lowest PK first. Pair with `eligible=needs_interval` (StatementDate may be null)."""
    return (account.IntervalEnd or date.min, -(account.PK or 0))


def _delivery_order(account: Account) -> tuple[bool, int]:
    return (account.PK is not None, account.PK or 0)


def newest_first(
    accounts: Iterable[Account], key: Callable[[Account], Any] = by_statement_date
) -> list[Account]:
    """`accounts` sorted by `key`, newest first; equal keys in ascending PK order, so the result
    never depends on row order. (The system we replace kept its query order, PK ascending, for
    ties; the reference fixtures depend on it.)"""
    ordered = sorted(accounts, key=_delivery_order)
    ordered.sort(key=key, reverse=True)  # stable: ties keep the PK order
    return ordered


def account_interval(account: Account) -> Range | None:
    return interval_of(account)


def start_plus_one_day(account: Account) -> Range | None:
    """(IntervalStart + 1 day, IntervalEnd), on a copy: the input is never changed."""
    span = account_interval(account)
    return None if span is None else (span[0] + DAY, span[1])


def store_end_minus_one_day(account: Account, span: Range) -> Range:
    """A `stored_range`: the overlap test used the raw span; the stored one ends a day earlier."""
    return (span[0], span[1] - DAY)


def store_start_plus_one_day(account: Account, span: Range) -> Range:
    """A `stored_range`: the overlap test used the raw span; the stored one starts a day later."""
    return (span[0] + DAY, span[1])


def end_minus_one_day(account: Account) -> Range | None:
    """(IntervalStart, IntervalEnd − 1 day), on a copy: the input is never changed."""
    span = account_interval(account)
    return None if span is None else (span[0], span[1] - DAY)


def same_range(account: Account, span: Range) -> Range:
    return span


def statement_date(account: Account) -> date | None:
    return account.StatementDate


def source_links(account: Account) -> tuple[str, ...]:
    return (account.SourceLink,) if account.SourceLink else ()


SUPERSEDED = "superseded: none of its charges or usages went into a period"


def unused_statements(
    accounts: Iterable[Account], used: set[int], reported: set[int]
) -> list[DroppedStatement]:
    """For transformers that fill periods from several statements: the statements
    with meter charges or usages of which none went into an emitted period (`used`: ids of the
    contributing accounts), unless already reported (`reported`: ids). A statement that only
    seeded a period's range, and had nothing else, lost nothing and is not listed."""
    return [
        DroppedStatement.of(a, SUPERSEDED)
        for a in accounts
        if id(a) not in used and id(a) not in reported and (a.meter_charges() or a.meter_usages())
    ]


@dataclass(frozen=True)
class HistoryTransformer:
    """Newest statement first; a statement overlapping one already taken is dropped whole."""

    eligible: Callable[[Account], str | None] = needs_statement_date
    order_key: Callable[[Account], Any] = by_statement_date
    account_range: Callable[[Account], Range | None] = account_interval
    # The interval stored for a statement, given the range its overlap test used.
    stored_range: Callable[[Account, Range], Range] = same_range
    normalise: Callable[[list[Interval[Account]]], list[Interval[Account]]] = shift_endpoints
    total_charge: Callable[[Account], Decimal | None] = rules.new_charges
    total_usage: Callable[[Account], Decimal | None] = rules.generic_usage
    peak_demand: Callable[[Account], Decimal | None] = rules.charge_peak
    tariff: Callable[[Account], str | None] = rules.first_tariff
    line_items: Callable[[Account], tuple[Charge, ...]] = rules.all_line_items
    statement: Callable[[Account], date | None] = statement_date

    def __call__(self, data: UrjanetData) -> TransformResult:
        dropped: list[DroppedStatement] = []
        candidates = []
        for account in data.accounts:
            reason = self.eligible(account)
            if reason:
                dropped.append(DroppedStatement.of(account, reason))
            else:
                candidates.append(account)
        candidates = newest_first(candidates, self.order_key)

        history: IntervalSet[Account] = IntervalSet()
        for account in candidates:
            span = self.account_range(account)
            if span is None or span[0] >= span[1]:
                dropped.append(DroppedStatement.of(account, "zero-length or missing interval"))
                continue
            if history.overlaps(*span):
                dropped.append(
                    DroppedStatement.of(account, "overlaps a newer statement already taken")
                )
                continue
            begin, end = self.stored_range(account, span)
            if begin >= end:
                dropped.append(DroppedStatement.of(account, "zero-length interval"))
                continue
            history.add(begin, end, account)

        periods = []
        for interval in self.normalise(history.sorted()):
            if interval.begin >= interval.end:
                dropped.append(
                    DroppedStatement.of(interval.data, "one-day period touching its neighbour")
                )
                continue
            periods.append(self.billing_period(interval.data, interval.begin, interval.end))
        return TransformResult(tuple(periods), tuple(dropped))

    def billing_period(self, account: Account, start: date, end: date) -> BillingPeriod:
        return BillingPeriod(
            start=start,
            end=end,
            statement=self.statement(account),
            tariff=self.tariff(account),
            source_urls=source_links(account),
            total_charge=self.total_charge(account),
            peak_demand=self.peak_demand(account),
            total_usage=self.total_usage(account),
            line_items=self.line_items(account),
        )


GENERIC_ELECTRIC = HistoryTransformer()
GENERIC_WATER = replace(GENERIC_ELECTRIC, total_charge=rules.water_total, peak_demand=rules.no_peak)
