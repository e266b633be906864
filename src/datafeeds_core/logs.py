"""Logging set-up (text or JSON lines) with secret redaction on every record."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

LOGGER = "datafeeds"
# A URL anywhere in a text: scheme://… up to whitespace or a quote.
_URL = re.compile(r"""[a-zA-Z][\w+.-]*://[^\s'"<>]+""")
_SECRET_PARAMS = ("password", "passwd", "pwd", "secret", "token", "api_key", "apikey")
SECRET_VARS = (
    "URJANET_HTTP_PASSWORD",
    "URJANET_MYSQL_PASSWORD",
    "DATAFEEDS_URJANET_HTTP_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
MASK = "***"
# Characters a terminal or a log reader would act on: C0/C1 controls (newline, ESC of ANSI
# sequences), Unicode line and paragraph separators, bidirectional overrides. Tab is kept.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def printable(text: str) -> str:
    r"""`text` with control characters escaped (`\n`, `\x1b`, `\u2028`): a value from data can
    then neither start a forged log line nor drive the terminal."""
    return _CONTROL.sub(lambda m: _escaped(m[0]), text)


def _escaped(char: str) -> str:
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _mask_query(query: str) -> str:
    parts = []
    for pair in query.split("&"):
        name, sep, _value = pair.partition("=")
        secret = sep and name.strip().lower().replace("-", "_") in _SECRET_PARAMS
        parts.append(f"{name}={MASK}" if secret else pair)
    return "&".join(parts)


def mask_url(url: str) -> str:
    """The one URL-masking function: `url` with its password hidden, for messages and logs.

    The user's password (everything up to the last `@` of the authority, so an unencoded `@` in
    a password hides all of it), and the values of `password`-like query parameters, become
    `***`. What does not look like a URL at all is masked whole.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or not re.fullmatch(r"[a-zA-Z][\w+.-]*", scheme):
        return MASK
    rest, hash_sep, fragment = rest.partition("#")
    before_query, query_sep, query = rest.partition("?")
    if "@" in before_query:
        userinfo, _, after = before_query.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        before_query = f"{user}:{MASK}@{after}" if colon else f"{user}@{after}"
    if query_sep:
        query = _mask_query(query)
    if hash_sep and "=" in fragment:
        fragment = _mask_query(fragment)
    return f"{scheme}://{before_query}{query_sep}{query}{hash_sep}{fragment}"


def redact(text: str) -> str:
    """Mask every URL's password (`mask_url`) and the values of known secret variables."""
    text = _URL.sub(lambda m: mask_url(m[0]), text)
    for var in SECRET_VARS:
        value = os.environ.get(var)
        if value and len(value) >= 4:
            text = text.replace(value, MASK)
    return text


def one_line(text: str) -> str:
    """The first non-empty line of `text`, secrets masked and control characters escaped: for
    messages that must stay on one line (driver errors span several, the statement and its
    parameters included)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return printable(redact(lines[0])) if lines else ""


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


# What the records of this process (or task) are about: the run, its data source, its scraper.
CONTEXT_FIELDS = ("run_id", "oid", "scraper")
_CONTEXT: ContextVar[Mapping[str, Any]] = ContextVar(
    "datafeeds_log_context", default=MappingProxyType({})
)


def bind(**fields: Any) -> None:
    """Tag every later record with these fields (None leaves a field as it was)."""
    _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in fields.items() if v is not None}})


@contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """`bind` for the duration of a block."""
    token = _CONTEXT.set(_CONTEXT.get())
    bind(**fields)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class ContextFilter(logging.Filter):
    """Copies the bound fields onto each record (a field the record already has wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _CONTEXT.get().items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


class TextFormatter(logging.Formatter):
    """`time : LEVEL : message`, with `run N : ` before the message once a run is known. The
    message cannot span lines nor carry terminal escapes (`printable`): a row's newline and
    fake timestamp stay inside the line that logged it."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s : %(levelname)s : %(message)s")

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        # A traceback has lines of its own; only the escapes inside them are neutralised.
        return "\n".join(printable(line) for line in super().formatException(ei).split("\n"))

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        record.message = printable(record.message)
        text = super().formatMessage(record)
        run_id = getattr(record, "run_id", None)
        if run_id is None:
            return text
        head = f" : {record.levelname} : "
        return text.replace(head, f"{head}run {run_id} : ", 1)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                doc[name] = value
        if record.exc_info:
            doc["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(doc)


def level_from_env() -> str:
    """DATAFEEDS_LOG_LEVEL (default INFO); a value logging does not know is INFO here, and a
    configuration error where the settings are read (config.load)."""
    level = os.environ.get("DATAFEEDS_LOG_LEVEL", "INFO").upper()
    return level if level in logging.getLevelNamesMapping() else "INFO"


def setup(fmt: str = "text", level: str | None = None) -> None:
    """Log to stderr; stdout stays for command output (JSON, tables)."""
    logger = logging.getLogger(LOGGER)
    if getattr(logger, "_datafeeds_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(level or level_from_env())
    logger.propagate = False
    logger._datafeeds_configured = True  # type: ignore[attr-defined]


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}")


def redact_json(value: Any) -> Any:
    """`redact` and `printable` applied to every string inside a JSON-like value."""
    if isinstance(value, str):
        return printable(redact(value))
    if isinstance(value, dict):
        return {k: redact_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_json(v) for v in value]
    return value


class RunIdFilter(logging.Filter):
    """Tags every record with the run it belongs to (JSON lines carry it as `run_id`)."""

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = self.run_id
        return True


def setup_run_log(stream: TextIO, fmt: str, run_id: int, level: str | None = None) -> None:
    """Log one job's records to `stream` (its run log file), tagged with the run id and redacted.

    Replaces whatever set-up the process had: a launcher's child starts from its server's state.
    Other libraries' warnings land in the same file.
    """
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RunIdFilter(run_id))
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    ours = level or level_from_env()
    root = logging.getLogger()
    for logger, logger_level in ((logging.getLogger(LOGGER), ours), (root, "WARNING")):
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(logger_level)
    ours_logger = logging.getLogger(LOGGER)
    ours_logger.propagate = False
    ours_logger._datafeeds_configured = True  # type: ignore[attr-defined]


@contextmanager
def also_to_file(path: Any, fmt: str) -> Iterator[None]:
    """Log the `datafeeds` records into `path` too (appending), for the duration of a block."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
