"""`datafeeds doctor`: is this installation ready to run jobs? One check per concern, each
with what it found and, when it is not ok, a hint that fixes it.

Checks: the configuration, the platform database (reachable, schema, revision), the Urjanet
database (reachable, tables, server version), the plugins (each imports), the document store
(writable), and the AWS settings when Batch is configured. Nothing is created or changed: an
embedded SQLite file that is missing is reported, never made (connecting would create it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from datafeeds_core.errors import DatafeedsError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from datafeeds_core.config import Settings

Status = Literal["ok", "failed", "skipped"]
URJANET_TABLES = ("Account", "Meter", "Charge", "Usage")
PLATFORM_TABLES = ("snapmeter_meter_data_source", "meter", "utility_service", "bill")
OWN_TABLES = ("datafeeds_run", "datafeeds_feed_config")
BATCH_VARS = ("DATAFEEDS_BATCH_QUEUE", "DATAFEEDS_BATCH_JOB_DEFINITION")


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    hint: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Diagnosis:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.status != "failed" for c in self.checks)

    @property
    def exit_code(self) -> int:
        """0 when nothing failed, else 3 (a configuration to fix)."""
        return 0 if self.ok else 3


def _failure(name: str, exc: BaseException, hint: str) -> Check:
    from datafeeds_core.logs import one_line

    text = str(exc) if isinstance(exc, DatafeedsError) else f"{type(exc).__name__}: {exc}"
    return Check(name, "failed", one_line(text), hint)


def _missing_sqlite_file(url: str) -> Path | None:
    """The file of an embedded SQLite URL when it does not exist (None otherwise)."""
    from datafeeds_core.database import normalise_url

    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:":
        return None
    path = Path(database)
    return None if path.is_file() else path


def _server_version(conn: Connection) -> str:
    dialect = conn.dialect
    version = ".".join(str(v) for v in (dialect.server_version_info or ()))
    name = "MariaDB" if getattr(dialect, "is_mariadb", False) else dialect.name
    return f"{name} {version}".strip()


def _tables(conn: Connection) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


def check_configuration(env: Mapping[str, str] | None = None) -> tuple[Check, Settings | None]:
    from datafeeds_core.config import load
    from datafeeds_core.logs import mask_url

    try:
        cfg = load(env)
    except DatafeedsError as exc:
        hint = "fix the variable named (docs/configuration.md)"
        return _failure("configuration", exc, hint), None
    where = "embedded default" if cfg.embedded else "configured databases"
    detail = (
        f"{where}; home {cfg.home}; platform {mask_url(cfg.platform_url)}; "
        f"Urjanet {mask_url(cfg.urjanet_url)}"
    )
    return Check("configuration", "ok", detail), cfg


def _inspect(
    name: str, url: str, variable: str, hint: str
) -> tuple[set[str], str, str | None] | Check:
    """A database's tables, server version and our migrations' revision (None before the first);
    a failed Check when it cannot be read. Never creates a SQLite file."""
    from datafeeds_core.database import make_engine, unreachable_is_transient
    from datafeeds_core.logs import mask_url
    from datafeeds_core.platform.init import VERSION_TABLE, current_revision

    missing = _missing_sqlite_file(url)
    if missing is not None:
        return Check(name, "failed", f"no database file at {missing}", hint)
    try:
        engine = make_engine(url)
        try:
            with unreachable_is_transient(name), engine.connect() as conn:
                tables = _tables(conn)
                version = _server_version(conn)
                revision = current_revision(conn) if VERSION_TABLE in tables else None
        finally:
            engine.dispose()
    except Exception as exc:
        return _failure(name, exc, f"check {variable} ({mask_url(url)}) and the server")
    return tables, version, revision


def check_platform(cfg: Settings) -> Check:
    from datafeeds_core.platform.init import head_revision

    name, init_hint = "platform database", "run `datafeeds db init`"
    found = _inspect(name, cfg.platform_url, "DATAFEEDS_PLATFORM_URL", init_hint)
    if isinstance(found, Check):
        return found
    tables, version, revision = found
    lacking = [t for t in (*PLATFORM_TABLES, *OWN_TABLES) if t not in tables]
    if lacking:
        return Check(name, "failed", f"{version}; missing tables: {', '.join(lacking)}", init_hint)
    head = head_revision()
    if revision != head:
        return Check(
            name, "failed", f"{version}; revision {revision}, code expects {head}", init_hint
        )
    return Check(name, "ok", f"{version}; schema present, revision {revision}")


def check_urjanet(cfg: Settings) -> Check:
    name = "Urjanet database"
    load_hint = (
        "load statements with `datafeeds urjanet load FILE`, or point DATAFEEDS_URJANET_URL "
        "(or URJANET_MYSQL_*) at the Urjanet MySQL database"
    )
    found = _inspect(name, cfg.urjanet_url, "DATAFEEDS_URJANET_URL", load_hint)
    if isinstance(found, Check):
        return found
    tables, version, _ = found
    lacking = [t for t in URJANET_TABLES if t not in tables]
    if lacking:
        return Check(name, "failed", f"{version}; missing tables: {', '.join(lacking)}", load_hint)
    return Check(name, "ok", f"{version}; tables {', '.join(URJANET_TABLES)} present")


def check_plugins() -> Check:
    from datafeeds_core.plugin_api.registry import check_all

    results = check_all()
    if not results:
        return Check("plugins", "failed", "no plugins installed", "pip install -e plugins/<folder>")
    bad = [r for r in results if r.status != "ok"]
    if bad:
        listed = "; ".join(f"{r.info.key} {r.status}: {r.error or ''}".strip() for r in bad)
        return Check(
            "plugins",
            "failed",
            f"{len(bad)} of {len(results)} not ok: {listed}",
            "see `datafeeds plugins check`; reinstall or remove the plugin named",
        )
    return Check("plugins", "ok", f"{len(results)} scraper keys import")


def check_documents(cfg: Settings) -> Check:
    name, url = "document store", cfg.documents_url
    try:
        if url.startswith("file://"):
            return _check_folder(name, Path(url.removeprefix("file://")))
        if url.startswith("s3://"):
            return _check_bucket(name, url)
    except Exception as exc:
        return _failure(name, exc, "check DATAFEEDS_DOCUMENTS_URL and its permissions")
    return Check(
        name, "failed", f"unsupported URL {url}", "use file:///folder or s3://bucket/prefix"
    )


def _check_folder(name: str, folder: Path) -> Check:
    """Writable: a probe file written and removed; a missing folder is judged by its nearest
    existing parent (the first job creates it)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return Check(name, "failed", f"{existing} is not a folder", "set DATAFEEDS_DOCUMENTS_URL")
    probe = existing / f".datafeeds-doctor-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return Check(
            name,
            "failed",
            f"{existing} is not writable: {exc.strerror or exc}",
            "fix its permissions or set DATAFEEDS_DOCUMENTS_URL",
        )
    state = "writable" if existing == folder else f"to be created in {existing} (writable)"
    return Check(name, "ok", f"file://{folder} {state}")


def _check_bucket(name: str, url: str) -> Check:
    import boto3

    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    key = f"{prefix.rstrip('/') + '/' if prefix else ''}.datafeeds-doctor-{uuid.uuid4().hex}"
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key=key, Body=b"")
    s3.delete_object(Bucket=bucket, Key=key)
    return Check(name, "ok", f"{url} writable")


def check_batch(cfg: Settings, env: Mapping[str, str]) -> Check:
    """Offline: the settings `datafeeds batch` needs, when Batch is configured at all."""
    name = "AWS Batch"
    if not any(env.get(v) for v in BATCH_VARS):
        return Check(name, "skipped", f"not configured ({' / '.join(BATCH_VARS)} unset)")
    problems, hints = [], []
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    try:
        import boto3

        session = boto3.Session()
        region = region or session.region_name
        credentials = session.get_credentials()
    except Exception as exc:  # a broken profile file, for one
        return _failure(name, exc, "check AWS_PROFILE and ~/.aws/config")
    if not region:
        problems.append("no AWS region")
        hints.append("set AWS_DEFAULT_REGION")
    if credentials is None:
        problems.append("no AWS credentials")
        hints.append("set AWS_PROFILE or use a role")
    manifests = env.get("DATAFEEDS_BATCH_MANIFESTS")
    if not manifests:
        problems.append("DATAFEEDS_BATCH_MANIFESTS unset (array jobs need it)")
        hints.append("set it to the stack's ManifestsUrl output")
    elif not manifests.startswith(("s3://", "file://")):
        problems.append(f"DATAFEEDS_BATCH_MANIFESTS is not s3:// or file://: {manifests}")
        hints.append("use s3://bucket/manifests")
    if problems:
        return Check(name, "failed", "; ".join(problems), "; ".join(hints))
    queue = cfg.batch_queue or "the feeds' queues"
    definition = cfg.batch_job_definition or "datafeeds"
    return Check(
        name, "ok", f"region {region}; queue {queue}; job definition {definition}; {manifests}"
    )


def diagnose(
    env: Mapping[str, str] | None = None, *, plugins: Callable[[], Check] = check_plugins
) -> Diagnosis:
    """Every check, in order; the database and store checks need a readable configuration."""
    env = os.environ if env is None else env
    configuration, cfg = check_configuration(env)
    checks = [configuration]
    if cfg is None:
        later = ("platform database", "Urjanet database", "document store", "AWS Batch")
        checks += [Check(n, "skipped", "the configuration is not readable") for n in later]
        checks.append(plugins())
        return Diagnosis(tuple(checks))
    checks += [
        check_platform(cfg),
        check_urjanet(cfg),
        plugins(),
        check_documents(cfg),
        check_batch(cfg, env),
    ]
    return Diagnosis(tuple(checks))
