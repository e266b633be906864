"""The dashboard is safe by default: strict CSP and security headers on every response, GET and
HEAD only, credentials enforced when configured, and no serving beyond loopback without them.
`datafeeds web` keeps the web framework out of the CLI's start-up."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import warnings
from typing import Any

import pytest

from datafeeds_core.config import is_loopback
from datafeeds_core.errors import ConfigurationError
from datafeeds_core.testing import DatafeedsCli
from datafeeds_core.web.app import CSP
from datafeeds_core.web.security import Access, access_from_env, authorised, check_bind

from .dashboard_kit import NOW, History

TOKEN = "t0ken-for-the-tests-only"
PAGES = ("/runs", "/runs/1", "/scrapers", "/attention", "/api/runs", "/metrics", "/nowhere")


def guarded_client(dashboard_engine: Any, access: Access) -> Any:
    from datafeeds_core.web.app import create_app

    app = create_app(dashboard_engine, access=access, clock=lambda: NOW, broken_plugins=list)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient

        return TestClient(app)


@pytest.fixture
def engine(platform_db: Any) -> Any:
    from datafeeds_core.platform.run_dashboard import read_only_engine

    engine = read_only_engine(platform_db.url)
    yield engine
    engine.dispose()


def test_every_response_carries_a_strict_content_security_policy(
    client: Any, history: History
) -> None:
    assert "script-src" not in CSP and "default-src 'none'" in CSP  # no script at all
    assert "'unsafe-inline'" not in CSP and "http" not in CSP
    for path in (*PAGES, "/static/dashboard.css", "/healthz"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_the_stylesheet_is_served_from_the_package_and_pages_load_nothing_else(
    client: Any, history: History
) -> None:
    css = client.get("/static/dashboard.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for path in ("/runs", "/scrapers", f"/runs/{history.ids['failed']}"):
        html = client.get(path).text
        sources = set(re.findall(r'(?:src|href)="([^"]+)"', html))
        assert all(s.startswith(("/", "?")) for s in sources), sources


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_only_get_and_head_are_served(client: Any, history: History, method: str) -> None:
    for path in ("/runs", "/api/runs", "/metrics", f"/runs/{history.ids['running']}"):
        response = client.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == "GET, HEAD"
        assert response.headers["content-security-policy"] == CSP
    assert client.head("/runs").status_code == 200


def test_with_a_token_configured_every_request_must_present_it(
    engine: Any, history: History
) -> None:
    client = guarded_client(engine, Access(token=TOKEN))
    for path in (*PAGES, "/static/dashboard.css", "/healthz"):
        denied = client.get(path)
        assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
        assert "run" not in denied.text.lower()
        wrong = client.get(path, headers={"Authorization": f"Bearer {TOKEN}x"})
        assert wrong.status_code == 401
    ok = client.get("/api/runs", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and len(ok.json()["runs"]) == len(history.ids)


def test_with_basic_auth_configured_browsers_are_asked_for_the_password(
    engine: Any, history: History
) -> None:
    client = guarded_client(engine, Access(user="ops", password="correct horse battery"))

    def basic(user: str, password: str) -> dict[str, str]:
        raw = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {raw}"}

    denied = client.get("/runs")
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"] == 'Basic realm="datafeeds"'
    assert client.get("/runs", headers=basic("ops", "wrong password!")).status_code == 401
    assert client.get("/runs", headers=basic("eve", "correct horse battery")).status_code == 401
    assert client.get("/runs", headers=basic("ops", "correct horse battery")).status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("", False),
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (f"Bearer {TOKEN[:-1]}", False),
        (f"Basic {TOKEN}", False),
        ("Basic !!not-base64!!", False),
        ("Token abc", False),
    ],
)
def test_authorised_accepts_only_the_configured_token(header: str | None, expected: bool) -> None:
    assert authorised(header, Access(token=TOKEN)) is expected
    assert authorised(header, Access()) is True  # nothing configured: nothing asked


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("dashboard.example", False),
    ],
)
def test_binding_beyond_loopback_needs_credentials(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    check_bind(host, Access(token=TOKEN))  # credentials: any address
    if loopback:
        check_bind(host, Access())
    else:
        with pytest.raises(ConfigurationError, match="DATAFEEDS_WEB_TOKEN"):
            check_bind(host, Access())


def test_access_settings_are_checked_and_never_printed() -> None:
    access = access_from_env(
        {"DATAFEEDS_WEB_USER": "ops", "DATAFEEDS_WEB_PASSWORD": "correct horse battery"}
    )
    assert access.basic and access.configured and "correct horse" not in repr(access)
    assert TOKEN not in repr(access_from_env({"DATAFEEDS_WEB_TOKEN": TOKEN}))
    assert not access_from_env({}).configured
    with pytest.raises(ConfigurationError, match="go together"):
        access_from_env({"DATAFEEDS_WEB_USER": "ops"})
    with pytest.raises(ConfigurationError, match="too short"):
        access_from_env({"DATAFEEDS_WEB_TOKEN": "short"})


def test_datafeeds_web_refuses_a_public_address_without_credentials(
    datafeeds_cli: DatafeedsCli,
) -> None:
    datafeeds_cli("db", "init")
    result = datafeeds_cli("web", "--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 3, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: refusing to serve the dashboard on 0.0.0.0")
    assert "DATAFEEDS_WEB_TOKEN" in line


def test_datafeeds_web_without_a_platform_database_says_how_to_make_one(
    datafeeds_cli: DatafeedsCli,
) -> None:
    result = datafeeds_cli("web", "--port", "0")
    assert result.returncode == 3
    assert "no platform database" in result.stderr and "datafeeds db init" in result.stderr
    assert not (datafeeds_cli.home / "platform.db").exists()


def test_the_cli_starts_without_importing_the_web_framework() -> None:
    code = (
        "import sys; from datafeeds_core import cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'starlette', 'uvicorn', 'jinja2', 'markupsafe', 'selenium'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_listening_socket_lets_asyncio_turn_off_nagle_on_each_connection() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP; a socket made without it
    held every keep-alive response ~40 ms for a delayed ACK."""
    import socket

    from datafeeds_core.web.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[0] == "127.0.0.1" and sock.getsockname()[1] > 0
    finally:
        sock.close()
