"""Builders of Urjanet statements for tests: `statement`, `meter`, `charge`, `usage` and
`urjanet_data` (the statements as UrjanetData).

Each takes the few values a rule test varies as arguments (amounts as strings, periods as
`span=(start, end)`) and any other column of the model by its own name, type-checked:

    january = (date(2020, 1, 1), date(2020, 2, 1))
    bill = statement(
        1,
        meter(10, usages=(usage(100, "12.5", span=january),), Tariff="E19"),
        issued=date(2020, 2, 5),
        span=january,
        NewCharges=Decimal("40"),
    )
    result = TRANSFORMER(urjanet_data(bill))

`spans(result)` and `only_period(result)` read a transformer's result back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from datafeeds_core.urjanet.model import (
    Account,
    BillingPeriod,
    Charge,
    Meter,
    TransformResult,
    UrjanetData,
    Usage,
)

# An amount as a test writes it: "12.50" (exact), or a Decimal or int.
Amount = Decimal | str | int
# IntervalStart, IntervalEnd.
Span = tuple[date | None, date | None]


class UsageFields(TypedDict, total=False):
    """The columns of a Usage that `usage` takes by name."""

    UsageActualName: str | None
    MeasurementType: str | None


class ChargeFields(TypedDict, total=False):
    """The columns of a Charge that `charge` takes by name."""

    ChargeActualName: str | None
    ChargeRatePerUnit: Decimal | None
    ThirdPartyProvider: str | None
    IsAdjustmentCharge: bool | None
    ChargeId: str | None


class MeterFields(TypedDict, total=False):
    """The columns of a Meter that `meter` takes by name."""

    Tariff: str | None
    ServiceType: str | None
    PODid: str | None
    MeterNumber: str | None


class StatementFields(TypedDict, total=False):
    """The columns of a statement (Account) that `statement` takes by name."""

    UtilityProvider: str | None
    RawAccountNumber: str | None
    AccountNumber: str | None
    SourceLink: str | None
    StatementType: str | None
    TotalBillAmount: Decimal | None
    AmountDue: Decimal | None
    NewCharges: Decimal | None
    OutstandingBalance: Decimal | None
    PreviousBalance: Decimal | None


def as_decimal(value: Amount | None) -> Decimal | None:
    """`value` as a Decimal (None stays None)."""
    return None if value is None else Decimal(value)


def usage(
    pk: int,
    amount: Amount | None = None,
    unit: str | None = "kWh",
    component: str | None = "[total]",
    *,
    span: Span | None = None,
    **fields: Unpack[UsageFields],
) -> Usage:
    """A usage of `amount` `unit` (kWh), of rate component `component` (`[total]`)."""
    start, end = span or (None, None)
    return Usage(
        PK=pk,
        UsageAmount=as_decimal(amount),
        EnergyUnit=unit,
        RateComponent=component,
        IntervalStart=start,
        IntervalEnd=end,
        **fields,
    )


def charge(
    pk: int,
    amount: Amount | None = None,
    *,
    span: Span | None = None,
    unit: str | None = None,
    used: Amount | None = None,
    **fields: Unpack[ChargeFields],
) -> Charge:
    """A charge of `amount`; `unit` and `used` are its UsageUnit and ChargeUnitsUsed."""
    start, end = span or (None, None)
    return Charge(
        PK=pk,
        ChargeAmount=as_decimal(amount),
        UsageUnit=unit,
        ChargeUnitsUsed=as_decimal(used),
        IntervalStart=start,
        IntervalEnd=end,
        **fields,
    )


def meter(
    pk: int | None,
    *,
    charges: Iterable[Charge] = (),
    usages: Iterable[Usage] = (),
    span: Span | None = None,
    **fields: Unpack[MeterFields],
) -> Meter:
    """A meter with `charges` and `usages`, over `span` (IntervalStart, IntervalEnd)."""
    start, end = span or (None, None)
    return Meter(
        PK=pk,
        IntervalStart=start,
        IntervalEnd=end,
        charges=tuple(charges),
        usages=tuple(usages),
        **fields,
    )


def statement(
    pk: int | None,
    *meters: Meter,
    issued: date | None = None,
    span: Span | None = None,
    floating: Iterable[Charge] = (),
    **fields: Unpack[StatementFields],
) -> Account:
    """A statement (Account) of `meters`, stated on `issued`, over `span`; `floating` are its
    charges attached to no meter."""
    start, end = span or (None, None)
    return Account(
        PK=pk,
        StatementDate=issued,
        IntervalStart=start,
        IntervalEnd=end,
        meters=meters,
        floating_charges=tuple(floating),
        **fields,
    )


def urjanet_data(*statements: Account) -> UrjanetData:
    """UrjanetData holding `statements`, in that order."""
    return UrjanetData(statements)


def spans(result: TransformResult) -> list[tuple[date, date]]:
    """The (start, end) of each period of `result`."""
    return [(p.start, p.end) for p in result.periods]


def loaded_pks(data: UrjanetData) -> list[tuple[int | None, list[int | None]]]:
    """Each statement's PK with its meters' PKs: which rows a Selection loaded."""
    return [(a.PK, [m.PK for m in a.meters]) for a in data.accounts]


def only_period(result: TransformResult) -> BillingPeriod:
    """The one period of `result` (fails when there are none or several)."""
    (period,) = result.periods
    return period


def water_statement(
    pk: int,
    span: tuple[date, date],
    statement: date | None = None,
    usages: tuple[Usage, ...] = (),
    **amounts: Unpack[StatementFields],
) -> Account:
    """A water statement over `span` (IntervalStart, IntervalEnd), stated on `statement`
    (2020-06-01 by default), one water meter (tariff W1) with `usages`."""
    return Account(
        PK=pk,
        StatementDate=date(2020, 6, 1) if statement is None else statement,
        IntervalStart=span[0],
        IntervalEnd=span[1],
        meters=(Meter(PK=pk, ServiceType="water", Tariff="W1", usages=usages),),
        **amounts,
    )


def total_usage(pk: int, amount: str, unit: str = "ccf", component: str = "[total]") -> Usage:
    """A usage of `amount` `unit` (the `[total]` component by default)."""
    return usage(pk, amount, unit, component)
