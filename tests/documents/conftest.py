"""A real HTTP server on 127.0.0.1 serving generated documents, and moto's S3 in server mode."""

from __future__ import annotations

import base64
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from datafeeds_core.documents.policy import SourcePolicy

USER = "urja-user"
PASSWORD = "s3cr3t-Pa55word"
# These tests are about the download mechanics: plain http to the loopback server (any port)
# with the credentials, and file:// anywhere. The policy's own rules: tests/reliability.
LOOPBACK = SourcePolicy(
    hosts=("http://127.0.0.1",), credential_hosts=("127.0.0.1",), file_root=Path("/")
)

Responder = Callable[["_Handler"], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked transfer encoding
    timeout = 30  # a forgotten connection must not hold a server thread forever
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep tests quiet
        pass

    def do_GET(self) -> None:
        self.server.owner.handle(self)

    def send_body(
        self, body: bytes, content_type: str = "application/pdf", status: int = 200
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Disposition", 'inline; filename="statement.pdf"')
        self.end_headers()
        self.wfile.write(body)

    def send_chunked(self, body: bytes, content_type: str = "application/pdf") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for start in range(0, len(body), 100):
            piece = body[start : start + 100]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: DocumentServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client hung up on purpose (size cap, timeout)
        super().handle_error(request, client_address)


@dataclass
class DocumentServer:
    """Routes by path and query; counts requests and how many are in flight at once."""

    user: str = USER
    password: str = PASSWORD
    routes: dict[str, Responder] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    unauthorised: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    overlap: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    def handle(self, request: _Handler) -> None:
        with self._lock:
            self.requests.append(request.path)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.in_flight > 1:
                self.overlap.set()
        try:
            expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            if request.headers.get("Authorization") != expected:
                with self._lock:
                    self.unauthorised += 1
                request.send_body(b"<html><body>Please log in</body></html>", "text/html", 401)
                return
            route = self.routes.get(request.path)
            if route is None:
                request.send_body(b"not here", "text/plain", 404)
                return
            route(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests.count(path)

    # Responders ---------------------------------------------------------------------------

    def pdf(self, path: str, body: bytes, *, content_type: str = "application/pdf") -> str:
        self.routes[path] = lambda req: req.send_body(body, content_type)
        return self.url(path)

    def chunked(self, path: str, body: bytes) -> str:
        self.routes[path] = lambda req: req.send_chunked(body)
        return self.url(path)

    def statuses_then(self, path: str, statuses: list[int], body: bytes) -> str:
        """Answer each status in turn (an error page), then the document."""
        pending = list(statuses)

        def respond(req: _Handler) -> None:
            if pending:
                req.send_body(b"<html>busy</html>", "text/html", pending.pop(0))
            else:
                req.send_body(body)

        self.routes[path] = respond
        return self.url(path)

    def redirect(self, path: str, to: str) -> str:
        def respond(req: _Handler) -> None:
            req.send_response(302)
            req.send_header("Location", to)
            req.send_header("Content-Length", "0")
            req.end_headers()

        self.routes[path] = respond
        return self.url(path)

    def stalled(self, path: str, body: bytes) -> str:
        """Headers and half the body, then nothing until the test releases it."""

        def respond(req: _Handler) -> None:
            req.send_response(200)
            req.send_header("Content-Type", "application/pdf")
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            req.wfile.write(body[: len(body) // 2])
            req.wfile.flush()
            self.release.wait(timeout=30)
            req.close_connection = True

        self.routes[path] = respond
        return self.url(path)

    def gated(self, path: str, body: bytes) -> str:
        """Hold each response until two requests have been in flight at once (bounded wait):
        overlap is then observed deterministically if the client is concurrent at all."""

        def respond(req: _Handler) -> None:
            if not self.overlap.wait(timeout=5):
                self.overlap.set()  # a sequential client: stop waiting, the test will fail
            req.send_body(body)

        self.routes[path] = respond
        return self.url(path)


@pytest.fixture
def server() -> Iterator[DocumentServer]:
    owner = DocumentServer()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.owner = owner
    owner.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield owner
    finally:
        owner.release.set()
        owner.overlap.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


# S3 through moto in server mode ------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        moto.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> str:
    """Fake credentials and the moto endpoint, for this test only."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    return moto_endpoint


@pytest.fixture
def bucket(aws_env: str) -> str:
    import boto3

    name = f"bills-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name
