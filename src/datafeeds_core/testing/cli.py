"""`datafeeds_cli`: the real `datafeeds` command in a subprocess, isolated from the caller's
configuration, so that a test sees exactly what a user's shell would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The caller's settings that would point a subprocess at real databases or another home.
CALLER_SETTINGS = ("DATAFEEDS_", "POSTGRES_URL", "URJANET_")


@dataclass
class DatafeedsCli:
    """Runs `python -m datafeeds_core ARGS`; `home` is its DATAFEEDS_HOME, `python` the
    interpreter (this one by default; another virtualenv's to test an installation there)."""

    home: Path
    timeout: float = 120
    python: str = field(default_factory=lambda: sys.executable)

    def __call__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        pythonpath: Path | str | None = None,
        input: str | None = None,
        cwd: Path | str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """`env` adds variables (e.g. DATAFEEDS_URJANET_URL); `pythonpath` replaces PYTHONPATH
        (e.g. a folder of throwaway plugin distributions)."""
        full = {k: v for k, v in os.environ.items() if not k.startswith(CALLER_SETTINGS)}
        full["DATAFEEDS_HOME"] = str(self.home)
        if pythonpath is not None:
            full["PYTHONPATH"] = str(pythonpath)
        full.update(env or {})
        return subprocess.run(
            [self.python, "-m", "datafeeds_core", *args],
            capture_output=True,
            text=True,
            env=full,
            input=input,
            cwd=cwd,
            timeout=self.timeout,
        )
