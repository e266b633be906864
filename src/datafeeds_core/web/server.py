"""Serving the dashboard with uvicorn: the app over the configured platform database."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from datafeeds_core.web.security import Access, access_from_env, check_bind

if TYPE_CHECKING:
    from datafeeds_core.config import Settings


def dashboard(settings: Settings, access: Access) -> Any:
    """The app over `settings.platform_url`, read only; the database must exist."""
    from datafeeds_core.database import PLATFORM, existing_database
    from datafeeds_core.logs import mask_url
    from datafeeds_core.platform.run_dashboard import read_only_engine
    from datafeeds_core.web.app import create_app

    url = existing_database(settings.platform_url, PLATFORM)  # never creates a SQLite file
    return create_app(
        read_only_engine(url),
        access=access,
        database=mask_url(url),
        log_dir=settings.run_log_dir,
    )


def serve(settings: Settings, host: str, port: int, env: Mapping[str, str] | None = None) -> None:
    """Check the bind address against the access rules, then serve until interrupted."""
    import uvicorn

    from datafeeds_core.errors import UsageError

    access = access_from_env(os.environ if env is None else env)
    check_bind(host, access)
    app = dashboard(settings, access)
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    config = uvicorn.Config(app, log_level="info", server_header=False, proxy_headers=False)
    where = f"[{host}]" if ":" in host else host
    print(f"datafeeds dashboard on http://{where}:{sock.getsockname()[1]}/ (Ctrl-C stops it)")
    uvicorn.Server(config).run(sockets=[sock])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port); connections wait in its backlog until the
    server accepts them, so a caller may connect as soon as this returns."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto named: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it
    # every keep-alive response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


@contextmanager
def in_background(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on a free port of `host` (tests, benchmarks);
    yields the base URL. The socket listens before the thread starts, so a first request
    simply waits in the backlog until the server accepts it: no polling, no sleep."""
    import uvicorn

    sock = bind(host, 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
