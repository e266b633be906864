"""SDG&E statements to billing periods.

SDG&E bills overlap by one day, so a statement's period starts the day after its IntervalStart.
A statement spanning more than 45 days is a correction re-billing several months: it is split
into one period per `[total]` usage interval, each holding the charges of exactly that interval.
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
    newest_first,
    rules,
)

CORRECTION_DAYS = timedelta(days=45)
CAPACITY_RESERVATION = "Capacity Reservation Demand"


def demand_peak(account: Account) -> Decimal | None:
    """The max kW meter charge quantity, except the contracted capacity reservation."""
    return rules.charge_peak(account, lambda c: c.ChargeActualName != CAPACITY_RESERVATION)


VALUES = replace(
    GENERIC_ELECTRIC, total_charge=rules.meter_charges_without_late_fees, peak_demand=demand_peak
)


def day_after_start(begin: date | None, end: date | None) -> Range | None:
    """[begin + 1 day, end): the day SDG&E bills share with the previous bill is dropped."""
    if begin is None or end is None:
        return None
    return (begin + DAY, end)


def split_by_usage(account: Account) -> list[tuple[Range, Account]]:
    """One (period, statement copy) per meter and `[total]` usage of a correction statement.

    The copy holds only that meter, with the usages and charges of exactly the usage's interval.
    """
    pieces = []
    for meter in account.meters:
        for usage in meter.usages:
            if not rules.is_total(usage):
                continue
            span = day_after_start(usage.IntervalStart, usage.IntervalEnd)
            if span is None:
                continue
            interval = (usage.IntervalStart, usage.IntervalEnd)
            piece = replace(
                meter,
                charges=tuple(c for c in meter.charges if _interval(c) == interval),
                usages=tuple(u for u in meter.usages if _interval(u) == interval),
            )
            pieces.append((span, replace(account, meters=(piece,))))
    return pieces


def _interval(item: Charge | Usage) -> tuple[date | None, date | None]:
    return (item.IntervalStart, item.IntervalEnd)


@dataclass(frozen=True)
class SdgeTransformer:
    values: HistoryTransformer = VALUES

    def __call__(self, data: UrjanetData) -> TransformResult:
        dropped: list[DroppedStatement] = []
        candidates = []
        for account in data.accounts:
            reason = self.values.eligible(account)
            if reason:
                dropped.append(DroppedStatement.of(account, reason))
            elif not account.meters:
                dropped.append(DroppedStatement.of(account, "no meters"))
            else:
                candidates.append(account)
        candidates = newest_first(candidates, self.values.order_key)

        history: IntervalSet[Account] = IntervalSet()
        for account in candidates:
            span = self._free_range(history, account)
            if span is None:
                dropped.append(
                    DroppedStatement.of(account, "overlaps a newer statement already taken")
                )
            elif span[1] - span[0] > CORRECTION_DAYS:
                pieces = split_by_usage(account)
                if not pieces:
                    dropped.append(
                        DroppedStatement.of(
                            account, "correction statement without a [total] usage to split by"
                        )
                    )
                for piece_span, piece in pieces:
                    reason = _unusable(history, piece_span)
                    if reason:
                        where = f"correction piece {piece_span[0]}..{piece_span[1]}"
                        dropped.append(DroppedStatement.of(piece, f"{where} {reason}"))
                    else:
                        history.add(*piece_span, piece)
            else:
                history.add(*span, account)

        periods = tuple(
            self.values.billing_period(i.data, i.begin, i.end) for i in history.sorted()
        )
        return TransformResult(periods, tuple(dropped))

    @staticmethod
    def _free_range(history: IntervalSet[Account], account: Account) -> Range | None:
        """The statement's range, else its first meter's, that touches no period taken."""
        meter: Meter = account.meters[0]
        for span in (
            day_after_start(account.IntervalStart, account.IntervalEnd),
            day_after_start(meter.IntervalStart, meter.IntervalEnd),
        ):
            if span is not None and not _unusable(history, span):
                return span
        return None


def _unusable(history: IntervalSet[Account], span: Range) -> str | None:
    """Why `span` cannot become a period: empty, or sharing a day with one already taken.

    Period ends are inclusive, so a period ending on `span`'s first day shares it too (the
    reference only looked a day past the end, and emitted periods sharing a day, which no
    reference period does)."""
    if span[0] >= span[1]:
        return "is empty"
    if history.overlaps(span[0] - DAY, span[1] + DAY):
        return "overlaps a period already taken"
    return None


TRANSFORMER = SdgeTransformer()
