"""`datafeeds urjanet transform`: the contract the shared checker relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datafeeds_core.testing import DatafeedsCli
from datafeeds_core.testing.locations import reference_fixtures_dir


@pytest.fixture
def watauga_input() -> Path:
    return reference_fixtures_dir() / "watauga" / "07291000_input.json"


def test_stdout_is_exactly_one_periods_object(cli: DatafeedsCli, watauga_input: Path) -> None:
    result = cli("urjanet", "transform", "watauga-urjanet", str(watauga_input))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["periods"] and doc["periods"]
    first = doc["periods"][0]
    # The reference fixtures' key order: scalars alphabetical, then lists; decimals as strings
    # with their scale.
    assert list(first)[:3] == ["end", "peak_demand", "service_id"]
    assert list(first)[-2:] == ["line_items", "source_urls"]
    assert isinstance(first["total_charge"], str)


def test_after_drops_charges_and_usages_before_the_date(
    cli: DatafeedsCli, watauga_input: Path
) -> None:
    full = json.loads(cli("urjanet", "transform", "watauga-urjanet", str(watauga_input)).stdout)
    late = cli(
        "urjanet", "transform", "watauga-urjanet", str(watauga_input), "--after", "2099-01-01"
    )
    assert late.returncode == 0
    periods = json.loads(late.stdout)["periods"]
    assert len(periods) == len(full["periods"])  # accounts are kept
    assert all(p["line_items"] == [] for p in periods)
    assert all(json.loads(json.dumps(p["total_usage"])) in ("0", "0.0") for p in periods)


def test_dropped_statements_are_reported_on_stderr(cli: DatafeedsCli, tmp_path: Path) -> None:
    data = {
        "accounts": [
            {
                "PK": 1,
                "StatementDate": "2020-02-05",
                "IntervalStart": "2020-01-01",
                "IntervalEnd": "2020-02-01",
                "NewCharges": "10.00",
                "meters": [{"PK": 5, "ServiceType": "water"}],
            },
            {
                "PK": 2,
                "StatementDate": "2020-02-01",
                "IntervalStart": "2020-01-01",
                "IntervalEnd": "2020-02-01",
                "NewCharges": "9.00",
                "meters": [{"PK": 6, "ServiceType": "water"}],
            },
            {
                "PK": 3,
                "StatementDate": None,
                "IntervalStart": "2020-03-01",
                "IntervalEnd": "2020-04-01",
            },
        ]
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    result = cli("urjanet", "transform", "watauga-urjanet", str(path))
    assert result.returncode == 0
    assert len(json.loads(result.stdout)["periods"]) == 1
    assert "PK=2" in result.stderr and "overlaps" in result.stderr
    assert "PK=3" in result.stderr and "no statement date" in result.stderr


@pytest.mark.parametrize(
    "content",
    [
        '{"accounts": [',
        "[1, 2]",
        '{"accounts": [{"PK": 1, "StatementDate": "not a date"}]}',
        '{"accounts": [{"PK": 1, "meters": [{"charges": [{"ChargeAmount": "1"}]}]}]}',
    ],
    ids=["truncated", "not-an-object", "bad-date", "charge-without-pk"],
)
def test_malformed_input_exits_1_with_one_line(
    cli: DatafeedsCli, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = cli("urjanet", "transform", "watauga-urjanet", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_missing_file_exits_1(cli: DatafeedsCli, tmp_path: Path) -> None:
    result = cli("urjanet", "transform", "watauga-urjanet", str(tmp_path / "nope.json"))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_unknown_key_exits_3_and_lists_installed(cli: DatafeedsCli, watauga_input: Path) -> None:
    result = cli("urjanet", "transform", "pge-urjanet-v3", str(watauga_input))
    assert result.returncode == 3
    assert "pge-urjanet-v3" in result.stderr and "watauga-urjanet" in result.stderr


@pytest.mark.parametrize("args", [["--after", "2020-13-01"], ["--after", "yesterday"], ["--bogus"]])
def test_usage_errors_exit_2(cli: DatafeedsCli, watauga_input: Path, args: list[str]) -> None:
    result = cli("urjanet", "transform", "watauga-urjanet", str(watauga_input), *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
