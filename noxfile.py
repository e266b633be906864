"""nox sessions: tests (one venv: core + every plugin), lint, typecheck, bench, container."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
PLUGINS = sorted(str(p) for p in Path("plugins").iterdir() if (p / "pyproject.toml").is_file())


def _install(session: nox.Session) -> None:
    session.install("-r", "requirements-lock.txt")
    session.install("--no-deps", "-e", ".", *[arg for p in PLUGINS for arg in ("-e", p)])


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """The whole suite: core and every plugin in one environment."""
    _install(session)
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "src", "plugins", "tests")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    _install(session)
    session.run("mypy")


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
