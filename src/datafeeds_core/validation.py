"""Checks on transformed periods before anything is written (ARCHITECTURE "One job" step 5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from datafeeds_core.urjanet.model import BillingPeriod, DroppedStatement


def _dropped(period: BillingPeriod, reason: str) -> DroppedStatement:
    return DroppedStatement(None, period.statement, period.start, period.end, reason)


def validate_periods(
    periods: Iterable[BillingPeriod], today: date
) -> tuple[tuple[BillingPeriod, ...], tuple[DroppedStatement, ...]]:
    """Keep periods that are non-empty, not in the future and not overlapping an earlier one;
    every period set aside comes back with its reason.

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
