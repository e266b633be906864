"""Read and write fixture JSON (docs/urjanet-rules.md): absent keys read as null or empty."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from datafeeds_core.errors import MalformedInput
from datafeeds_core.urjanet.model import (
    Account,
    BillingPeriod,
    Charge,
    Meter,
    UrjanetData,
    Usage,
)
from datafeeds_core.urjanet.rows import finite_amount

T = TypeVar("T")

_NESTED: dict[type, dict[str, type]] = {
    UrjanetData: {"accounts": Account},
    Account: {"meters": Meter, "floating_charges": Charge},
    Meter: {"charges": Charge, "usages": Usage},
    BillingPeriod: {"line_items": Charge},
}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def _str_tuple(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return tuple(str(v) for v in value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("boolean where a decimal belongs")
    # A float entering here goes through str so no binary noise is added.
    return finite_amount(Decimal(str(value)) if isinstance(value, float) else Decimal(value))


def _date(value: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise ValueError("dates are YYYY-MM-DD strings")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise ValueError("not a boolean")


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("boolean where an integer belongs")
    return int(value)


def _str(value: Any) -> str:
    if isinstance(value, (dict, list)):
        raise ValueError("not a string")
    return str(value)


def _parser(kind: Any) -> Callable[[Any], Any] | None:
    """The reader of one field type (None: the value passes through as it is)."""
    text = str(kind)
    if text.startswith("tuple[str"):
        return _str_tuple
    for word, parser in (
        ("Decimal", _decimal),
        ("date", _date),
        ("bool", _bool),
        ("int", _int),
        ("str", _str),
    ):
        if word in text:
            return parser
    return None


@cache
def _plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any] | None, type | None], ...]:
    """(field, scalar parser, nested class) per field in field order: the type hints are read
    once per class, not once per value (reading was most of bench/transform_throughput.py)."""
    hints = _hints(cls)
    nested = _NESTED.get(cls, {})
    return tuple(
        (f.name, None if f.name in nested else _parser(hints[f.name]), nested.get(f.name))
        for f in fields(cls)
    )


def _build(cls: Any, obj: Any, where: str) -> Any:
    if not isinstance(obj, Mapping):
        raise MalformedInput(f"{where}: expected an object, got {type(obj).__name__}")
    args: list[Any] = []
    for name, parser, child in _plan(cls):
        value = obj.get(name)
        if value is None:
            args.append(None if child is None else ())
        elif child is not None:
            items = value or []
            if not isinstance(items, list):
                raise MalformedInput(f"{where}.{name}: expected a list")
            args.append(
                tuple(_build(child, item, f"{where}.{name}[{i}]") for i, item in enumerate(items))
            )
        elif parser is None or (parser is _str and type(value) is str):
            args.append(value)  # nothing to parse: str(text) is the text itself
        else:
            try:
                args.append(parser(value))
            except (ValueError, TypeError, InvalidOperation) as exc:
                raise MalformedInput(f"{where}.{name}: {value!r} is not valid ({exc})") from None
    if cls in (Charge, Usage) and args[0] is None:  # PK, the first field of both
        raise MalformedInput(f"{where}: PK is required")
    return cls(*args)


def read_urjanet_data(text: str) -> UrjanetData:
    """Parse input-fixture JSON text into UrjanetData."""
    try:
        doc = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise MalformedInput(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise MalformedInput("not valid input JSON: nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("accounts", []), list):
        raise MalformedInput('expected a JSON object with an "accounts" list')
    data: UrjanetData = _build(UrjanetData, doc, "input")
    return data


def load_urjanet_data(path: Path) -> UrjanetData:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedInput(f"cannot read {path}: {exc}") from None
    return read_urjanet_data(text)


def read_periods(text: str) -> tuple[BillingPeriod, ...]:
    """Parse expected-fixture JSON (`{"periods": [...]}`)."""
    doc = json.loads(text, parse_float=Decimal)
    return tuple(_build(BillingPeriod, p, f"periods[{i}]") for i, p in enumerate(doc["periods"]))


def to_plain(value: Any) -> Any:
    """Dataclasses to dicts with JSON-ready scalars; decimals keep their scale as strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def order_json(value: Any) -> Any:
    """Scalars first, then objects, then lists; each group alphabetical; recursively."""
    if isinstance(value, dict):

        def group(item: tuple[str, Any]) -> tuple[int, str]:
            key, v = item
            return (2 if isinstance(v, list) else 1 if isinstance(v, dict) else 0, key)

        return {k: order_json(v) for k, v in sorted(value.items(), key=group)}
    if isinstance(value, list):
        return [order_json(v) for v in value]
    return value


_FIELDS: dict[type, tuple[tuple[str, str], ...] | None] = {}


def _sorted_fields(cls: type) -> tuple[tuple[str, str], ...] | None:
    """(name, name as JSON) of a dataclass's fields in name order; None for any other type."""
    try:
        return _FIELDS[cls]
    except KeyError:
        found = None
        if is_dataclass(cls):
            names = sorted(f.name for f in fields(cls))
            found = tuple((name, encode_basestring_ascii(name)) for name in names)
        _FIELDS[cls] = found
        return found


def _write(value: Any, newline: str, out: list[str]) -> None:
    """Append json.dumps(order_json(to_plain(value)), indent=4), in one pass and without the
    intermediate dicts; TypeError for anything unusual (the caller then takes that path)."""
    if isinstance(value, str):
        out.append(encode_basestring_ascii(value))
        return
    if value is None or value is True or value is False:
        out.append("null" if value is None else "true" if value else "false")
        return
    sorted_fields = _sorted_fields(type(value))
    if sorted_fields is not None:
        _write_object([(key, getattr(value, name)) for name, key in sorted_fields], newline, out)
    elif isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("a key that is not text")
        items = sorted(value.items(), key=lambda item: item[0])
        _write_object([(encode_basestring_ascii(k), v) for k, v in items], newline, out)
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "    "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(item, inner, out)
            separator = "," + inner
        out.append(newline + "]")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float) and math.isfinite(value):
        out.append(float.__repr__(value))
    elif isinstance(value, Decimal):
        out.append(f'"{value}"')  # str(Decimal) is ASCII: nothing to escape
    elif isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        out.append(f'"{day.isoformat()}"')
    else:
        raise TypeError(f"{type(value).__name__} is left to json.dumps")


def _write_object(pairs: list[tuple[str, Any]], newline: str, out: list[str]) -> None:
    """(key as JSON, value) pairs in key order, written in order_json's order: the scalars
    as they come, then the objects, then the lists."""
    if not pairs:
        out.append("{}")
        return
    inner = newline + "    "
    separator = "{" + inner
    objects: list[tuple[str, Any]] = []
    lists: list[tuple[str, Any]] = []
    for key, item in pairs:
        kind = type(item)
        # The common scalars inline: most values of a period are text, null, decimals, dates.
        if kind is str:
            out.append(f"{separator}{key}: {encode_basestring_ascii(item)}")
        elif item is None:
            out.append(f"{separator}{key}: null")
        elif kind is Decimal:
            out.append(f'{separator}{key}: "{item}"')
        elif kind is date:
            out.append(f'{separator}{key}: "{item.isoformat()}"')
        elif isinstance(item, (list, tuple)):
            lists.append((key, item))
            continue
        elif isinstance(item, dict) or _sorted_fields(kind) is not None:
            objects.append((key, item))
            continue
        else:
            out.append(f"{separator}{key}: ")
            _write(item, inner, out)
        separator = "," + inner
    for key, item in objects + lists:
        out.append(f"{separator}{key}: ")
        _write(item, inner, out)
        separator = "," + inner
    out.append(newline + "}")


def dumps(value: Any) -> str:
    """Ordered JSON, indent 4: the format of the reference fixtures.

    The text of json.dumps(order_json(to_plain(value)), indent=4), byte for byte, written by
    `_write`: with an indent json runs its pure-Python encoder, and with the two tree copies
    before it that was most of the time of reading, transforming and writing every reference
    fixture (bench/transform_throughput.py). Anything unusual still takes the json.dumps path.
    """
    out: list[str] = []
    try:
        _write(value, "\n", out)
    except TypeError:
        return json.dumps(order_json(to_plain(value)), indent=4)
    return "".join(out)


def periods_json(periods: tuple[BillingPeriod, ...]) -> str:
    return dumps({"periods": list(periods)})
