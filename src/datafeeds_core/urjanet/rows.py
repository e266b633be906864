"""Database values → model values, parsed from what the driver returns.

The real Urjanet schema has no DDL, so the loader does not trust declared column types: a DATE
may be a DATETIME (→ its date), a TINYINT(1) may be a BIT(1) (`b'\\x00'` is False),
a DECIMAL may be a DOUBLE (→ Decimal through `str`), text may arrive as bytes. NULL
passes through everywhere except PK.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from operator import itemgetter
from typing import Any, Union, get_args, get_origin, get_type_hints

from datafeeds_core.errors import MalformedInput

Parser = Callable[[Any], Any]


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("a boolean is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("ascii")
    if isinstance(value, (Decimal, float)) and value == int(value):
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise TypeError(f"{type(value).__name__} is not an integer")


def as_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not text")


# 10**20: larger than any amount a bill holds (DECIMAL(18,4) stops below 10**14), small enough
# that sums of amounts cannot overflow the default decimal context.
AMOUNT_DIGITS = 20


def finite_amount(value: Decimal) -> Decimal:
    """`value`, if it is a number a bill can hold: not NaN, not infinite, not absurdly large."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a number")
    if value and value.adjusted() >= AMOUNT_DIGITS:  # no arithmetic: it could overflow
        raise ValueError(f"out of range (at most {AMOUNT_DIGITS} digits before the point)")
    return value


def as_decimal(value: Any) -> Decimal:
    return finite_amount(_decimal(value))


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a decimal")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))  # never Decimal(float): no binary noise
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("ascii")
    if isinstance(value, str):
        return Decimal(value.strip())
    raise TypeError(f"{type(value).__name__} is not a decimal")


def as_date(value: Any) -> date:
    if isinstance(value, datetime):  # before date: datetime is a subclass
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("ascii")
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    raise TypeError(f"{type(value).__name__} is not a date")


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal, float)):
        return value != 0
    if isinstance(value, (bytes, bytearray)):  # BIT(n): big-endian bits, b"\x00" is False
        return int.from_bytes(value, "big") != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("0", "false"):
            return False
        if text in ("1", "true"):
            return True
        raise ValueError(f"{value!r} is not a boolean")
    raise TypeError(f"{type(value).__name__} is not a boolean")


_BY_TYPE: dict[Any, Parser] = {
    int: as_int,
    str: as_str,
    Decimal: as_decimal,
    date: as_date,
    bool: as_bool,
}


def _scalar_type(hint: Any) -> Any:
    """`X | None` → X; anything else (tuples of children) → None."""
    if get_origin(hint) in (Union, types.UnionType):
        hint = next((a for a in get_args(hint) if a is not type(None)), None)
    return hint


@cache
def column_parsers(cls: type) -> tuple[tuple[str, Parser], ...]:
    """(column, parser) for every scalar field of a model class, in field order."""
    hints = get_type_hints(cls)
    out = []
    for f in fields(cls):
        parser = _BY_TYPE.get(_scalar_type(hints[f.name]))
        if parser is not None:
            out.append((f.name, parser))
    return tuple(out)


def parse_value(table: str, pk: Any, column: str, parser: Parser, value: Any) -> Any:
    if value is None:
        return None
    try:
        return parser(value)
    except (TypeError, ValueError, InvalidOperation, UnicodeDecodeError) as exc:
        raise MalformedInput(
            f"{table} PK={pk}: column {column} holds {value!r}, which is not valid ({exc})"
        ) from None


# The type each parser returns unchanged when given exactly that type. Not as_decimal: it
# also checks that an amount is finite and in range.
_PASSED_THROUGH: dict[Parser, type] = {as_int: int, as_str: str, as_date: date, as_bool: bool}


@cache
def _column_plan(cls: type) -> tuple[tuple[str, Parser, type | None], ...]:
    """(column, parser, the type it passes through or None) per scalar field of `cls`."""
    return tuple((name, p, _PASSED_THROUGH.get(p)) for name, p in column_parsers(cls))


def parse_fields(cls: type, table: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """The model fields of `cls` from one row; PK is required.

    A value the driver already gives in the field's exact type is taken as it is (each parser
    returns such a value unchanged): parsing every value was most of the loader's own time
    (bench/extraction.py).
    """
    raw_pk = row["PK"]
    if raw_pk is None:
        raise MalformedInput(f"{table} row without a PK")
    fields_: dict[str, Any] = {}
    for name, parser, kind in _column_plan(cls):
        value = row[name]
        if value is None or type(value) is kind:
            fields_[name] = value
        else:
            fields_[name] = parse_value(table, raw_pk, name, parser, value)
    return fields_


RowReader = Callable[[Sequence[Any]], tuple[Any, ...]]


def row_reader(cls: type, table: str, columns: Sequence[str]) -> RowReader:
    """A function from one positional row, whose columns are named `columns`, to the values of
    `cls`'s scalar fields in field order: `cls(*values, *children)` builds the model.

    The same values and errors as `parse_fields`, planned once per query instead of once per
    row: each column's position and parser are looked up here, and a value the driver already
    gives in the field's type (a finite, in-range Decimal for amounts) is taken as it is.
    """
    names = [f.name for f in fields(cls)]
    plan = column_parsers(cls)
    if [name for name, _ in plan] != names[: len(plan)]:
        raise TypeError(f"{cls.__name__}: scalar fields must come before its children")
    position = {name: i for i, name in enumerate(columns)}
    pk_at = position["PK"]
    at = [position[name] for name, _ in plan]
    take: Callable[[Sequence[Any]], tuple[Any, ...]] = (
        itemgetter(*at) if len(at) > 1 else lambda row: (row[at[0]],)
    )
    # Per column: the value's type that is taken as it is (besides None), and whether it is an
    # amount (a Decimal, still checked to be finite and in range).
    kinds = [(_PASSED_THROUGH.get(parser), parser is as_decimal) for _, parser in plan]
    # Most rows of a query share one signature (the types of their values), so the columns
    # that need their parser are worked out once per signature, not once per row.
    todo_of: dict[tuple[type, ...], tuple[tuple[int, str, Parser, Parser | None, bool], ...]] = {}

    def todo_for(
        signature: tuple[type, ...],
    ) -> tuple[tuple[int, str, Parser, Parser | None, bool], ...]:
        todo = tuple(
            # A TINYINT(1) flag (an int in a bool field) cannot fail: `bool` is what as_bool does.
            (i, name, parser, bool if kind is bool and t is int else None, amount)
            for i, ((name, parser), t, (kind, amount)) in enumerate(
                zip(plan, signature, kinds, strict=True)
            )
            if amount or (t is not type(None) and t is not kind)
        )
        todo_of[signature] = todo
        return todo

    def read(row: Sequence[Any]) -> tuple[Any, ...]:
        raw_pk = row[pk_at]
        if raw_pk is None:
            raise MalformedInput(f"{table} row without a PK")
        values = take(row)
        signature = tuple(map(type, values))
        todo = todo_of.get(signature) or todo_for(signature)
        out: list[Any] | None = None
        # In field order: an error names the first bad column, as parse_fields does.
        for i, name, parser, infallible, amount in todo:
            value = values[i]
            if value is None or (
                amount  # as_decimal would return it unchanged: a finite, in-range Decimal
                and type(value) is Decimal
                and value.is_finite()
                and value.adjusted() < AMOUNT_DIGITS
            ):
                continue
            if out is None:
                out = list(values)
            if infallible is not None:
                out[i] = infallible(value)
            else:
                out[i] = parse_value(table, raw_pk, name, parser, value)
        return values if out is None else tuple(out)

    return read


_NONE = type(None)


def read_columns(
    cls: type, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[Sequence[Any]]:
    """The values of `cls`'s scalar fields, a column per field in field order, for `rows`
    (whose columns are named `columns`): `map(cls, *result)` builds the models. The same values
    and errors as `row_reader` applied to every row.

    Checked a column at a time first: when every value of a column already has its field's
    type (the usual case with a real driver), the whole column is taken as it is, with no work
    per row (docs/performance.md, item 3). Any other value sends the rows through `row_reader`
    one by one, so an error names the first bad row and column, as before.
    """
    read = row_reader(cls, table, columns)
    plan = column_parsers(cls)
    if not rows:
        return [() for _ in plan]
    position = {name: i for i, name in enumerate(columns)}
    by_column = list(zip(*rows, strict=True))
    out: list[Sequence[Any]] = []
    for name, parser in plan:
        column: Sequence[Any] = by_column[position[name]]
        types = set(map(type, column))
        types.discard(_NONE)
        if parser is as_decimal:
            if not (types <= {Decimal} and _amounts_in_range(column)):
                return _row_by_row(read, rows)
        elif not types <= {_PASSED_THROUGH[parser]}:
            if parser is as_bool and types == {int}:  # TINYINT(1): what as_bool does
                column = _flags(column)
            else:
                return _row_by_row(read, rows)
        if name == "PK" and None in column:
            return _row_by_row(read, rows)  # raises "row without a PK"
        out.append(column)
    return out


def _row_by_row(read: RowReader, rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
    return list(zip(*(read(row) for row in rows), strict=True))


_FLAG = {0: False, 1: True, None: None}


def _flags(column: Sequence[int | None]) -> Sequence[bool | None]:
    if set(column) <= _FLAG.keys():
        return list(map(_FLAG.__getitem__, column))
    return [None if v is None else v != 0 for v in column]


def _amounts_in_range(column: Sequence[Decimal | None]) -> bool:
    """Whether every amount is one `finite_amount` accepts, from the column's bounds alone:
    a value between two in-range bounds is in range, and NaN makes `min` raise."""
    amounts = [v for v in column if v is not None]
    if not amounts:
        return True
    try:
        bounds = (min(amounts), max(amounts))
    except InvalidOperation:
        return False
    return all(v.is_finite() and (not v or v.adjusted() < AMOUNT_DIGITS) for v in bounds)
