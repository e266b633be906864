"""Read and write the fixture JSON format (SPEC §2): absent keys read as null or empty."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
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


def _scalar(kind: Any, value: Any, where: str) -> Any:
    if value is None:
        return None
    text = str(kind)
    try:
        if text.startswith("tuple[str"):
            if not isinstance(value, list):
                raise ValueError("not a list")
            return tuple(str(v) for v in value)
        if "Decimal" in text:
            if isinstance(value, bool):
                raise ValueError("boolean where a decimal belongs")
            # A float entering here goes through str so no binary noise is added (SPEC header).
            return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if "date" in text:
            if isinstance(value, str):
                return date.fromisoformat(value[:10])
            raise ValueError("dates are YYYY-MM-DD strings")
        if "bool" in text:
            if isinstance(value, bool):
                return value
            if value in (0, 1):
                return bool(value)
            raise ValueError("not a boolean")
        if "int" in text:
            if isinstance(value, bool):
                raise ValueError("boolean where an integer belongs")
            return int(value)
        if "str" in text:
            if isinstance(value, (dict, list)):
                raise ValueError("not a string")
            return str(value)
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise MalformedInput(f"{where}: {value!r} is not valid ({exc})") from None
    return value


def _build(cls: Any, obj: Any, where: str) -> Any:
    if not isinstance(obj, Mapping):
        raise MalformedInput(f"{where}: expected an object, got {type(obj).__name__}")
    hints = _hints(cls)
    nested = _NESTED.get(cls, {})
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        value = obj.get(f.name)
        if f.name in nested:
            items = value or []
            if not isinstance(items, list):
                raise MalformedInput(f"{where}.{f.name}: expected a list")
            kwargs[f.name] = tuple(
                _build(nested[f.name], item, f"{where}.{f.name}[{i}]")
                for i, item in enumerate(items)
            )
        else:
            kwargs[f.name] = _scalar(hints[f.name], value, f"{where}.{f.name}")
    if cls in (Charge, Usage) and kwargs.get("PK") is None:
        raise MalformedInput(f"{where}: PK is required")
    return cls(**kwargs)


def read_urjanet_data(text: str) -> UrjanetData:
    """Parse input-fixture JSON text into UrjanetData."""
    try:
        doc = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise MalformedInput(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("accounts", []), list):
        raise MalformedInput('expected a JSON object with an "accounts" list')
    return _build(UrjanetData, doc, "input")


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


def dumps(value: Any) -> str:
    """Ordered JSON, indent 4: the format of the reference fixtures."""
    return json.dumps(order_json(to_plain(value)), indent=4)


def periods_json(periods: tuple[BillingPeriod, ...]) -> str:
    return dumps({"periods": list(periods)})
