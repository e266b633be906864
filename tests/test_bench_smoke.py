"""Every benchmark still runs: `python -m bench --smoke` (tiny sizes, one repetition).

Benchmarks measure, they do not assert speed; this only pins that each one runs to the end and
reports figures, so they keep working as the code changes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.postgres, pytest.mark.mariadb]


@pytest.mark.slow
def test_every_benchmark_runs_in_smoke_mode_and_reports_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO))  # bench/ is beside src/, not installed
    from bench.__main__ import BENCHMARKS

    out = tmp_path / "smoke.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json-out", str(out)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    reports = json.loads(out.read_text())
    assert sorted(reports) == sorted(BENCHMARKS)
    for name, report in reports.items():
        assert report["smoke"] is True
        assert report["measures"], f"{name} reported nothing: {report['skipped']}"
        for measure in report["measures"]:
            assert not math.isnan(measure["value"]), f"{name}: {measure['name']} is NaN"
    assert "benchmark" in result.stdout.splitlines()[0]  # the table
