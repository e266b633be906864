"""A realistic synthetic Urjanet database in MariaDB, generated in minutes and kept for reuse.

Data sources are City of Watauga (TX) water accounts, served by the watauga-urjanet plugin, so
a job can run on any of them. Each data source has `statements` monthly statements (data
source 0 has `featured_statements`), each with `meters` water meters of 8 charges and 4 usages,
and 2 floating charges. Tables and indexes are exactly `create_schema`'s. Rows go
in through LOAD DATA LOCAL INFILE in primary-key order with the secondary indexes dropped, and
the indexes are built afterwards. A table `bench_generated` records the parameters: a database
generated with the same ones is reused.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from bench.servers import admin_execute, mysqldb_connect, named_mariadb_url

PROVIDER = "CityOfWataugaTX"
KEY = "watauga-urjanet"
ANCHOR = date(2025, 1, 1)  # the last statement ends here: runs are reproducible
GENERATOR_VERSION = 2
CHARGES = (
    ("Water usage tier 1", "ch.water_usage_tier_1", "ccf"),
    ("Water usage tier 2", "ch.water_usage_tier_2", "ccf"),
    ("Water base charge", "ch.water_base_charge", ""),
    ("Sewer usage", "ch.sewer_usage", "ccf"),
    ("Sewer base charge", "ch.sewer_base_charge", ""),
    ("Storm water fee", "ch.storm_water_fee", ""),
    ("Meter fee", "ch.meter_fee", ""),
    ("Sales tax", "ch.tax", ""),
)
USAGES = (
    ("Total water", "[total]"),
    ("Tier 1 water", "[tier1]"),
    ("Tier 2 water", "[tier2]"),
    ("Sewer volume", "[sewer]"),
)
FLOATING = (("Current charges", "ch.total"), ("Previous balance", "ch.previous_balance"))


@dataclass(frozen=True)
class Shape:
    data_sources: int
    statements: int
    featured_statements: int
    meters: int = 2
    # The statement's SourceLink, with {pk}; empty: NULL (a job then fetches no document).
    link: str = ""
    version: int = GENERATOR_VERSION

    def statements_of(self, source: int) -> int:
        return self.featured_statements if source == 0 else self.statements

    def rows(self) -> dict[str, int]:
        accounts = self.featured_statements + (self.data_sources - 1) * self.statements
        meters = accounts * self.meters
        return {
            "Account": accounts,
            "Meter": meters,
            "Charge": meters * len(CHARGES) + accounts * len(FLOATING),
            "Usage": meters * len(USAGES),
        }


FULL = Shape(data_sources=2000, statements=60, featured_statements=120)
SMOKE = Shape(data_sources=12, statements=6, featured_statements=12)
FULL_NAME = "datafeeds_bench_urjanet"


def account_number(source: int) -> str:
    return f"{7_100_000_000 + source}"


def _month(back: int) -> date:
    index = ANCHOR.year * 12 + ANCHOR.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}00"


def write_tsv(shape: Shape, folder: Path) -> dict[str, Path]:
    """One tab-separated file per table, rows in primary-key order (\\N is NULL)."""
    paths = {name: folder / f"{name}.tsv" for name in ("Account", "Meter", "Charge", "Usage")}
    files: dict[str, TextIO] = {n: p.open("w", encoding="utf-8") for n, p in paths.items()}
    try:
        _write_rows(shape, files)
    finally:
        for f in files.values():
            f.close()
    return paths


def _write_rows(shape: Shape, files: dict[str, TextIO]) -> None:
    account_pk = meter_pk = charge_pk = usage_pk = 0
    acc_w, met_w, chg_w, use_w = (files[n].write for n in ("Account", "Meter", "Charge", "Usage"))
    for source in range(shape.data_sources):
        number = account_number(source)
        raw = f"{number[:3]}-{number[3:6]}-{number[6:]}"
        count = shape.statements_of(source)
        for s in range(count):
            account_pk += 1
            start, end = _month(count - s), _month(count - s - 1)
            stmt_date = end + timedelta(days=3)
            seed = (source * 131 + s * 17) % 97
            statement_cents = 0
            chg_lines = []
            use_lines = []
            met_lines = []
            for m in range(shape.meters):
                meter_pk += 1
                pod = f"{number}-{m + 1}"
                met_lines.append(
                    f"{meter_pk}\t{account_pk}\tW-RES\twater\t{pod}\tM{meter_pk:09d}\t{start}\t{end}\n"
                )
                use_ccf = 800 + seed * 13 + m * 211  # hundredths of a ccf
                for c, (name, charge_id, unit) in enumerate(CHARGES):
                    charge_pk += 1
                    cents = 350 + (seed * 37 + c * 149 + m * 53) % 4200
                    statement_cents += cents
                    units = _money(use_ccf) if unit else "0.0000"
                    rate = "1.8500" if unit else "0.0000"
                    chg_lines.append(
                        f"{charge_pk}\t{account_pk}\t{meter_pk}\t{name}\t{_money(cents)}\t{units}"
                        f"\t{rate}\t{unit}\t\t0\t{start}\t{end}\t{charge_id}\n"
                    )
                for u, (name, component) in enumerate(USAGES):
                    usage_pk += 1
                    amount = use_ccf if u == 0 else use_ccf * (u + 1) // 5
                    use_lines.append(
                        f"{usage_pk}\t{account_pk}\t{meter_pk}\t{name}\t{_money(amount)}"
                        f"\t{component}\tgeneral_consumption\tccf\t{start}\t{end}\n"
                    )
            for f, (name, charge_id) in enumerate(FLOATING):
                charge_pk += 1
                cents = statement_cents if f == 0 else 0
                chg_lines.append(
                    f"{charge_pk}\t{account_pk}\t\\N\t{name}\t{_money(cents)}\t0.0000\t0.0000"
                    f"\t\t\t0\t{start}\t{end}\t{charge_id}\n"
                )
            total = _money(statement_cents)
            link = shape.link.format(pk=account_pk) if shape.link else "\\N"
            acc_w(
                f"{account_pk}\t{PROVIDER}\t{number}\t{raw}\t{link}\tstatement_type_bill"
                f"\t{stmt_date}\t{start}\t{end}\t{total}\t{total}\t{total}\t0.0000\t0.0000\n"
            )
            met_w("".join(met_lines))
            chg_w("".join(chg_lines))
            use_w("".join(use_lines))


_COLUMNS = {
    "Account": "PK, UtilityProvider, AccountNumber, RawAccountNumber, SourceLink, StatementType, "
    "StatementDate, IntervalStart, IntervalEnd, TotalBillAmount, AmountDue, NewCharges, "
    "OutstandingBalance, PreviousBalance",
    "Meter": "PK, AccountFK, Tariff, ServiceType, PODid, MeterNumber, IntervalStart, IntervalEnd",
    "Charge": "PK, AccountFK, MeterFK, ChargeActualName, ChargeAmount, ChargeUnitsUsed, "
    "ChargeRatePerUnit, UsageUnit, ThirdPartyProvider, IsAdjustmentCharge, IntervalStart, "
    "IntervalEnd, ChargeId",
    "Usage": "PK, AccountFK, MeterFK, UsageActualName, UsageAmount, RateComponent, "
    "MeasurementType, EnergyUnit, IntervalStart, IntervalEnd",
}


def _recorded_shape(url: str) -> dict[str, Any] | None:
    import MySQLdb

    try:
        conn = mysqldb_connect(url)
    except MySQLdb.OperationalError:
        return None  # no such database
    try:
        cur = conn.cursor()
        cur.execute("SELECT params FROM bench_generated")
        row = cur.fetchone()
        return json.loads(row[0]) if row else None
    except MySQLdb.Error:
        return None
    finally:
        conn.close()


def generate(name: str, shape: Shape) -> dict[str, Any]:
    """(Re)create database `name` filled with `shape`; returns timings and row counts."""
    from sqlalchemy import create_engine

    from datafeeds_core.urjanet.schema import create_schema, metadata

    admin_execute("mariadb", f"DROP DATABASE IF EXISTS `{name}`")
    admin_execute("mariadb", f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    url = named_mariadb_url(name)
    engine = create_engine(url)
    indexes = [ix for table in metadata.sorted_tables for ix in table.indexes]
    with engine.begin() as conn:
        create_schema(conn)
        for ix in indexes:  # built after the load, in one sorted pass each
            ix.drop(conn)
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="datafeeds-bench-urjanet-") as tmp:
        started = time.perf_counter()
        paths = write_tsv(shape, Path(tmp))
        timings["generate_s"] = time.perf_counter() - started
        conn = mysqldb_connect(url, local_infile=1)
        try:
            cur = conn.cursor()
            cur.execute("SET SESSION unique_checks=0, foreign_key_checks=0")
            started = time.perf_counter()
            for table, path in paths.items():
                cur.execute(
                    f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table}` "
                    f"FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' ({_COLUMNS[table]})",
                    (os.fspath(path),),
                )
            conn.commit()
            timings["load_s"] = time.perf_counter() - started
        finally:
            conn.close()
    started = time.perf_counter()
    with engine.begin() as conn:
        for ix in indexes:
            ix.create(conn)
        conn.exec_driver_sql("CREATE TABLE bench_generated (params TEXT)")
        conn.exec_driver_sql(
            "INSERT INTO bench_generated VALUES (%s)", (json.dumps(asdict(shape)),)
        )
    timings["index_s"] = time.perf_counter() - started
    engine.dispose()
    rows = shape.rows()
    total = sum(rows.values())
    seconds = sum(timings.values())
    return {
        "database": name,
        "generated": True,
        "rows": rows,
        "rows_total": total,
        **{k: round(v, 2) for k, v in timings.items()},
        "rows_per_s": round(total / seconds),
        "load_rows_per_s": round(total / timings["load_s"]),
    }


def ensure(name: str, shape: Shape, *, regenerate: bool = False) -> dict[str, Any]:
    """Database `name` with `shape`, generated unless an identical one exists."""
    url = named_mariadb_url(name)
    if not regenerate and _recorded_shape(url) == asdict(shape):
        return {"database": name, "generated": False, "rows": shape.rows()}
    return generate(name, shape)


def drop(name: str) -> None:
    admin_execute("mariadb", f"DROP DATABASE IF EXISTS `{name}`")
