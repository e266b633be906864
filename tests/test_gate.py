"""The gate is defined once (noxfile.py) and run the same way by CI, the README and pre-commit;
its tools come from the lock; mypy covers every folder with Python in it; the version is
written once."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import datafeeds_core

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_ci_and_the_readme_run_the_gate_through_scripts_test_all() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    readme = (REPO / "README.md").read_text()
    assert "scripts/test-all" in ci.splitlines()[-2]
    [command] = re.findall(r"## Run the tests\n\n```sh setup\n(.*)\n```", readme)
    assert command == "scripts/test-all"


def test_scripts_test_all_runs_no_check_of_its_own() -> None:
    """Every check lives in noxfile.py's sessions; test-all prepares the machine and runs them."""
    text = (REPO / "scripts" / "test-all").read_text()
    commands = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for tool in ("ruff", "mypy", "pytest", "scripts/audit"):
        assert not [line for line in commands if tool in line], f"{tool} belongs in noxfile.py"


def test_the_gate_lints_checks_the_format_and_types_with_locked_tools() -> None:
    noxfile = (REPO / "noxfile.py").read_text()
    assert re.search(r'session\.run\("ruff", "check", \*SOURCES\)', noxfile)
    assert re.search(r'session\.run\("ruff", "format", "--check", \*SOURCES\)', noxfile)
    assert 'SOURCES = ("src", "plugins", "tests")' in noxfile
    # Installs in the sessions' own venvs come from the hashed lock files, nothing by name alone.
    for call in re.findall(r"session\.install\((.*)\)", noxfile):
        assert "--require-hashes" in call or "--no-deps" in call, call
    assert '_install_pinned(session, "ruff")' in noxfile


def test_mypy_is_strict_over_every_folder_with_python() -> None:
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["strict"] is True
    assert set(mypy["files"]) == {"src", "plugins/*/src", "tests", "plugins/*/tests"}
    # The test folders' conftest modules are told apart by their path from these bases; each
    # package's src folder must be one, or its modules get a second name.
    sources = {str(p.relative_to(REPO)) for p in REPO.glob("plugins/*/src")}
    assert mypy["explicit_package_bases"] is True
    missing = sources - set(mypy["mypy_path"])
    assert not missing, f"add to [tool.mypy] mypy_path in pyproject.toml: {sorted(missing)}"
    assert "src" in mypy["mypy_path"]


def test_pre_commit_runs_the_gate_tools_from_the_venv() -> None:
    text = (REPO / ".pre-commit-config.yaml").read_text()
    assert "repo: local" in text and "repo: https" not in text
    entries = re.findall(r"entry: (\S+)", text)
    assert entries and all(e.startswith(".venv/bin/") for e in entries), entries


def test_the_version_is_written_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/datafeeds_core/__init__.py"
    assert metadata.version("datafeeds-core") == datafeeds_core.__version__


def test_the_changelog_has_an_unreleased_section() -> None:
    text = (REPO / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog")
    assert "## [Unreleased]" in text
