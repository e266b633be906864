"""Building blocks for billing-period values: totals, usage, peak, tariff.

Every function takes an immutable Account and returns a value; plugins compose them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from datafeeds_core.urjanet.model import Account, Charge, Usage

ZERO = Decimal(0)

# Unit conversion applied to a single-unit usage total; one table for every utility.
CONVERSION_FACTORS: dict[str, Decimal] = {
    "ccf": Decimal("1.0"),
    "gallons": Decimal("0.0013368"),
    "tgal": Decimal("1.3368"),
}
DEFAULT_FACTOR = Decimal("1.0")


def dedupe_usages(
    usages: Iterable[Usage], key: Callable[[Usage], tuple[object, ...]] | None = None
) -> list[Usage]:
    """Keep the first usage of each (UsageAmount, EnergyUnit, IntervalStart, IntervalEnd)."""
    key = key or (lambda u: (u.UsageAmount, u.EnergyUnit, u.IntervalStart, u.IntervalEnd))
    seen: set[tuple[object, ...]] = set()
    out = []
    for usage in usages:
        k = key(usage)
        if k not in seen:
            seen.add(k)
            out.append(usage)
    return out


def conversion_factor(usages: Iterable[Usage]) -> Decimal:
    """The factor for a single distinct unit; a mix of units (or none) is not converted."""
    units = {u.EnergyUnit for u in usages}
    if len(units) == 1:
        (unit,) = units
        return CONVERSION_FACTORS.get((unit or "").strip().lower(), DEFAULT_FACTOR)
    return DEFAULT_FACTOR


def sum_amounts(values: Iterable[Decimal | None]) -> Decimal:
    """Sum in the given order; null amounts count as nothing."""
    total = ZERO
    for value in values:
        if value is not None:
            total += value
    return total


def is_total(usage: Usage) -> bool:
    return usage.RateComponent == "[total]"


def converted_usage(
    account: Account, keep: Callable[[Usage], bool] = is_total, dedupe: bool = True
) -> Decimal:
    """De-duplicated usages passing `keep`, summed and converted when of one unit."""
    usages = account.meter_usages()
    chosen = [u for u in (dedupe_usages(usages) if dedupe else usages) if keep(u)]
    return sum_amounts(u.UsageAmount for u in chosen) * conversion_factor(chosen)


def generic_usage(account: Account) -> Decimal:
    return converted_usage(account)


def max_or_none(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def charge_peak(
    account: Account, keep: Callable[[Charge], bool] = lambda c: True
) -> Decimal | None:
    """The max ChargeUnitsUsed over meter charges in kW (case-sensitive), or null."""
    return max_or_none(
        c.ChargeUnitsUsed for c in account.meter_charges() if c.UsageUnit == "kW" and keep(c)
    )


def usage_peak(account: Account, keep: Callable[[Usage], bool] = lambda u: True) -> Decimal | None:
    """The max UsageAmount over meter usages in kW (case-sensitive), or null."""
    return max_or_none(
        u.UsageAmount for u in account.meter_usages() if u.EnergyUnit == "kW" and keep(u)
    )


def no_peak(account: Account) -> Decimal | None:
    return None


def new_charges(account: Account) -> Decimal | None:
    return account.NewCharges


def total_bill_amount(account: Account) -> Decimal | None:
    return account.TotalBillAmount


def water_total(account: Account, otherwise: Decimal | None = ZERO) -> Decimal | None:
    """NewCharges if positive; else TotalBillAmount when nothing is outstanding; else
    `otherwise` (0 for generic water; None where a utility leaves the total unknown)."""
    new, total = account.NewCharges, account.TotalBillAmount
    if new is not None and new > 0:
        return new
    if new == 0 and account.OutstandingBalance == 0 and total is not None and total > 0:
        return total
    return otherwise


def new_charges_or_balance_difference(account: Account) -> Decimal | None:
    """NewCharges if positive, else TotalBillAmount − OutstandingBalance."""
    new = account.NewCharges
    if new is not None and new > 0:
        return new
    if account.TotalBillAmount is None:
        return None
    return account.TotalBillAmount - (account.OutstandingBalance or ZERO)


def floating_charges_total(account: Account) -> Decimal:
    return sum_amounts(c.ChargeAmount for c in account.floating_charges)


def meter_charges_total(
    account: Account, keep: Callable[[Charge], bool] = lambda c: True
) -> Decimal:
    return sum_amounts(c.ChargeAmount for c in account.meter_charges() if keep(c))


def is_late_fee(charge: Charge) -> bool:
    return charge.ChargeId == "ch.late_fee"


def meter_charges_without_late_fees(account: Account) -> Decimal:
    return meter_charges_total(account, keep=lambda c: not is_late_fee(c))


def first_tariff(account: Account) -> str | None:
    """The first non-empty Meter.Tariff, else null."""
    return next((m.Tariff for m in account.meters if m.Tariff), None)


def all_line_items(account: Account) -> tuple[Charge, ...]:
    """Meter charges (meter order, then charge order), then floating charges."""
    return account.meter_charges() + account.floating_charges


def unique_line_items(account: Account) -> tuple[Charge, ...]:
    """Meter charges, then floating charges, each charge (by PK) once: safe on data where the
    account's charges were loaded as meter charges as well as floating ones (old FPL data)."""
    seen: set[int] = set()
    out = []
    for charge in all_line_items(account):
        if charge.PK not in seen:
            seen.add(charge.PK)
            out.append(charge)
    return tuple(out)


def meter_line_items(account: Account) -> tuple[Charge, ...]:
    return account.meter_charges()
