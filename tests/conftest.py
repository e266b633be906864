"""Core test helpers: fake plugin distributions on a path, and running the real CLI."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from datafeeds_core.testing import DatafeedsCli

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


@pytest.fixture
def cli(datafeeds_cli: DatafeedsCli) -> DatafeedsCli:
    """Run `python -m datafeeds_core ARGS` as a real subprocess with an isolated home (the
    `datafeeds_cli` fixture plugin authors get; its home is `tmp_path / "home"`)."""
    return datafeeds_cli
