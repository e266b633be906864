"""`datafeeds documents`: bill documents (PDFs) of bills already written."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datafeeds_core.documents.backfill import BackfillReport


def fetch(oid: int) -> BackfillReport:
    """Fetch, check, store and attach the documents of the data source's bills."""
    from datetime import date

    from datafeeds_core.config import settings
    from datafeeds_core.documents.backfill import backfill_documents

    return backfill_documents(settings(), oid, today=date.today())
