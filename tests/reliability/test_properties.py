"""Property-based tests over generated statement sets, for every installed plugin's transformer.

The statements are what a real delivery can contain: missing, zero-length and reversed intervals,
charges and usages outside their statement, null, negative and huge amounts, statement dates
shared by several statements. For each installed key: no crash; periods at least a day long that
share no day (period ends are inclusive: the next period starts after the previous one ends, as
every reference fixture shows and the bill writer requires); nothing in the future once
validated; the same result whatever the order of the input statements; and every statement
either feeds a period or is reported in `dropped`.

The CI profile (tests/conftest.py) bounds the examples per test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datafeeds_core.job.validation import validate_periods
from datafeeds_core.plugin_api.registry import discover, load
from datafeeds_core.urjanet.model import (
    Account,
    BillingPeriod,
    Charge,
    Meter,
    TransformResult,
    UrjanetData,
    Usage,
)

KEYS = sorted({info.key for info in discover()})
# Transformers that fill a period from several statements' charges and usages: a statement
# that only gave a period its range, with no charge or usage of its own, lost nothing and is
# neither a source of the period nor dropped.
FILLED_FROM_SEVERAL = {"ladwp-water-urjanet", "pge-urjanet-v2", "pge-urjanet-generation"}

BASE = date(2019, 1, 1)
Span = tuple[date | None, date | None]


def day(offset: int) -> date:
    return BASE + timedelta(days=offset)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value, sometimes null."""
    return st.one_of(st.none(), strategy, strategy, strategy)


def words(*values: str) -> st.SearchStrategy[str | None]:
    return maybe(st.sampled_from(values))


# Strategies are built once, here: building them inside a draw makes generation several times
# slower (each new strategy is validated again).
AMOUNTS = maybe(
    st.one_of(
        st.integers(min_value=-(10**7), max_value=10**8).map(lambda n: Decimal(n).scaleb(-2)),
        st.sampled_from([Decimal("0"), Decimal("-0.0100"), Decimal("99999999999999.9999")]),
    )
)
LENGTHS = st.one_of(
    st.sampled_from([30, 29, 31, 30, 60, 32]),  # a bill on the grid (or two)
    st.integers(min_value=27, max_value=33),  # a monthly bill
    st.sampled_from([0, 1, 2, -1, -30]),  # zero-length, a day or two, reversed
    st.integers(min_value=3, max_value=120),  # short, long, corrections over 45 days
)
# Bills follow each other: starts near a 30-day grid make neighbours that touch, share a day or
# leave a day's gap, which is where the boundary rules differ.
STARTS = st.one_of(
    st.builds(
        lambda k, jitter: 30 * k + jitter,
        st.integers(min_value=0, max_value=6),
        st.sampled_from([0, 0, 1, -1, 2]),
    ),
    st.integers(min_value=0, max_value=540),
)
PRESENT = st.integers(min_value=0, max_value=5).map(bool)  # a date is null one time in six
STATEMENT_DATES = maybe(
    st.one_of(
        st.sampled_from([day(120), day(240)]),  # shared by several statements
        st.integers(min_value=0, max_value=600).map(day),
    )
)

CHARGE_NAMES = words(
    "",
    "Energy",
    "Capacity Reservation Demand",
    "01/02/2019 - 02/01/2019 Energy",
    "Total NEM Charges Before Taxes",
)
USAGE_NAMES = words("", "Total Generation", "WOTE", "SUMA", "fac demand", "On")
RATE_COMPONENTS = words("[total]", "[total]", "[on_peak]", "[total, summer]", "")
MEASUREMENT_TYPES = words("general_consumption", "demand", "reactive_consumption")
ENERGY_UNITS = words("kWh", "kW", "ccf", "gallons", "TGAL", "therms", "kVARH", "")
USAGE_UNITS = words("kW", "kWh", "ccf", "")
THIRD_PARTIES = words("", "MCE")
FLAGS = maybe(st.booleans())
CHARGE_IDS = words("ch.late_fee", "ch.usage_charge", "ch.energy_charge")
TARIFFS = words("", "A-10", "E19")
SERVICE_TYPES = words("electric", "water", "natural_gas", "sewer")
POD_IDS = words("", "5231532252")
METER_NUMBERS = words("", "1234", "5678")


@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(STARTS)
    end = start + draw(LENGTHS)
    return (day(start) if draw(PRESENT) else None, day(end) if draw(PRESENT) else None)


SPANS = spans()
# A child's interval: its parent's (None here) two times in three, else anything.
OWN_SPANS = st.one_of(st.none(), st.none(), SPANS)
Maker = Callable[[Span], Any]


def _on(own: Span | None, parent: Span) -> Span:
    return parent if own is None else own


@st.composite
def usage_makers(draw: st.DrawFn) -> Callable[[Span], Usage]:
    own = draw(OWN_SPANS)
    fields = dict(
        UsageActualName=draw(USAGE_NAMES),
        UsageAmount=draw(AMOUNTS),
        RateComponent=draw(RATE_COMPONENTS),
        MeasurementType=draw(MEASUREMENT_TYPES),
        EnergyUnit=draw(ENERGY_UNITS),
    )

    def make(parent: Span) -> Usage:
        start, end = _on(own, parent)
        return Usage(PK=0, IntervalStart=start, IntervalEnd=end, **fields)

    return make


@st.composite
def charge_makers(draw: st.DrawFn) -> Callable[[Span], Charge]:
    own = draw(OWN_SPANS)
    fields = dict(
        ChargeActualName=draw(CHARGE_NAMES),
        ChargeAmount=draw(AMOUNTS),
        ChargeUnitsUsed=draw(AMOUNTS),
        UsageUnit=draw(USAGE_UNITS),
        ChargeRatePerUnit=draw(AMOUNTS),
        ThirdPartyProvider=draw(THIRD_PARTIES),
        IsAdjustmentCharge=draw(FLAGS),
        ChargeId=draw(CHARGE_IDS),
    )

    def make(parent: Span) -> Charge:
        start, end = _on(own, parent)
        return Charge(PK=0, IntervalStart=start, IntervalEnd=end, **fields)

    return make


CHARGES = st.lists(charge_makers(), max_size=2)
USAGES = st.lists(usage_makers(), max_size=2)


@st.composite
def meter_makers(draw: st.DrawFn) -> Callable[[Span], Meter]:
    own = draw(OWN_SPANS)
    fields = dict(
        Tariff=draw(TARIFFS),
        ServiceType=draw(SERVICE_TYPES),
        PODid=draw(POD_IDS),
        MeterNumber=draw(METER_NUMBERS),
    )
    charges, usages = draw(CHARGES), draw(USAGES)

    def make(parent: Span) -> Meter:
        span = _on(own, parent)
        return Meter(
            PK=0,
            IntervalStart=span[0],
            IntervalEnd=span[1],
            charges=tuple(c(span) for c in charges),
            usages=tuple(u(span) for u in usages),
            **fields,
        )

    return make


METERS = st.lists(meter_makers(), max_size=2)


@st.composite
def account_makers(draw: st.DrawFn) -> Callable[[Span], Account]:
    fields = dict(
        StatementDate=draw(STATEMENT_DATES),
        TotalBillAmount=draw(AMOUNTS),
        AmountDue=draw(AMOUNTS),
        NewCharges=draw(AMOUNTS),
        OutstandingBalance=draw(AMOUNTS),
        PreviousBalance=draw(AMOUNTS),
    )
    meters, floating = draw(METERS), draw(CHARGES)

    def make(span: Span) -> Account:
        return Account(
            PK=0,
            UtilityProvider="Utility",
            RawAccountNumber="0011060001-1",
            AccountNumber="00110600011",
            StatementType="statement_type_bill",
            IntervalStart=span[0],
            IntervalEnd=span[1],
            meters=tuple(m(span) for m in meters),
            floating_charges=tuple(c(span) for c in floating),
            **fields,
        )

    return make


ACCOUNTS = st.lists(account_makers(), max_size=7)
# After the previous bill: the next starts on its end day, a day earlier or a day later.
GAPS = st.sampled_from([0, 0, -1, 1, 0, 30])


@st.composite
def statement_lists(draw: st.DrawFn) -> list[Account]:
    """Statements mostly following each other (as a utility bills), some anywhere."""
    out = []
    start = draw(STARTS)
    for make in draw(ACCOUNTS):
        if draw(PRESENT):
            length = draw(LENGTHS)
            span: Span = (day(start), day(start + length))
            if not draw(PRESENT):
                span = (span[0], None) if draw(st.booleans()) else (None, span[1])
            start += max(length, 1) + draw(GAPS)
        else:
            span = draw(SPANS)
        out.append(make(span))
    return out


def numbered(drawn: list[Account]) -> UrjanetData:
    """Unique PKs in every table, and a source link naming each statement."""
    counter = iter(range(1, 1_000_000))
    out = []
    for account in drawn:
        pk = next(counter)
        out.append(
            replace(
                account,
                PK=pk,
                SourceLink=f"https://urjanet.example/statement/{pk}",
                floating_charges=tuple(
                    replace(c, PK=next(counter)) for c in account.floating_charges
                ),
                meters=tuple(
                    replace(
                        m,
                        PK=next(counter),
                        charges=tuple(replace(c, PK=next(counter)) for c in m.charges),
                        usages=tuple(replace(u, PK=next(counter)) for u in m.usages),
                    )
                    for m in account.meters
                ),
            )
        )
    return UrjanetData(tuple(out))


statement_sets = statement_lists().map(numbered)


def transform(key: str, data: UrjanetData) -> TransformResult:
    return load(key).transformer()(data)


def in_order(periods: tuple[BillingPeriod, ...]) -> list[BillingPeriod]:
    return sorted(periods, key=lambda p: (p.start, p.end))


# ------------------------------------------------------------------ the properties
# Each generated set goes through every installed transformer (generating is the slow part).


def test_plugins_are_installed() -> None:
    assert len(KEYS) > 1, f"the properties below ran over {KEYS} only"


@given(data=statement_sets, today=st.integers(min_value=0, max_value=700).map(day))
def test_periods_are_at_least_a_day_long_share_no_day_and_none_survives_into_the_future(
    data: UrjanetData, today: date
) -> None:
    for key in KEYS:
        periods = in_order(transform(key, data).periods)

        for period in periods:
            assert period.end > period.start, f"{key}: {period.start}..{period.end} is empty"
        for earlier, later in zip(periods, periods[1:], strict=False):
            assert later.start > earlier.end, (
                f"{key}: {earlier.start}..{earlier.end} and {later.start}..{later.end} share a day"
            )

        kept, rejected = validate_periods(periods, today)
        assert all(p.end <= today for p in kept), key
        assert len(kept) + len(rejected) == len(periods), key
        assert all(d.reason for d in rejected), key


@given(data=statement_sets, shuffle=st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_statements(
    data: UrjanetData, shuffle: Any
) -> None:
    shuffled = list(data.accounts)
    shuffle.shuffle(shuffled)

    for key in KEYS:
        first = transform(key, data)
        second = transform(key, UrjanetData(tuple(shuffled)))

        assert in_order(second.periods) == in_order(first.periods), key
        assert sorted((d.PK, d.reason) for d in second.dropped) == sorted(
            (d.PK, d.reason) for d in first.dropped
        ), key


@given(data=statement_sets)
def test_every_statement_feeds_a_period_or_is_reported_as_dropped(data: UrjanetData) -> None:
    for key in KEYS:
        result = transform(key, data)
        sources = {url for p in result.periods for url in p.source_urls}
        reported = {d.PK for d in result.dropped}

        for account in data.accounts:
            if account.SourceLink in sources or account.PK in reported:
                continue
            if key in FILLED_FROM_SEVERAL and not (
                account.meter_charges() or account.meter_usages()
            ):
                continue
            pytest.fail(f"{key}: statement PK={account.PK} is neither in a period nor dropped")
        assert all(d.reason for d in result.dropped), key


def test_the_generator_reaches_the_awkward_cases() -> None:
    """The statements above do contain what the properties are about (else they prove little)."""
    found: dict[str, bool] = dict.fromkeys(
        ("null date", "reversed", "zero-length", "shared date", "negative", "correction"), False
    )

    # A fixed seed and number of examples: whether a random draw reached every case would
    # otherwise depend on the run (it missed "zero-length" once in about twenty runs).
    @settings(derandomize=True, max_examples=100, database=None)
    @given(statement_sets)
    def look(data: UrjanetData) -> None:
        dates = [a.StatementDate for a in data.accounts]
        for a in data.accounts:
            found["null date"] |= a.StatementDate is None
            if a.IntervalStart and a.IntervalEnd:
                found["reversed"] |= a.IntervalEnd < a.IntervalStart
                found["zero-length"] |= a.IntervalEnd == a.IntervalStart
                found["correction"] |= (a.IntervalEnd - a.IntervalStart).days > 45
            found["negative"] |= a.NewCharges is not None and a.NewCharges < 0
        found["shared date"] |= len({d for d in dates if d}) < len([d for d in dates if d])

    look()
    assert all(found.values()), found
