"""Immutable Urjanet data model (docs/urjanet-rules.md). Field names copy the MySQL columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")


def _slot_init(cls: type[T]) -> type[T]:
    """`cls` (a frozen, slotted dataclass) with an __init__ that stores each field through its
    slot descriptor: the same parameters and defaults as the dataclass's own.

    That one calls `object.__setattr__` per field to get past `frozen`, which made building
    the models as slow as reading their rows (docs/performance.md, item 3). Instances stay
    frozen: assigning a field afterwards still raises.
    """
    params, body, namespace = [], [], {}
    for i, f in enumerate(fields(cls)):  # type: ignore[arg-type]
        if f.default_factory is not MISSING or not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain fields are supported")
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_d{i}"] = f.default
            params.append(f"{f.name}=_d{i}")
        namespace[f"_s{i}"] = cls.__dict__[f.name].__set__
        body.append(f"    _s{i}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: __post_init__ is not supported")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body), namespace)
    init: Any = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@_slot_init
@dataclass(frozen=True, slots=True)
class Usage:
    PK: int
    UsageActualName: str | None = None
    UsageAmount: Decimal | None = None
    RateComponent: str | None = None
    MeasurementType: str | None = None
    EnergyUnit: str | None = None
    IntervalStart: date | None = None
    IntervalEnd: date | None = None


@_slot_init
@dataclass(frozen=True, slots=True)
class Charge:
    PK: int
    ChargeActualName: str | None = None
    ChargeAmount: Decimal | None = None
    ChargeUnitsUsed: Decimal | None = None
    UsageUnit: str | None = None
    ChargeRatePerUnit: Decimal | None = None
    ThirdPartyProvider: str | None = None
    IsAdjustmentCharge: bool | None = None
    IntervalStart: date | None = None
    IntervalEnd: date | None = None
    ChargeId: str | None = None


@_slot_init
@dataclass(frozen=True, slots=True)
class Meter:
    PK: int | None = None
    Tariff: str | None = None
    ServiceType: str | None = None
    PODid: str | None = None
    MeterNumber: str | None = None
    IntervalStart: date | None = None
    IntervalEnd: date | None = None
    charges: tuple[Charge, ...] = ()
    usages: tuple[Usage, ...] = ()


@_slot_init
@dataclass(frozen=True, slots=True)
class Account:
    """One statement."""

    PK: int | None = None
    UtilityProvider: str | None = None
    RawAccountNumber: str | None = None
    AccountNumber: str | None = None
    SourceLink: str | None = None
    StatementType: str | None = None
    StatementDate: date | None = None
    IntervalStart: date | None = None
    IntervalEnd: date | None = None
    TotalBillAmount: Decimal | None = None
    AmountDue: Decimal | None = None
    NewCharges: Decimal | None = None
    OutstandingBalance: Decimal | None = None
    PreviousBalance: Decimal | None = None
    meters: tuple[Meter, ...] = ()
    floating_charges: tuple[Charge, ...] = ()

    def meter_charges(self) -> tuple[Charge, ...]:
        """All charges attached to meters, in meter order then charge order."""
        return tuple(c for m in self.meters for c in m.charges)

    def meter_usages(self) -> tuple[Usage, ...]:
        return tuple(u for m in self.meters for u in m.usages)


@dataclass(frozen=True, slots=True)
class UrjanetData:
    accounts: tuple[Account, ...] = ()


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    """GridiumBillingPeriod: one bill as the platform will store it."""

    start: date
    end: date
    statement: date | None = None
    tariff: str | None = None
    source_urls: tuple[str, ...] = ()
    total_charge: Decimal | None = None
    peak_demand: Decimal | None = None
    total_usage: Decimal | None = None
    line_items: tuple[Charge, ...] = ()
    service_id: str | None = None
    utility_account_id: str | None = None
    utility: str | None = None


@dataclass(frozen=True, slots=True)
class DroppedStatement:
    """A statement the transformer did not turn into a period, and why."""

    PK: int | None
    StatementDate: date | None
    IntervalStart: date | None
    IntervalEnd: date | None
    reason: str

    @classmethod
    def of(cls, account: Account, reason: str) -> DroppedStatement:
        return cls(
            account.PK,
            account.StatementDate,
            account.IntervalStart,
            account.IntervalEnd,
            reason,
        )


@dataclass(frozen=True, slots=True)
class TransformResult:
    periods: tuple[BillingPeriod, ...] = ()
    dropped: tuple[DroppedStatement, ...] = field(default=())


ChargePredicate = Callable[[Charge], bool]
UsagePredicate = Callable[[Usage], bool]
MeterPredicate = Callable[[Meter], bool]
AccountPredicate = Callable[[Account], bool]


def filter_urja_data(
    data: UrjanetData,
    accounts: AccountPredicate | None = None,
    meters: MeterPredicate | None = None,
    charges: ChargePredicate | None = None,
    usages: UsagePredicate | None = None,
) -> UrjanetData:
    """A filtered copy; accounts and meters are kept even when they end up empty."""

    def keep_charges(items: tuple[Charge, ...]) -> tuple[Charge, ...]:
        return tuple(c for c in items if charges(c)) if charges else items

    def keep_usages(items: tuple[Usage, ...]) -> tuple[Usage, ...]:
        return tuple(u for u in items if usages(u)) if usages else items

    out = []
    for account in data.accounts:
        if accounts and not accounts(account):
            continue
        kept_meters = tuple(
            replace(m, charges=keep_charges(m.charges), usages=keep_usages(m.usages))
            for m in account.meters
            if not meters or meters(m)
        )
        out.append(
            replace(
                account,
                meters=kept_meters,
                floating_charges=keep_charges(account.floating_charges),
            )
        )
    return UrjanetData(tuple(out))


def filter_by_date_range(
    data: UrjanetData, after: date | None = None, before: date | None = None
) -> UrjanetData:
    """Keep charges and usages whose IntervalStart lies in [after, before] (both optional)."""

    def inside(d: date | None) -> bool:
        if d is None:  # not "before D": a missing date is kept, not guessed
            return True
        return (after is None or d >= after) and (before is None or d <= before)

    return filter_urja_data(
        data,
        charges=lambda c: inside(c.IntervalStart),
        usages=lambda u: inside(u.IntervalStart),
    )
