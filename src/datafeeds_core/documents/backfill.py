"""Backfill bill documents for bills already written (`datafeeds documents fetch --oid N`).

The platform keeps no source links, so the data source's statements are loaded and transformed
again (as a job would) and each written bill is matched to its period by closing date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from datafeeds_core import logs
from datafeeds_core.config import Settings

log = logs.get("documents")


@dataclass(frozen=True)
class BackfillReport:
    data_source_oid: int
    bills: int  # bills on the meter's service
    matched: int  # bills with a period (and so source links) to fetch for
    attached: int  # bills whose attachments changed
    counts: dict[str, int] = field(default_factory=dict)  # fetched, reused, failed
    failures: dict[str, str] = field(default_factory=dict)  # url -> reason


def backfill_documents(settings: Settings, oid: int, *, today: date) -> BackfillReport:
    from sqlalchemy import select, update

    from datafeeds_core.database import PLATFORM, open_existing, unreachable_is_transient
    from datafeeds_core.documents.service import merge_attachments
    from datafeeds_core.job.pipeline import checked_target, load_statements, store_documents
    from datafeeds_core.job.transform import run_transformer
    from datafeeds_core.job.validation import validate_periods
    from datafeeds_core.platform import schema
    from datafeeds_core.platform.datasources import find_target
    from datafeeds_core.platform.locking import locked_transaction

    engine = open_existing(settings.platform_url, PLATFORM)
    try:
        with unreachable_is_transient("platform database"), engine.connect() as conn:
            target = find_target(conn, oid)
        plugin, data = load_statements(settings, checked_target(engine, target))
        periods, _ = validate_periods(
            run_transformer(plugin, data).periods, today, plugin.metadata().max_period_days
        )
        by_closing = {p.end: p for p in periods}

        partial = plugin.metadata().bill_type == "generation-only"
        table: Any = schema.partial_bill if partial else schema.bill
        query = select(table.c.oid, table.c.closing, table.c.attachments).where(
            table.c.service == target.service_oid
        )
        if partial:
            query = query.where(table.c.superseded_by.is_(None))
        with unreachable_is_transient("platform database"), engine.connect() as conn:
            bills = list(conn.execute(query))
        matched = [(b, by_closing[b.closing]) for b in bills if b.closing in by_closing]
        stored = store_documents(settings, target, tuple(p for _, p in matched))
        report, attachments = stored.report, stored.attachments

        attached = 0
        with (
            unreachable_is_transient("platform database"),
            locked_transaction(engine, target.service_oid) as conn,
        ):
            stored.record(conn)
            for bill, period in matched:
                existing = list(bill.attachments or [])
                merged = merge_attachments(existing, attachments.get(period, []))
                if merged != existing:
                    conn.execute(
                        update(table).where(table.c.oid == bill.oid).values(attachments=merged)
                    )
                    attached += 1
        log.info(
            "documents for data source %s: %d bills, %d matched, %d attached",
            oid,
            len(bills),
            len(matched),
            attached,
        )
        return BackfillReport(
            data_source_oid=oid,
            bills=len(bills),
            matched=len(matched),
            attached=attached,
            counts=report.counts() if report else {"fetched": 0, "reused": 0, "failed": 0},
            failures=report.failures() if report else {},
        )
    finally:
        engine.dispose()
