"""`datafeeds documents`: bill documents (PDFs) of bills already written.

The platform keeps no source links, so `fetch` loads and transforms the data source's
statements again (as a job would), matches each written bill to its period by closing date,
stores the documents (`documents/`) and attaches them through the platform's bill writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
    from datafeeds_core.database import PLATFORM, open_existing, unreachable_is_transient
    from datafeeds_core.documents.service import merge_attachments, store_documents
    from datafeeds_core.job.transform import checked_target, context_for, run_transformer
    from datafeeds_core.job.validation import validate_periods
    from datafeeds_core.platform.bill_writer import attach_documents, service_bills
    from datafeeds_core.platform.datasources import find_target
    from datafeeds_core.plugin_api.registry import load
    from datafeeds_core.urjanet.loader import load_statements

    engine = open_existing(settings.platform_url, PLATFORM)
    try:
        with unreachable_is_transient("platform database"), engine.connect() as conn:
            target = find_target(conn, oid)
        target = checked_target(engine, target)
        plugin = load(target.scraper_key)
        data = load_statements(settings.urjanet_url, plugin.selection(context_for(target)))
        periods, _ = validate_periods(
            run_transformer(plugin, data).periods, today, plugin.metadata().max_period_days
        )
        by_closing = {p.end: p for p in periods}

        partial = plugin.metadata().bill_type == "generation-only"
        bills = service_bills(engine, target.service_oid, partial=partial)
        matched = [(b, by_closing[b.closing]) for b in bills if b.closing in by_closing]
        stored = store_documents(
            settings,
            tuple(p for _, p in matched),
            utility=target.utility or "",
            utility_account_id=target.utility_account_id or "",
        )
        report = stored.report
        changed = {}
        for bill, period in matched:
            existing = list(bill.attachments)
            merged = merge_attachments(existing, stored.attachments.get(period, []))
            if merged != existing:
                changed[bill.oid] = merged
        attach_documents(
            engine, target.service_oid, changed, partial=partial, in_transaction=stored.record
        )
        log.info(
            "documents for data source %s: %d bills, %d matched, %d attached",
            oid,
            len(bills),
            len(matched),
            len(changed),
        )
        return BackfillReport(
            data_source_oid=oid,
            bills=len(bills),
            matched=len(matched),
            attached=len(changed),
            counts=report.counts() if report else {"fetched": 0, "reused": 0, "failed": 0},
            failures=report.failures() if report else {},
        )
    finally:
        engine.dispose()


def fetch(oid: int) -> BackfillReport:
    """Fetch, check, store and attach the documents of the data source's bills."""
    from datafeeds_core.config import settings

    return backfill_documents(settings(), oid, today=date.today())
