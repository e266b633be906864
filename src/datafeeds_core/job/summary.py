"""The "Final Billing Summary" table, laid out as the old system printed it (bill-rules.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from datafeeds_core.logs import printable
from datafeeds_core.urjanet.model import BillingPeriod

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
