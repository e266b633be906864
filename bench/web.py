"""The run dashboard over a long history: 10,000 and 100,000 run records in PostgreSQL.

Each size gets a fresh database, filled by COPY with a fleet's history at a constant rate
(2,000 data sources, one run a day each, 40 scrapers; the newest runs still open), then
VACUUM ANALYZE as autovacuum would. The dashboard is served by uvicorn on loopback; each page is
requested `REPEAT` times after a warm-up and the median of the app's own time (its
Server-Timing header) is reported, with the median round trip beside it. The scrapers page keeps
the counts of days before yesterday for five minutes (`views.ClosedDays`): its first view and a
variant that recounts every day on each view are reported too.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import Report, median
from bench.servers import fresh_database

NAME = "web"
SIZES, SMOKE_SIZES = (10_000, 100_000), (500, 2_000)
REPEAT, SMOKE_REPEAT = 25, 3
SOURCES = 2_000
SCRAPERS = tuple(f"utility{n:02d}-urjanet" for n in range(40))
TARGET_MS = 150.0
TARGET_GROWTH = 1.5  # 100k over 10k: "no more than slightly"
STATUSES = (
    ("succeeded", 0.88),
    ("no-new-data", 0.06),
    ("failed", 0.03),
    ("timed-out", 0.01),
    ("lost", 0.01),
    ("cancelled", 0.01),
)
COLUMNS = (
    "task_id",
    "data_source",
    "scraper",
    "meter",
    "status",
    "dry_run",
    "attempt",
    "executor",
    "batch_job_id",
    "date_start",
    "date_end",
    "queued_at",
    "started_at",
    "finished_at",
    "duration_s",
    "counts",
    "error_class",
    "error_message",
    "log_location",
    "details",
)


def synthetic_runs(count: int, now: datetime, seed: int = 15) -> Iterator[tuple[Any, ...]]:
    """`count` run rows, oldest first (ids follow time), one per data source per day."""
    from psycopg.types.json import Json

    rng = random.Random(seed)
    names, weights = zip(*STATUSES, strict=True)
    per_run = timedelta(days=1) / SOURCES
    for i in range(count):
        oid = 10_000 + i % SOURCES
        queued = now - (count - i) * per_run
        open_run = count - i <= 40  # the newest few are still queued or running
        status = ("queued" if i % 2 else "running") if open_run else rng.choices(names, weights)[0]
        batch = oid % 5 != 0
        started = None if status == "queued" else queued + timedelta(seconds=30)
        duration = round(rng.uniform(3, 240), 2)
        finished = None if open_run else started + timedelta(seconds=duration)  # type: ignore[operator]
        failed = status in ("failed", "timed-out", "lost")
        yield (
            f"task-{i}",
            oid,
            SCRAPERS[oid % len(SCRAPERS)],
            900_000 + oid,
            status,
            False,
            1 if started else 0,
            "batch" if batch else "local",
            f"job-{i:08d}" if batch else None,
            (queued - timedelta(days=730)).date(),
            queued.date(),
            queued,
            started,
            finished,
            duration if finished else None,
            Json({"new": rng.randint(0, 2), "updated": 0, "periods": 24}),
            "JobFailed" if failed else None,
            "the statement history has a gap" if failed else None,
            f"cloudwatch:/datafeeds/batch:datafeeds/default/{i:08x}"
            if batch
            else f"/var/lib/datafeeds/logs/run-{i}.log",
            Json(
                {
                    "dropped_statements": [
                        {"pk": i, "statement_date": None, "reason": "zero-length period"}
                    ],
                    "document_failures": [{"url": f"https://bills/{i}.pdf", "reason": "HTTP 500"}],
                }
            )
            if failed
            else None,
        )


def _seed(platform_url: str, count: int, now: datetime) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform.init import init_database

    engine = make_engine(platform_url)
    try:
        init_database(engine)
    finally:
        engine.dispose()
    conninfo = make_url(platform_url).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False)) as conn:
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY datafeeds_run ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in synthetic_runs(count, now):
                copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE datafeeds_run")


def _pages(platform_url: str) -> dict[str, str]:
    """The paths to time: the three of the target, and the others for information."""
    from sqlalchemy import func, select

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform.schema import datafeeds_run as t

    engine = make_engine(platform_url)
    try:
        with engine.connect() as conn:
            newest = conn.execute(select(func.max(t.c.id))).scalar_one()
            failed = conn.execute(
                select(func.max(t.c.id)).where(t.c.status == "failed", t.c.id < newest // 2)
            ).scalar_one()
    finally:
        engine.dispose()
    return {
        "runs page": "/runs",
        "run page": f"/runs/{failed}",
        "scrapers page": "/scrapers",
        "runs page, filtered": f"/runs?status=failed&scraper={SCRAPERS[3]}",
        "runs page, deep": f"/runs?before={newest // 2}",
        "attention page": "/attention",
        "metrics": "/metrics",
        # The same app with nothing kept between views (closed days recounted each time).
        "scrapers page, recounting every day": "uncached:/scrapers",
    }


def _get(clients: dict[str, Any], path: str) -> tuple[float, float]:
    """App time (its Server-Timing) and round trip, in ms."""
    client = clients["uncached" if path.startswith("uncached:") else "app"]
    response = client.get(path.removeprefix("uncached:"))
    response.raise_for_status()
    app_ms = float(response.headers["server-timing"].split("dur=")[1])
    return app_ms, response.elapsed.total_seconds() * 1000


def _measure(urls: dict[int, str], repeat: int) -> dict[int, dict[str, tuple[float, float]]]:
    """Median app time and median round trip (ms) per size and page. The sizes take turns
    request by request, so the shared machine's load hits them alike; the scrapers page's
    first view (nothing counted yet) is timed once per size."""
    import httpx

    from datafeeds_core.platform.run_dashboard import read_only_engine
    from datafeeds_core.web.app import create_app
    from datafeeds_core.web.server import in_background

    samples: dict[int, dict[str, list[tuple[float, float]]]] = {size: {} for size in urls}
    with ExitStack() as stack:
        clients: dict[int, dict[str, Any]] = {}
        pages = {size: _pages(url) for size, url in urls.items()}
        for size, url in urls.items():
            engine = read_only_engine(url)
            stack.callback(engine.dispose)
            clients[size] = {}
            for kind, ttl in (("app", 300.0), ("uncached", 0.0)):
                app = create_app(engine, broken_plugins=list, closed_days_ttl_s=ttl)
                base = stack.enter_context(in_background(app))
                client = stack.enter_context(httpx.Client(base_url=base, timeout=60))
                client.get("/healthz").raise_for_status()  # a first connection for the pool
                clients[size][kind] = client
            samples[size]["scrapers page, first view"] = [_get(clients[size], "/scrapers")]
        sizes = list(urls)
        for round_ in range(2 + repeat):  # two warm-up rounds
            for page in pages[sizes[0]]:
                order = sizes[round_ % 2 :] + sizes[: round_ % 2]
                for size in order:
                    timed = _get(clients[size], pages[size][page])
                    if round_ >= 2:
                        samples[size].setdefault(page, []).append(timed)
    return {
        size: {
            page: (median([a for a, _ in got]), statistics.median([t for _, t in got]))
            for page, got in by_page.items()
        }
        for size, by_page in samples.items()
    }


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    report = Report(NAME, smoke)
    sizes = SMOKE_SIZES if smoke else SIZES
    repeat = SMOKE_REPEAT if smoke else REPEAT
    now = datetime.now(UTC)
    with ExitStack() as stack:
        urls = {size: stack.enter_context(fresh_database("postgresql")) for size in sizes}
        for size, url in urls.items():
            _seed(url, size, now)
        results = _measure(urls, repeat)
    small, large = sizes
    report.details["round_trip_ms"] = {
        f"{page} @ {size}": round(trip, 2)
        for size, pages in results.items()
        for page, (_, trip) in pages.items()
    }
    for page in results[large]:
        targeted = page in ("runs page", "run page", "scrapers page")
        for size in sizes:
            value = results[size][page][0]
            last = size == large
            report.add(
                f"{page} @ {size:,} runs",
                value,
                "ms",
                target=f"<= {TARGET_MS:.0f} ms" if targeted and last else "",
                ok=(value <= TARGET_MS) if targeted and last and not smoke else None,
            )
        growth = results[large][page][0] / results[small][page][0]
        report.add(
            f"{page}: {large:,} / {small:,}",
            growth,
            "x",
            target=f"<= {TARGET_GROWTH}x" if targeted else "",
            ok=(growth <= TARGET_GROWTH) if targeted and not smoke else None,
            against=f"{small:,} runs",
        )
    return report
