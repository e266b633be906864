"""Driver values become model values whatever type the real column has."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from datafeeds_core.errors import MalformedInput
from datafeeds_core.urjanet.model import Charge
from datafeeds_core.urjanet.rows import (
    as_bool,
    as_date,
    as_decimal,
    as_int,
    as_str,
    parse_fields,
    read_columns,
    row_reader,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\x00", False),
        (b"\x01", True),
        (0, False),
        (1, True),
        (True, True),
        ("0", False),
        ("1", True),
        (Decimal("0"), False),
    ],
)
def test_flags_read_from_tinyint_bit_or_text(raw: Any, expected: bool) -> None:
    assert as_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (datetime(2019, 8, 15, 13, 45), date(2019, 8, 15)),
        (date(2019, 8, 15), date(2019, 8, 15)),
        ("2019-08-15", date(2019, 8, 15)),
        ("2019-08-15 13:45:00", date(2019, 8, 15)),
    ],
)
def test_dates_are_dates_never_datetimes(raw: Any, expected: date) -> None:
    value = as_date(raw)
    assert type(value) is date and value == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0.1, "0.1"),
        (1782.03, "1782.03"),
        (Decimal("1972.7300"), "1972.7300"),
        ("4810.0000", "4810.0000"),
        (7, "7"),
    ],
)
def test_decimals_keep_scale_and_floats_go_through_str(raw: Any, expected: str) -> None:
    assert str(as_decimal(raw)) == expected


def test_text_bytes_are_decoded_without_failing() -> None:
    assert as_str(b"caf\xc3\xa9") == "café"
    assert as_str(b"bad \xff byte") == "bad \ufffd byte"
    assert as_int("12") == 12 and as_int(Decimal("3")) == 3


@pytest.mark.parametrize("raw", [True, 1.5, "x"])
def test_wrong_values_for_integers_are_rejected(raw: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        as_int(raw)


def test_null_passes_through_but_a_row_needs_its_pk() -> None:
    row: dict[str, Any] = {f: None for f in Charge.__dataclass_fields__}
    row["PK"] = 3
    assert Charge(**parse_fields(Charge, "Charge", row)) == Charge(PK=3)
    row["PK"] = None
    with pytest.raises(MalformedInput, match="Charge row without a PK"):
        parse_fields(Charge, "Charge", row)


def test_an_invalid_value_names_table_pk_and_column() -> None:
    row: dict[str, Any] = {f: None for f in Charge.__dataclass_fields__}
    row.update(PK=3, ChargeAmount="twelve")
    with pytest.raises(MalformedInput, match="Charge PK=3: column ChargeAmount holds 'twelve'"):
        parse_fields(Charge, "Charge", row)


_CHARGE_ROWS: list[dict[str, Any]] = [
    {"PK": 1, "ChargeAmount": Decimal("1.50"), "IsAdjustmentCharge": 0, "ChargeId": "a"},
    {"PK": 2, "ChargeAmount": 0.1, "IsAdjustmentCharge": b"\x01", "ChargeId": b"caf\xc3\xa9"},
    {"PK": 3, "ChargeUnitsUsed": "4810.0000", "IntervalStart": datetime(2019, 8, 15, 13, 45)},
    {"PK": "4", "ChargeRatePerUnit": Decimal("0E+30"), "IsAdjustmentCharge": True},
    {"PK": 5, "ChargeAmount": Decimal("NaN")},
    {"PK": 6, "ChargeAmount": Decimal("1E+25"), "ChargeUnitsUsed": "twelve"},
    {"PK": 7, "ChargeUnitsUsed": "twelve", "ChargeAmount": Decimal("Infinity")},
    {"PK": None, "ChargeAmount": Decimal("1")},
]


def _outcome(read: Any, *args: Any) -> Any:
    try:
        return ("ok", read(*args))
    except MalformedInput as exc:
        return ("error", str(exc))


def _by_name(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(parse_fields(Charge, "Charge", row).values())


@pytest.mark.parametrize("values", _CHARGE_ROWS)
def test_positional_rows_are_read_as_rows_by_name_are(values: dict[str, Any]) -> None:
    # Extra columns, in an order of their own: the reader finds each field by its name.
    columns = ["AccountFK", *reversed(list(Charge.__dataclass_fields__)), "MeterFK"]
    row = {c: values.get(c) for c in columns}
    by_name = _outcome(_by_name, row)
    positional = _outcome(row_reader(Charge, "Charge", columns), tuple(row.values()))
    assert positional == by_name
    if by_name[0] == "ok":
        assert [type(v) for v in positional[1]] == [type(v) for v in by_name[1]]


def _columns_outcome(rows: list[tuple[Any, ...]], columns: list[str]) -> Any:
    try:
        return ("ok", list(zip(*read_columns(Charge, "Charge", columns, rows), strict=True)))
    except MalformedInput as exc:
        return ("error", str(exc))


def _rows_outcome(rows: list[tuple[Any, ...]], columns: list[str]) -> Any:
    read = row_reader(Charge, "Charge", columns)
    try:
        return ("ok", [read(row) for row in rows])
    except MalformedInput as exc:
        return ("error", str(exc))


_CLEAN_ROWS: list[dict[str, Any]] = [
    {"PK": 10, "ChargeAmount": Decimal("1.50"), "IsAdjustmentCharge": 0, "ChargeId": "a"},
    {
        "PK": 11,
        "ChargeAmount": Decimal("-2"),
        "IsAdjustmentCharge": 1,
        "IntervalStart": date.today(),
    },
    {"PK": 12, "ChargeAmount": None, "IsAdjustmentCharge": 7, "ChargeUnitsUsed": Decimal("0E+30")},
    {"PK": 13, "ChargeAmount": Decimal("99999999999999999999")},
]


@pytest.mark.parametrize("odd", [None, *_CHARGE_ROWS], ids=lambda r: f"with {r}" if r else "clean")
def test_rows_read_a_column_at_a_time_give_the_values_and_errors_of_row_by_row(
    odd: dict[str, Any] | None,
) -> None:
    columns = ["AccountFK", *reversed(list(Charge.__dataclass_fields__)), "MeterFK"]
    rows = [tuple(r.get(c) for c in columns) for r in _CLEAN_ROWS + ([odd] if odd else [])]
    by_column = _columns_outcome(rows, columns)
    assert by_column == _rows_outcome(rows, columns)
    if by_column[0] == "ok":
        expected = [tuple(map(type, v)) for v in _rows_outcome(rows, columns)[1]]
        assert [tuple(map(type, v)) for v in by_column[1]] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [([0, 1, None], [False, True, None]), ([0, 2, None, 1], [False, True, None, True])],
)
def test_flags_from_tinyint_columns_are_booleans(raw: list[Any], expected: list[Any]) -> None:
    columns = list(Charge.__dataclass_fields__)
    at = columns.index("IsAdjustmentCharge")
    rows = [
        tuple(pk if c == "PK" else flag if i == at else None for i, c in enumerate(columns))
        for pk, flag in enumerate(raw, start=1)
    ]
    flags = read_columns(Charge, "Charge", columns, rows)[at]
    assert list(flags) == expected
    assert [type(f) for f in flags] == [type(e) for e in expected]


def test_no_rows_read_as_empty_columns() -> None:
    columns = list(Charge.__dataclass_fields__)
    assert list(map(Charge, *read_columns(Charge, "Charge", columns, []))) == []
