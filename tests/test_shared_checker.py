"""Acceptance: the shared checker runs `datafeeds urjanet transform` over every reference case."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from datafeeds_core.testing.locations import reference_fixtures_dir


@pytest.mark.slow
def test_every_reference_case_passes_the_shared_checker() -> None:
    fixtures = reference_fixtures_dir()
    checker = fixtures.parents[1] / "tools" / "check-urjanet-fixtures"
    if not checker.is_file():
        pytest.fail(f"the shared checker is missing: {checker}", pytrace=False)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [
            sys.executable,
            str(checker),
            "--manifest",
            str(fixtures / "manifest.json"),
            "--fixtures",
            str(fixtures),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    summary = result.stdout.strip().splitlines()[-2:]
    failures = [line for line in result.stdout.splitlines() if line.startswith(("FAIL", "ERROR"))]
    assert result.returncode == 0, "\n".join(failures + summary)
    assert summary[0].endswith(" failed") and " 0 failed" in summary[0]
