"""LADWP electric statements to billing periods.

LADWP statements often cover several billing ranges (rate changes, a missed read billed with the
next one), which their charges reveal. So before the usual "latest statement wins" history:
- a statement whose charges show more than one real billing range is widened to cover them all;
- a short statement (under 27 days) is merged with its shorter neighbour when the two together
  still make less than 35 days;
- a statement longer than 45 days is split into one period per charge range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from datafeeds_core.plugin_api import (
    DAY,
    GENERIC_ELECTRIC,
    Account,
    Charge,
    DroppedStatement,
    HistoryTransformer,
    IntervalSet,
    Meter,
    Range,
    TransformResult,
    UrjanetData,
    Usage,
    interval_of,
    newest_first,
    rules,
    shift_endpoints,
)

FULL_BILL_DAYS = 27
MERGED_BILL_DAYS = 35
LONG_BILL = timedelta(days=45)
Span = tuple[date | None, date | None]


def _span(item: Charge | Usage | Meter | Account) -> Span:
    return (item.IntervalStart, item.IntervalEnd)


def _days(account: Account) -> int | None:
    span = interval_of(account)
    return None if span is None else (span[1] - span[0]).days


def billing_ranges(meter: Meter) -> set[Range]:
    """The distinct ranges of the meter's charges that are longer than a day."""
    return {
        (c.IntervalStart, c.IntervalEnd)
        for c in meter.charges
        if c.IntervalStart is not None
        and c.IntervalEnd is not None
        and (c.IntervalEnd - c.IntervalStart).days > 1
    }


def _union(span: Span, ranges: set[Range]) -> Range:
    begins = [b for b, _ in ranges] + ([span[0]] if span[0] is not None else [])
    ends = [e for _, e in ranges] + ([span[1]] if span[1] is not None else [])
    return (min(begins), max(ends))


def widen_to_charges(account: Account) -> Account:
    """A meter whose charges show more than one billing range is widened to cover them all,
    and so is the statement."""
    start, end = _span(account)
    meters = []
    for meter in account.meters:
        ranges = billing_ranges(meter)
        if len(ranges) > 1:
            m_start, m_end = _union(_span(meter), ranges)
            meter = replace(meter, IntervalStart=m_start, IntervalEnd=m_end)
            start, end = _union((start, end), ranges)
        meters.append(meter)
    return replace(account, IntervalStart=start, IntervalEnd=end, meters=tuple(meters))


def merge_short_statements(
    accounts: list[Account], dropped: list[DroppedStatement]
) -> list[Account]:
    """Merge each short statement with its shorter neighbour in `accounts` (newest first) when
    the two make less than 35 days: the merged statement covers both ranges, carries the short
    statement's meters and takes the short statement's place; the neighbour is not emitted
    again. A short statement without meters is left alone (it has nothing to give)."""
    out: list[Account | None] = list(accounts)
    # Entries are replaced as we go: a merged statement stands at the short one's index, and
    # its neighbour's index holds None (a later neighbour is then skipped).
    for index, account in enumerate(out):
        days = _days(account) if account is not None else None
        if account is None or days is None or days >= FULL_BILL_DAYS or not account.meters:
            continue
        choice: tuple[int, int] | None = None
        for position in (index - 1, index + 1):
            other = out[position] if 0 <= position < len(out) else None
            other_days = _days(other) if other is not None else None
            if other_days is not None and (choice is None or other_days < choice[1]):
                choice = (position, other_days)
        if choice is None or days + choice[1] >= MERGED_BILL_DAYS:
            continue
        other = out[choice[0]]
        other_span, own_span = interval_of(other) if other else None, interval_of(account)
        if other is None or other_span is None or own_span is None:
            continue  # unreachable: both have a length
        out[index] = replace(
            other,
            IntervalStart=min(other_span[0], own_span[0]),
            IntervalEnd=max(other_span[1], own_span[1]),
            meters=account.meters,
        )
        out[choice[0]] = None
        dropped.append(DroppedStatement.of(account, f"merged with statement PK={other.PK}"))
    return [a for a in out if a is not None]


def split_by_charge_ranges(account: Account, span: Range) -> list[tuple[Range, Account]]:
    """A long statement as one (range, copy) per charge range other than its own; each copy's
    meters cover that range and keep only its charges (all usages stay)."""
    meter = account.meters[0]
    ranges = sorted(r for r in billing_ranges(meter) if r != span)
    if not ranges:
        first = next((r for c in meter.charges if (r := interval_of(c)) is not None), None)
        if first is None:
            return []
        ranges = [first]
    pieces = []
    for piece in ranges:
        meters = tuple(
            replace(
                m,
                IntervalStart=piece[0],
                IntervalEnd=piece[1],
                charges=tuple(c for c in m.charges if _span(c) == piece),
            )
            for m in account.meters
        )
        pieces.append((piece, replace(account, meters=meters)))
    return pieces


# ---------------------------------------------------------------- period values


def _usage_key(usage: Usage) -> tuple[object, ...]:
    return (
        usage.UsageAmount,
        usage.EnergyUnit,
        usage.RateComponent,
        usage.IntervalStart,
        usage.IntervalEnd,
    )


def _kwh(account: Account, within: Span | None) -> tuple[Decimal, Decimal]:
    total = parts = rules.ZERO
    for usage in rules.dedupe_usages(account.meter_usages(), key=_usage_key):
        if not usage.UsageAmount or usage.EnergyUnit != "kWh":
            continue
        if within is not None and _span(usage) != within:
            continue
        if rules.is_total(usage):
            total += usage.UsageAmount
        else:
            parts += usage.UsageAmount
    return total, parts


def _reconcile(total: Decimal, parts: Decimal) -> Decimal:
    """The `[total]` sum unless it is missing, or exceeds the time-of-use parts by half."""
    if parts == 0:
        return total
    if total == 0:
        return parts
    if int((total - parts) / parts * 100) >= 50:
        return parts
    return total


def kwh_usage(account: Account) -> Decimal:
    """kWh used in the first meter's range; all kWh when that finds nothing."""
    within = _span(account.meters[0]) if account.meters else None
    used = _reconcile(*_kwh(account, within))
    if used == 0 and within is not None:
        used = _reconcile(*_kwh(account, None))
    return used


def demand_peak(account: Account) -> Decimal | None:
    """The max kW usage in the first meter's range, else over all kW usages; a zero peak
    counts as none (null), as in the reference."""
    within = _span(account.meters[0]) if account.meters else None
    kw = [u for u in account.meter_usages() if u.EnergyUnit == "kW"]
    peak = rules.max_or_none(u.UsageAmount for u in kw if _span(u) == within)
    return peak or rules.max_or_none(u.UsageAmount for u in kw) or None


VALUES = replace(
    GENERIC_ELECTRIC,
    total_charge=rules.meter_charges_total,
    total_usage=kwh_usage,
    peak_demand=demand_peak,
)


def _fits(history: IntervalSet[Account], span: Range) -> bool:
    return span[0] < span[1] and not history.overlaps(*span)


def _freeinterval_of(history: IntervalSet[Account], account: Account, latest: bool) -> Range | None:
    """The statement's range (the latest statement's ends a day early: its IntervalEnd is the
    day after its last billed day), else its first meter's, that overlaps no period taken."""
    own = interval_of(account)
    if own is not None and latest:
        own = (own[0], own[1] - DAY)
    for span in (own, interval_of(account.meters[0])):
        if span is not None and _fits(history, span):
            return span
    return None


@dataclass(frozen=True)
class LadwpElectricTransformer:
    values: HistoryTransformer = VALUES

    def __call__(self, data: UrjanetData) -> TransformResult:
        dropped: list[DroppedStatement] = []
        eligible = []
        for account in data.accounts:
            reason = self.values.eligible(account)
            if reason:
                dropped.append(DroppedStatement.of(account, reason))
            else:
                eligible.append(account)
        eligible = newest_first(eligible, self.values.order_key)
        ordered = merge_short_statements([widen_to_charges(a) for a in eligible], dropped)

        history: IntervalSet[Account] = IntervalSet()
        for index, account in enumerate(ordered):
            if not account.meters:
                dropped.append(DroppedStatement.of(account, "no meters"))
                continue
            span = _freeinterval_of(history, account, latest=index == 0)
            if span is None:
                dropped.append(DroppedStatement.of(account, "overlaps a newer statement"))
            elif span[1] - span[0] > LONG_BILL:
                pieces = split_by_charge_ranges(account, span)
                if not pieces:
                    dropped.append(
                        DroppedStatement.of(account, "long statement without a charge range")
                    )
                for piece, copy in pieces:
                    if _fits(history, piece):
                        history.add(*piece, copy)
                    else:
                        where = f"piece {piece[0]}..{piece[1]}"
                        dropped.append(DroppedStatement.of(copy, f"{where} overlaps a period"))
            else:
                history.add(*span, account)

        periods = []
        for interval in shift_endpoints(history.sorted()):
            if interval.begin >= interval.end:
                dropped.append(
                    DroppedStatement.of(interval.data, "one-day period touching its neighbour")
                )
                continue
            periods.append(self.values.billing_period(interval.data, interval.begin, interval.end))
        return TransformResult(tuple(periods), tuple(dropped))


TRANSFORMER = LadwpElectricTransformer()
