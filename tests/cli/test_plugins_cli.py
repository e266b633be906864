"""Plugin discovery from metadata, lazy loading, and failure isolation, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from datafeeds_core.testing import DatafeedsCli

if TYPE_CHECKING:
    from tests.conftest import FakeDistributions

GOOD = """
from datafeeds_core.plugin_api.contract import PluginMetadata, Selection, provider_is
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.transform import GENERIC_WATER

@hookimpl
def datafeeds_metadata(scraper_key):
    if scraper_key == "good-urjanet":
        return PluginMetadata(provider="Good", commodity="water")

@hookimpl
def datafeeds_datasource(scraper_key, context):
    if scraper_key == "good-urjanet":
        return Selection(account=(provider_is("Good"),))

@hookimpl
def datafeeds_transformer(scraper_key):
    if scraper_key == "good-urjanet":
        return GENERIC_WATER
"""

BROKEN = """
raise RuntimeError("boom at import")
"""

NOISY = """
import pathlib, os
pathlib.Path(os.environ["MARKER"]).write_text("imported")
raise SystemExit("must never be imported by plugins list")
"""


def test_plugins_list_json_reads_metadata_without_importing(
    cli: DatafeedsCli, fake_dists: FakeDistributions, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    fake_dists.add(
        "datafeeds-noisy", {"noisy-urjanet": "noisy_plugin"}, {"noisy_plugin": NOISY}, "2.3"
    )
    result = cli(
        "plugins", "list", "--json", pythonpath=fake_dists.root, env={"MARKER": str(marker)}
    )
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    noisy = [e for e in entries if e["key"] == "noisy-urjanet"]
    assert noisy == [
        {
            "key": "noisy-urjanet",
            "distribution": "datafeeds-noisy",
            "version": "2.3",
            "module": "noisy_plugin",
        }
    ]
    assert not marker.exists()


def test_broken_plugin_is_reported_and_affects_no_other_key(
    cli: DatafeedsCli, fake_dists: FakeDistributions
) -> None:
    fake_dists.add("datafeeds-good", {"good-urjanet": "good_plugin"}, {"good_plugin": GOOD})
    fake_dists.add(
        "datafeeds-broken", {"broken-urjanet": "broken_plugin"}, {"broken_plugin": BROKEN}
    )
    result = cli("plugins", "check", "--json", pythonpath=fake_dists.root)
    assert result.returncode == 4
    status = {e["key"]: e for e in json.loads(result.stdout)}
    assert status["good-urjanet"]["status"] == "ok"
    assert status["good-urjanet"]["error"] is None
    assert status["broken-urjanet"]["status"] == "broken"
    assert "boom at import" in status["broken-urjanet"]["error"]
    assert status["watauga-urjanet"]["status"] == "ok"


def test_running_a_broken_plugin_exits_4_with_one_line(
    cli: DatafeedsCli, fake_dists: FakeDistributions, tmp_path: Path
) -> None:
    fake_dists.add(
        "datafeeds-broken", {"broken-urjanet": "broken_plugin"}, {"broken_plugin": BROKEN}
    )
    data = tmp_path / "in.json"
    data.write_text('{"accounts": []}')
    result = cli("urjanet", "transform", "broken-urjanet", str(data), pythonpath=fake_dists.root)
    assert result.returncode == 4
    assert result.stderr.strip().count("\n") == 0
    assert "boom at import" in result.stderr and "Traceback" not in result.stderr


def test_duplicate_key_names_both_distributions(
    cli: DatafeedsCli, fake_dists: FakeDistributions
) -> None:
    fake_dists.add("datafeeds-good", {"good-urjanet": "good_plugin"}, {"good_plugin": GOOD})
    fake_dists.add("datafeeds-twin", {"good-urjanet": "good_plugin"}, {})
    result = cli("plugins", "check", "--json", pythonpath=fake_dists.root)
    entries = [e for e in json.loads(result.stdout) if e["key"] == "good-urjanet"]
    assert {e["status"] for e in entries} == {"duplicate"}
    assert all("datafeeds-good" in e["error"] and "datafeeds-twin" in e["error"] for e in entries)
    assert result.returncode == 4


def test_load_and_disable_lists_apply_by_key_before_import(
    cli: DatafeedsCli, fake_dists: FakeDistributions
) -> None:
    fake_dists.add("datafeeds-good", {"good-urjanet": "good_plugin"}, {"good_plugin": GOOD})
    fake_dists.add(
        "datafeeds-broken", {"broken-urjanet": "broken_plugin"}, {"broken_plugin": BROKEN}
    )
    only = cli(
        "plugins",
        "check",
        "--json",
        pythonpath=fake_dists.root,
        env={"DATAFEEDS_LOAD_PLUGINS": "good-urjanet"},
    )
    assert only.returncode == 0
    assert [e["key"] for e in json.loads(only.stdout)] == ["good-urjanet"]
    without = cli(
        "plugins",
        "list",
        "--json",
        pythonpath=fake_dists.root,
        env={"DATAFEEDS_DISABLE_PLUGINS": "broken-urjanet, good-urjanet"},
    )
    keys = [e["key"] for e in json.loads(without.stdout)]
    assert "broken-urjanet" not in keys and "good-urjanet" not in keys and "watauga-urjanet" in keys


def test_version_lists_installed_plugins_with_versions(
    cli: DatafeedsCli, fake_dists: FakeDistributions
) -> None:
    fake_dists.add(
        "datafeeds-good", {"good-urjanet": "good_plugin"}, {"good_plugin": GOOD}, "3.1.4"
    )
    result = cli("--version", pythonpath=fake_dists.root)
    assert result.returncode == 0
    assert result.stdout.startswith("datafeeds-core ")
    assert "good-urjanet" in result.stdout and "datafeeds-good 3.1.4" in result.stdout


def test_freeze_prints_pins_of_installed_plugins(
    cli: DatafeedsCli, fake_dists: FakeDistributions
) -> None:
    fake_dists.add(
        "datafeeds-good", {"good-urjanet": "good_plugin"}, {"good_plugin": GOOD}, "3.1.4"
    )
    result = cli("plugins", "freeze", pythonpath=fake_dists.root)
    assert "datafeeds-good==3.1.4" in result.stdout.splitlines()


def test_freeze_output_is_the_pinned_file_header_included(cli: DatafeedsCli) -> None:
    """`plugins freeze > container/plugins.txt` rewrites the file exactly, comment included."""
    pinned = Path(__file__).resolve().parents[2] / "container" / "plugins.txt"
    result = cli("plugins", "freeze")
    assert result.stdout.splitlines()[0].startswith("# ")
    assert result.stdout == pinned.read_text(encoding="utf-8")
