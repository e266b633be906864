"""Bill documents for one job: reuse what is stored, fetch, validate and store the rest
(`store_documents`, the job's document step).

A document that is missing, unauthorised or invalid never fails the job: it becomes a `failed`
result with a reason, and its bill simply has no PDF.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from datafeeds_core import logs
from datafeeds_core.documents.fetch import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_BYTES,
    DEFAULT_READ_TIMEOUT_S,
    Fetcher,
    RetryPolicy,
    is_download,
)
from datafeeds_core.documents.keys import document_name, download_url
from datafeeds_core.documents.policy import SourcePolicy
from datafeeds_core.documents.store import DocumentStore, store_from_url
from datafeeds_core.documents.validate import CONTENT_TYPES, DocFormat, validate_document
from datafeeds_core.urjanet.model import BillingPeriod

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from datafeeds_core.config import Settings

log = logs.get("documents")

Outcome = Literal["fetched", "reused", "failed"]
UTILITY_PREFIX = "utility:"


@dataclass(frozen=True)
class DocumentResult:
    """What happened to one source link."""

    url: str
    name: str  # store name without extension (statement id or SHA-224 of the link)
    outcome: Outcome
    key: str | None = None  # the stored document's key, with extension
    reason: str | None = None
    format: DocFormat | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class DocumentReport:
    """Per-link results of one job, in link order; counts are per distinct document."""

    results: tuple[DocumentResult, ...] = ()

    def result(self, url: str) -> DocumentResult | None:
        url = url.strip()
        return next((r for r in self.results if r.url == url), None)

    def _count(self, outcome: Outcome) -> int:
        return len({r.name for r in self.results if r.outcome == outcome})

    @property
    def fetched(self) -> int:
        return self._count("fetched")

    @property
    def reused(self) -> int:
        return self._count("reused")

    @property
    def failed(self) -> int:
        return self._count("failed")

    def counts(self) -> dict[str, int]:
        return {"fetched": self.fetched, "reused": self.reused, "failed": self.failed}

    def failures(self) -> dict[str, str]:
        """Link → reason, for the run record."""
        return {r.url: r.reason or "failed" for r in self.results if r.outcome == "failed"}


@dataclass(frozen=True)
class BillDocument:
    """The content of one `bill_document` row."""

    s3_key: str
    doc_format: str
    statement_date: date
    utility: str  # without the "utility:" prefix
    utility_account_id: str
    source: str = "urjanet"
    gen_utility: str | None = None
    gen_utility_account_id: str | None = None


def _format_of(key: str) -> DocFormat | None:
    lowered = key.lower()
    if lowered.endswith(".pdf"):
        return "PDF"
    if lowered.endswith(".csv"):
        return "CSV"
    return None


def _process(
    name: str, url: str, store: DocumentStore, fetcher: Fetcher, until: float | None
) -> DocumentResult:
    if until is not None and time.monotonic() >= until:
        return DocumentResult(url, name, "failed", reason="the document step's deadline passed")
    try:
        found = store.exists(name)
    except Exception as exc:  # a store outage degrades to "no PDF", it does not fail the job
        return DocumentResult(url, name, "failed", reason=f"document store lookup failed: {exc}")
    if found:
        fmt = _format_of(found)
        return DocumentResult(
            url, name, "reused", key=found, format=fmt, content_type=CONTENT_TYPES.get(fmt or "")
        )
    fetched = fetcher.fetch(download_url(url), until)
    if fetched.path is None:
        return DocumentResult(url, name, "failed", reason=fetched.reason)
    try:
        checked = validate_document(fetched.path, fetched.content_type)
        if checked.format is None or checked.extension is None or checked.content_type is None:
            return DocumentResult(url, name, "failed", reason=checked.reason)
        try:
            key = store.put(name + checked.extension, fetched.path, checked.content_type)
        except Exception as exc:
            return DocumentResult(url, name, "failed", reason=f"document store write failed: {exc}")
        return DocumentResult(
            url,
            name,
            "fetched",
            key=key,
            format=checked.format,
            content_type=checked.content_type,
        )
    finally:
        fetched.discard()


def _safely(
    name: str, url: str, store: DocumentStore, fetcher: Fetcher, until: float | None
) -> DocumentResult:
    try:
        return _process(name, url, store, fetcher, until)
    except Exception as exc:  # a bug in one document must not lose the job's bills
        log.exception("document %s: unexpected error", logs.redact(url))
        return DocumentResult(url, name, "failed", reason=f"unexpected error: {exc}")


def collect_documents(
    source_urls: Iterable[str],
    store: DocumentStore,
    *,
    http_user: str | None = None,
    http_password: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_DEADLINE_S,
    step_timeout: float | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retry: RetryPolicy | None = None,
    workdir: Path | None = None,
    policy: SourcePolicy | None = None,
) -> DocumentReport:
    """Make sure every linked document is in `store`: one lookup each, download only if absent.

    Links that name the same document are handled once. At most `concurrency` documents are in
    flight. `timeout`: seconds one document may take in all (connect, every byte, retries).
    `step_timeout`: seconds for all of them; documents not done by then are failed. `policy`:
    which links may be followed (default: https to the Urjanet host only, no file://).
    """
    until = None if step_timeout is None else time.monotonic() + step_timeout
    urls = list(dict.fromkeys(u.strip() for u in source_urls if u and u.strip()))
    if not urls:
        return DocumentReport()
    first_url: dict[str, str] = {}
    names = {url: document_name(url) for url in urls}
    for url, name in names.items():
        first_url.setdefault(name, url)
    # Threads wait for the network together; local files are read and checked under the GIL,
    # where more threads only contend (120 file:// PDFs: 67 ms with 1 thread, 82 ms with 8).
    workers = max(1, min(concurrency, sum(map(is_download, first_url.values()))))
    try:
        downloads = tempfile.TemporaryDirectory(prefix="datafeeds-documents-", dir=workdir)
    except OSError as exc:  # a full or read-only disk costs the documents, not the bills
        reason = f"cannot make a download folder: {exc.strerror or exc}"
        log.warning("no document stored: %s", reason)
        return DocumentReport(
            tuple(DocumentResult(url, names[url], "failed", reason=reason) for url in urls)
        )
    with (
        downloads as tmp,
        Fetcher(
            Path(tmp),
            http_user=http_user,
            http_password=http_password,
            connect_timeout=min(timeout, DEFAULT_CONNECT_TIMEOUT_S),
            read_timeout=min(timeout, DEFAULT_READ_TIMEOUT_S),
            deadline=timeout,
            max_bytes=max_bytes,
            retry=retry,
            concurrency=workers,
            policy=policy,
        ) as fetcher,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="document") as pool,
    ):
        futures = {
            name: pool.submit(_safely, name, url, store, fetcher, until)
            for name, url in first_url.items()
        }
        by_name = {name: future.result() for name, future in futures.items()}
    results = []
    for url in urls:
        done = by_name[names[url]]
        results.append(done if done.url == url else replace(done, url=url))
    report = DocumentReport(tuple(results))
    for failure in report.results:
        if failure.outcome == "failed":
            log.warning("document %s not stored: %s", logs.redact(failure.url), failure.reason)
    log.info(
        "documents: %d fetched, %d reused, %d failed", report.fetched, report.reused, report.failed
    )
    return report


def attachments_for(source_urls: Iterable[str], report: DocumentReport) -> list[dict[str, str]]:
    """`bill.attachments` entries `{key, kind: "bill", format}` for one bill's stored documents."""
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for url in source_urls:
        done = report.result(url) if url else None
        if done is None or done.key is None or done.key in seen:
            continue
        seen.add(done.key)
        entries.append({"key": done.key, "kind": "bill", "format": done.format or "PDF"})
    return entries


def merge_attachments(
    existing: Iterable[dict[str, str]], new: Iterable[dict[str, str]]
) -> list[dict[str, str]]:
    """New entries first (as the old system put them), then the existing ones; one entry per
    key."""
    merged: list[dict[str, str]] = []
    seen: set[str] = set()
    for entry in (*new, *existing):
        key = entry.get("key")
        if key and key not in seen:
            seen.add(key)
            merged.append(entry)
    return merged


def bill_documents_for(
    period: BillingPeriod,
    report: DocumentReport,
    *,
    utility: str,
    utility_account_id: str,
    source: str = "urjanet",
) -> list[BillDocument]:
    """The `bill_document` rows for one bill's stored documents (utility without its prefix)."""
    statement = period.statement or period.end
    return [
        BillDocument(
            s3_key=entry["key"],
            doc_format=entry["format"],
            statement_date=statement,
            utility=utility.removeprefix(UTILITY_PREFIX),
            utility_account_id=utility_account_id,
            source=source,
        )
        for entry in attachments_for(period.source_urls, report)
    ]


# ---------------------------------------------------------------- the job's document step


@dataclass(frozen=True)
class StoredDocuments:
    """The document step's outcome: the report (None when no period links a document), each
    period's attachment entries, and the `bill_document` rows to write with the bills."""

    report: DocumentReport | None = None
    attachments: dict[BillingPeriod, list[dict[str, str]]] = field(default_factory=dict)
    rows: tuple[BillDocument, ...] = ()

    def record(self, conn: Connection) -> None:
        """Upsert the rows in the caller's transaction (the bills' own)."""
        if self.rows:
            from datafeeds_core.platform.bill_documents import record_documents

            record_documents(conn, self.rows)


def store_documents(
    settings: Settings,
    periods: tuple[BillingPeriod, ...],
    *,
    utility: str,
    utility_account_id: str,
    step_timeout: float | None = None,
) -> StoredDocuments:
    """Fetch, check and store the documents of `periods` (within `step_timeout` seconds, by
    default DATAFEEDS_DOCUMENTS_DEADLINE); their bill_document rows are returned, not written.

    A document that cannot be had costs only itself, never a bill.
    """
    urls = [u for p in periods for u in p.source_urls]
    if not urls:
        return StoredDocuments()
    report = collect_documents(
        urls,
        store_from_url(settings.documents_url),
        http_user=settings.urjanet_http_user,
        http_password=settings.urjanet_http_password,
        concurrency=settings.document_concurrency,
        timeout=settings.document_timeout_s,
        step_timeout=settings.documents_deadline_s if step_timeout is None else step_timeout,
        policy=SourcePolicy.from_settings(settings),
    )
    rows = tuple(
        row
        for p in periods
        for row in bill_documents_for(
            p, report, utility=utility, utility_account_id=utility_account_id
        )
    )
    attachments = {p: attachments_for(p.source_urls, report) for p in periods}
    return StoredDocuments(report, attachments, rows)
