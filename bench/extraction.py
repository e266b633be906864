"""Item 3, extraction at scale: one data source of 120 statements out of a synthetic Urjanet
database of 2,000 data sources (bench/urjanet_data.py), extracted and transformed.

Compared side by side, in interleaved rounds on the same rows:
- the product: `urjanet.loader.load` (a constant number of queries) and the plugin's transformer;
- (a) the old access pattern, per statement and per meter (bench/per_statement_loader.py),
  with the same transformer;
- (b) the same SQL the loader sends, run through MySQLdb with no SQLAlchemy and no parsing:
  the floor for fetching these rows.

Then the product and (a) again with the database one network hop away: a proxy that delays
every packet (bench/latency.py), as the Urjanet database is another host for a real job.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from bench import per_statement_loader, urjanet_data
from bench.harness import Report, median
from bench.latency import DelayProxy
from bench.servers import mysqldb_connect, named_mariadb_url

NAME = "extraction"
TARGET_VS_OLD = 5.0
TARGET_VS_RAW = 1.5
# Added by a proxy in each direction for the same comparison over a network: ~0.7 ms per round
# trip in all here, in the range between two hosts of one cloud region.
ONE_WAY_MS = 0.25


def _selection(source: int) -> Any:
    from datafeeds_core.plugin_api.contract import DataSourceContext
    from datafeeds_core.plugin_api.registry import load

    context = DataSourceContext(
        scraper_key=urjanet_data.KEY,
        utility="utility:watauga",
        utility_account_id=urjanet_data.account_number(source),
        service_id=None,
    )
    return load(urjanet_data.KEY).selection(context)


def _old_pattern(cursor: Any) -> Any:
    """Data source 0 read the old way: per statement, per meter."""
    return per_statement_loader.load(
        cursor, urjanet_data.account_number(0), urjanet_data.PROVIDER, ("water",)
    )


class QueryCounter:
    """Counts the statements an engine sends while `active`."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count = 0
        self.active = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        if self.active:
            self.count += 1

    def queries_of(self, fn: Any) -> int:
        self.count, self.active = 0, True
        try:
            fn()
        finally:
            self.active = False
        return self.count


def _raw_statements(engine: Any, selection: Any, account_pks: list[int]) -> list[str]:
    """The loader's own four statements, rendered with their values for a plain cursor."""
    from datafeeds_core.urjanet.loader import Queries
    from datafeeds_core.urjanet.schema import tables_for

    queries = Queries.build(selection, tables_for(selection.delivery))
    with_pks = {"account_pks": account_pks}
    statements = [
        queries.accounts,
        queries.meters.params(with_pks),
        queries.charges.params(with_pks),
        queries.usages.params(with_pks),
    ]
    return [
        str(s.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        for s in statements
    ]


def _raw_fetch(conn: Any, statements: list[str]) -> int:
    cursor = conn.cursor()
    rows = 0
    for sql in statements:
        cursor.execute(sql)
        rows += len(cursor.fetchall())
    cursor.close()
    return rows


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    from datafeeds_core.database import make_engine
    from datafeeds_core.plugin_api.registry import load
    from datafeeds_core.urjanet.loader import load as load_rows

    report = Report(NAME, smoke)
    shape = urjanet_data.SMOKE if smoke else urjanet_data.FULL
    name = (
        f"datafeeds_bench_urjanet_smoke_{uuid.uuid4().hex[:8]}" if smoke else urjanet_data.FULL_NAME
    )
    try:
        generation = urjanet_data.ensure(name, shape, regenerate=regenerate or smoke)
        _measure(report, name, shape, generation, load, load_rows, make_engine)
    finally:
        if smoke:
            urjanet_data.drop(name)
    return report


def _measure(
    report: Report,
    name: str,
    shape: urjanet_data.Shape,
    generation: dict[str, Any],
    load: Any,
    load_rows: Any,
    make_engine: Any,
) -> None:
    url = named_mariadb_url(name)
    rows = generation["rows"]
    if generation["generated"]:
        report.add(
            "generate + load + index",
            generation["generate_s"] + generation["load_s"] + generation["index_s"],
            "s",
            against=f"{generation['rows_total']:,} rows",
        )
        report.add("generation rate", generation["rows_per_s"], "rows/s", against="end to end")
        report.add("LOAD DATA rate", generation["load_rows_per_s"], "rows/s", against="load only")
    else:
        report.add("database", sum(rows.values()), "rows", against=f"{name}, reused")

    repeat = 1 if report.smoke else 15
    transformer = load(urjanet_data.KEY).transformer()
    featured = _selection(0)
    engine = make_engine(url)
    raw_conn = mysqldb_connect(url)
    old_cursor = per_statement_loader.CountingCursor(mysqldb_connect(url))
    try:
        counter = QueryCounter(engine)
        with engine.connect() as conn:
            data = load_rows(conn, featured)
            queries = counter.queries_of(lambda: load_rows(conn, featured))
            queries_60 = counter.queries_of(lambda: load_rows(conn, _selection(1)))
        statements = len(data.accounts)
        meters = [m for a in data.accounts for m in a.meters]
        fetched = {
            "statements": statements,
            "meters": len(meters),
            "charges": sum(len(m.charges) for m in meters)
            + sum(len(a.floating_charges) for a in data.accounts),
            "usages": sum(len(m.usages) for m in meters),
        }
        old_data = _old_pattern(old_cursor)
        if old_data != data:
            raise AssertionError("the per-statement loader read different rows")
        old_queries = old_cursor.queries
        raw_sql = _raw_statements(engine, featured, [a.PK for a in data.accounts])
        raw_rows = _raw_fetch(raw_conn, raw_sql)

        samples: dict[str, list[float]] = {
            k: [] for k in ("extract", "transform", "total", "old", "old_total", "raw")
        }
        # Each side reads through a connection it already holds, as a job does.
        product_conn = engine.connect()
        for round_ in range(repeat):
            order = ["product", "old", "raw"]
            shift = round_ % 3
            for which in order[shift:] + order[:shift]:
                if which == "product":
                    t0 = time.perf_counter()
                    loaded = load_rows(product_conn, featured)
                    t1 = time.perf_counter()
                    transformer(loaded)
                    t2 = time.perf_counter()
                    samples["extract"].append(t1 - t0)
                    samples["transform"].append(t2 - t1)
                    samples["total"].append(t2 - t0)
                elif which == "old":
                    t0 = time.perf_counter()
                    loaded = _old_pattern(old_cursor)
                    t1 = time.perf_counter()
                    transformer(loaded)
                    samples["old"].append(t1 - t0)
                    samples["old_total"].append(time.perf_counter() - t0)
                else:
                    t0 = time.perf_counter()
                    _raw_fetch(raw_conn, raw_sql)
                    samples["raw"].append(time.perf_counter() - t0)
        product_conn.close()
    finally:
        raw_conn.close()
        engine.dispose()

    ms = {k: median(v) * 1000 for k, v in samples.items()}
    report.add(
        "rows of the data source",
        sum(fetched.values()),
        "rows",
        against=", ".join(f"{v} {k}" for k, v in fetched.items()),
    )
    report.add(
        f"queries ({statements} statements)",
        queries,
        "queries",
        target="constant",
        ok=queries == queries_60,
        against=f"{queries_60} for {shape.statements} statements; old pattern {old_queries}",
    )
    report.add("extract (loader.load) median", ms["extract"], "ms", against=f"{repeat} runs")
    report.add("transform median", ms["transform"], "ms")
    report.add("extract + transform median", ms["total"], "ms")
    report.add("old pattern extract + transform", ms["old_total"], "ms", against="same rows")
    speedup = ms["old_total"] / ms["total"]
    report.add(
        "speed-up over the old pattern",
        speedup,
        "x",
        target=f">= {TARGET_VS_OLD:.0f}x",
        ok=speedup >= TARGET_VS_OLD,
        against=f"per statement/meter: {old_queries} queries",
    )
    report.add("raw fetch (MySQLdb, same SQL)", ms["raw"], "ms", against=f"{raw_rows} rows")
    vs_raw = ms["extract"] / ms["raw"]
    report.add(
        "extract / raw fetch",
        vs_raw,
        "x",
        target=f"<= {TARGET_VS_RAW}x",
        ok=vs_raw <= TARGET_VS_RAW,
        against="4 statements, no SQLAlchemy, no parsing",
    )
    report.details = {
        "database": name,
        "shape": shape.__dict__,
        "generation": generation,
        "repetitions": repeat,
        "fetched": fetched,
        "queries": {"product": queries, "product_60": queries_60, "old": old_queries},
        "samples_ms": {k: [round(x * 1000, 2) for x in v] for k, v in samples.items()},
        "raw_sql": raw_sql,
    }
    _over_a_network(report, url, featured, transformer, load_rows, make_engine)


def _over_a_network(
    report: Report, url: str, featured: Any, transformer: Any, load_rows: Any, make_engine: Any
) -> None:
    """The same comparison with the database one network hop away (bench/latency.py)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    repeat = 1 if report.smoke else 7
    with DelayProxy(parsed.host or "127.0.0.1", parsed.port or 3306, ONE_WAY_MS) as port:
        proxied = parsed.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        engine = make_engine(proxied)
        probe = mysqldb_connect(proxied)
        old_cursor = per_statement_loader.CountingCursor(mysqldb_connect(proxied))
        samples: dict[str, list[float]] = {"rtt": [], "product": [], "old": []}
        try:
            cursor = probe.cursor()
            for _ in range(50):
                t0 = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                samples["rtt"].append(time.perf_counter() - t0)
            with engine.connect() as conn:
                sides = {
                    "product": lambda: transformer(load_rows(conn, featured)),
                    "old": lambda: transformer(_old_pattern(old_cursor)),
                }
                for round_ in range(repeat):
                    for which in sides if round_ % 2 == 0 else reversed(sides):
                        t0 = time.perf_counter()
                        sides[which]()
                        samples[which].append(time.perf_counter() - t0)
        finally:
            probe.close()
            engine.dispose()
    ms = {k: median(v) * 1000 for k, v in samples.items()}
    report.add("network: round trip", ms["rtt"], "ms", against="SELECT 1 through bench/latency.py")
    report.add("network: extract + transform", ms["product"], "ms", against=f"{repeat} runs")
    report.add("network: old pattern", ms["old"], "ms", against="same rows")
    speedup = ms["old"] / ms["product"]
    report.add(
        "network: speed-up over the old pattern",
        speedup,
        "x",
        target=f">= {TARGET_VS_OLD:.0f}x",
        ok=speedup >= TARGET_VS_OLD,
        against=f"{ONE_WAY_MS} ms added each way",
    )
    report.details["network"] = {
        "one_way_ms": ONE_WAY_MS,
        "samples_ms": {k: [round(x * 1000, 3) for x in v] for k, v in samples.items()},
    }
