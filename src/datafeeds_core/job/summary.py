"""What a job prints about itself: the "Final Billing Summary" table (laid out as the old
scrapers printed it), and its outcome lines, which every executor prints or logs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from datafeeds_core.logs import printable
from datafeeds_core.urjanet.model import BillingPeriod

if TYPE_CHECKING:
    from datafeeds_core.job.pipeline import JobOutcome

BAR = "=" * 80
TITLE = "Final Billing Summary"


def _number(value: Decimal | None) -> str:
    # The old table printed str(float) of each value; None prints literally.
    return str(None if value is None else float(value))


def _row(cells: list[str]) -> str:
    first = "  ".join(f"{c:<10}" for c in cells[:5])
    return (first + "".join(f" {c:<10}" for c in cells[5:])).rstrip()


def billing_summary(
    periods: Iterable[BillingPeriod], with_pdf: set[tuple[str, str]] | None = None
) -> str:
    """Start, End, Cost, Use, Peak, Has PDF, Utility Code; one row per bill."""
    with_pdf = with_pdf or set()
    lines = [
        BAR,
        TITLE,
        BAR,
        _row(["Start", "End", "Cost", "Use", "Peak", "Has PDF", "Utility Code"]),
    ]
    for p in periods:
        has_pdf = (p.start.isoformat(), p.end.isoformat()) in with_pdf
        lines.append(
            _row(
                [
                    p.start.isoformat(),
                    p.end.isoformat(),
                    _number(p.total_charge),
                    _number(p.total_usage if p.total_usage is not None else Decimal(0)),
                    _number(p.peak_demand),
                    str(has_pdf),
                    printable(str(p.tariff)),
                ]
            )
        )
    lines.append(BAR)
    return "\n".join(lines)


def bills_per_service(own: int, counts: Mapping[int, Mapping[str, int]]) -> str:
    """One line per service written: the meter's own, then those it fans out to."""
    lines = ["Bills per service"]
    for service, by_operation in counts.items():
        who = "this meter's service" if service == own else "same SAID and utility"
        numbers = ", ".join(f"{k} {v}" for k, v in by_operation.items())
        lines.append(f"  service {service} ({who}): {numbers}")
    return "\n".join(lines)


COUNT_ORDER = (
    "periods",
    "new",
    "updated",
    "unchanged",
    "replaced",
    "skipped",
    "dropped_statements",
)


def counts_line(counts: Mapping[str, int]) -> str:
    """ "periods 24, new 2, …": the known counts in a fixed order, then any others by name."""
    keys = [k for k in COUNT_ORDER if k in counts] + sorted(set(counts) - set(COUNT_ORDER))
    return ", ".join(f"{k.replace('_', ' ')} {counts[k]}" for k in keys)


def outcome_lines(outcome: JobOutcome) -> list[str]:
    """The dry run's diff (when there is one) and the run's status line with its counts."""
    lines = ["Dry run, nothing written. The bills would be:"] if outcome.diff else []
    for d in outcome.diff:
        lines.append(
            f"  {d['operation']:<10} {d['start']}..{d['end']}  {d.get('reason') or ''}".rstrip()
        )
    counts = f" ({counts_line(outcome.counts)})" if "periods" in outcome.counts else ""
    lines.append(f"run {outcome.run_id}: {outcome.status}{counts}")
    return lines


def outcome_error(outcome: JobOutcome) -> str | None:
    """ "error: …" on one line when the job failed, else None."""
    from datafeeds_core.logs import one_line

    return f"error: {one_line(outcome.error)}" if outcome.error else None
