"""Plugins come and go one package at a time, and a broken one takes nothing else down.

- Installing a real plugin package into a throwaway virtualenv adds exactly its keys to
  `datafeeds plugins list`; uninstalling it removes exactly them.
- A plugin that raises on import, installed beside every real key, is reported broken by
  `plugins check`, running its key exits 4, and every other key still transforms its input.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from datafeeds_core.plugin_api.conformance import (
    Case,
    check_case,
    manifest_cases,
)
from datafeeds_core.testing import DatafeedsCli, reference_fixtures_dir
from datafeeds_core.urjanet.fixture_json import read_periods

if TYPE_CHECKING:
    from tests.conftest import FakeDistributions

REPO = Path(__file__).resolve().parents[1]
PLUGINS = REPO / "plugins"
INSTALLED_AS = "ladwp"  # two keys: installing it must add both and nothing else


def declared_keys(folder: Path) -> set[str]:
    """The keys a plugin package registers, from its pyproject (what pip writes as entry
    points)."""
    project = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project["entry-points"]["datafeeds"])


def every_declared_key() -> set[str]:
    return {
        key
        for folder in PLUGINS.iterdir()
        if (folder / "pyproject.toml").is_file()
        for key in declared_keys(folder)
    }


def fixtures_dir() -> Path:
    return reference_fixtures_dir()


# ------------------------------------------------------------------ install / uninstall


@dataclass
class ThrowawayEnv:
    """A virtualenv without our distributions; third-party packages come from this one's."""

    python: Path

    def pip(self, *args: str) -> None:
        # This interpreter's pip, acting on the throwaway interpreter (no pip inside it).
        subprocess.run(
            [sys.executable, "-m", "pip", "-q", "--python", str(self.python), *args],
            check=True,
            timeout=300,
        )


def _without_our_distributions(target: Path) -> None:
    """`target` mirrors this environment's site-packages by symlinks, minus every datafeeds
    distribution and every .pth file (the editable installs of the core and the plugins)."""
    ours = ("datafeeds", "_datafeeds", "_editable_impl_datafeeds", "__editable__")
    for folder in {Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")}:
        for entry in folder.iterdir():
            if entry.name.startswith(ours) or entry.suffix == ".pth":
                continue
            if entry.name != "__pycache__" and not (target / entry.name).exists():
                (target / entry.name).symlink_to(entry)


@pytest.fixture
def throwaway_env(tmp_path: Path) -> ThrowawayEnv:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = tmp_path / "third-party"
    deps.mkdir()
    _without_our_distributions(deps)
    (Path(site) / "third_party.pth").write_text(f"{deps}\n")
    return ThrowawayEnv(python)


@pytest.mark.slow
def test_installing_and_uninstalling_a_plugin_adds_and_removes_exactly_its_keys(
    throwaway_env: ThrowawayEnv, tmp_path: Path
) -> None:
    cli = DatafeedsCli(home=tmp_path / "home", python=str(throwaway_env.python))

    def listed() -> set[str]:
        result = cli("plugins", "list", "--json")
        assert result.returncode == 0, result.stderr
        return {entry["key"] for entry in json.loads(result.stdout)}

    throwaway_env.pip("install", "--no-deps", str(REPO), str(PLUGINS / "watauga"))
    before = listed()
    assert before == declared_keys(PLUGINS / "watauga")

    throwaway_env.pip("install", "--no-deps", str(PLUGINS / INSTALLED_AS))
    with_plugin = listed()
    checked = cli("plugins", "check", "--json")
    throwaway_env.pip("uninstall", "-y", f"datafeeds-{INSTALLED_AS}")
    after = listed()

    added = declared_keys(PLUGINS / INSTALLED_AS)
    assert len(added) == 2 and not added & before
    assert with_plugin == before | added
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert {e["key"]: e["status"] for e in json.loads(checked.stdout)} == dict.fromkeys(
        with_plugin, "ok"
    )
    assert after == before


# ------------------------------------------------------------------ a plugin broken at import

BROKEN = """
raise ImportError("datafeeds_broken needs libfoo 2.0")
"""


def case_per_key(keys: set[str]) -> dict[str, tuple[Case, bool]]:
    """For each key, an input to transform and whether it is the key's own reference case
    (compared as the shared checker does). A key without reference fixtures transforms another
    utility's statement history of its commodity instead."""
    from datafeeds_core.plugin_api.registry import load

    cases = manifest_cases(fixtures_dir())
    own = {c.scraper: c for c in reversed(cases)}  # each key's first case
    water = next(c for c in cases if c.scraper == "american-urjanet")
    energy = next(c for c in cases if c.scraper == "heco-urjanet")
    chosen = {}
    for key in sorted(keys):
        if key in own:
            chosen[key] = (own[key], True)
        else:
            stand_in = water if load(key).metadata().commodity == "water" else energy
            chosen[key] = (stand_in, False)
    return chosen


def test_a_plugin_broken_at_import_is_reported_and_every_other_key_still_runs(
    cli: DatafeedsCli, fake_dists: FakeDistributions, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dists.add(
        "datafeeds-broken", {"broken-urjanet": "datafeeds_broken"}, {"datafeeds_broken": BROKEN}
    )
    # Every key of every plugins/*/ folder (however many there are: adding a plugin changes
    # nothing here), each installed, as scripts/test-all installs them.
    real = every_declared_key()
    installed = cli("plugins", "list", "--json")
    assert real and real == {e["key"] for e in json.loads(installed.stdout)}

    checked = cli("plugins", "check", "--json", pythonpath=fake_dists.root)
    status = {e["key"]: e for e in json.loads(checked.stdout)}
    assert checked.returncode == 4
    assert status["broken-urjanet"]["status"] == "broken"
    assert "ImportError: datafeeds_broken needs libfoo 2.0" in status["broken-urjanet"]["error"]
    assert {k: e["status"] for k, e in status.items() if k != "broken-urjanet"} == dict.fromkeys(
        real, "ok"
    )

    some_input = fixtures_dir() / "watauga" / "07291000_input.json"
    run = cli("urjanet", "transform", "broken-urjanet", str(some_input), pythonpath=fake_dists.root)
    assert run.returncode == 4 and run.stdout == ""
    assert run.stderr.strip().count("\n") == 0 and "needs libfoo 2.0" in run.stderr

    # Every real key, in one process that also has the broken plugin installed.
    from datafeeds_core.cli import app

    monkeypatch.syspath_prepend(str(fake_dists.root))
    runner = CliRunner()
    broken = runner.invoke(app, ["urjanet", "transform", "broken-urjanet", str(some_input)])
    assert broken.exit_code == 4  # installed here too
    failures = []
    for key, (case, is_own) in case_per_key(real).items():
        after = ["--after", str(case.after)] if case.after else []
        result = runner.invoke(app, ["urjanet", "transform", key, str(case.input), *after])
        if result.exit_code != 0:
            failures.append(f"{key}: exit {result.exit_code}: {result.stderr.strip()}")
            continue
        periods = read_periods(result.stdout)
        if is_own:
            failures += [f"{key} {case.id}: {p}" for p in check_case(case, periods)]
        elif not periods:
            failures.append(f"{key}: no periods from {case.id}")
    assert failures == []
