"""Download one statement document to a temporary file, safely.

Only links the `SourcePolicy` allows are followed (every redirect hop included): https to the
allowed hosts, `file://` beneath the configured document root, read in place. TLS verification
on; one deadline per document (connect, every byte and every retry: DATAFEEDS_DOCUMENT_TIMEOUT)
and an optional absolute deadline shared by a whole document step; bounded retries with backoff
on timeouts and 5xx only; a size cap while streaming (chunked responses welcome); bounded
redirects; HTTP basic auth sent only where the policy says, never logged.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlsplit

from datafeeds_core import logs
from datafeeds_core.documents.policy import SourcePolicy

if TYPE_CHECKING:
    import httpx

log = logs.get("documents")

DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_READ_TIMEOUT_S = 30.0
DEFAULT_DEADLINE_S = 60.0  # one document: connect, all bytes, every attempt
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_CONCURRENCY = 8


def exponential_backoff(retry: int) -> float:
    """Seconds to wait before retry number `retry` (1, 2, …): 0.5, 1, 2, … capped at 8."""
    return float(min(0.5 * 2 ** (retry - 1), 8.0))


def no_backoff(retry: int) -> float:
    """Retry at once (tests)."""
    return 0.0


DOWNLOAD_SCHEMES = ("http", "https")


def is_download(url: str) -> bool:
    """Whether `url` is fetched over the network (not read from a local file)."""
    return urlsplit(url).scheme.lower() in DOWNLOAD_SCHEMES


@dataclass(frozen=True)
class RetryPolicy:
    """How often to try a document, and how long to wait in between (injectable for tests)."""

    attempts: int = 3
    backoff: Callable[[int], float] = exponential_backoff
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Fetched:
    """One download: the file (when it worked) or the reason it did not."""

    url: str
    path: Path | None = None
    content_type: str | None = None  # as served; validation decides what the file really is
    reason: str | None = None
    attempts: int = 0
    temporary: bool = False  # `path` is ours to delete (not a file:// source)

    @property
    def ok(self) -> bool:
        return self.path is not None

    def discard(self) -> None:
        if self.temporary and self.path is not None:
            self.path.unlink(missing_ok=True)


class _RetryableError(Exception):
    """A failure worth another attempt (timeout, 5xx); its message is the reason."""


class _FailedError(Exception):
    """A final failure; its message is the reason."""


class _DeadlineError(_FailedError):
    """The document's time is up: no retry."""


_STATUS_WORDS = {401: "unauthorised", 403: "forbidden", 404: "not found", 410: "gone"}


class Fetcher:
    """Downloads documents with one shared, thread-safe httpx client; use as a context manager."""

    def __init__(
        self,
        workdir: Path,
        *,
        http_user: str | None = None,
        http_password: str | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
        read_timeout: float = DEFAULT_READ_TIMEOUT_S,
        deadline: float = DEFAULT_DEADLINE_S,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        retry: RetryPolicy | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        verify: bool | str = True,
        policy: SourcePolicy | None = None,
    ) -> None:
        self.workdir = workdir
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        self.policy = policy or SourcePolicy()
        self._has_auth = bool(http_user)
        self._auth = (http_user, http_password or "") if http_user else None
        self._secrets = [s for s in (http_password,) if s]
        self._client_args: dict[str, Any] = {
            "verify": verify,
            "read_timeout": read_timeout,
            "connect_timeout": connect_timeout,
            "max_redirects": max_redirects,
            "concurrency": concurrency,
        }
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def _http(self) -> httpx.Client:
        """The shared client, made by the first http(s) download: a job whose documents are
        file:// sources or stored already never imports httpx nor builds a TLS context
        (a third of a job's time, bench/one_job.py)."""
        with self._client_lock:
            if self._client is None:
                import httpx

                a = self._client_args
                self._client = httpx.Client(
                    verify=a["verify"],
                    timeout=httpx.Timeout(a["read_timeout"], connect=a["connect_timeout"]),
                    follow_redirects=True,
                    max_redirects=a["max_redirects"],
                    limits=httpx.Limits(
                        max_connections=a["concurrency"],
                        max_keepalive_connections=a["concurrency"],
                    ),
                    # Identity encoding: the size cap then bounds what is written, not a
                    # compressed stream.
                    headers={"Accept-Encoding": "identity", "User-Agent": "datafeeds"},
                    # Every hop, redirects included, must be a link the policy allows.
                    event_hooks={"request": [self._check_hop]},
                )
            return self._client

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _scrub(self, text: str) -> str:
        """Keep the password out of any reason built from a library message (belt and braces)."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return logs.redact(text)

    def _check_hop(self, request: httpx.Request) -> None:
        refused = self.policy.refusal(str(request.url))
        if refused is not None:
            raise _FailedError(f"redirected to a refused link: {refused}")

    def fetch(self, url: str, until: float | None = None) -> Fetched:
        """Download `url` (https, or file beneath the root); never raises for a bad document or
        server. `until`: a time.monotonic() moment after which nothing more is tried (the
        document step's deadline); the document's own deadline applies too."""
        refused = self.policy.refusal(url)
        if refused is not None:
            return Fetched(url, reason=refused)
        if urlsplit(url).scheme.lower() == "file":
            return self._read_file(url)
        self._http()  # made here, so a client that cannot be made fails as it always did
        ends = time.monotonic() + self.deadline
        if until is not None and until < ends:
            ends = until
        attempts = max(1, self.retry.attempts)
        reason = "not attempted"
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                delay = self.retry.backoff(attempt - 1)
                if time.monotonic() + delay >= ends:
                    reason = f"{reason} (no time left to retry)"
                    return Fetched(url, reason=reason, attempts=attempt - 1)
                if delay > 0:
                    self.retry.sleep(delay)
            if time.monotonic() >= ends:
                return Fetched(url, reason=self._late(until, ends), attempts=attempt - 1)
            try:
                path, content_type = self._download(url, ends, self._late(until, ends))
            except _DeadlineError as exc:
                return Fetched(url, reason=str(exc), attempts=attempt)
            except _RetryableError as exc:
                reason = str(exc)
                if attempt < attempts:
                    log.info("document %s: %s; retrying", logs.redact(url), reason)
                continue
            except _FailedError as exc:
                return Fetched(url, reason=str(exc), attempts=attempt)
            return Fetched(url, path, content_type, attempts=attempt, temporary=True)
        return Fetched(url, reason=f"{reason} (after {attempts} attempts)", attempts=attempts)

    def _late(self, until: float | None, ends: float) -> str:
        if until is not None and ends >= until:
            return "the document step's deadline passed"
        return f"took longer than {self.deadline:g} s (DATAFEEDS_DOCUMENT_TIMEOUT)"

    def _download(self, url: str, ends: float, late: str) -> tuple[Path, str | None]:
        fd, name = tempfile.mkstemp(dir=self.workdir, suffix=".download")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                content_type = self._stream_into(url, out, ends, late)
        except OSError as exc:  # the temporary file (disk full, …)
            tmp.unlink(missing_ok=True)
            raise _FailedError(f"cannot write the download: {exc.strerror or exc}") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, content_type

    def _stream_into(self, url: str, out: BinaryIO, ends: float, late: str) -> str | None:
        """GET `url` into `out` before `ends`; the served Content-Type, or a _RetryableError /
        _FailedError / _DeadlineError."""
        import httpx

        client = self._http()
        a = self._client_args
        left = ends - time.monotonic()
        send_auth = self._auth is not None and self.policy.sends_credentials(url)
        auth = httpx.BasicAuth(*self._auth) if self._auth and send_auth else None
        timeout = httpx.Timeout(
            min(a["read_timeout"], left), connect=min(a["connect_timeout"], left)
        )
        try:
            with client.stream("GET", url, auth=auth, timeout=timeout) as response:
                status = response.status_code
                if status >= 500:
                    raise _RetryableError(f"server error (HTTP {status})")
                if status != 200:
                    word = _STATUS_WORDS.get(status, response.reason_phrase or "unexpected status")
                    raise _FailedError(f"{word} (HTTP {status}){self._hint(status)}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise _FailedError(f"document too large ({declared} bytes > {self.max_bytes})")
                written = 0
                # The read timeout is looked up per socket read (httpcore reads the request's
                # "timeout" extension each time): shrinking it to the time left makes a server
                # trickling a byte now and then stop at the deadline, not a read timeout later.
                timeouts = response.request.extensions.get("timeout")
                for chunk in response.iter_bytes():  # chunked or not: read until the body ends
                    written += len(chunk)
                    if written > self.max_bytes:
                        raise _FailedError(f"document too large (over {self.max_bytes} bytes)")
                    left = ends - time.monotonic()
                    if left <= 0:
                        raise _DeadlineError(late)
                    if isinstance(timeouts, dict):
                        timeouts["read"] = min(a["read_timeout"], left)
                    out.write(chunk)
                content_type: str | None = response.headers.get("content-type")
                return content_type
        except httpx.TimeoutException as exc:
            if time.monotonic() >= ends - 0.01:
                raise _DeadlineError(late) from None
            raise _RetryableError(f"timed out ({type(exc).__name__})") from None
        except httpx.TooManyRedirects:
            raise _FailedError("too many redirects") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _FailedError(self._scrub(f"{type(exc).__name__}: {exc}")[:300]) from None

    def _hint(self, status: int) -> str:
        if status != 401:
            return ""
        if self._has_auth:
            return ": check the Urjanet HTTP credentials"
        return ": no Urjanet HTTP credentials configured"

    def _read_file(self, url: str) -> Fetched:
        path = self.policy.local_path(url)
        if path is None:  # refused already by fetch(); kept so this never reads outside
            return Fetched(url, reason="file:// source outside the document root")
        try:
            size = path.stat().st_size
        except OSError:
            return Fetched(url, reason="cannot read the source file", attempts=1)
        if not path.is_file():
            return Fetched(url, reason="cannot read the source file", attempts=1)
        if size > self.max_bytes:
            return Fetched(url, reason=f"document too large ({size} bytes > {self.max_bytes})")
        return Fetched(url, path, attempts=1)
