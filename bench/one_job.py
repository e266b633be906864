"""Item 2, one job: `datafeeds run` as a whole process, wall time and peak memory (its own
ru_maxrss, from os.wait4).

- demo: the embedded default (SQLite files), as `datafeeds demo` sets it up (25 statements);
- PostgreSQL + MariaDB: a data source of 120 statements (bench/urjanet_data.py, 2 meters,
  18 charges and 8 usages per statement) with a PDF per statement on a file:// link.

Before each repetition the bills, documents and runs are deleted, so every measured run writes
its bills and stores its documents ("first run"); a second run right after it ("re-run") finds
nothing new.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench import urjanet_data
from bench.harness import ChildRun, Report, clean_env, datafeeds_argv, median, run_child
from bench.servers import fresh_database, named_mariadb_url

NAME = "one_job"
TARGET_S = 0.8
TARGET_MB = 150.0
START, END = "2014-01-01", "2025-01-01"  # holds the 120 statements ending at urjanet_data.ANCHOR
JOB_TABLES = ("bill_document", "partial_bill_link", "partial_bill", "bill", "datafeeds_run")


def reset(platform_url: str, documents: Path) -> None:
    """Forget what earlier runs wrote: bills, documents and run records."""
    from sqlalchemy import delete

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform import schema

    tables = {**schema.platform_metadata.tables, **schema.own_metadata.tables}
    engine = make_engine(platform_url)
    try:
        with engine.begin() as conn:
            for name in JOB_TABLES:
                conn.execute(delete(tables[name]))
    finally:
        engine.dispose()
    shutil.rmtree(documents, ignore_errors=True)


def _measure(
    argv: list[str], env: dict[str, str], platform_url: str, documents: Path, repeat: int
) -> dict[str, list[ChildRun]]:
    runs: dict[str, list[ChildRun]] = {"first": [], "rerun": []}
    warmup = 1 if repeat > 1 else 0  # a warm-up round fills the page cache; not kept
    for round_ in range(warmup + repeat):
        reset(platform_url, documents)
        first = run_child(argv, env=env)
        rerun = run_child(argv, env=env)
        if round_ >= warmup:
            runs["first"].append(first)
            runs["rerun"].append(rerun)
    return runs


def _report(report: Report, label: str, runs: dict[str, list[ChildRun]], check: str) -> None:
    for which, results in runs.items():
        wall = median([r.wall_s for r in results])
        rss = max(r.max_rss_mb for r in results)
        report.add(
            f"{label}: {which} wall median",
            wall,
            "s",
            target=f"< {TARGET_S} s",
            ok=wall < TARGET_S,
            against=f"{len(results)} runs; {check}",
        )
        report.add(
            f"{label}: {which} peak RSS",
            rss,
            "MB",
            target=f"< {TARGET_MB:.0f} MB",
            ok=rss < TARGET_MB,
            against="largest of the runs",
        )
    report.details[label] = {
        which: {
            "wall_s": [round(r.wall_s, 3) for r in results],
            "max_rss_mb": [round(r.max_rss_mb, 1) for r in results],
        }
        for which, results in runs.items()
    }


def _demo(report: Report, tmp: Path, repeat: int) -> None:
    from sqlalchemy import create_engine, text

    home = tmp / "demo-home"
    env = clean_env(DATAFEEDS_HOME=str(home))
    run_child([*datafeeds_argv(), "demo"], env=env)
    platform_url = f"sqlite:///{home / 'platform.db'}"
    engine = create_engine(platform_url)
    with engine.connect() as conn:
        oid = conn.execute(text("SELECT oid FROM snapmeter_meter_data_source")).scalar_one()
        statements = conn.execute(text("SELECT count(*) FROM bill")).scalar_one()
    engine.dispose()
    argv = [*datafeeds_argv(), "run", "--oid", str(oid)]
    runs = _measure(argv, env, platform_url, home / "documents", repeat)
    _report(report, "demo (SQLite)", runs, f"{statements} bills written per first run")


def _write_pdfs(folder: Path, shape: urjanet_data.Shape) -> None:
    from datafeeds_core.documents.pdf import make_pdf

    folder.mkdir(parents=True, exist_ok=True)
    for pk in range(1, shape.rows()["Account"] + 1):
        (folder / f"{pk}.pdf").write_bytes(make_pdf([f"Bench statement {pk}"]))


def _server_job(report: Report, tmp: Path, repeat: int, smoke: bool, pdfs: bool) -> None:
    """The job on PostgreSQL + MariaDB; without `pdfs` the statements link no document, which
    shows what collecting 120 new documents costs within a first run."""
    from datafeeds_core.database import make_engine
    from datafeeds_core.platform import provisioning
    from datafeeds_core.platform.init import init_database

    bills = tmp / "bills"
    statements = 12 if smoke else 120
    shape = urjanet_data.Shape(
        data_sources=1,
        statements=statements,
        featured_statements=statements,
        link=f"file://{bills}/{{pk}}.pdf" if pdfs else "",
    )
    if pdfs:
        _write_pdfs(bills, shape)
    urjanet_name = f"datafeeds_bench_job_{uuid.uuid4().hex[:10]}"
    with fresh_database("postgresql") as platform_url:
        try:
            urjanet_data.generate(urjanet_name, shape)
            engine = make_engine(platform_url)
            try:
                init_database(engine)
                meter = provisioning.add_meter(
                    engine,
                    utility="utility:watauga",
                    utility_account_id=urjanet_data.account_number(0),
                    service_id="WAT-0",
                    account_name="Bench account",
                    commodity="ccf",
                )
                account = _account_of(engine, meter)
                oid = provisioning.create_data_source(engine, account, meter, urjanet_data.KEY)
            finally:
                engine.dispose()
            documents = tmp / "documents"
            env = clean_env(
                DATAFEEDS_HOME=str(tmp / "home"),
                DATAFEEDS_PLATFORM_URL=platform_url,
                DATAFEEDS_URJANET_URL=named_mariadb_url(urjanet_name),
                DATAFEEDS_DOCUMENTS_URL=f"file://{documents}",
                DATAFEEDS_DOCUMENT_ROOT=str(bills),
            )
            argv = [*datafeeds_argv(), "run", "--oid", str(oid), "--start", START, "--end", END]
            runs = _measure(argv, env, platform_url, documents, repeat)
            _check_bills(platform_url, statements)
            _report(
                report,
                "PostgreSQL + MariaDB" if pdfs else "PostgreSQL + MariaDB, no PDFs",
                runs,
                f"{statements} statements, bills" + (" and PDFs" if pdfs else " only"),
            )
        finally:
            urjanet_data.drop(urjanet_name)


def _account_of(engine: Any, meter: int) -> int:
    from sqlalchemy import select

    from datafeeds_core.platform import schema

    link = schema.snapmeter_account_meter
    with engine.connect() as conn:
        return int(conn.execute(select(link.c.account).where(link.c.meter == meter)).scalar_one())


def _check_bills(platform_url: str, statements: int) -> None:
    """The measured job really wrote a bill per statement."""
    from sqlalchemy import func, select

    from datafeeds_core.database import make_engine
    from datafeeds_core.platform import schema

    engine = make_engine(platform_url)
    try:
        with engine.connect() as conn:
            bills = conn.execute(select(func.count()).select_from(schema.bill)).scalar_one()
    finally:
        engine.dispose()
    if bills != statements:
        raise AssertionError(f"expected {statements} bills, the job wrote {bills}")


def run(smoke: bool = False, regenerate: bool = False) -> Report:
    report = Report(NAME, smoke)
    repeat = 1 if smoke else 7
    with tempfile.TemporaryDirectory(prefix="datafeeds-bench-job-") as tmp:
        _demo(report, Path(tmp), repeat)
        _server_job(report, Path(tmp), repeat, smoke, pdfs=True)
        _server_job(report, Path(tmp), repeat, smoke, pdfs=False)
    return report
