"""The read-only run dashboard: a Starlette app over the run history.

Pages (`/runs`, `/runs/{id}`, `/scrapers`, `/attention`) and their JSON twins under `/api/`,
Prometheus text at `/metrics`, `/healthz`, and the stylesheet under `/static/`. Every response
carries a strict Content-Security-Policy (no script at all); only GET and HEAD are served; with
credentials configured every request must present them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from datafeeds_core.errors import ConfigurationError, DatafeedsError, TransientError, UsageError
from datafeeds_core.logs import one_line
from datafeeds_core.platform.run_model import EXECUTORS, RUN_STATUSES
from datafeeds_core.web import views
from datafeeds_core.web.security import Access, authorised

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

HERE = Path(__file__).parent
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Endpoint = Callable[[Request], Response]

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
REFRESH_S = 10  # how often a page showing queued or running jobs reloads itself
DEFAULT_STALE_DAYS = 3.0


def _when(value: str | None) -> str:
    """An ISO timestamp as `YYYY-MM-DD HH:MM:SS` (UTC), a date as is, None as a dash."""
    if not value:
        return "-"
    return value.replace("T", " ")[:19]


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def templates() -> Environment:
    """Jinja2 with autoescaping on for every template: rows and errors are untrusted."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=_when, seconds=_seconds, rate=_rate)
    return env


class Guard:
    """GET and HEAD only, credentials when configured, security headers on every response."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Server-Timing: the time the app took to answer (browsers' developer tools
                # show it; `python -m bench web` measures with it).
                took = (time.perf_counter() - started) * 1000
                timing = (b"server-timing", f"app;dur={took:.2f}".encode())
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS, timing]
            await send(message)

        response: Response | None = None
        if scope["method"] not in ("GET", "HEAD"):
            response = PlainTextResponse(
                "the dashboard is read only: GET and HEAD only\n",
                status_code=405,
                headers={"Allow": "GET, HEAD"},
            )
        elif self.access.configured:
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not authorised(header or None, self.access):
                challenge = 'Basic realm="datafeeds"' if self.access.basic else "Bearer"
                response = PlainTextResponse(
                    "credentials required\n",
                    status_code=401,
                    headers={"WWW-Authenticate": challenge},
                )
        if response is not None:
            await response(scope, receive, secured)
            return
        await self.app(scope, receive, secured)


def prometheus(totals: Any) -> str:
    """Run totals in the Prometheus text exposition format (version 0.0.4)."""

    def label(value: str) -> str:
        return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

    lines = [
        "# HELP datafeeds_runs Runs in the history, by scraper and current status.",
        "# TYPE datafeeds_runs gauge",
    ]
    for (scraper, status), n in sorted(totals.by_status.items()):
        lines.append(f'datafeeds_runs{{scraper="{label(scraper)}",status="{label(status)}"}} {n}')
    lines += [
        "# HELP datafeeds_job_duration_seconds How long finished jobs ran, by scraper.",
        "# TYPE datafeeds_job_duration_seconds histogram",
    ]
    for h in totals.durations:
        key = f'scraper="{label(h.scraper)}"'
        for bound, n in h.buckets.items():
            lines.append(f'datafeeds_job_duration_seconds_bucket{{{key},le="{bound:g}"}} {n}')
        lines.append(f'datafeeds_job_duration_seconds_bucket{{{key},le="+Inf"}} {h.count}')
        lines.append(f"datafeeds_job_duration_seconds_sum{{{key}}} {h.total_s:.3f}")
        lines.append(f"datafeeds_job_duration_seconds_count{{{key}}} {h.count}")
    return "\n".join(lines) + "\n"


def create_app(
    engine: Engine,
    *,
    access: Access | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    broken_plugins: Callable[[], list[dict[str, Any]]] = views.broken_plugins,
    database: str = "",
    closed_days_ttl_s: float = 300.0,
    log_dir: Path | None = None,
) -> ASGIApp:
    """The dashboard over `engine` (read-only: `run_dashboard.read_only_engine`). `database`
    is the masked URL shown in the footer; `broken_plugins` runs once, on first need; the
    scrapers page recounts days before yesterday every `closed_days_ttl_s` seconds; run pages
    show the tail of local logs inside `log_dir` (none without it)."""
    env = templates()
    plugin_problems = cache(broken_plugins)
    closed_days = views.ClosedDays(closed_days_ttl_s)

    def page(name: str, request: Request, data: dict[str, Any], status: int = 200) -> Response:
        html = env.get_template(name).render(
            data=data,
            request=request,
            database=database,
            refresh=REFRESH_S if data.get("refreshing") else None,
            statuses=RUN_STATUSES,
            executors=EXECUTORS,
        )
        return HTMLResponse(html, status_code=status)

    def twin(template: str, build: Callable[[Request], dict[str, Any]]) -> tuple[Endpoint, ...]:
        """The HTML page and its JSON twin under /api, from one builder."""

        def html(request: Request) -> Response:
            return page(template, request, build(request))

        def api(request: Request) -> Response:
            return JSONResponse(_jsonable(build(request)))

        return html, api

    def runs(request: Request) -> dict[str, Any]:
        return views.runs_page(engine, views.RunFilters.parse(request.query_params))

    def run(request: Request) -> dict[str, Any]:
        return views.run_page(engine, int(request.path_params["run_id"]), log_dir)

    def scrapers(request: Request) -> dict[str, Any]:
        return views.scrapers_page(engine, clock(), closed_days)

    def attention(request: Request) -> dict[str, Any]:
        raw = request.query_params.get("days") or str(DEFAULT_STALE_DAYS)
        try:
            days = float(raw)
        except ValueError:
            raise UsageError(f"days must be a number, got {raw!r}") from None
        return views.attention_page(engine, clock(), days, plugin_problems())

    def metrics(request: Request) -> Response:
        from datafeeds_core.platform.run_dashboard import run_totals

        return PlainTextResponse(
            prometheus(run_totals(engine)), media_type="text/plain; version=0.0.4"
        )

    def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    def home(request: Request) -> Response:
        return RedirectResponse("/runs", status_code=302)

    def failure(request: Request, exc: Exception) -> Response:
        """A known failure as a one-line message with the right HTTP status."""
        status = 500
        if isinstance(exc, UsageError):
            status = 400
        elif isinstance(exc, ConfigurationError):
            status = 404 if str(exc).startswith("no run with id") else 503
        elif isinstance(exc, TransientError):
            status = 503
        message = one_line(str(exc))
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return page("error.html", request, {"message": message, "status": status}, status)

    def not_found(request: Request, exc: Exception) -> Response:
        code = exc.status_code if isinstance(exc, HTTPException) else 404
        message = "no such page" if code == 404 else one_line(str(exc))
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=code)
        return page("error.html", request, {"message": message, "status": code}, code)

    routes: list[Any] = [Route("/", home)]
    for path, template, build in (
        ("/runs", "runs.html", runs),
        ("/runs/{run_id:int}", "run.html", run),
        ("/scrapers", "scrapers.html", scrapers),
        ("/attention", "attention.html", attention),
    ):
        html, api = twin(template, build)
        routes += [Route(path, html), Route(f"/api{path}", api)]
    routes += [
        Route("/metrics", metrics),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={DatafeedsError: failure, HTTPException: not_found},
    )
    return Guard(app, access or Access())


def _jsonable(data: Any) -> Any:
    """The view data without its rendered SVG (JSON readers get the numbers beside it)."""
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items() if not isinstance(v, Markup)}
    if isinstance(data, list | tuple):
        return [_jsonable(v) for v in data]
    return data
