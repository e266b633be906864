"""What every benchmark shares: measured child processes, medians, the report and its table."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


@dataclass
class Measure:
    """One reported figure, with its target and what it is compared against."""

    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None  # None: no target
    against: str = ""


@dataclass
class Report:
    benchmark: str
    smoke: bool
    measures: list[Measure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(
        self,
        name: str,
        value: float,
        unit: str,
        *,
        target: str = "",
        ok: bool | None = None,
        against: str = "",
    ) -> Measure:
        measure = Measure(name, value, unit, target, ok, against)
        self.measures.append(measure)
        return measure

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "machine": machine()}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    mem_gb = None
    try:
        meminfo = Path("/proc/meminfo").read_text().split()
        mem_gb = round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    return {
        "nproc": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        # The machine is shared: the load while measuring says how much to trust wall times.
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return float(ordered[int(rank) - 1])


@dataclass(frozen=True)
class ChildRun:
    """One finished child process: wall time, its own peak RSS, exit code and output."""

    wall_s: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> ChildRun:
    """Run `argv`, timing it with perf_counter and reading the child's own rusage (os.wait4),
    so the peak memory is that process's, not the maximum over every child so far."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdout=out, stderr=err, env=dict(env) if env is not None else None, cwd=cwd
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = ChildRun(
            wall,
            usage.ru_maxrss / 1024,  # Linux: kilobytes
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stderr[-2000:]}")
    return result


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without datafeeds settings (the benchmark sets its own)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATAFEEDS_", "POSTGRES_URL", "URJANET_", "PYTHONPATH"))
    }
    env.update(extra)
    return env


def datafeeds_argv() -> list[str]:
    """The installed console script beside this interpreter, else `python -m datafeeds_core`."""
    script = Path(sys.executable).with_name("datafeeds")
    if script.is_file():
        return [str(script)]
    found = shutil.which("datafeeds")
    return [found] if found else [sys.executable, "-m", "datafeeds_core"]


def interleaved(
    variants: Mapping[str, tuple[Sequence[str], Mapping[str, str]]],
    repeat: int,
    *,
    warmup: int = 1,
) -> dict[str, list[ChildRun]]:
    """Run every variant `repeat` times, one of each per round in a rotating order, so that
    noise from the shared machine hits all of them alike. Warm-up rounds are not kept."""
    names = list(variants)
    runs: dict[str, list[ChildRun]] = {name: [] for name in names}
    for round_ in range(warmup + repeat):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            argv, env = variants[name]
            result = run_child(argv, env=env)
            if round_ >= warmup:
                runs[name].append(result)
    return runs


def fmt(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if unit in ("ms", "s") or unit.endswith("/s") or unit in ("MB", "x"):
        digits = 0 if abs(value) >= 1000 else (1 if abs(value) >= 10 else 2)
        return f"{value:,.{digits}f} {unit}"
    if float(value).is_integer():
        return f"{int(value):,} {unit}"
    return f"{value:,.2f} {unit}"


def table(reports: Sequence[Report]) -> str:
    """The reports as one plain-text table."""
    rows = [("benchmark", "measure", "value", "target", "ok", "compared against")]
    for report in reports:
        for m in report.measures:
            ok = "" if m.ok is None else ("yes" if m.ok else "MISSED")
            rows.append((report.benchmark, m.name, fmt(m.value, m.unit), m.target, ok, m.against))
        for skipped in report.skipped:
            rows.append((report.benchmark, "skipped", "", "", "", skipped))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


class TreeMemory:
    """Samples the summed resident memory of this process's descendants (every `interval` s,
    from /proc) in a background thread; `peak_mb` is the largest sum seen."""

    def __init__(self, interval: float = 0.1) -> None:
        import threading

        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
        me = os.getpid()
        while not self._stop.wait(self.interval):
            parents: dict[int, int] = {}
            rss: dict[int, int] = {}
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    stat = Path(entry.path, "stat").read_text()
                    statm = Path(entry.path, "statm").read_text().split()
                except OSError:
                    continue
                pid = int(entry.name)
                parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
                rss[pid] = int(statm[1])
            total = 0
            for pid, pages in rss.items():
                p = parents.get(pid)
                while p and p != me:
                    p = parents.get(p)
                if p == me:
                    total += pages
            self.peak_mb = max(self.peak_mb, total * page_mb)
