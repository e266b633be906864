"""Checks on transformed periods before anything is written (docs/bill-rules.md, Validate)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from datafeeds_core.plugin_api.contract import DEFAULT_MAX_PERIOD_DAYS
from datafeeds_core.urjanet.model import BillingPeriod, DroppedStatement

# No Urjanet statement is older than this; an earlier date is a placeholder or a typo.
EARLIEST_PERIOD_START = date(1990, 1, 1)


def implausible(start: date, end: date, max_days: int = DEFAULT_MAX_PERIOD_DAYS) -> str | None:
    """Why [start, end] cannot be one billing period of a utility whose longest is `max_days`
    (None when it can)."""
    if start < EARLIEST_PERIOD_START:
        return f"implausible period {start}..{end}: starts before {EARLIEST_PERIOD_START}"
    days = (end - start).days
    if days > max_days:
        return (
            f"implausible period {start}..{end}: {days} days long "
            f"(the utility's longest is {max_days})"
        )
    return None


def _dropped(period: BillingPeriod, reason: str) -> DroppedStatement:
    return DroppedStatement(None, period.statement, period.start, period.end, reason)


def validate_periods(
    periods: Iterable[BillingPeriod], today: date, max_days: int = DEFAULT_MAX_PERIOD_DAYS
) -> tuple[tuple[BillingPeriod, ...], tuple[DroppedStatement, ...]]:
    """Keep periods that are non-empty, plausible (at most `max_days` long, the plugin's
    `max_period_days`; starting after EARLIEST_PERIOD_START), not in the future and not
    overlapping an earlier one; every period set aside comes back with its reason.

    Period ends are inclusive (as the bill writer reads them): a period starting on the day an
    earlier one ends overlaps it by that day, and is set aside here rather than failing the
    whole write."""
    kept: list[BillingPeriod] = []
    dropped: list[DroppedStatement] = []
    for period in sorted(periods, key=lambda p: (p.start, p.end)):
        if period.end <= period.start:
            dropped.append(
                _dropped(period, f"zero-length or reversed period {period.start}..{period.end}")
            )
        elif period.end > today:
            dropped.append(_dropped(period, f"ends in the future ({period.end} > {today})"))
        elif reason := implausible(period.start, period.end, max_days):
            dropped.append(_dropped(period, reason))
        elif kept and period.start <= kept[-1].end:
            previous = kept[-1]
            dropped.append(
                _dropped(period, f"overlaps the period {previous.start}..{previous.end}")
            )
        else:
            kept.append(period)
    return tuple(kept), tuple(dropped)


def in_window(
    periods: Iterable[BillingPeriod], start: date, end: date
) -> tuple[BillingPeriod, ...]:
    """Periods overlapping [start, end): start inclusive, end exclusive."""
    return tuple(p for p in periods if p.start < end and p.end >= start)
