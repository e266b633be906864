"""Faults: a job killed mid-write, its launcher killed, the platform connection dropped, the
Urjanet database cut off, document stores and servers failing, a full document folder.

What must hold each time: no partial or lost bill, a run record that says what happened, the
documented exit code (75 for an outage, so Batch retries), and a retry that completes. Jobs are
paused at deterministic points by the gated test plugin (fault_kit), never by sleeping.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from datafeeds_core.platform.batch_runs import QueuedRun, open_queued_runs

from .fault_kit import (
    DEADLINE_S,
    KEY,
    Gate,
    Stack,
    advisory_locks,
    job_backends,
    observer_engine,
    proxy_to,
    seed_demo,
    server_stack,
    terminate,
    window,
)

SERVERS = [pytest.mark.postgres, pytest.mark.mariadb]


@pytest.fixture
def stack(platform_databases: Any, urjanet_databases: Any, tmp_path: Path) -> Iterator[Stack]:
    with server_stack(platform_databases, urjanet_databases, tmp_path) as found:
        yield found


@pytest.fixture
def gate(tmp_path: Path) -> Iterator[Gate]:
    found = Gate.create(tmp_path)
    yield found
    found.close()


def queued_batch_run(stack: Stack, oid: int) -> int:
    """A run queued as `batch submit` queues it, for `datafeeds worker --run-id` (Batch's
    retry runs the same run again: attempt 2)."""
    today = date.today()
    [run_id] = open_queued_runs(
        stack.platform.engine, [QueuedRun(oid, KEY, today - timedelta(days=775), today)]
    )
    return run_id


def worker_args(oid: int, run_id: int) -> list[str]:
    return ["worker", "--oid", str(oid), "--run-id", str(run_id), *window()]


def assert_complete(stack: Stack, target: Any, run: dict[str, Any]) -> None:
    """The run wrote every period, each once, and says so."""
    bills = stack.bills(target.service_oid)
    keys = {(b["initial"], b["closing"]) for b in bills}
    assert bills and len(keys) == len(bills)
    assert run["status"] == "succeeded"
    assert run["counts"]["new"] == run["counts"]["periods"] == len(bills)


# ---------------------------------------------------------------- kill -9


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.slow
def test_kill_9_mid_write_leaves_no_bill_and_the_next_sync_marks_the_run_lost(
    stack: Stack, gate: Gate
) -> None:
    seed_demo(stack.urjanet)
    target = stack.add_source()
    job = stack.cli.start("run", "--oid", str(target.data_source_oid), env=gate.env("write"))
    [(where, pid)] = gate.wait()
    assert (where, pid) == ("write", job.pid)
    observer = observer_engine(stack.platform.url)
    try:
        # Paused inside the bill transaction: one insert done, the service lock held.
        [backend] = [b for b in job_backends(observer) if b["writing"]]
        assert backend["state"] == "idle in transaction"
        assert [lock["pid"] for lock in advisory_locks(observer, target.service_oid)] == [
            backend["pid"]
        ]
        os.kill(pid, signal.SIGKILL)
        job.communicate(timeout=DEADLINE_S)
        assert job.returncode == -signal.SIGKILL
        assert stack.bills(target.service_oid) == [], "the insert died with its transaction"
    finally:
        observer.dispose()
    [run] = stack.runs()
    assert run["status"] == "running"  # nobody could close it

    synced = stack.cli("runs", "sync")

    assert synced.returncode == 0, synced.stderr
    assert f"run {run['id']}: running -> lost" in synced.stdout
    [run] = stack.runs()
    assert (run["status"], run["error_class"]) == ("lost", "ProcessLost")
    assert run["finished_at"] is not None
    assert "marked 0 runs lost" in stack.cli("runs", "sync").stdout  # once is enough

    retry = stack.cli("run", "--oid", str(target.data_source_oid))
    assert retry.returncode == 0, retry.stderr
    assert_complete(stack, target, stack.runs()[-1])


@pytest.mark.postgres
@pytest.mark.mariadb
def test_a_launched_job_killed_mid_write_is_recorded_crashed_and_wrote_no_bill(
    stack: Stack, gate: Gate
) -> None:
    seed_demo(stack.urjanet)
    target = stack.add_source()
    launcher = stack.cli.start(
        "launch", "--oid", str(target.data_source_oid), env=gate.env("write")
    )
    [(_, child)] = gate.wait()

    os.kill(child, signal.SIGKILL)
    out, err = launcher.communicate(timeout=DEADLINE_S)

    assert launcher.returncode == 1, out + err
    run = stack.run_of(target.data_source_oid)
    assert (run["status"], run["error_class"]) == ("failed", "Crashed")
    assert "SIGKILL" in run["error_message"]
    assert stack.bills(target.service_oid) == []
    assert f"oid {target.data_source_oid} " in out  # listed among the failures


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.slow
def test_when_the_launcher_dies_sync_marks_its_queued_runs_lost_and_a_run_lost_once_its_job_dies(
    stack: Stack, gate: Gate
) -> None:
    seed_demo(stack.urjanet)
    first, second = stack.add_source(), stack.add_source()
    launcher = stack.cli.start(
        "launch",
        "--oid",
        f"{first.data_source_oid},{second.data_source_oid}",
        "--concurrency",
        "1",
        env=gate.env("write"),
    )
    [(_, child)] = gate.wait()
    os.kill(launcher.pid, signal.SIGKILL)
    launcher.wait(DEADLINE_S)  # not communicate(): its fork server may still hold the pipes

    synced = stack.cli("runs", "sync")

    assert synced.returncode == 0, synced.stderr
    running, queued = stack.run_of(first.data_source_oid), stack.run_of(second.data_source_oid)
    assert running["status"] == "running", "its job is alive (paused): not lost"
    assert (queued["status"], queued["error_class"]) == ("lost", "LauncherLost")
    assert f"run {queued['id']}: queued -> lost" in synced.stdout

    os.kill(child, signal.SIGKILL)
    synced = stack.cli("runs", "sync")

    assert f"run {running['id']}: running -> lost" in synced.stdout
    running = stack.run_of(first.data_source_oid)
    assert (running["status"], running["error_class"]) == ("lost", "ProcessLost")
    assert stack.bills(first.service_oid) == stack.bills(second.service_oid) == []
    assert list((stack.home / "running").iterdir()) == [], "sync removed the dead lock files"


def test_sync_leaves_alone_live_runs_and_runs_it_cannot_judge(
    platform_databases: Any, tmp_path: Path
) -> None:
    from datafeeds_core.executors.local.liveness import folder_of, run_held, sync
    from datafeeds_core.platform.run_records import open_run

    platform = platform_databases.get("sqlite")
    home = tmp_path / "home"

    def running(executor: str) -> int:
        return open_run(
            platform.engine,
            data_source_oid=1,
            scraper_key=KEY,
            task_id=executor,
            date_start=None,
            date_end=None,
            executor=executor,
        )

    try:
        alive, elsewhere, batch = running("cli"), running("local"), running("batch")
        folder_of(home).mkdir(parents=True)
        (folder_of(home) / f"{batch}.lock").write_text("")  # unlocked, but a Batch run
        with run_held(home, alive):
            assert (folder_of(home) / f"{alive}.lock").exists()
            held = sync(platform.engine, home)
        after = sync(platform.engine, home)  # its holder let go: the file went with it
        statuses = {r["id"]: r["status"] for r in platform.rows("datafeeds_run")}
    finally:
        platform.clear()

    assert (held.changes, after.changes) == ([], [])
    assert statuses == {alive: "running", elsewhere: "running", batch: "running"}
    assert list(folder_of(home).iterdir()) == []


# ---------------------------------------------------------------- outages mid-run


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.parametrize("where", ["transform", "write"])
def test_platform_connection_dropped_mid_run_exits_75_and_the_retried_run_completes(
    stack: Stack, gate: Gate, where: str
) -> None:
    seed_demo(stack.urjanet)
    target = stack.add_source()
    run_id = queued_batch_run(stack, target.data_source_oid)
    job = stack.cli.start(*worker_args(target.data_source_oid, run_id), env=gate.env(where))
    gate.wait()
    stack.platform.engine.dispose()  # only the job's connections are left to terminate
    observer = observer_engine(stack.platform.url)
    try:
        backends = job_backends(observer)
        assert backends, "the job holds a platform connection"
        terminate(observer, [b["pid"] for b in backends])
    finally:
        observer.dispose()
    gate.release()
    out, err = job.communicate(timeout=DEADLINE_S)

    assert job.returncode == 75, err
    assert "platform database unreachable" in err
    [run] = stack.runs()
    assert (run["id"], run["status"], run["error_class"]) == (run_id, "failed", "TransientError")
    assert run["attempt"] == 1
    assert stack.bills(target.service_oid) == []

    retry = stack.cli(*worker_args(target.data_source_oid, run_id))  # Batch's attempt 2

    assert retry.returncode == 0, retry.stderr
    [run] = stack.runs()
    assert run["attempt"] == 2
    assert_complete(stack, target, run)


@pytest.mark.postgres
@pytest.mark.mariadb
def test_urjanet_database_cut_mid_query_exits_75_and_the_retried_run_completes(
    stack: Stack,
) -> None:
    seed_demo(stack.urjanet)
    target = stack.add_source()
    run_id = queued_batch_run(stack, target.data_source_oid)
    url = make_url(stack.urjanet.url)
    with proxy_to(url.host or "127.0.0.1", url.port or 3306) as proxy:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        env = {"DATAFEEDS_URJANET_URL": through}
        proxy.cut_on(b"FROM `Account`")  # the statements query: the server vanishes under it

        first = stack.cli(*worker_args(target.data_source_oid, run_id), env=env)

        assert proxy.cut.is_set()
        assert first.returncode == 75, first.stderr
        assert "Urjanet database unreachable" in first.stderr
        [run] = stack.runs()
        assert (run["status"], run["error_class"]) == ("failed", "TransientError")
        assert stack.bills(target.service_oid) == []

        retry = stack.cli(*worker_args(target.data_source_oid, run_id), env=env)

    assert retry.returncode == 0, retry.stderr
    [run] = stack.runs()
    assert run["attempt"] == 2
    assert_complete(stack, target, run)


# ---------------------------------------------------------------- documents


class _Documents(BaseHTTPRequestHandler):
    """Serves a PDF per statement, or 500 for every request when the server is failing."""

    failing = False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
        pass

    def do_GET(self) -> None:
        from datafeeds_core.documents.pdf import make_pdf

        body = b"down" if self.failing else make_pdf([f"statement {self.path}"])
        self.send_response(500 if self.failing else 200)
        self.send_header("Content-Type", "text/plain" if self.failing else "application/pdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def documents_server() -> Iterator[ThreadingHTTPServer]:
    handler = type("Documents", (_Documents,), {"failing": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def moto_s3() -> Iterator[tuple[Any, str]]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield server, f"http://{host}:{port}"
    server.stop()


AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-west-1",
    "NO_PROXY": "127.0.0.1,localhost",
}


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.parametrize("failure", ["s3-no-such-bucket", "s3-server-stopped", "http-500"])
def test_document_failures_degrade_to_missing_documents_never_lost_bills(
    stack: Stack, documents_server: ThreadingHTTPServer, moto_s3: tuple[Any, str], failure: str
) -> None:
    port = documents_server.server_address[1]
    seed_demo(stack.urjanet, link=f"http://127.0.0.1:{port}/{{pk}}.pdf")
    target = stack.add_source("watauga-urjanet")
    moto, endpoint = moto_s3
    env = {
        **AWS,
        "DATAFEEDS_DOCUMENTS_URL": "s3://no-such-bucket/bills",
        "DATAFEEDS_DOCUMENT_HOSTS": f"http://127.0.0.1:{port}",
    }
    if failure == "s3-server-stopped":
        moto.stop()
    if failure == "http-500":
        documents_server.RequestHandlerClass.failing = True  # type: ignore[attr-defined]
        env["DATAFEEDS_DOCUMENTS_URL"] = f"file://{stack.tmp / 'documents'}"
    today = date.today()  # three months: three or four documents, each tried three times
    dates = ["--start", str(today - timedelta(days=92)), "--end", str(today)]

    result = stack.cli(
        "run",
        "--oid",
        str(target.data_source_oid),
        *dates,
        env={**env, "AWS_ENDPOINT_URL": endpoint},
    )

    assert result.returncode == 0, result.stderr
    [run] = stack.runs()
    bills = stack.bills(target.service_oid)
    assert run["status"] == "succeeded" and run["counts"]["new"] == len(bills) > 0
    assert all(not b["attachments"] for b in bills), "bills without their PDF, not without bills"
    failures = run["details"]["document_failures"]
    assert run["counts"]["documents_failed"] == len(failures) >= len(bills)
    expected = {
        "s3-no-such-bucket": "document store lookup failed: An error occurred (NoSuchBucket)",
        "s3-server-stopped": "document store lookup failed: Could not connect to the endpoint",
        "http-500": "server error (HTTP 500) (after 3 attempts)",
    }[failure]
    assert all(f["reason"].startswith(expected) for f in failures), failures
    assert f"documents failed {len(failures)}" in result.stdout  # what the user reads


@pytest.mark.parametrize("where", ["document folder", "download folder"])
def test_a_full_disk_costs_the_documents_not_the_bills(
    platform_databases: Any,
    urjanet_databases: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """ENOSPC injected in-process: where documents are stored, or where they are downloaded."""
    from datafeeds_core.config import load
    from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID
    from datafeeds_core.documents.pdf import make_pdf
    from datafeeds_core.job.pipeline import Job
    from datafeeds_core.job.request import JobRequest

    platform, urjanet = platform_databases.get("sqlite"), urjanet_databases.get("sqlite")
    sources = tmp_path / "statements"
    sources.mkdir()
    count = seed_demo(urjanet, link=f"file://{sources}/{{pk}}.pdf")
    for pk in range(1000, 1000 + count):
        (sources / f"{pk}.pdf").write_bytes(make_pdf([f"statement {pk}"]))
    target = platform.add_target(
        "watauga-urjanet", utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
    )
    settings = load(
        {
            "DATAFEEDS_HOME": str(tmp_path / "home"),
            "DATAFEEDS_PLATFORM_URL": platform.url,
            "DATAFEEDS_URJANET_URL": urjanet.url,
            "DATAFEEDS_DOCUMENTS_URL": f"file://{tmp_path / 'documents'}",
            "DATAFEEDS_DOCUMENT_ROOT": str(sources),
        }
    )

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if where == "document folder":
        monkeypatch.setattr(shutil, "copyfileobj", full)
    else:
        monkeypatch.setattr(tempfile, "mkdtemp", full)
    lines: list[str] = []
    try:
        outcome = Job(JobRequest(oid=target.data_source_oid), settings, echo=lines.append).run()
        [run] = platform.rows("datafeeds_run")
        bills = platform.rows("bill", service=target.service_oid)
    finally:
        platform.clear()
        urjanet.clear()

    assert (outcome.status, outcome.exit_code) == ("succeeded", 0), outcome.error
    assert bills and len(bills) == outcome.counts["new"]
    assert all(not b["attachments"] for b in bills)
    failures = run["details"]["document_failures"]
    assert run["counts"]["documents_failed"] == len(failures) >= len(bills)
    assert len({f["url"] for f in failures}) == len(failures)
    assert all("No space left on device" in f["reason"] for f in failures), failures
    folder = tmp_path / "documents"
    assert not folder.exists() or list(folder.iterdir()) == [], "no half-written document"
    assert "Final Billing Summary" in "\n".join(lines)
