"""nox sessions: the gate, and the benchmark and container steps.

The gate is `lint`, `typecheck`, `audit` and `tests` (the default sessions, in that order). It
is defined here only: `scripts/test-all` (what CI and the README run) prepares the machine and
`.venv` from the lock, then runs these same sessions in that `.venv` (`nox --no-venv`). Run on
their own (`nox`, `nox -s lint`), each session makes its own virtualenv from the same lock
files, hashes required, so a tool has one version whichever way it is run.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import nox

GATE = ["lint", "typecheck", "audit", "tests"]
nox.options.sessions = GATE
LOCKS = ("requirements/runtime.txt", "requirements/dev.txt")
PLUGINS = sorted(str(p) for p in Path("plugins").iterdir() if (p / "pyproject.toml").is_file())
# What ruff checks and formats, and what mypy reads (see [tool.mypy] files).
SOURCES = ("src", "plugins", "tests")


def _own_venv(session: nox.Session) -> bool:
    """False under `nox --no-venv` (scripts/test-all): its .venv already holds the lock."""
    return session.venv_backend != "none"


def _install(session: nox.Session, *, project: bool = True) -> None:
    """Every locked package (hashes checked), then the core and the plugins from the checkout."""
    if not _own_venv(session):
        return
    # dev.txt includes runtime.txt (its `-r runtime.txt` line).
    session.install("--require-hashes", "-r", "requirements/dev.txt")
    if project:
        session.install("--no-deps", "-e", ".", *[arg for p in PLUGINS for arg in ("-e", p)])


def _install_pinned(session: nox.Session, *names: str) -> None:
    """Only the named packages, at their locked versions and hashes (for dependency-free tools)."""
    if not _own_venv(session):
        return
    wanted = {name.lower() for name in names}
    entries = []
    for lock in LOCKS:
        # One entry: `name==version \` then its `--hash=...` lines, up to the next comment.
        for entry in re.split(r"\n(?=\S)", Path(lock).read_text()):
            if entry.split("==", 1)[0].strip().lower() in wanted:
                entries.append(entry.split("\n    #", 1)[0].rstrip(" \\\n"))
    missing = wanted - {e.split("==", 1)[0].lower() for e in entries}
    if missing:
        session.error(f"not in {', '.join(LOCKS)}: {', '.join(sorted(missing))}")
    with tempfile.TemporaryDirectory() as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("\n".join(entries) + "\n")
        session.install("--require-hashes", "--no-deps", "-r", str(requirements))


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff: the lint rules, and the formatting (checked, never rewritten here)."""
    _install_pinned(session, "ruff")
    session.run("ruff", "check", *SOURCES)
    session.run("ruff", "format", "--check", *SOURCES)


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy, strict, over the core, the plugins and the tests ([tool.mypy] in pyproject.toml)."""
    _install(session)
    session.run("mypy")


@nox.session(python="3.11")
def audit(session: nox.Session) -> None:
    """Known vulnerabilities in the locked packages: printed, never gating (it may have no
    network; scripts/audit says why it did not run)."""
    _install(session, project=False)
    # Without a venv of its own, scripts/audit finds .venv's pip-audit itself.
    env = {"PIP_AUDIT": str(Path(session.bin) / "pip-audit")} if _own_venv(session) else {}
    session.run("scripts/audit", env=env, success_codes=[0, 1, 2], external=True)


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """The whole suite: core and every plugin in one environment (pytest arguments after --)."""
    _install(session)
    # A temp root of our own: other pytest sessions of this user cannot prune it mid-run.
    session.run("python", "-m", "pytest", "--basetemp=.pytest-tmp", *session.posargs)


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Benchmarks (measure and report; not tests)."""
    _install(session)
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(python=False)
def container(session: nox.Session) -> None:
    """The worker image built and run as Batch runs it (Docker started if need be; CI runs this
    after scripts/test-all, whose .venv it uses)."""
    session.run("scripts/container-ci", *session.posargs, external=True)
