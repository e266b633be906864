"""The guides run as written: every `sh` block of each guide, in order, in a fresh home.

So the docs cannot drift from the commands: a renamed option, a changed output the guide relies
on, or an oid the guide assumes all fail here.

The fence's info string says what a block is:

- ```` ```sh ```` — run, in order, in one shell per guide; it must exit 0.
- ```` ```sh fails ```` — run; it must exit non-zero (a step that fails on purpose).
- ```` ```sh aws ````, ```` ```sh docker ````, ```` ```sh mysql ````, ```` ```sh setup ````,
  ```` ```sh server ````, ```` ```sh tests ````, ```` ```sh index ```` — not run: it needs AWS, a
  Docker daemon, the production Urjanet MySQL, is the set-up the test itself stands on, starts a
  server that runs until stopped (its own tests serve it), runs tests of the suite itself, or
  needs a private package index (tests/test_install_from_index.py plays one). The word is the
  visible reason.
- ```` ```python file=PATH ```` — written to PATH (relative to the working folder) at that point.

Any other shell-like fence (`bash`, `shell`, `console`) is an error: every command block says
whether it runs.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from datafeeds_core.testing import DatabaseFactory

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
GUIDES = sorted(DOCS.glob("*.md"))
TIMEOUT_S = 900

SKIP_REASONS = ("aws", "docker", "mysql", "setup", "server", "tests", "index")
SHELL_LANGUAGES = ("sh", "bash", "shell", "console", "zsh")
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^[ \t]*```[ \t]*$", re.M | re.S
)


@dataclass(frozen=True)
class Block:
    guide: str
    line: int
    language: str
    words: tuple[str, ...]
    body: str

    @property
    def where(self) -> str:
        return f"{self.guide}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.language == "sh" and self.words in ((), ("fails",))

    @property
    def must_fail(self) -> bool:
        return self.words == ("fails",)

    @property
    def file(self) -> str | None:
        for word in self.words:
            if word.startswith("file="):
                return word.removeprefix("file=")
        return None


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for m in _FENCE.finditer(text):
        info = m["info"].split()
        language, words = (info[0], tuple(info[1:])) if info else ("", ())
        body = "\n".join(line.removeprefix(m["indent"]) for line in m["body"].splitlines())
        line = text.count("\n", 0, m.start()) + 1
        found.append(Block(path.name, line, language, words, body + "\n"))
    return found


def unmarked(block: Block) -> str | None:
    """Why a block breaks the marking rules, or None."""
    if block.language in SHELL_LANGUAGES and block.language != "sh":
        return f"{block.where}: a `{block.language}` block; use `sh` (runs) or `sh <reason>`"
    if (
        block.language == "sh"
        and not block.runs
        and (len(block.words) != 1 or block.words[0] not in SKIP_REASONS)
    ):
        reasons = "|".join(SKIP_REASONS)
        return f"{block.where}: `sh {' '.join(block.words)}`: say `sh` or `sh {reasons}`"
    return None


def script(guide_blocks: list[Block]) -> str:
    """One bash script: each runnable block in turn (variables carry over, as in a reader's
    shell), each announced on stderr so a failure names its block."""
    parts = ["set -eo pipefail"]
    for b in guide_blocks:
        if b.file is not None:
            target = shlex.quote(b.file)
            parts.append(f'mkdir -p "$(dirname {target})"')
            parts.append(f"cat > {target} <<'DATAFEEDS_GUIDE_EOF'\n{b.body}DATAFEEDS_GUIDE_EOF")
            continue
        if not b.runs:
            continue
        parts.append(f"echo '=== block {b.where}' >&2")
        if b.must_fail:
            parts.append(
                f"if (\n{b.body}); then echo 'block {b.where} should have failed' >&2; exit 97; fi"
            )
        else:
            parts.append(b.body)
    parts.append("echo '=== guide done' >&2")
    return "\n".join(parts) + "\n"


def _clean_env(home: Path, path_first: Path) -> dict[str, str]:
    """The caller's environment without any datafeeds setting, a fresh home, our venv first."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATAFEEDS_", "URJANET_", "AWS_")) and k != "POSTGRES_URL"
    }
    env["DATAFEEDS_HOME"] = str(home)
    env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    env.pop("COLUMNS", None)
    return env


def _run_guide(guide: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    text = script(blocks(DOCS / guide))
    done = subprocess.run(
        ["bash", "-c", text], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert done.returncode == 0 and "=== guide done" in done.stderr, (
        f"{guide} stopped (exit {done.returncode}) at:\n"
        + "\n".join(done.stderr.splitlines()[-40:])
        + "\n--- stdout ---\n"
        + "\n".join(done.stdout.splitlines()[-20:])
    )
    return done


def test_every_shell_block_of_the_docs_says_whether_it_runs() -> None:
    problems = [p for g in [*GUIDES, REPO / "README.md"] for b in blocks(g) if (p := unmarked(b))]
    assert problems == []
    runnable = {b.guide for g in GUIDES for b in blocks(g) if b.runs}
    assert {"running-jobs.md", "writing-a-utility-plugin.md"} <= runnable


@pytest.mark.slow
def test_running_jobs_guide_runs_as_written_on_a_fresh_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = _clean_env(home, Path(sys.executable).parent)
    done = _run_guide("running-jobs.md", REPO, env)

    assert "loaded 25 statements" in done.stdout
    assert "2026-07-01  2026-07-31  5690.3885   1312.85" in done.stdout  # the guide's example
    assert "refused: exit 3" in done.stdout
    assert "the feed watauga-urjanet is disabled" in done.stderr
    assert '"run_id"' in done.stderr and '"scraper": "watauga-urjanet"' in done.stderr
    assert "set aside:" in done.stdout
    assert not (REPO / "platform.db").exists()


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.slow
def test_running_jobs_guide_runs_on_postgresql_and_mariadb(
    tmp_path: Path, database_factory: DatabaseFactory
) -> None:
    env = _clean_env(tmp_path / "home", Path(sys.executable).parent)
    env["DATAFEEDS_PLATFORM_URL"] = database_factory.create("postgresql")
    env["DATAFEEDS_URJANET_URL"] = database_factory.create("mariadb")
    done = _run_guide("running-jobs.md", REPO, env)

    assert "loaded 25 statements into mysql" in done.stdout
    assert "postgresql" in done.stdout  # db init names the database it set up
    assert not (tmp_path / "home" / "platform.db").exists()


def _throwaway_venv(root: Path) -> Path:
    """A virtualenv at root/.venv that sees this environment's packages (core and plugins
    included) and installs new ones into itself, with `datafeeds` and `pytest` commands."""
    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    (Path(site) / "zz_datafeeds_guide.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n", encoding="utf-8"
    )
    for name, module in (("datafeeds", "datafeeds_core"), ("pytest", "pytest")):
        command = venv / "bin" / name
        command.write_text(
            f'#!{python}\nimport runpy\nrunpy.run_module("{module}", run_name="__main__")\n'
        )
        command.chmod(0o755)
    return venv


@pytest.mark.slow
def test_plugin_guide_runs_as_written_in_a_scratch_checkout(tmp_path: Path) -> None:
    """From a scratch repository root (its own virtualenv seeing ours, empty `plugins/` and
    `container/`, the reference material beside it as `../shared`), the guide scaffolds
    sample-water, installs it, writes its rules and tests, dumps and checks fixtures, configures
    a meter, runs it and freezes the plugin set."""
    root = tmp_path / "work" / "repo"
    (root / "plugins").mkdir(parents=True)
    (root / "container").mkdir()
    (tmp_path / "work" / "shared").symlink_to(REPO.parent / "shared")
    venv = _throwaway_venv(root)
    env = _clean_env(tmp_path / "unused-home", venv / "bin")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    done = _run_guide("writing-a-utility-plugin.md", root, env)

    assert "sample-water-urjanet" in done.stdout  # plugins list after the install
    assert "dropped statement PK=1021" in done.stderr  # the transform's example
    assert "4 passed" in done.stdout  # plugin, reference and selection (SQLite and MariaDB)
    assert "1 passed, 0 failed" in done.stdout  # the shared acceptance checker
    assert (root / "plugins/sample-water/tests/fixtures/demo_expected.json").is_file()
    assert "datafeeds-sample-water==0.1.0" in (root / "container/plugins.txt").read_text()


def test_a_block_that_fails_stops_the_guide_and_is_named(tmp_path: Path) -> None:
    """The runner itself: a failing block is reported, a `sh fails` block must fail."""
    guide = [
        Block("g.md", 1, "sh", (), "X=1\n"),
        Block("g.md", 5, "sh", ("fails",), "false\n"),
        Block("g.md", 9, "sh", ("aws",), "exit 1\n"),
        Block("g.md", 12, "sh", (), 'test "$X" = 1 && false\n'),
    ]
    done = subprocess.run(["bash", "-c", script(guide)], capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == "=== block g.md:12"
