"""A seeded run history for the dashboard's tests: two scrapers over three weeks, and one run of
each kind the pages must show (hostile values and a credential included)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from datafeeds_core.platform.run_records import finish_run, open_run
from datafeeds_core.platform.schema import datafeeds_run, snapmeter_meter_data_source
from datafeeds_core.testing import PlatformTestDatabase

NOW = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
# A statement's reason and a document's link as an attacker would write them.
HOSTILE_REASON = "<script>window.pwned = 1; document.title = 'pwned'</script>"
HOSTILE_LINK = 'https://bills.example/x"><script>window.pwned = 2</script><img src=x>'
SECRET = "hunter2-very-secret"
BROKEN_PLUGIN = {
    "key": "broken-urjanet",
    "status": "broken",
    "distribution": "datafeeds-broken",
    "version": "1.0",
    "error": 'Error importing plugin "broken-urjanet": No module named nothing',
}


@dataclass
class History:
    """The runs seeded for a test, by role."""

    ids: dict[str, int] = field(default_factory=dict)
    log_file: Path | None = None


def add_run(
    db: PlatformTestDatabase,
    *,
    oid: int,
    scraper: str,
    status: str,
    queued_at: datetime,
    duration_s: float = 2.0,
    executor: str = "local",
    dry_run: bool = False,
    counts: dict[str, int] | None = None,
    error: tuple[str, str] | None = None,
    details: Any = None,
    **values: Any,
) -> int:
    """A run through the platform API (open, finish), then dated as a test needs."""
    run_id = open_run(
        db.engine,
        data_source_oid=oid,
        scraper_key=scraper,
        task_id=f"task-{oid}-{queued_at:%Y%m%d%H%M}",
        date_start=date(2022, 7, 1),
        date_end=date(2024, 6, 30),
        executor=executor,
        status="queued" if status == "queued" else "running",
        dry_run=dry_run,
    )
    if status not in ("queued", "running"):
        finish_run(
            db.engine,
            run_id,
            status=status,
            counts=counts or {},
            error_class=error[0] if error else None,
            error_message=error[1] if error else None,
            details=details,
        )
    started = None if status == "queued" else queued_at + timedelta(seconds=5)
    finished = (
        None if status in ("queued", "running") else started + timedelta(seconds=duration_s)  # type: ignore[operator]
    )
    dated = {
        "queued_at": queued_at,
        "started_at": started,
        "finished_at": finished,
        "duration_s": duration_s if finished else None,
        **values,
    }
    with db.engine.begin() as conn:
        conn.execute(update(datafeeds_run).where(datafeeds_run.c.id == run_id).values(**dated))
    return run_id


SOURCES = (101, 202, 303, 404, 505)  # the data sources the history's runs are of


def seed_history(db: PlatformTestDatabase, log_dir: Path) -> History:
    """Two scrapers over three weeks, and one run of each kind the pages must show."""
    with db.engine.begin() as conn:  # freshness is only told of data sources that exist
        conn.execute(
            insert(snapmeter_meter_data_source),
            [{"oid": oid, "name": "test-urjanet", "meta": {}} for oid in SOURCES],
        )
    h = History()
    day = timedelta(days=1)
    for i in range(20, 0, -1):  # daily runs of two data sources
        ok = i % 7 != 3
        h.ids[f"alpha-{i}"] = add_run(
            db,
            oid=101,
            scraper="alpha-urjanet",
            status="succeeded" if ok else "failed",
            queued_at=NOW - i * day,
            duration_s=3.0 + i % 4,
            counts={"new": 1, "updated": i % 2},
            error=None if ok else ("JobFailed", "the statement history has a gap"),
        )
    for i in (20, 15, 10):  # beta last succeeded ten days ago
        h.ids[f"beta-{i}"] = add_run(
            db, oid=202, scraper="beta-urjanet", status="succeeded", queued_at=NOW - i * day
        )
    h.log_file = log_dir / "run.log"
    h.log_file.write_text(
        "".join(f"2024-06-29 12:00:{n:02d} : INFO : step {n}\n" for n in range(30))
        + f"2024-06-29 12:01:00 : ERROR : could not reach postgresql://ops:{SECRET}@db/platform\n"
    )
    h.ids["failed"] = add_run(
        db,
        oid=202,
        scraper="beta-urjanet",
        status="failed",
        queued_at=NOW - 2 * day,
        error=("TransientError", "platform database unreachable"),
        log_location=str(h.log_file),
        # As an older version might have stored it: a credential in the message.
        error_message=f"platform database unreachable: postgresql://ops:{SECRET}@db/platform",
    )
    h.ids["hostile"] = add_run(
        db,
        oid=303,
        scraper="gamma-urjanet",
        status="succeeded",
        queued_at=NOW - day,
        counts={"new": 3, "dropped_statements": 1, "documents_failed": 1},
        details={
            "dropped_statements": [
                {
                    "pk": 7,
                    "statement_date": "2024-05-02",
                    "interval_start": "2024-04-01",
                    "interval_end": "2024-04-01",
                    "reason": HOSTILE_REASON,
                }
            ],
            "document_failures": [{"url": HOSTILE_LINK, "reason": "not a PDF"}],
        },
    )
    h.ids["batch"] = add_run(
        db,
        oid=404,
        scraper="gamma-urjanet",
        status="lost",
        executor="batch",
        queued_at=NOW - 3 * day,
        batch_job_id="0b1c2d3e-job",
        attempt=2,
        log_location="cloudwatch:/datafeeds/batch:datafeeds/default/abc123",
        error=("Lost", "the Batch job disappeared"),
    )
    h.ids["dry"] = add_run(
        db,
        oid=101,
        scraper="alpha-urjanet",
        status="dry-run",
        dry_run=True,
        executor="cli",
        queued_at=NOW - timedelta(hours=3),
    )
    h.ids["running"] = add_run(
        db, oid=505, scraper="gamma-urjanet", status="running", queued_at=NOW - timedelta(hours=1)
    )
    return h
