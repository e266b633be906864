"""Fixture JSON: tolerant reading, the reference key order and decimal scale on writing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from datafeeds_core.errors import MalformedInput
from datafeeds_core.testing.locations import reference_fixtures_dir
from datafeeds_core.urjanet.fixture_json import (
    dumps,
    load_urjanet_data,
    order_json,
    read_urjanet_data,
)


def test_absent_keys_read_as_null_and_absent_lists_as_empty() -> None:
    data = read_urjanet_data('{"accounts": [{"PK": 7, "meters": [{"PK": 1}]}]}')
    (account,) = data.accounts
    assert account.StatementDate is None and account.floating_charges == ()
    assert account.meters[0].usages == () and account.meters[0].charges == ()


def test_decimals_keep_their_scale() -> None:
    data = read_urjanet_data(
        '{"accounts": [{"PK": 1, "NewCharges": "1972.7300", "TotalBillAmount": 5.1}]}'
    )
    assert str(data.accounts[0].NewCharges) == "1972.7300"
    assert data.accounts[0].TotalBillAmount == Decimal("5.1")  # floats go through str
    assert '"NewCharges": "1972.7300"' in dumps(data)


def test_order_json_puts_scalars_then_objects_then_lists() -> None:
    ordered = order_json({"b": [1], "a": {"z": 1, "y": [2], "x": None}, "c": 1, "d": "s"})
    assert list(ordered) == ["c", "d", "a", "b"]
    assert list(ordered["a"]) == ["x", "z", "y"]


def test_reference_input_round_trips() -> None:
    path = reference_fixtures_dir() / "fpl" / "fpl01_input.json"
    data = load_urjanet_data(path)
    again = read_urjanet_data(dumps(data))
    assert again == data
    assert json.loads(dumps(data))["accounts"][0]["PK"] == data.accounts[0].PK


@pytest.mark.parametrize(
    "text",
    [
        '{"accounts": {}}',
        '{"accounts": [{"PK": "x"}]}',
        "{",
        '{"accounts": [{"NewCharges": true}]}',
    ],
)
def test_malformed_documents_raise_malformed_input(text: str) -> None:
    with pytest.raises(MalformedInput):
        read_urjanet_data(text)
