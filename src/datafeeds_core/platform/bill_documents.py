"""`bill_document` rows for stored documents: an idempotent upsert keyed by `s3_key`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from datafeeds_core.platform.schema import bill_document

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from datafeeds_core.documents.service import BillDocument

_UPDATED = (
    "doc_format",
    "utility",
    "utility_account_id",
    "statement_date",
    "gen_utility",
    "gen_utility_account_id",
    "source",
)


def record_documents(conn: Connection, rows: Iterable[BillDocument]) -> int:
    """Insert or update one row per distinct key (the last row given wins); `created` is kept.

    Runs in the caller's transaction. Returns the number of distinct keys written.
    """
    by_key: dict[str, dict[str, Any]] = {row.s3_key: asdict(row) for row in rows}
    if not by_key:
        return 0
    now = datetime.now(UTC).replace(tzinfo=None)  # platform timestamps are naive UTC
    values = [{**row, "created": now} for row in by_key.values()]
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        from sqlalchemy.dialects import postgresql, sqlite

        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(bill_document)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[bill_document.c.s3_key],
                set_={name: stmt.excluded[name] for name in _UPDATED},
            ),
            values,
        )
        return len(values)
    # Any other database: look up the existing keys, then update or insert.
    existing = set(
        conn.execute(
            select(bill_document.c.s3_key).where(bill_document.c.s3_key.in_(list(by_key)))
        ).scalars()
    )
    for row in values:
        if row["s3_key"] in existing:
            conn.execute(
                bill_document.update()
                .where(bill_document.c.s3_key == row["s3_key"])
                .values({name: row[name] for name in _UPDATED})
            )
        else:
            conn.execute(bill_document.insert().values(row))
    return len(values)
