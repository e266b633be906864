"""bill_document rows: an idempotent upsert by s3_key, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from datafeeds_core.database import make_engine
from datafeeds_core.documents.records import record_documents
from datafeeds_core.documents.service import BillDocument
from datafeeds_core.platform.schema import bill_document, platform_metadata
from datafeeds_core.testing import DatabaseFactory

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
