"""Deciding what to write: billing periods → platform rows → one decision each (pure).

Converts periods to rows (rounding and line items: docs/bill-rules.md), keeps the ones in
the job's window, validates them, snaps the first start, and decides each incoming bill against
the service's existing bills. `bill_writer` reads the existing rows and applies the decisions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from datafeeds_core.errors import JobFailed

if TYPE_CHECKING:
    from datafeeds_core.platform.datasources import JobTarget
    from datafeeds_core.urjanet.model import BillingPeriod, Charge

Operation = Literal["new", "updated", "unchanged", "replaced", "skipped"]
OPERATIONS: tuple[Operation, ...] = ("new", "updated", "unchanged", "replaced", "skipped")
PartialProviderType = Literal["generation-only", "tnd-only"]

DAY = timedelta(days=1)
USE_UNITS = ("kwh", "therms", "hcf", "ccf")

# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class BillDecision:
    """What happened (or, in a dry run, would happen) to one incoming bill."""

    operation: Operation
    start: date
    end: date
    cost: float | None
    used: float | None
    peak: float | None
    reason: str | None = None  # why it was skipped
    existing_oid: int | None = None  # the matched, first replaced, or blocking bill
    replaced_oids: tuple[int, ...] = ()  # every bill this one replaces (or supersedes)
    audit: bool = False  # a pending bill audit is created (see `hidden_by_audit`)
    bill_oid: int | None = None  # the row written or kept (a dry run only knows kept rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cost": self.cost,
            "used": self.used,
            "peak": self.peak,
            "reason": self.reason,
            "existing_oid": self.existing_oid,
            "replaced_oids": list(self.replaced_oids),
            "audit": self.audit,
            "bill_oid": self.bill_oid,
        }


@dataclass(frozen=True)
class WriteReport:
    service_oid: int
    dry_run: bool
    decisions: tuple[BillDecision, ...]
    table: Literal["bill", "partial_bill"] = "bill"
    # The same bills written to the other services with the meter's SAID and utility that a
    # meter points at (docs/bill-rules.md, Fan-out).
    fanned_out: tuple[WriteReport, ...] = ()

    def counts(self) -> dict[str, int]:
        """How many incoming bills took each operation on this service (every key present)."""
        out: dict[str, int] = dict.fromkeys(OPERATIONS, 0)
        for decision in self.decisions:
            out[decision.operation] += 1
        return out

    def service_counts(self) -> dict[int, dict[str, int]]:
        """`counts()` per service written: this one first, then each fanned-out service."""
        return {r.service_oid: r.counts() for r in (self, *self.fanned_out)}

    @property
    def has_changes(self) -> bool:
        """Did (or would) anything change on any service: a new, updated or replaced bill."""
        return any(
            d.operation in ("new", "updated", "replaced")
            for r in (self, *self.fanned_out)
            for d in r.decisions
        )

    def as_json(self) -> list[dict[str, Any]]:
        return [d.as_dict() for d in self.decisions]


# ---------------------------------------------------------------- incoming bills


@dataclass(frozen=True)
class IncomingBill:
    """One billing period as a platform row would hold it."""

    initial: date
    closing: date
    cost: float | None
    used: float | None
    peak: float | None
    items: tuple[dict[str, Any], ...] = field(default=(), hash=False)
    attachments: tuple[dict[str, Any], ...] = field(default=(), hash=False)
    utility_code: str | None = None
    # partial bills only
    tariff: str | None = None
    service_id: str | None = None
    utility: str | None = None
    utility_account_id: str | None = None
    scraped: frozenset[str] = frozenset()  # which of the three above came from the period
    third_party_expected: bool | None = None  # Urjanet does not say


def _float(value: Decimal | float | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError, ArithmeticError):
        return None


def _rounded(value: Decimal | float | None, places: int) -> float | None:
    number = _float(value)
    return None if number is None else round(number, places)


def line_item(charge: Charge) -> dict[str, Any]:
    """A bill `items` entry, with a kind and unit from the charge's unit (docs/bill-rules.md)."""
    unit = (charge.UsageUnit or "").lower()
    kind = "demand" if unit == "kw" else "use" if unit in USE_UNITS else "other"
    return {
        "description": charge.ChargeActualName,
        "quantity": _float(charge.ChargeUnitsUsed),
        "rate": _float(charge.ChargeRatePerUnit),
        "total": _float(charge.ChargeAmount),
        "kind": kind,
        "unit": unit if unit == "kw" or unit in USE_UNITS else "other",
    }


def to_bill(period: BillingPeriod, attachments: Sequence[Mapping[str, Any]] = ()) -> IncomingBill:
    """A full bill: use rounded to 4 places (0 when unknown), peak to 4 places or null."""
    used = _rounded(period.total_usage, 4)
    return IncomingBill(
        initial=period.start,
        closing=period.end,
        cost=_float(period.total_charge),
        used=0.0 if used is None else used,
        peak=_rounded(period.peak_demand, 4),
        items=tuple(line_item(c) for c in period.line_items),
        attachments=tuple(dict(a) for a in attachments),
        utility_code=period.tariff,
    )


def to_partial_bill(
    period: BillingPeriod,
    target: JobTarget,
    provider_type: PartialProviderType,
    attachments: Sequence[Mapping[str, Any]] = (),
) -> IncomingBill:
    """A partial bill: cost to 2 places, use and peak to 4; identifiers fall back to the
    service's (its gen_* fields for generation bills)."""
    gen = provider_type == "generation-only"
    fallback = {
        "service_id": target.gen_service_id if gen else target.service_id,
        "utility": target.gen_utility if gen else target.utility,
        "utility_account_id": target.gen_utility_account_id if gen else target.utility_account_id,
    }
    scraped = {
        "service_id": period.service_id,
        "utility": period.utility,
        "utility_account_id": period.utility_account_id,
    }
    value = {k: fallback[k] if v is None else v for k, v in scraped.items()}
    return IncomingBill(
        initial=period.start,
        closing=period.end,
        cost=_rounded(period.total_charge, 2),
        used=_rounded(period.total_usage, 4),
        peak=_rounded(period.peak_demand, 4),
        items=tuple(line_item(c) for c in period.line_items),
        attachments=tuple(dict(a) for a in attachments),
        utility_code=period.tariff,
        tariff=period.tariff,
        service_id=value["service_id"],
        utility=value["utility"],
        utility_account_id=value["utility_account_id"],
        scraped=frozenset(k for k, v in scraped.items() if v is not None),
    )


def validate(bills: Sequence[IncomingBill], today: date) -> list[IncomingBill]:
    """Sorted by start; JobFailed for a bill overlapping another, empty, or ending after today."""
    ordered = sorted(bills, key=lambda b: (b.initial, b.closing))
    for b in ordered:
        if b.closing <= b.initial:
            raise JobFailed(f"bill {b.initial} to {b.closing} is shorter than one day")
        if b.closing > today:
            raise JobFailed(f"bill {b.initial} to {b.closing} ends after today ({today})")
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.initial <= a.closing:
            raise JobFailed(
                f"bills {a.initial} to {a.closing} and {b.initial} to {b.closing} overlap"
            )
    return ordered


def snap_first_start(bills: list[IncomingBill], closings: set[date]) -> list[IncomingBill]:
    """A first bill starting on an existing closing starts a day later (never under a day)."""
    if not bills or bills[0].initial not in closings:
        return bills
    first = replace(bills[0], initial=bills[0].initial + DAY)
    if first.closing <= first.initial:
        raise JobFailed(
            f"bill {bills[0].initial} to {first.closing} starts on an existing bill's closing "
            "date and is shorter than one day once moved"
        )
    return [first, *bills[1:]]


# ---------------------------------------------------------------- deciding


@dataclass(frozen=True)
class ExistingBill:
    oid: int
    initial: date
    closing: date
    cost: float | None
    used: float | None
    peak: float | None
    items: Any
    attachments: Any
    utility_code: str | None
    manual: bool
    stitched: bool = False  # linked to visible, active (not superseded) partial bills
    audited: bool = False
    # partial bills only
    third_party_expected: bool | None = None
    service_id: str | None = None
    utility: str | None = None
    utility_account_id: str | None = None


@dataclass(frozen=True)
class Plan:
    incoming: IncomingBill
    decision: BillDecision


def _intersects(a: IncomingBill, b: ExistingBill) -> bool:
    return a.initial <= b.closing and b.initial <= a.closing


def _lost_values(incoming: IncomingBill, existing: ExistingBill) -> str | None:
    """An update must not replace use by zero, nor a peak by nothing."""
    if incoming.cost and not incoming.used and existing.used:
        return f"incoming bill has cost but no use while bill {existing.oid} has use"
    if incoming.peak is None and existing.peak is not None:
        return f"incoming bill has no peak while bill {existing.oid} has one"
    return None


def _protected(existing: ExistingBill) -> str | None:
    if existing.manual:
        return f"bill {existing.oid} was entered manually and is never overwritten"
    if existing.stitched:
        return f"bill {existing.oid} is stitched from partial bills"
    return None


def bill_matches(incoming: IncomingBill, existing: ExistingBill) -> bool:
    """The incoming values are already on the row (empty items/attachments compare as equal)."""
    if incoming.items and list(incoming.items) != (existing.items or []):
        return False
    if incoming.attachments and list(incoming.attachments) != (existing.attachments or []):
        return False
    return (
        incoming.cost == existing.cost
        and incoming.used == existing.used
        and incoming.peak == existing.peak
        and incoming.utility_code == existing.utility_code
    )


def _sorted_json(values: Any) -> list[str]:
    return sorted(json.dumps(v, sort_keys=True) for v in values or [])


def partial_matches(incoming: IncomingBill, existing: ExistingBill) -> bool:
    """Nothing differs (docs/bill-rules.md, Partial bills); identifiers only when carried."""
    if (
        incoming.cost != existing.cost
        or incoming.used != existing.used
        or incoming.peak != existing.peak
        or list(incoming.attachments) != list(existing.attachments or [])
        or _sorted_json(incoming.items) != _sorted_json(existing.items)
        or incoming.third_party_expected != existing.third_party_expected
    ):
        return False
    if incoming.utility_code is not None and incoming.utility_code != existing.utility_code:
        return False
    return all(getattr(incoming, k) == getattr(existing, k) for k in incoming.scraped)


def _decision(incoming: IncomingBill, operation: Operation, **kwargs: Any) -> BillDecision:
    return BillDecision(
        operation=operation,
        start=incoming.initial,
        end=incoming.closing,
        cost=incoming.cost,
        used=incoming.used,
        peak=incoming.peak,
        **kwargs,
    )


def hidden_by_audit(decision: BillDecision) -> bool:
    """Is the bill written hidden (visible=false) until its audit is done?

    Only a new bill that replaces nothing, as the old system did (docs/bill-rules.md): a bill
    that replaces bills takes the place of a month the customer could already see, and hiding it
    would make that month disappear. It is audited all the same.
    """
    return decision.audit and decision.operation == "new"


def plan_bills(
    incoming: Sequence[IncomingBill],
    existing: Sequence[ExistingBill],
    *,
    audit: bool = False,
    matches: Callable[[IncomingBill, ExistingBill], bool] = bill_matches,
) -> list[Plan]:
    """Decide each incoming bill against the existing ones (pure; incoming already validated).

    `audit`: the service is enrolled in bill audit, so new and updated bills without an audit
    get one. With `matches=partial_matches` this is the partial-bill (supersede) flavour.
    """
    plans = []
    for bill_in in incoming:
        exact = [
            e for e in existing if (e.initial, e.closing) == (bill_in.initial, bill_in.closing)
        ]
        if len(exact) == 1:
            found = exact[0]
            reason = _protected(found) or _lost_values(bill_in, found)
            if reason:
                decision = _decision(bill_in, "skipped", reason=reason, existing_oid=found.oid)
            elif matches(bill_in, found):
                decision = _decision(
                    bill_in, "unchanged", existing_oid=found.oid, bill_oid=found.oid
                )
            else:
                decision = _decision(
                    bill_in, "updated", existing_oid=found.oid, audit=audit and not found.audited
                )
            plans.append(Plan(bill_in, decision))
            continue
        overlapped = [e for e in existing if _intersects(bill_in, e)]
        blocked = [(e, _protected(e)) for e in overlapped if _protected(e)]
        if blocked:
            found, reason = blocked[0]
            decision = _decision(bill_in, "skipped", reason=reason, existing_oid=found.oid)
        elif overlapped:
            oids = tuple(e.oid for e in overlapped)
            decision = _decision(
                bill_in, "replaced", existing_oid=oids[0], replaced_oids=oids, audit=audit
            )
        else:
            decision = _decision(bill_in, "new", audit=audit)
        plans.append(Plan(bill_in, decision))
    return plans
