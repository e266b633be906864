"""Settings from the environment, with the embedded default (SQLite files and a local folder).

`DATAFEEDS_*` names first, then the names the system we replace used, so existing deployments
move over unchanged. Secrets are kept out of `describe()`.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from datafeeds_core.errors import ConfigurationError

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DATABASE_BACKENDS = ("postgresql", "mysql", "sqlite")
PLATFORM_BACKENDS = ("postgresql", "sqlite")
URJANET_BACKENDS = ("mysql", "sqlite")
URJANET_DOCUMENT_HOSTS = ("sources.o2.urjanet.net",)
MAX_RETENTION_DAYS = 36_500  # a century: anything longer is a typo, not a policy
DEFAULT_DOCUMENTS_DEADLINE_S = 300.0


@dataclass(frozen=True)
class Settings:
    home: Path
    platform_url: str
    urjanet_url: str
    documents_url: str
    urjanet_http_user: str | None
    urjanet_http_password: str | None
    log_format: str
    document_concurrency: int
    document_timeout_s: float
    batch_queue: str | None
    batch_job_definition: str | None
    # Per-run log files of local jobs: DATAFEEDS_LOG_DIR, else $DATAFEEDS_HOME/logs (`run_log_dir`).
    log_dir: Path | None = None
    # DATAFEEDS_RUN_RETENTION_DAYS: finished runs older than this may be pruned; None keeps
    # every run forever.
    run_retention_days: int | None = None
    # Which source links may be followed (documents/policy.py): https hosts (DATAFEEDS_DOCUMENT_
    # HOSTS), the hosts that get the Urjanet HTTP credentials (DATAFEEDS_URJANET_HTTP_HOSTS) and
    # the folder file:// links may name (DATAFEEDS_DOCUMENT_ROOT; None: no file:// link).
    document_hosts: tuple[str, ...] = URJANET_DOCUMENT_HOSTS
    urjanet_http_hosts: tuple[str, ...] = URJANET_DOCUMENT_HOSTS
    document_root: Path | None = None
    # DATAFEEDS_DOCUMENTS_DEADLINE: seconds for a job's whole document step.
    documents_deadline_s: float = DEFAULT_DOCUMENTS_DEADLINE_S
    # DATAFEEDS_JOB_TIMEOUT: the time limit the job runs under (a Batch attempt's timeout, set
    # by `batch register`); `launch --timeout` tells its jobs directly.
    job_timeout_s: float | None = None

    @property
    def run_log_dir(self) -> Path:
        return self.log_dir or self.home / "logs"

    @property
    def embedded(self) -> bool:
        return self.platform_url.startswith("sqlite") and self.urjanet_url.startswith("sqlite")

    def ensure_home(self) -> None:
        if self.embedded or self.documents_url.startswith("file://"):
            self.home.mkdir(parents=True, exist_ok=True)


def _first(env: Mapping[str, str], *names: str) -> str | None:
    return _first_named(env, *names)[1]


def _first_named(env: Mapping[str, str], *names: str) -> tuple[str, str | None]:
    """The first variable of `names` that is set (and not empty), and its value."""
    for name in names:
        value = env.get(name)
        if value:
            return name, value
    return names[0], None


_BACKEND_NAMES = {"postgresql": "postgresql", "mysql": "mysql/mariadb", "sqlite": "sqlite"}
_BACKEND_EXAMPLES = {
    "postgresql": "postgresql://user@host/db",
    "mysql": "mysql://user@host/db",
    "sqlite": "sqlite:///path",
}


def checked_database_url(name: str, url: str, backends: tuple[str, ...] = DATABASE_BACKENDS) -> str:
    """`url` when it names a database of one of `backends`; else ConfigurationError naming the
    variable `name`. The value is never repeated whole: it may hold a password."""
    from datafeeds_core.database import normalise_url
    from datafeeds_core.logs import mask_url

    scheme = url.split("://", 1)[0] if "://" in url else None
    supported = ", ".join(_BACKEND_NAMES[b] for b in backends)
    example = "e.g. " + " or ".join(_BACKEND_EXAMPLES[b] for b in backends)
    try:
        parsed = normalise_url(url)
        backend = parsed.get_backend_name()
        port = parsed.port
    except Exception:
        raise ConfigurationError(f"{name} is not a database URL ({example})") from None
    if backend not in backends:
        shown = scheme if backend not in DATABASE_BACKENDS else _BACKEND_NAMES[backend]
        raise ConfigurationError(f"{name}: unsupported database {shown!r} (supported: {supported})")
    authority = url.split("://", 1)[1].split("/", 1)[0] if "://" in url else ""
    if authority.count("@") > 1:
        raise ConfigurationError(
            f"{name}: the password holds an unencoded '@' (write it as %40 in the URL)"
        )
    if backend != "sqlite" and not parsed.database:
        raise ConfigurationError(f"{name} names no database: {mask_url(url)} ({example})")
    if port is not None and not 1 <= port <= 65535:
        raise ConfigurationError(f"{name}: port {port} is out of range (1 to 65535)")
    return url


def _folder(env: Mapping[str, str], name: str) -> Path | None:
    """The folder variable `name` names (None when unset); a ConfigurationError when it names
    something that exists and is not a folder."""
    raw = env.get(name)
    if not raw:
        return None
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"{name} is not a folder: {path} (point it at a directory)")
    return path


def _names(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def default_home(env: Mapping[str, str]) -> Path:
    home = _folder(env, "DATAFEEDS_HOME")
    if home is not None:
        return home
    from platformdirs import user_data_dir

    return Path(user_data_dir("datafeeds", appauthor=False))


def urjanet_url_from_env(environ: Mapping[str, str]) -> str | None:
    """A mysql+mysqldb URL from URJANET_MYSQL_HOST/USER/PASSWORD/DB (the original variables,
    with the old system's local defaults), or None when URJANET_MYSQL_HOST is unset."""
    host = environ.get("URJANET_MYSQL_HOST")
    if not host:
        return None
    user = quote(environ.get("URJANET_MYSQL_USER", "gridium"), safe="")
    password = quote(environ.get("URJANET_MYSQL_PASSWORD", "gridium"), safe="")
    database = quote(environ.get("URJANET_MYSQL_DB", "urjanet"), safe="")
    auth = f"{user}:{password}" if password else user
    return f"mysql+mysqldb://{auth}@{host}/{database}"


def _number(
    env: Mapping[str, str], name: str, default: float, kind: type, maximum: float | None = None
) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    what = "an integer" if kind is int else "a number"
    try:
        value: float = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be {what}, got {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigurationError(f"{name} must be a finite number, got {raw!r}")
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive, got {raw!r}")
    if maximum is not None and value > maximum:
        raise ConfigurationError(f"{name} must be at most {maximum:g}, got {raw!r}")
    return value


def load(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    home = default_home(env)
    platform_var, platform_url = _first_named(env, "DATAFEEDS_PLATFORM_URL", "POSTGRES_URL")
    if platform_url is None:
        platform_url = f"sqlite:///{home / 'platform.db'}"
    else:
        checked_database_url(platform_var, platform_url, PLATFORM_BACKENDS)
    urjanet_url = _first(env, "DATAFEEDS_URJANET_URL")
    if urjanet_url is not None:
        checked_database_url("DATAFEEDS_URJANET_URL", urjanet_url, URJANET_BACKENDS)
    else:
        urjanet_url = urjanet_url_from_env(env) or f"sqlite:///{home / 'urjanet.db'}"
    bucket = env.get("BILL_PDF_S3_BUCKET")
    documents_url = _first(env, "DATAFEEDS_DOCUMENTS_URL") or (
        f"s3://{bucket}" if bucket else f"file://{home / 'documents'}"
    )
    log_format = env.get("DATAFEEDS_LOG_FORMAT", "text")
    if log_format not in LOG_FORMATS:
        raise ConfigurationError(
            f"DATAFEEDS_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}"
        )
    log_level = env.get("DATAFEEDS_LOG_LEVEL")
    if log_level and log_level.upper() not in LOG_LEVELS:
        raise ConfigurationError(
            f"DATAFEEDS_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}"
        )
    return Settings(
        home=home,
        platform_url=platform_url,
        urjanet_url=urjanet_url,
        documents_url=documents_url,
        urjanet_http_user=_first(env, "DATAFEEDS_URJANET_HTTP_USER", "URJANET_HTTP_USER"),
        urjanet_http_password=_first(
            env, "DATAFEEDS_URJANET_HTTP_PASSWORD", "URJANET_HTTP_PASSWORD"
        ),
        log_format=log_format,
        document_concurrency=int(_number(env, "DATAFEEDS_DOCUMENT_CONCURRENCY", 8, int)),
        document_timeout_s=_number(env, "DATAFEEDS_DOCUMENT_TIMEOUT", 60.0, float),
        batch_queue=env.get("DATAFEEDS_BATCH_QUEUE"),
        batch_job_definition=env.get("DATAFEEDS_BATCH_JOB_DEFINITION"),
        log_dir=_folder(env, "DATAFEEDS_LOG_DIR"),
        run_retention_days=(
            int(_number(env, "DATAFEEDS_RUN_RETENTION_DAYS", 0, int, MAX_RETENTION_DAYS))
            if env.get("DATAFEEDS_RUN_RETENTION_DAYS")
            else None
        ),
        document_hosts=_names(env, "DATAFEEDS_DOCUMENT_HOSTS", URJANET_DOCUMENT_HOSTS),
        urjanet_http_hosts=_names(env, "DATAFEEDS_URJANET_HTTP_HOSTS", URJANET_DOCUMENT_HOSTS),
        document_root=_folder(env, "DATAFEEDS_DOCUMENT_ROOT"),
        documents_deadline_s=_number(
            env, "DATAFEEDS_DOCUMENTS_DEADLINE", DEFAULT_DOCUMENTS_DEADLINE_S, float
        ),
        job_timeout_s=(
            _number(env, "DATAFEEDS_JOB_TIMEOUT", 0, float)
            if env.get("DATAFEEDS_JOB_TIMEOUT")
            else None
        ),
    )


def settings() -> Settings:
    """The settings of this process (read from the environment each call: cheap, no caching
    surprises in tests)."""
    return load()


def is_loopback(host: str) -> bool:
    """Does `host` name this machine only (127.0.0.0/8, ::1, localhost)? A host name other than
    localhost may resolve anywhere, so it is not."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
