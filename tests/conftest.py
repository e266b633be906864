"""Core test helpers: fake plugin distributions on a path, and running the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@dataclass
class FakeDistributions:
    """Writes throwaway distributions (dist-info + module) into one folder for PYTHONPATH."""

    root: Path

    def add(
        self, dist: str, keys: dict[str, str], modules: dict[str, str], version: str = "1.0"
    ) -> None:
        info = self.root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        lines = "\n".join(f"{k} = {v}" for k, v in keys.items())
        (info / "entry_points.txt").write_text(f"[datafeeds]\n{lines}\n")
        for name, source in modules.items():
            (self.root / f"{name}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def fake_dists(tmp_path: Path) -> FakeDistributions:
    root = tmp_path / "site"
    root.mkdir()
    return FakeDistributions(root)


CliResult = subprocess.CompletedProcess[str]


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., CliResult]:
    """Run `python -m datafeeds_core ARGS` as a real subprocess with an isolated home."""

    def run(
        *args: str, env: dict[str, str] | None = None, pythonpath: Path | None = None
    ) -> CliResult:
        full = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATAFEEDS_", "POSTGRES_URL", "URJANET_"))
        }
        full["DATAFEEDS_HOME"] = str(tmp_path / "home")
        if pythonpath is not None:
            full["PYTHONPATH"] = str(pythonpath)
        full.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "datafeeds_core", *args],
            capture_output=True,
            text=True,
            env=full,
            timeout=120,
        )

    return run
