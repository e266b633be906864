"""What the concurrency and fault tests share: a gated test plugin, the real CLI in a subprocess,
the databases seeded with demo statements, PostgreSQL backend surgery and a cuttable TCP proxy.

The test plugin `gated-urjanet` is the Watauga plugin with two places a job can be paused at, by
setting FAULT_PAUSE: `transform` (inside the transform step, no transaction open) or `write` (just
after the bill writer's first INSERT INTO bill, inside its locked transaction). A paused job
writes `<where> <pid>` to the FIFO FAULT_REPORT and waits until the test closes its end of the
FIFO FAULT_RELEASE (every paused job is released at once). No sleeps: the test reads the report
with select() and a deadline.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

KEY = "gated-urjanet"
DEADLINE_S = 60.0

TEST_PLUGIN = '''
import os
import re

import datafeeds_watauga as watauga
from sqlalchemy import event
from sqlalchemy.engine import Engine

from datafeeds_core.plugin_api.hookspecs import hookimpl

KEY = "gated-urjanet"


def pause(where):
    """Report `where <pid>`, then wait for the test to close the release FIFO."""
    if os.environ.get("FAULT_PAUSE") != where:
        return
    with open(os.environ["FAULT_RELEASE"]) as release:
        with open(os.environ["FAULT_REPORT"], "w") as report:
            report.write(f"{where} {os.getpid()}\\n")
        release.read()  # EOF once the test closes its end


def gated(data):
    pause("transform")
    return watauga.TRANSFORMER(data)


INSERT_BILL = re.compile(r"\\s*INSERT INTO bill\\b", re.IGNORECASE)
paused = []


@event.listens_for(Engine, "after_cursor_execute")
def inside_the_write(conn, cursor, statement, parameters, context, executemany):
    if not paused and INSERT_BILL.match(statement):
        paused.append(statement)
        pause("write")


@hookimpl
def datafeeds_metadata(scraper_key):
    return watauga.METADATA if scraper_key == KEY else None


@hookimpl
def datafeeds_datasource(scraper_key, context):
    return watauga.datafeeds_datasource(watauga.KEY, context) if scraper_key == KEY else None


@hookimpl
def datafeeds_transformer(scraper_key):
    return gated if scraper_key == KEY else None
'''


def install_test_plugin(site: Path) -> Path:
    """A throwaway distribution registering `gated-urjanet`, for PYTHONPATH."""
    site.mkdir(parents=True, exist_ok=True)
    info = site / "datafeeds_reliability_test_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: datafeeds-reliability-test-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[datafeeds]\n{KEY} = reliability_test_plugin\n")
    (site / "reliability_test_plugin.py").write_text(TEST_PLUGIN)
    return site


# ---------------------------------------------------------------- pausing jobs


@dataclass
class Gate:
    """The two FIFOs a paused job talks through; the test holds both ends open."""

    report_path: Path
    release_path: Path
    _report: int = -1
    _release: int = -1
    _buffer: bytes = b""

    @classmethod
    def create(cls, folder: Path) -> Gate:
        gate = cls(folder / "fault-report", folder / "fault-release")
        os.mkfifo(gate.report_path)
        os.mkfifo(gate.release_path)
        # Both ends held open here: select() then waits for data instead of seeing EOF between
        # two writers, and a paused job's open() of either FIFO does not block (until the
        # release, which is final: a job pausing after it would wait for ever).
        gate._report = os.open(gate.report_path, os.O_RDWR | os.O_NONBLOCK)
        gate._release = os.open(gate.release_path, os.O_RDWR)
        return gate

    def env(self, where: str) -> dict[str, str]:
        return {
            "FAULT_PAUSE": where,
            "FAULT_REPORT": str(self.report_path),
            "FAULT_RELEASE": str(self.release_path),
        }

    def wait(self, count: int = 1, timeout_s: float = DEADLINE_S) -> list[tuple[str, int]]:
        """The first `count` reports `(where, pid)`; fails if they do not come in time."""
        lines: list[bytes] = []
        deadline = time.monotonic() + timeout_s
        while len(lines) < count:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._report], [], [], max(0.0, left))
            assert ready, f"only {len(lines)} of {count} jobs reached the pause"
            self._buffer += os.read(self._report, 4096)
            *complete, self._buffer = self._buffer.split(b"\n")
            lines += complete
        found = [line.decode().split() for line in lines]
        return [(where, int(pid)) for where, pid in found]

    def release(self) -> None:
        """Let every paused job go on."""
        if self._release >= 0:
            os.close(self._release)
            self._release = -1

    def close(self) -> None:
        self.release()
        if self._report >= 0:
            os.close(self._report)
            self._report = -1


# ---------------------------------------------------------------- the CLI


@dataclass
class Cli:
    """`python -m datafeeds_core ARGS` with an isolated environment (no caller settings)."""

    env: dict[str, str]
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "datafeeds_core", *args]

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            timeout=timeout,
        )

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, **(env or {})},
            start_new_session=True,  # a launcher and its children: one group to clean up
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        """Whatever a failed test left running: SIGKILL to each started process group."""
        for process in self.processes:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            with suppress(Exception):
                process.communicate(timeout=10)


def isolated_env(home: Path, site: Path, **settings: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATAFEEDS_", "POSTGRES_URL", "URJANET_", "AWS_", "FAULT_"))
    }
    env.update(PYTHONPATH=str(site), DATAFEEDS_HOME=str(home), **settings)
    return env


def window(months: int = 25) -> list[str]:
    today = date.today()
    return ["--start", str(today - timedelta(days=31 * months)), "--end", str(today)]


# ---------------------------------------------------------------- PostgreSQL backends


def observer_engine(url: str) -> Any:
    """An engine whose connections are not the job's (another application_name)."""
    from sqlalchemy import create_engine

    from datafeeds_core.database import normalise_url

    return create_engine(
        normalise_url(url), connect_args={"application_name": "reliability-observer"}
    )


def job_backends(observer: Any) -> list[dict[str, Any]]:
    """Backends of this database opened by datafeeds (application_name 'datafeeds')."""
    from sqlalchemy import text

    with observer.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT pid, state, backend_xid IS NOT NULL AS writing FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'datafeeds' "
                "AND pid <> pg_backend_pid() ORDER BY pid"
            )
        ).mappings()
        return [dict(r) for r in rows]


def terminate(observer: Any, pids: list[int]) -> None:
    from sqlalchemy import text

    with observer.connect() as conn:
        for pid in pids:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()


def advisory_locks(observer: Any, key: int) -> list[dict[str, Any]]:
    """Who holds or waits for the single-key advisory lock `key`."""
    from sqlalchemy import text

    with observer.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT l.pid, l.granted, a.application_name FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.objsubid = 1 "
                "AND ((l.classid::bigint << 32) | l.objid::bigint) = :key ORDER BY l.pid"
            ),
            {"key": key},
        ).mappings()
        return [dict(r) for r in rows]


# ---------------------------------------------------------------- a TCP proxy we can cut


class TcpProxy:
    """127.0.0.1:<port> → `upstream`, one thread pair per connection.

    `cut_on(pattern)`: the first connection whose client sends bytes containing `pattern` is
    dropped (both sides closed) instead of forwarding them: to the client, its server vanished
    mid-query. Later connections pass.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.cut = threading.Event()
        self._pattern: bytes | None = None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def cut_on(self, pattern: bytes | None) -> None:
        with self._lock:
            self._pattern = pattern

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            for src, dst, upward in ((client, server, True), (server, client, False)):
                threading.Thread(target=self._pump, args=(src, dst, upward), daemon=True).start()

    def _should_cut(self, data: bytes) -> bool:
        with self._lock:
            if self._pattern is not None and self._pattern in data:
                self._pattern = None
                return True
        return False

    def _pump(self, src: socket.socket, dst: socket.socket, upward: bool) -> None:
        try:
            while data := src.recv(65536):
                if upward and self._should_cut(data):
                    self.cut.set()
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


@contextmanager
def proxy_to(host: str, port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy((host, port))
    try:
        yield proxy
    finally:
        proxy.close()


# ---------------------------------------------------------------- databases and data


@dataclass
class Stack:
    """PostgreSQL platform, MariaDB Urjanet seeded with two years of demo statements, the CLI."""

    platform: Any  # PlatformTestDatabase
    urjanet: Any  # UrjanetTestDatabase
    cli: Cli
    home: Path
    tmp: Path

    # Every service gets a utility code of its own: services with the same SAID and utility
    # share their bills (fan-out), which would mix the services these tests keep apart.

    def add_source(self, key: str = KEY) -> Any:
        """A data source of `key` on its own meter and service; returns its JobTarget."""
        from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID

        return self.platform.add_target(
            key,
            utility=_own_utility(),
            utility_account_id=DEMO_ACCOUNT_NUMBER,
            service_id=DEMO_SERVICE_ID,
        )

    def add_shared_service(self, sources: int, key: str = KEY) -> tuple[int, list[int]]:
        """One utility service with `sources` meters, a data source each: (service, oids)."""
        from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID

        service = self.platform.add_service(
            utility=_own_utility(),
            utility_account_id=DEMO_ACCOUNT_NUMBER,
            service_id=DEMO_SERVICE_ID,
        )
        account = self.platform.add_account()
        oids = [
            self.platform.add_data_source(self.platform.add_meter(service, account=account), key)
            for _ in range(sources)
        ]
        return service, oids

    def bills(self, service: int) -> list[dict[str, Any]]:
        return list(self.platform.rows("bill", service=service))

    def runs(self, **where: Any) -> list[dict[str, Any]]:
        return list(self.platform.rows("datafeeds_run", **where))

    def run_of(self, oid: int) -> dict[str, Any]:
        [run] = self.runs(data_source=oid)
        return run


def _own_utility() -> str:
    import uuid

    return f"utility:test-{uuid.uuid4().hex[:8]}"


def seed_demo(urjanet: Any, link: str = "") -> int:
    """Demo statements shaped for Watauga (the gated plugin's data); returns how many."""
    from datafeeds_core.demo.data import demo_statements
    from datafeeds_core.plugin_api.registry import load

    data = demo_statements(load("watauga-urjanet").metadata(), date.today(), link=link)
    urjanet.seed(data)
    return len(data.accounts)


@contextmanager
def server_stack(platform_databases: Any, urjanet_databases: Any, tmp: Path) -> Iterator[Stack]:
    platform = platform_databases.get("postgresql")
    urjanet = urjanet_databases.get("mariadb")
    home = tmp / "home"
    site = install_test_plugin(tmp / "site")
    env = isolated_env(
        home,
        site,
        DATAFEEDS_PLATFORM_URL=platform.url,
        DATAFEEDS_URJANET_URL=urjanet.url,
        DATAFEEDS_DOCUMENTS_URL=f"file://{tmp / 'documents'}",
        DATAFEEDS_LOG_DIR=str(tmp / "logs"),
    )
    stack = Stack(platform, urjanet, Cli(env), home, tmp)
    try:
        yield stack
    finally:
        stack.cli.stop_all()
        platform.engine.dispose()
        platform.clear()
        urjanet.clear()
