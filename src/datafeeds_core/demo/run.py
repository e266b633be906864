"""The embedded-default demo: synthetic Urjanet data for one key, platform rows, one real job.

Always runs on the embedded files under $DATAFEEDS_HOME, whatever database URLs are configured,
so a demo can never write into a production database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from datafeeds_core import logs
from datafeeds_core.config import Settings
from datafeeds_core.executors.local.inprocess import run_here
from datafeeds_core.job.pipeline import JobOutcome
from datafeeds_core.job.request import DEFAULT_HISTORY_DAYS, JobRequest
from datafeeds_core.urjanet.model import UrjanetData

log = logs.get("demo")
DEMO_ACCOUNT_OID = 999
DEMO_METER_OID = 4505071289158471
DEMO_UTILITY = "utility:demo"


@dataclass(frozen=True)
class DemoResult:
    data_source_oid: int
    statements_seeded: int
    outcome: JobOutcome
    rerun_command: str


def embedded(settings: Settings) -> Settings:
    home = settings.home
    return replace(
        settings,
        platform_url=f"sqlite:///{home / 'platform.db'}",
        urjanet_url=f"sqlite:///{home / 'urjanet.db'}",
        documents_url=f"file://{home / 'documents'}",
        # The demo's statements link to its own PDFs: the one folder file:// links may name.
        document_root=home / "demo-bills",
    )


def _seed_urjanet(settings: Settings, key: str, today: date) -> int:
    """Seed the synthetic statements once; returns how many were added (0 on a re-run)."""
    from sqlalchemy import func, select

    from datafeeds_core.database import make_engine
    from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, demo_statements
    from datafeeds_core.plugin_api.registry import load
    from datafeeds_core.urjanet import schema, seed

    metadata = load(key).metadata()
    engine = make_engine(settings.urjanet_url)
    try:
        schema.create_schema(engine)
        account = schema.account
        with engine.connect() as conn:
            existing = conn.execute(
                select(func.count())
                .select_from(account)
                .where(account.c.AccountNumber == DEMO_ACCOUNT_NUMBER)
                .where(account.c.UtilityProvider == (metadata.provider or "DemoUtility"))
            ).scalar_one()
        if existing:
            return 0
        data = demo_statements(metadata, today, link=_links(settings))
        _write_bill_pdfs(settings, data)
        with engine.begin() as conn:
            seed.seed(conn, data)
        return len(data.accounts)
    finally:
        engine.dispose()


def _write_bill_pdfs(settings: Settings, data: UrjanetData) -> None:
    """One real PDF per statement, where its source link points."""
    from datafeeds_core.documents.pdf import make_pdf

    folder = settings.home / "demo-bills"
    folder.mkdir(parents=True, exist_ok=True)
    for account in data.accounts:
        lines = [
            f"{account.UtilityProvider} - account {account.AccountNumber}",
            f"Statement {account.StatementDate}: {account.IntervalStart} to {account.IntervalEnd}",
            f"New charges: {account.NewCharges}",
        ]
        (folder / f"{account.PK}.pdf").write_bytes(make_pdf(lines))


def _links(settings: Settings) -> str:
    return f"file://{settings.home / 'demo-bills'}/{{pk}}.pdf"


def _seed_platform(settings: Settings, key: str) -> int:
    """Account 999, meter 4505071289158471 and a data source for `key`; reused when present."""
    from datafeeds_core.database import make_engine
    from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID
    from datafeeds_core.platform import provisioning
    from datafeeds_core.platform.init import init_database

    engine = make_engine(settings.platform_url)
    try:
        init_database(engine)
        provisioning.ensure_meter(
            engine,
            account_oid=DEMO_ACCOUNT_OID,
            meter_oid=DEMO_METER_OID,
            utility=DEMO_UTILITY,
            utility_account_id=DEMO_ACCOUNT_NUMBER,
            service_id=DEMO_SERVICE_ID,
            meter_name=f"Demo meter ({key})",
        )
        return provisioning.ensure_data_source(engine, DEMO_ACCOUNT_OID, DEMO_METER_OID, key)
    finally:
        engine.dispose()


def run_demo(
    key: str, settings: Settings, *, today: date | None = None, echo: Callable[[str], None] = print
) -> DemoResult:
    today = today or date.today()
    settings = embedded(settings)
    settings.home.mkdir(parents=True, exist_ok=True)
    seeded = _seed_urjanet(settings, key, today)
    oid = _seed_platform(settings, key)
    start = today - timedelta(days=DEFAULT_HISTORY_DAYS)
    request = JobRequest(oid=oid, start=start, end=today)
    outcome = run_here(request, settings, today=today, echo=echo)  # logs where `runs show` reads
    command = f"datafeeds run --oid {oid} --start {start} --end {today}"
    return DemoResult(oid, seeded, outcome, command)
