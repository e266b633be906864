"""Concurrency on PostgreSQL: no duplicate or lost bill, every run recorded, counts that add up.

Jobs of one utility service serialise their bill writes on a per-service advisory lock
(`platform/locking.py`), not on a unique constraint (an existing platform database has none on
`bill`). The end-to-end tests run the real CLI; the last two show that the lock, and nothing
else, is what keeps a second writer from duplicating the first one's bills.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from datafeeds_core.database import make_engine
from datafeeds_core.job.validation import validated
from datafeeds_core.platform import bill_writer
from datafeeds_core.urjanet.model import BillingPeriod

from .fault_kit import (
    DEADLINE_S,
    Gate,
    Stack,
    advisory_locks,
    observer_engine,
    seed_demo,
    server_stack,
)

pytestmark = [pytest.mark.postgres, pytest.mark.mariadb]

WRITE_KEYS = ("new", "updated", "unchanged", "replaced", "skipped")


@pytest.fixture
def stack(platform_databases: Any, urjanet_databases: Any, tmp_path: Path) -> Iterator[Stack]:
    with server_stack(platform_databases, urjanet_databases, tmp_path) as found:
        yield found


def bill_keys(bills: list[dict[str, Any]]) -> list[tuple[date, date]]:
    return [(b["initial"], b["closing"]) for b in bills]


def written(run: dict[str, Any]) -> int:
    return sum(int(run["counts"][k]) for k in WRITE_KEYS)


def test_the_same_data_source_run_twice_at_once_writes_each_bill_once(
    stack: Stack, tmp_path: Path
) -> None:
    seed_demo(stack.urjanet)
    target = stack.add_source()
    gate = Gate.create(tmp_path)
    try:
        jobs = [
            stack.cli.start("run", "--oid", str(target.data_source_oid), env=gate.env("transform"))
            for _ in range(2)
        ]
        paused = gate.wait(2)  # both jobs are inside their transform step at the same time
        assert {pid for _, pid in paused} == {job.pid for job in jobs}
        gate.release()  # both go on to write at once
        results = [job.communicate(timeout=DEADLINE_S) for job in jobs]
    finally:
        gate.close()

    assert [job.returncode for job in jobs] == [0, 0], results
    bills = stack.bills(target.service_oid)
    assert bills and len(set(bill_keys(bills))) == len(bills), "no bill twice"
    runs = stack.runs(data_source=target.data_source_oid)
    assert len(runs) == 2 and all(r["finished_at"] is not None for r in runs)
    by_status = {r["status"]: r for r in runs}
    # The lock serialises the writes: the first writes every bill, the second finds them.
    assert set(by_status) == {"succeeded", "no-new-data"}
    first, second = by_status["succeeded"], by_status["no-new-data"]
    assert first["counts"]["new"] == len(bills) == first["counts"]["periods"]
    assert second["counts"]["unchanged"] == second["counts"]["periods"] == len(bills)
    assert all(written(r) == r["counts"]["periods"] for r in runs)


@pytest.mark.slow
def test_forty_jobs_over_five_shared_services_at_concurrency_8_write_each_bill_once(
    stack: Stack,
) -> None:
    seed_demo(stack.urjanet)
    services = [stack.add_shared_service(8, key="watauga-urjanet") for _ in range(5)]
    # Interleaved, so every batch of eight running jobs holds jobs of the same service.
    oids = [oid for wave in zip(*(o for _, o in services), strict=True) for oid in wave]
    service_of = {oid: service for service, group in services for oid in group}

    result = stack.cli(
        "launch", "--oid", ",".join(map(str, oids)), "--concurrency", "8", timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr
    runs = stack.runs()
    assert sorted(r["data_source"] for r in runs) == sorted(oids), "every run recorded, once"
    assert Counter(r["status"] for r in runs).keys() <= {"succeeded", "no-new-data"}
    assert all(r["attempt"] == 1 and r["finished_at"] is not None for r in runs)
    periods = {r["counts"]["periods"] for r in runs}
    assert len(periods) == 1 and periods.pop() > 0
    overlapped = 0
    for service, _ in services:
        bills = stack.bills(service)
        assert len(set(bill_keys(bills))) == len(bills), f"service {service}: a bill twice"
        mine = [r for r in runs if service_of[r["data_source"]] == service]
        assert sum(r["counts"]["new"] for r in mine) == len(bills) == mine[0]["counts"]["periods"]
        assert sum(r["counts"]["unchanged"] for r in mine) == 7 * len(bills)
        assert all(written(r) == r["counts"]["periods"] for r in mine)
        overlapped += _overlapping_pairs(mine)
    assert overlapped, "the load ran jobs of one service at the same time"


def _overlapping_pairs(runs: list[dict[str, Any]]) -> int:
    spans = sorted((r["started_at"], r["finished_at"]) for r in runs)
    return sum(1 for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])


# ---------------------------------------------------------------- the lock itself


def periods() -> list[BillingPeriod]:
    return [
        BillingPeriod(
            start=date(2024, month, 1),
            end=date(2024, month + 1, 1) - timedelta(days=1),
            total_charge=Decimal("100.00"),
            total_usage=Decimal("10"),
            tariff="A-1",
        )
        for month in range(1, 7)
    ]


@contextmanager
def paused_after_first_bill(engine: Any) -> Iterator[tuple[threading.Event, threading.Event]]:
    """(inside, go): the writer on `engine` sets `inside` after its first INSERT INTO bill,
    still in its transaction, and waits there for `go`."""
    inside, go = threading.Event(), threading.Event()

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO BILL ") and not inside.is_set():
            inside.set()
            assert go.wait(DEADLINE_S), "the test never let the writer go on"

    event.listen(engine, "after_cursor_execute", hook)
    try:
        yield inside, go
    finally:
        go.set()
        event.remove(engine, "after_cursor_execute", hook)


def race(platform: Any, target: Any, *, observe: Any = None) -> tuple[list[Any], list[Any]]:
    """Writer A pauses inside its transaction after one insert; writer B starts meanwhile; then
    `observe(a_engine)` runs, A goes on, and both finish. Returns (reports, bills)."""
    start, end, today = date(2024, 1, 1), date(2024, 7, 1), date(2024, 8, 1)
    engines = [make_engine(platform.url), make_engine(platform.url)]
    reports: dict[str, Any] = {}
    errors: list[BaseException] = []

    def write(name: str, engine: Any, failed: threading.Event | None = None) -> None:
        try:
            reports[name] = bill_writer.write_bills(
                engine, target, validated(periods(), today, start=start, end=end)
            )
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
            if failed is not None:
                failed.set()

    try:
        with paused_after_first_bill(engines[0]) as (inside, go):
            a = threading.Thread(target=write, args=("a", engines[0], inside))
            a.start()
            assert inside.wait(DEADLINE_S) and not errors, f"writer A inserted no bill: {errors}"
            b = threading.Thread(target=write, args=("b", engines[1]))
            b.start()
            seen = observe(b) if observe is not None else None
            go.set()
            a.join(DEADLINE_S)
            b.join(DEADLINE_S)
        assert not errors, errors
        return [reports["a"], reports["b"], seen], platform.rows("bill", service=target.service_oid)
    finally:
        for engine in engines:
            engine.dispose()


def test_a_second_writer_waits_on_the_service_lock_and_then_finds_the_bills_unchanged(
    platform_databases: Any,
) -> None:
    platform = platform_databases.get("postgresql")
    target = platform.add_target()
    observer = observer_engine(platform.url)

    def waiting_writer(b: threading.Thread) -> list[dict[str, Any]]:
        """Writer A holds the lock; B's backend queues for it (no sleep: poll pg_locks until B
        shows up, bounded by the deadline). B has not finished and no bill is visible yet."""
        import time

        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            locks = advisory_locks(observer, target.service_oid)
            if any(not lock["granted"] for lock in locks):
                assert b.is_alive()
                assert platform.rows("bill", service=target.service_oid) == []
                return locks
        raise AssertionError("writer B never queued for the service lock")

    try:
        (a, b, locks), bills = race(platform, target, observe=waiting_writer)
    finally:
        observer.dispose()
        platform.clear()

    # One job's backend holds the service's lock, the other's waits for it.
    assert sorted((lock["granted"], lock["application_name"]) for lock in locks) == [
        (False, "datafeeds"),
        (True, "datafeeds"),
    ]
    assert [d.operation for d in a.decisions] == ["new"] * 6
    assert [d.operation for d in b.decisions] == ["unchanged"] * 6
    assert len(bills) == 6 and len(set(bill_keys(bills))) == 6


def test_without_the_service_lock_the_same_race_duplicates_bills(
    platform_databases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the same interleaving with a plain transaction in place of the locked one.
    B reads before A commits, so both insert: the lock is what prevents duplicates."""
    platform = platform_databases.get("postgresql")
    target = platform.add_target()

    @contextmanager
    def unlocked(engine: Any, key: int) -> Iterator[Any]:
        with engine.begin() as conn:
            yield conn

    def finished_first(b: threading.Thread) -> None:
        b.join(DEADLINE_S)  # nothing holds B back
        assert not b.is_alive()

    monkeypatch.setattr(bill_writer, "locked_transaction", unlocked)
    try:
        (a, b, _), bills = race(platform, target, observe=finished_first)
    finally:
        platform.clear()

    assert [d.operation for d in a.decisions] == ["new"] * 6
    assert [d.operation for d in b.decisions] == ["new"] * 6
    assert len(bills) == 12 and len(set(bill_keys(bills))) == 6
