"""Downloads against a real HTTP server on 127.0.0.1 (no sleeps: backoff is injected)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datafeeds_core.documents.fetch import Fetcher, RetryPolicy, exponential_backoff, no_backoff
from datafeeds_core.documents.pdf import make_pdf

from .conftest import LOOPBACK, PASSWORD, USER, DocumentServer

PDF = make_pdf(["Statement 2020-01", "Total due: 12.34"] + [f"line {i}" for i in range(40)])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def fetcher(workdir: Path) -> Iterator[Fetcher]:
    with Fetcher(
        workdir,
        policy=LOOPBACK,
        http_user=USER,
        http_password=PASSWORD,
        retry=RetryPolicy(3, no_backoff),
    ) as f:
        yield f


def test_basic_auth_download(server: DocumentServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(server.pdf("/doc?id=1", PDF))
    assert got.path is not None and got.path.read_bytes() == PDF
    assert (got.content_type, got.attempts, got.reason) == ("application/pdf", 1, None)
    assert server.unauthorised == 0


def test_chunked_response_without_content_length_is_stored(
    server: DocumentServer, fetcher: Fetcher
) -> None:
    got = fetcher.fetch(server.chunked("/chunked", PDF))
    assert got.path is not None and got.path.read_bytes() == PDF


def test_server_error_is_retried_then_succeeds(server: DocumentServer, fetcher: Fetcher) -> None:
    url = server.statuses_then("/flaky", [500], PDF)
    got = fetcher.fetch(url)
    assert got.path is not None and got.path.read_bytes() == PDF
    assert got.attempts == 2 and server.count("/flaky") == 2


def test_backoff_waits_between_attempts_through_the_injected_sleep(
    server: DocumentServer, workdir: Path
) -> None:
    waits: list[float] = []
    policy = RetryPolicy(attempts=3, backoff=exponential_backoff, sleep=waits.append)
    with Fetcher(
        workdir, policy=LOOPBACK, http_user=USER, http_password=PASSWORD, retry=policy
    ) as fetcher:
        got = fetcher.fetch(server.statuses_then("/busy", [503, 502], PDF))
    assert got.ok and got.attempts == 3
    assert waits == [exponential_backoff(1), exponential_backoff(2)]
    assert waits[0] < waits[1]


def test_retries_are_bounded(server: DocumentServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(server.statuses_then("/down", [500] * 10, PDF))
    assert not got.ok and server.count("/down") == 3
    assert got.reason == "server error (HTTP 500) (after 3 attempts)"


def test_client_errors_are_not_retried(server: DocumentServer, fetcher: Fetcher) -> None:
    got = fetcher.fetch(server.url("/missing"))
    assert (got.ok, got.reason, server.count("/missing")) == (False, "not found (HTTP 404)", 1)


def test_wrong_credentials_fail_without_retry_or_leak(
    server: DocumentServer, workdir: Path
) -> None:
    url = server.pdf("/doc", PDF)
    with Fetcher(
        workdir, policy=LOOPBACK, http_user=USER, http_password="wrong-" + PASSWORD
    ) as fetcher:
        got = fetcher.fetch(url)
    assert not got.ok and server.count("/doc") == 1
    assert got.reason is not None and got.reason.startswith("unauthorised (HTTP 401)")
    assert PASSWORD not in got.reason


def test_slow_response_times_out_and_leaves_no_file(server: DocumentServer, workdir: Path) -> None:
    url = server.stalled("/slow", PDF)
    with Fetcher(
        workdir,
        policy=LOOPBACK,
        http_user=USER,
        http_password=PASSWORD,
        read_timeout=0.3,
        retry=RetryPolicy(2, no_backoff),
    ) as fetcher:
        got = fetcher.fetch(url)
    assert not got.ok and got.attempts == 2 and server.count("/slow") == 2
    assert got.reason == "timed out (ReadTimeout) (after 2 attempts)"
    assert list(workdir.iterdir()) == []


def test_redirects_are_followed_within_a_bound(server: DocumentServer, fetcher: Fetcher) -> None:
    target = server.pdf("/final", PDF)
    got = fetcher.fetch(server.redirect("/moved", target))
    assert got.path is not None and got.path.read_bytes() == PDF
    server.redirect("/loop-a", server.url("/loop-b"))
    server.redirect("/loop-b", server.url("/loop-a"))
    looped = fetcher.fetch(server.url("/loop-a"))
    assert (looped.ok, looped.reason) == (False, "too many redirects")
    assert len(server.requests) < 20


def test_size_cap_applies_with_and_without_content_length(
    server: DocumentServer, workdir: Path
) -> None:
    with Fetcher(
        workdir, policy=LOOPBACK, http_user=USER, http_password=PASSWORD, max_bytes=1000
    ) as fetcher:
        declared = fetcher.fetch(server.pdf("/big", PDF))
        streamed = fetcher.fetch(server.chunked("/big-chunked", PDF))
    assert len(PDF) > 1000
    assert declared.reason == f"document too large ({len(PDF)} bytes > 1000)"
    assert streamed.reason == "document too large (over 1000 bytes)"
    assert list(workdir.iterdir()) == []


def test_file_source_is_read_in_place(tmp_path: Path, fetcher: Fetcher) -> None:
    source = tmp_path / "statement.pdf"
    source.write_bytes(PDF)
    got = fetcher.fetch(source.as_uri())
    assert (got.path, got.temporary) == (source, False)
    got.discard()
    assert source.exists()
    missing = fetcher.fetch((tmp_path / "nope.pdf").as_uri())
    assert not missing.ok and missing.reason is not None
    assert missing.reason == "cannot read the source file"


def test_unsupported_scheme_is_a_failed_document(fetcher: Fetcher) -> None:
    got = fetcher.fetch("ftp://example.invalid/statement.pdf")
    assert (got.ok, got.reason) == (
        False,
        "unsupported source scheme 'ftp': only https links are followed",
    )
