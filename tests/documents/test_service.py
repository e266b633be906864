"""collect_documents end to end: real HTTP server, folder and S3 stores, failures that degrade."""

from __future__ import annotations

import base64
import logging
from datetime import date
from pathlib import Path

import pytest

from datafeeds_core.documents.fetch import RetryPolicy, no_backoff
from datafeeds_core.documents.keys import document_name
from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.documents.service import (
    DocumentReport,
    DocumentResult,
    attachments_for,
    bill_documents_for,
    collect_documents,
    merge_attachments,
)
from datafeeds_core.documents.store import DocumentStore, FolderStore, store_from_url
from datafeeds_core.urjanet.model import BillingPeriod

from .conftest import LOOPBACK, PASSWORD, USER, DocumentServer

FAST = RetryPolicy(3, no_backoff)


def sid(n: int) -> str:
    return f"1e808a93-3569-dee0-9bf7-{n:012x}"


def link(server: DocumentServer, n: int, *, deprecated: bool = False) -> str:
    path = "/source" if deprecated else "/sourcewithhttpbasicauth"
    return server.url(f"{path}?id={sid(n)}")


def serve(server: DocumentServer, n: int, body: bytes | None = None) -> bytes:
    body = body or make_pdf([f"Statement {n}", f"Amount due: {n}.00"])
    server.pdf(f"/sourcewithhttpbasicauth?id={sid(n)}", body)
    return body


def collect(
    urls: list[str], store: DocumentStore, *, concurrency: int = 8, timeout: float = 5.0
) -> DocumentReport:
    return collect_documents(
        urls,
        store,
        http_user=USER,
        http_password=PASSWORD,
        retry=FAST,
        concurrency=concurrency,
        timeout=timeout,
        policy=LOOPBACK,
    )


@pytest.fixture(params=["folder", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    if request.param == "folder":
        return store_from_url((tmp_path / "documents").as_uri())
    bucket = request.getfixturevalue("bucket")
    return store_from_url(f"s3://{bucket}/bills")


def test_documents_are_fetched_once_and_reused_on_rerun(
    server: DocumentServer, store: DocumentStore
) -> None:
    bodies = {n: serve(server, n) for n in range(3)}
    urls = [link(server, n) for n in bodies]
    first = collect(urls, store)
    assert first.counts() == {"fetched": 3, "reused": 0, "failed": 0}
    for n, url in enumerate(urls):
        result = first.result(url)
        assert result is not None and result.outcome == "fetched"
        assert result.key is not None and result.key.endswith(f"{sid(n)}.pdf")
        assert (result.format, result.content_type) == ("PDF", "application/pdf")
    requests_before = len(server.requests)

    second = collect(urls, store)
    assert second.counts() == {"fetched": 0, "reused": 3, "failed": 0}
    assert len(server.requests) == requests_before
    assert [r.key for r in second.results] == [r.key for r in first.results]
    assert {r.format for r in second.results} == {"PDF"}


def test_every_server_behaviour_in_one_job(server: DocumentServer, tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "documents")
    pdf = make_pdf(["a statement"])
    csv = b"Account,Start,End,Total\n42,2020-01-01,2020-01-31,99.00\n"
    ok = {
        "auth": server.pdf(f"/sourcewithhttpbasicauth?id={sid(1)}", pdf),
        "chunked": server.chunked(f"/sourcewithhttpbasicauth?id={sid(2)}", pdf),
        "retried": server.statuses_then(f"/sourcewithhttpbasicauth?id={sid(3)}", [500], pdf),
        "redirect": server.redirect(f"/sourcewithhttpbasicauth?id={sid(4)}", server.url("/f")),
        "deprecated": link(server, 5, deprecated=True),
        "csv": server.pdf(f"/sourcewithhttpbasicauth?id={sid(6)}", csv, content_type="text/csv"),
    }
    server.pdf("/f", pdf)
    serve(server, 5)
    html = b"<html><head><title>Login</title></head><body>Sign in</body></html>"
    bad = {
        "html": server.pdf(f"/sourcewithhttpbasicauth?id={sid(7)}", html),
        "missing": link(server, 8),
        "down": server.statuses_then(f"/sourcewithhttpbasicauth?id={sid(9)}", [503] * 5, pdf),
    }
    report = collect([*ok.values(), *bad.values()], store)

    assert report.counts() == {"fetched": len(ok), "reused": 0, "failed": len(bad)}
    for url in ok.values():
        result = report.result(url)
        assert result is not None and result.key is not None
        assert store.exists(document_name(url)) == result.key
    csv_result = report.result(ok["csv"])
    assert csv_result is not None
    assert (csv_result.key, csv_result.format) == (f"{sid(6)}.csv", "CSV")
    assert (tmp_path / "documents" / f"{sid(6)}.csv").read_bytes() == csv
    assert server.count(f"/sourcewithhttpbasicauth?id={sid(5)}") == 1  # rewritten, not /source
    assert server.count(f"/source?id={sid(5)}") == 0
    reasons = report.failures()
    assert "HTML" in reasons[bad["html"]] and "application/pdf" in reasons[bad["html"]]
    assert reasons[bad["missing"]] == "not found (HTTP 404)"
    assert reasons[bad["down"]] == "server error (HTTP 503) (after 3 attempts)"
    for url in bad.values():
        assert store.exists(document_name(url)) is None


def test_failed_documents_are_tried_again_next_run(server: DocumentServer, tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    url = server.statuses_then(f"/sourcewithhttpbasicauth?id={sid(1)}", [500] * 3, b"")
    serve_later = make_pdf(["now available"])
    assert collect([url], store).counts()["failed"] == 1
    server.pdf(f"/sourcewithhttpbasicauth?id={sid(1)}", serve_later)
    assert collect([url], store).counts() == {"fetched": 1, "reused": 0, "failed": 0}


def test_links_to_the_same_statement_download_once(server: DocumentServer, tmp_path: Path) -> None:
    serve(server, 1)
    urls = [link(server, 1), link(server, 1, deprecated=True), link(server, 1) + " "]
    report = collect(urls, FolderStore(tmp_path))
    assert report.counts() == {"fetched": 1, "reused": 0, "failed": 0}
    assert len(report.results) == 2
    assert {r.key for r in report.results} == {f"{sid(1)}.pdf"}
    assert len(server.requests) == 1


def test_sixty_statements_download_concurrently_within_the_bound(
    server: DocumentServer, tmp_path: Path
) -> None:
    pdf = make_pdf(["statement"])
    urls = [server.gated(f"/sourcewithhttpbasicauth?id={sid(n)}", pdf) for n in range(60)]
    report = collect(urls, FolderStore(tmp_path), concurrency=8)
    assert report.counts() == {"fetched": 60, "reused": 0, "failed": 0}
    assert 1 < server.max_in_flight <= 8


def test_concurrency_of_one_is_sequential(server: DocumentServer, tmp_path: Path) -> None:
    urls = [link(server, n) for n in range(4)]
    for n in range(4):
        serve(server, n)
    report = collect(urls, FolderStore(tmp_path), concurrency=1)
    assert report.fetched == 4 and server.max_in_flight == 1


def test_unauthorised_and_slow_documents_fail_without_leaking_credentials(
    server: DocumentServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    serve(server, 1)
    slow = server.stalled(f"/sourcewithhttpbasicauth?id={sid(2)}", make_pdf(["slow"]))
    store = FolderStore(tmp_path)
    good = collect([link(server, 1)], store)
    stalled = collect([slow], store, timeout=0.3)
    wrong = collect_documents(
        [link(server, 1)],
        FolderStore(tmp_path / "other"),
        http_user=USER,
        http_password="nope",
        policy=LOOPBACK,
    )
    assert good.counts() == {"fetched": 1, "reused": 0, "failed": 0}
    assert stalled.failures() == {slow: "took longer than 0.3 s (DATAFEEDS_DOCUMENT_TIMEOUT)"}
    assert wrong.failures()[link(server, 1)].startswith("unauthorised (HTTP 401)")
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "HTTP Request" in logged or "document" in logged  # the logs were captured
    for secret in (PASSWORD, token, "nope"):
        assert secret not in logged
        for report in (good, stalled, wrong):
            assert all(secret not in (r.reason or "") for r in report.results)


class BrokenStore:
    url = "broken://"

    def exists(self, name: str) -> str | None:
        raise ConnectionError("store unreachable")

    def put(self, name: str, path: Path, content_type: str) -> str:
        raise AssertionError("never called")


class ReadOnlyStore(FolderStore):
    def put(self, name: str, path: Path, content_type: str) -> str:
        raise PermissionError("read-only store")


def test_store_failures_degrade_to_failed_documents(server: DocumentServer, tmp_path: Path) -> None:
    serve(server, 1)
    lookup = collect([link(server, 1)], BrokenStore())
    assert lookup.failures() == {link(server, 1): "document store lookup failed: store unreachable"}
    assert server.requests == []
    write = collect([link(server, 1)], ReadOnlyStore(tmp_path))
    assert write.failures() == {link(server, 1): "document store write failed: read-only store"}


def test_no_links_means_no_work(tmp_path: Path) -> None:
    report = collect(["", "  "], BrokenStore())
    assert report == DocumentReport()
    assert report.counts() == {"fetched": 0, "reused": 0, "failed": 0}


def test_file_sources_are_stored(tmp_path: Path) -> None:
    source = tmp_path / "statement.pdf"
    source.write_bytes(make_pdf(["demo statement"]))
    store = FolderStore(tmp_path / "documents")
    report = collect([source.as_uri()], store)
    key = document_name(source.as_uri()) + ".pdf"
    assert [(r.outcome, r.key) for r in report.results] == [("fetched", key)]
    assert source.exists() and store.path_of(key).read_bytes() == source.read_bytes()


def _report(*results: DocumentResult) -> DocumentReport:
    return DocumentReport(results)


def test_attachments_and_bill_documents_for_a_period() -> None:
    report = _report(
        DocumentResult("u1", "a", "fetched", key="a.pdf", format="PDF"),
        DocumentResult("u2", "b", "reused", key="b.csv", format="CSV"),
        DocumentResult("u3", "c", "failed", reason="not found (HTTP 404)"),
        DocumentResult("u4", "a", "fetched", key="a.pdf", format="PDF"),
    )
    urls = ("u2", "u3", "u1", "u4", "unknown")
    assert attachments_for(urls, report) == [
        {"key": "b.csv", "kind": "bill", "format": "CSV"},
        {"key": "a.pdf", "kind": "bill", "format": "PDF"},
    ]
    period = BillingPeriod(start=date(2020, 1, 1), end=date(2020, 1, 31), source_urls=urls)
    rows = bill_documents_for(period, report, utility="utility:watauga", utility_account_id="123")
    assert [(r.s3_key, r.doc_format) for r in rows] == [("b.csv", "CSV"), ("a.pdf", "PDF")]
    assert {(r.utility, r.utility_account_id, r.statement_date, r.source) for r in rows} == {
        ("watauga", "123", date(2020, 1, 31), "urjanet")
    }
    stated = BillingPeriod(
        start=date(2020, 1, 1), end=date(2020, 1, 31), statement=date(2020, 2, 3), source_urls=urls
    )
    assert {
        r.statement_date
        for r in bill_documents_for(stated, report, utility="watauga", utility_account_id="123")
    } == {date(2020, 2, 3)}
    assert attachments_for((), report) == []


def test_merged_attachments_put_new_keys_first_without_duplicates() -> None:
    old = [{"key": "old.pdf", "kind": "bill", "format": "PDF"}, {"key": "a.pdf", "kind": "bill"}]
    new = [{"key": "a.pdf", "kind": "bill", "format": "PDF"}, {"key": "n.csv", "format": "CSV"}]
    assert [e["key"] for e in merge_attachments(old, new)] == ["a.pdf", "n.csv", "old.pdf"]
    assert merge_attachments(old, []) == old
