"""`datafeeds_core.plugin_api`: the one module plugins import from, cheap to import, and the
plugin-API version each plugin declares and the core checks at load."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import datafeeds_core.plugin_api as api
from datafeeds_core.errors import PluginError
from datafeeds_core.testing import DatafeedsCli

if TYPE_CHECKING:
    from tests.conftest import FakeDistributions
from datafeeds_core.plugin_api.registry import PluginInfo, check_api_version

REPO = Path(__file__).resolve().parents[1]
PLUGIN_SOURCES = sorted(REPO.glob("plugins/*/src/*/**/*.py"))
PLUGIN_MODULES = sorted(REPO.glob("plugins/*/src/*/__init__.py"))
INFO = PluginInfo("x-urjanet", "datafeeds-x", "0.3", "x")


def core_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("datafeeds_core"):
            found.add(node.module or "")
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("datafeeds_core")}
    return found


def test_every_plugin_imports_from_the_plugin_api_module_only() -> None:
    assert PLUGIN_SOURCES
    wrong = {
        str(p.relative_to(REPO)): core_imports(p) - {"datafeeds_core.plugin_api"}
        for p in PLUGIN_SOURCES
    }
    assert {p: m for p, m in wrong.items() if m} == {}


def test_every_exported_name_resolves() -> None:
    for name in api.__all__:
        assert getattr(api, name) is not None, name
    assert api.hookimpl.project_name == "datafeeds"
    assert api.rules.new_charges is not None  # a module, exported whole
    with pytest.raises(AttributeError):
        api.no_such_name  # noqa: B018


def test_importing_the_registry_imports_nothing_heavy() -> None:
    code = (
        "import sys; import datafeeds_core.plugin_api.registry; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pluggy', 'sqlalchemy') "
        "or m.startswith(('datafeeds_core.urjanet', 'datafeeds_core.plugin_api.contract'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_plugin_declares_this_api_and_bounds_the_core_major_version() -> None:
    assert PLUGIN_MODULES
    for module in PLUGIN_MODULES:
        assert f'PLUGIN_API_VERSION = "{api.API_VERSION}"' in module.read_text(), module
    for pyproject in sorted(REPO.glob("plugins/*/pyproject.toml")):
        deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
        assert "datafeeds-core>=0.1,<1" in deps, pyproject


@pytest.mark.parametrize("declared", [api.API_VERSION, "1", None])
def test_a_plugin_of_this_major_version_loads(declared: str | None) -> None:
    check_api_version(INFO, declared)  # None: written before versions, for 1.0


@pytest.mark.parametrize(
    ("declared", "says"),
    [
        ("2.0", "written for plugin API 2.0; this datafeeds-core offers 1.0"),
        ("0.9", "written for plugin API 0.9"),
        ("1.7", "written for plugin API 1.7"),  # a newer minor: features this core lacks
        ("one", "is not a version like"),
        (2, "is not a version like"),
    ],
)
def test_a_plugin_of_another_api_version_is_refused_in_one_line(
    declared: object, says: str
) -> None:
    with pytest.raises(PluginError) as err:
        check_api_version(INFO, declared)
    message = str(err.value)
    assert says in message and '"x-urjanet" (datafeeds-x 0.3)' in message
    assert "\n" not in message


FUTURE = """
PLUGIN_API_VERSION = "2.0"
from datafeeds_core.plugin_api import GENERIC_WATER, PluginMetadata, Selection, provider_is
from datafeeds_core.plugin_api import single_key_hooks

datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    "future-urjanet",
    PluginMetadata(provider="Future", commodity="water"),
    lambda context: Selection(account=(provider_is("Future"),)),
    GENERIC_WATER,
)
"""


def test_the_cli_reports_a_plugin_of_another_major_version_as_broken(
    cli: DatafeedsCli, fake_dists: FakeDistributions, tmp_path: Path
) -> None:
    fake_dists.add(
        "datafeeds-future", {"future-urjanet": "future_plugin"}, {"future_plugin": FUTURE}
    )
    check = cli("plugins", "check", "--json", pythonpath=fake_dists.root)
    assert check.returncode == 4
    status = {e["key"]: e for e in json.loads(check.stdout)}
    assert status["future-urjanet"]["status"] == "broken"
    assert "written for plugin API 2.0" in status["future-urjanet"]["error"]
    assert status["watauga-urjanet"]["status"] == "ok"

    data = tmp_path / "in.json"
    data.write_text('{"accounts": []}')
    run = cli("urjanet", "transform", "future-urjanet", str(data), pythonpath=fake_dists.root)
    assert run.returncode == 4
    assert run.stderr.strip().count("\n") == 0 and "plugin API 2.0" in run.stderr
