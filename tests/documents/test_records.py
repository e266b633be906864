"""bill_document rows: an idempotent upsert by s3_key, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from datafeeds_core.database import make_engine
from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.documents.service import BillDocument, bill_documents_for, collect_documents
from datafeeds_core.documents.store import FolderStore
from datafeeds_core.platform.bill_documents import record_documents
from datafeeds_core.platform.schema import bill_document, platform_metadata
from datafeeds_core.testing import DatabaseFactory, PlatformTestDatabase
from datafeeds_core.urjanet.model import BillingPeriod

from .conftest import DocumentServer

ROW = BillDocument(
    s3_key="1e808a93-3569-dee0-9bf7-22000a29aae2.pdf",
    doc_format="PDF",
    statement_date=date(2020, 2, 3),
    utility="watauga",
    utility_account_id="123",
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, database_factory: DatabaseFactory) -> Iterator[Engine]:
    engine = make_engine(database_factory.create(request.param))
    platform_metadata.create_all(engine, tables=[bill_document])
    yield engine
    engine.dispose()


def _rows(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(bill_document).order_by("s3_key"))]


def test_rerecording_the_same_documents_changes_nothing(engine: Engine) -> None:
    other = replace(ROW, s3_key="b" * 56 + ".csv", doc_format="CSV")
    with engine.begin() as conn:
        assert record_documents(conn, [ROW, other]) == 2
    first = _rows(engine)
    with engine.begin() as conn:
        assert record_documents(conn, [other, ROW]) == 2
    assert _rows(engine) == first
    assert [(r["s3_key"], r["doc_format"], r["source"]) for r in first] == [
        (ROW.s3_key, "PDF", "urjanet"),
        (other.s3_key, "CSV", "urjanet"),
    ]
    assert all(r["created"] is not None and r["oid"] is not None for r in first)


def test_a_known_key_is_updated_in_place(engine: Engine) -> None:
    with engine.begin() as conn:
        record_documents(conn, [ROW])
    (before,) = _rows(engine)
    changed = replace(ROW, statement_date=date(2020, 2, 4), utility_account_id="124")
    with engine.begin() as conn:
        # The same key twice in one call: the last one wins, no unique-constraint error.
        assert record_documents(conn, [ROW, changed]) == 1
    (after,) = _rows(engine)
    assert (after["oid"], after["created"]) == (before["oid"], before["created"])
    assert (after["statement_date"], after["utility_account_id"]) == (date(2020, 2, 4), "124")


def test_nothing_to_record(engine: Engine) -> None:
    with engine.begin() as conn:
        assert record_documents(conn, []) == 0
    assert _rows(engine) == []


def test_a_document_the_old_system_stored_is_reused_and_recorded_once(
    platform_db: PlatformTestDatabase, server: DocumentServer, tmp_path: Path
) -> None:
    # The old system keyed a statement's document by all the text after "?id=" in its
    # SourceLink, trailing parameters included, and stored `<key>.pdf`.
    statement = "1e808a93-3569-dee0-9bf7-22000a29aae2"
    old_key = f"{statement}&page=all"
    source_link = server.pdf(f"/sourcewithhttpbasicauth?id={old_key}", make_pdf(["new copy"]))
    store = FolderStore(tmp_path / "documents")
    store.folder.mkdir()
    (store.folder / f"{old_key}.pdf").write_bytes(make_pdf(["stored by the old system"]))
    with platform_db.engine.begin() as conn:
        record_documents(conn, [replace(ROW, s3_key=f"{old_key}.pdf")])
    period = BillingPeriod(
        start=date(2020, 1, 1),
        end=date(2020, 1, 31),
        statement=date(2020, 2, 3),
        source_urls=(source_link,),
    )

    for _ in range(2):
        report = collect_documents([source_link], store, http_user="u", http_password="p")
        rows = bill_documents_for(period, report, utility="utility:watauga", utility_account_id="1")
        with platform_db.engine.begin() as conn:
            record_documents(conn, rows)
        assert [(r.outcome, r.key) for r in report.results] == [("reused", f"{old_key}.pdf")]

    assert server.requests == []
    assert [r["s3_key"] for r in platform_db.rows("bill_document")] == [f"{old_key}.pdf"]
