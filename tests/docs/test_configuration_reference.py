"""docs/configuration.md names every DATAFEEDS_* variable the code reads."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\bDATAFEEDS_[A-Z0-9]+(?:_[A-Z0-9]+)*\b")
SOURCES = ("src", "plugins", "container", "scripts", "bench")


def names_in_code() -> dict[str, Path]:
    """Each DATAFEEDS_* name in the code (Python, shell, Dockerfile, templates) and one file
    that has it; tests are not the code's settings."""
    found: dict[str, Path] = {}
    for top in SOURCES:
        for path in sorted((REPO / top).rglob("*")):
            if not path.is_file() or "tests" in path.relative_to(REPO).parts:
                continue
            if path.suffix not in ("", ".py", ".sh", ".yaml", ".yml", ".toml", ".txt"):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            for name in NAME.findall(text):
                found.setdefault(name, path.relative_to(REPO))
    return found


def test_every_variable_the_code_reads_is_in_the_configuration_reference() -> None:
    documented = set(NAME.findall((REPO / "docs" / "configuration.md").read_text()))
    code = names_in_code()
    assert {"DATAFEEDS_HOME", "DATAFEEDS_LOG_DIR", "DATAFEEDS_WARM_PLUGINS"} <= set(code)
    missing = {name: str(path) for name, path in code.items() if name not in documented}
    assert missing == {}, "document these in docs/configuration.md"


def test_the_reference_names_no_variable_the_code_does_not_read() -> None:
    documented = set(NAME.findall((REPO / "docs" / "configuration.md").read_text()))
    assert documented - set(names_in_code()) == set()
