"""Item 1, start-up: `datafeeds --help` and `datafeeds plugins list`; and the everyday
commands `runs list`, `plugins list` and `sources list` against `--help`.

With the installed keys, with 300 extra synthetic plugin distributions on PYTHONPATH (listing
reads metadata only, so they should cost little), and against a bare typer app generated from
our own command tree (same commands, options and help; none of our imports). `runs list` and
`sources list` read an embedded home set up as docs/running-jobs.md does (one data source, one
run), so they include opening the SQLite platform database and one query.
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from bench.harness import Report, clean_env, datafeeds_argv, interleaved, median

NAME = "startup"
EXTRA_PLUGINS = 300
TARGET_MS = 200.0
TARGET_BARE_RATIO = 1.3
TARGET_EXTRA_RATIO = 1.10
TARGET_EVERYDAY_RATIO = 1.3  # runs list, plugins list, sources list against --help
EXAMPLE_STATEMENTS = Path(__file__).resolve().parents[1] / "docs/examples/watauga-statements.json"
_TYPES = {int: "int", float: "float", bool: "bool"}


# ------------------------------------------------------------------ the bare baseline


def _param_source(param: Any) -> str:
    """One function parameter re-declaring a click parameter of our tree with typer."""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", str)
    kind = _TYPES.get(annotation, "str")
    if getattr(param, "multiple", False):
        kind = f"list[{kind}]"
    default = param.default
    if not isinstance(default, (type(None), bool, int, float, str)):
        default = None
    if default is None and not param.required:
        kind = f"{kind} | None"
    first = "..." if param.required else repr(default)
    extra = {"help": getattr(param, "help", None), "metavar": param.metavar}
    extras = "".join(f", {k}={v!r}" for k, v in extra.items() if v is not None)
    if type(param).__name__.endswith("Argument"):
        return f"{param.name}: {kind} = typer.Argument({first}{extras})"
    decls = list(param.opts)
    if param.secondary_opts:
        decls = [f"{'/'.join(param.opts)}/{'/'.join(param.secondary_opts)}"]
    names = ", ".join(repr(d) for d in decls)
    return f"{param.name}: {kind} = typer.Option({first}, {names}{extras})"


def _function_source(name: str, command: Any) -> str:
    params = ",\n    ".join(_param_source(p) for p in command.params)
    doc = repr(command.help or "")
    return (
        f"def {name}(\n    {params}\n) -> None:\n    {doc}\n"
        if params
        else (f"def {name}() -> None:\n    {doc}\n")
    )


def bare_app_source() -> str:
    """A typer script with the command tree of `datafeeds` and no-op commands."""
    import typer.main

    from datafeeds_core.cli import app

    root = typer.main.get_command(app)
    parts = ["import typer\n"]
    counter = iter(range(10_000))

    def typer_app(var: str, group: Any, name: str) -> None:
        parts.append(
            f"{var} = typer.Typer(name={name!r}, help={group.help!r}, "
            f"no_args_is_help={group.no_args_is_help!r}, add_completion=False, "
            f"pretty_exceptions_enable=False, "
            f"context_settings={{'help_option_names': ['-h', '--help']}})\n"
        )
        if group.params:
            fn = f"_cb{next(counter)}"
            parts.append(_function_source(fn, group))
            parts.append(f"{var}.callback()({fn})\n")
        for sub_name, sub in group.commands.items():
            if hasattr(sub, "commands"):
                sub_var = f"_app{next(counter)}"
                typer_app(sub_var, sub, sub_name)
                parts.append(f"{var}.add_typer({sub_var}, name={sub_name!r})\n")
            else:
                fn = f"_cmd{next(counter)}"
                parts.append(_function_source(fn, sub))
                parts.append(f"{var}.command({sub_name!r})({fn})\n")

    typer_app("app", root, root.name or "datafeeds")
    parts.append("\nif __name__ == '__main__':\n    app()\n")
    return "\n".join(parts)


# ------------------------------------------------------------------ extra plugins


def write_extra_plugins(root: Path, count: int) -> None:
    """`count` throwaway distributions, one entry point each (modules that do not exist:
    listing must not import them)."""
    for i in range(count):
        info = root / f"datafeeds_bench_extra_{i:03d}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: datafeeds-bench-extra-{i:03d}\nVersion: 1.0\n"
        )
        (info / "entry_points.txt").write_text(
            f"[datafeeds]\nbench-extra-{i:03d}-urjanet = datafeeds_bench_extra_{i:03d}\n"
        )


# ------------------------------------------------------------------ an everyday home


def prepare_home(cli: list[str], env: dict[str, str]) -> None:
    """The running-jobs guide's home: schema, the example statements, a meter, its data source
    and one run."""
    import subprocess

    def call(*args: str) -> str:
        done = subprocess.run(
            [*cli, *args], env=env, capture_output=True, text=True, check=True, timeout=300
        )
        return done.stdout.strip()

    call("db", "init")
    call("urjanet", "load", str(EXAMPLE_STATEMENTS))
    meter = call(
        "meters", "add", "--account-name", "Bench", "--utility", "utility:watauga",
        "--utility-account-id", "0123456789", "--service-id", "7700123456", "--commodity", "ccf",
    )  # fmt: skip
    source = call("sources", "create", meter, "watauga-urjanet")
    call("run", "--oid", source, "--dry-run")


# ------------------------------------------------------------------ the benchmark


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    report = Report(NAME, smoke)
    repeat = 1 if smoke else 25
    with tempfile.TemporaryDirectory(prefix="datafeeds-bench-startup-") as tmp:
        tmp_path = Path(tmp)
        home = tmp_path / "home"
        bare = tmp_path / "bare_datafeeds.py"
        bare.write_text(bare_app_source())
        extra = tmp_path / "site"
        extra.mkdir()
        write_extra_plugins(extra, EXTRA_PLUGINS)
        env = clean_env(DATAFEEDS_HOME=str(home))
        env_extra = {**env, "PYTHONPATH": str(extra)}
        cli = datafeeds_argv()
        prepare_home(cli, env)
        variants = {
            "help": ([*cli, "--help"], env),
            "list": ([*cli, "plugins", "list"], env),
            "help+300": ([*cli, "--help"], env_extra),
            "list+300": ([*cli, "plugins", "list"], env_extra),
            "bare help": ([sys.executable, str(bare), "--help"], env),
            "bare list": ([sys.executable, str(bare), "plugins", "list"], env),
            "runs list": ([*cli, "runs", "list"], env),
            "sources list": ([*cli, "sources", "list"], env),
        }
        runs = interleaved(variants, repeat, warmup=0 if smoke else 1)
    ms = {name: median([r.wall_s for r in results]) * 1000 for name, results in runs.items()}
    keys = _listed_keys(runs["list"][0].stdout)
    keys_extra = _listed_keys(runs["list+300"][0].stdout)
    report.details = {
        "repetitions": repeat,
        "installed_keys": keys,
        "keys_with_extra": keys_extra,
        "command": " ".join(cli),
        "samples_ms": {n: [round(r.wall_s * 1000, 1) for r in rs] for n, rs in runs.items()},
        "max_rss_mb": {n: round(median([r.max_rss_mb for r in rs]), 1) for n, rs in runs.items()},
    }
    report.add("installed keys listed", keys, "keys", against=f"{keys_extra} with the extras")
    for cmd in ("help", "list"):
        label = "--help" if cmd == "help" else "plugins list"
        report.add(
            f"{label} ({keys} keys) median",
            ms[cmd],
            "ms",
            target=f"< {TARGET_MS:.0f} ms",
            ok=ms[cmd] < TARGET_MS,
            against=f"{repeat} runs",
        )
        report.add(
            f"{label} bare typer median", ms[f"bare {cmd}"], "ms", against="same tree, no imports"
        )
        ratio = ms[cmd] / ms[f"bare {cmd}"]
        report.add(
            f"{label} / bare",
            ratio,
            "x",
            target=f"<= {TARGET_BARE_RATIO}x",
            ok=ratio <= TARGET_BARE_RATIO,
            against="bare typer app, interleaved",
        )
        report.add(
            f"{label} (+{EXTRA_PLUGINS} plugins) median",
            ms[f"{cmd}+300"],
            "ms",
            target=f"< {TARGET_MS:.0f} ms",
            ok=ms[f"{cmd}+300"] < TARGET_MS,
        )
        extra_ratio = ms[f"{cmd}+300"] / ms[cmd]
        report.add(
            f"{label} +{EXTRA_PLUGINS} / {keys} keys",
            extra_ratio,
            "x",
            target=f"<= {TARGET_EXTRA_RATIO:.2f}x",
            ok=extra_ratio <= TARGET_EXTRA_RATIO,
            against=f"{keys} keys, interleaved",
        )
    for cmd in ("runs list", "plugins list", "sources list"):
        measured = ms["list" if cmd == "plugins list" else cmd]
        report.add(f"{cmd} median", measured, "ms", against=f"{repeat} runs")
        ratio = measured / ms["help"]
        report.add(
            f"{cmd} / --help",
            ratio,
            "x",
            target=f"<= {TARGET_EVERYDAY_RATIO}x",
            ok=ratio <= TARGET_EVERYDAY_RATIO,
            against="datafeeds --help, interleaved",
        )
    return report


def _listed_keys(stdout: str) -> int:
    """Keys in `plugins list` output (its header row aside)."""
    return sum(1 for line in stdout.splitlines() if line and not line.startswith("KEY "))


if __name__ == "__main__":  # the bare app, for reading: python -m bench.startup
    print(textwrap.dedent(bare_app_source()))
