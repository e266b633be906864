"""`datafeeds new-plugin`: a generated plugin installs, is listed, and its reference test fails
until a fixture pair is added, then passes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Literal

import pytest
import typer
from typer.testing import CliRunner

from datafeeds_core.cli.scaffold import new_plugin
from datafeeds_core.plugin_api.contract import WATER_SERVICE_TYPES, DataSourceContext, Match
from datafeeds_core.testing import DatafeedsCli
from datafeeds_core.urjanet.fixture_json import dumps, periods_json
from datafeeds_core.urjanet.model import Account, Meter, UrjanetData, Usage
from datafeeds_core.urjanet.transform import GENERIC_ELECTRIC, GENERIC_WATER


def run_new_plugin(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    app.command()(new_plugin)
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def import_generated(folder: Path) -> ModuleType:
    (init,) = folder.glob("src/*/__init__.py")
    spec = importlib.util.spec_from_file_location(f"generated_{uuid.uuid4().hex}", init)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "-q", *args], check=True, timeout=300)


def run_generated_tests(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            # Its own temp root: a default one would make pytest prune the outer session's.
            "--basetemp",
            str(folder / ".pytest-tmp"),
            str(folder / "tests"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def sample_statements() -> UrjanetData:
    def statement(pk: int, start: date, end: date, charges: str, gallons: str) -> Account:
        usage = Usage(
            PK=pk, UsageAmount=Decimal(gallons), EnergyUnit="gallons", RateComponent="[total]"
        )
        return Account(
            PK=pk,
            UtilityProvider="ProbeWaterCo",
            AccountNumber="4242",
            SourceLink=f"https://example.invalid/{pk}.pdf",
            StatementDate=end,
            IntervalStart=start,
            IntervalEnd=end,
            NewCharges=Decimal(charges),
            meters=(Meter(PK=pk, ServiceType="water", Tariff="W-1", usages=(usage,)),),
        )

    return UrjanetData(
        (
            statement(1, date(2021, 1, 4), date(2021, 2, 3), "41.17", "3400"),
            statement(2, date(2021, 2, 3), date(2021, 3, 5), "39.02", "3100"),
        )
    )


@pytest.fixture
def installed_water_plugin(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder_name = f"probe{uuid.uuid4().hex[:8]}"
    code, output = run_new_plugin(
        folder_name, "--provider", "ProbeWaterCo", "--water", "--dest", str(tmp_path)
    )
    assert code == 0, output
    folder = tmp_path / folder_name
    pip("install", "--no-deps", str(folder))
    try:
        yield folder, f"{folder_name}-urjanet"
    finally:
        pip("uninstall", "-y", f"datafeeds-{folder_name}")


@pytest.mark.slow
def test_generated_plugin_is_listed_and_its_tests_pass_once_fixtures_are_added(
    installed_water_plugin: tuple[Path, str], cli: DatafeedsCli
) -> None:
    folder, key = installed_water_plugin
    listed = json.loads(cli("plugins", "list", "--json").stdout)
    assert {
        "key": key,
        "distribution": f"datafeeds-{folder.name}",
        "version": "0.1.0",
        "module": f"datafeeds_{folder.name}",
    } in listed

    fixtures = folder / "tests" / "fixtures"
    first = run_generated_tests(folder)
    assert first.returncode == 1, first.stdout + first.stderr
    assert f"no reference fixtures for {key}" in first.stdout
    assert str(fixtures) in first.stdout.replace("\n", "")

    data = sample_statements()
    (fixtures / "sample_input.json").write_text(dumps(data))
    (fixtures / "sample_expected.json").write_text(periods_json(GENERIC_WATER(data).periods))
    second = run_generated_tests(folder)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "2 passed" in second.stdout


def test_water_plugin_selects_account_provider_and_water_meters(tmp_path: Path) -> None:
    code, output = run_new_plugin(
        "lakeside", "--provider", "LakesideWA", "--water", "--dest", str(tmp_path)
    )
    assert code == 0, output
    module = import_generated(tmp_path / "lakeside")
    assert module.KEY == "lakeside-urjanet"
    assert module.datafeeds_transformer("lakeside-urjanet") is GENERIC_WATER
    assert module.datafeeds_metadata("lakeside-urjanet").commodity == "water"
    selection = module.datafeeds_datasource(
        "lakeside-urjanet", DataSourceContext("lakeside-urjanet", utility_account_id=" 77-1 ")
    )
    assert selection.account == (
        Match("AccountNumber", "eq", "77-1"),
        Match("UtilityProvider", "eq", "LakesideWA"),
    )
    assert selection.meter == (Match("ServiceType", "in", WATER_SERVICE_TYPES),)
    assert module.datafeeds_transformer("other-urjanet") is None


def test_electric_plugin_uses_generic_electric_rules_and_electric_meters(tmp_path: Path) -> None:
    code, output = run_new_plugin(
        "hilltop-power", "--provider", "HilltopPower", "--electric", "--dest", str(tmp_path)
    )
    assert code == 0, output
    folder = tmp_path / "hilltop-power"
    assert (
        'hilltop-power-urjanet = "datafeeds_hilltop_power"'
        in (folder / "pyproject.toml").read_text()
    )
    assert 'name = "datafeeds-hilltop-power"' in (folder / "pyproject.toml").read_text()
    assert (folder / "README.md").is_file()
    module = import_generated(folder)
    assert module.datafeeds_transformer("hilltop-power-urjanet") is GENERIC_ELECTRIC
    assert module.datafeeds_metadata("hilltop-power-urjanet").commodity == "electric"
    selection = module.datafeeds_datasource(
        "hilltop-power-urjanet", DataSourceContext("hilltop-power-urjanet", utility_account_id="9")
    )
    assert selection.meter == (Match("ServiceType", "in", ("electric",)),)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad_Folder", "--provider", "X"], "lower-case letters"),
        (["ok", "--provider", "not a code"], "provider"),
        (["ok", "--provider", "X", "--water", "--electric"], "choose one"),
        (["watauga", "--provider", "X"], "already registered by datafeeds-watauga"),
    ],
)
def test_bad_requests_are_usage_errors_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, output = run_new_plugin(*args, "--dest", str(tmp_path))
    assert code == 2
    assert message in output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "lakeside").mkdir()
    (tmp_path / "lakeside" / "keep.txt").write_text("mine")
    code, output = run_new_plugin("lakeside", "--provider", "LakesideWA", "--dest", str(tmp_path))
    assert code == 2 and "already exists" in output
    assert [p.name for p in (tmp_path / "lakeside").iterdir()] == ["keep.txt"]


@pytest.mark.parametrize(
    ("folder", "commodity", "phrase"),
    [
        ("springfield-water", "water", "Springfield Water bills"),
        ("springfield", "water", "Springfield water bills"),
        ("acme-power", "electric", "Acme Power electric bills"),
    ],
)
def test_descriptions_name_the_commodity_once(
    folder: str, commodity: Literal["water", "electric"], phrase: str
) -> None:
    from datafeeds_core.plugin_api.scaffold import render

    files = render(folder, "Provider", commodity, f"{folder}-urjanet")
    assert f'description = "datafeeds plugin: {phrase} from Urjanet."' in files["pyproject.toml"]
    assert files["README.md"].splitlines()[2].startswith(f"{phrase} from Urjanet")
