"""Logging set-up (text or JSON lines) with secret redaction on every record."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

LOGGER = "datafeeds"
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-zA-Z][\w+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]*)@")
SECRET_VARS = (
    "URJANET_HTTP_PASSWORD",
    "URJANET_MYSQL_PASSWORD",
    "DATAFEEDS_URJANET_HTTP_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def redact(text: str) -> str:
    """Mask URL passwords and the values of known secret variables."""
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    for var in SECRET_VARS:
        value = os.environ.get(var)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


def one_line(text: str) -> str:
    """The first non-empty line of `text`, secrets masked: for messages that must stay on one
    line (driver errors span several, the statement and its parameters included)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return redact(lines[0]) if lines else ""


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        run_id = getattr(record, "run_id", None)
        if run_id is not None:
            doc["run_id"] = run_id
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
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s : %(levelname)s : %(message)s"))
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(level or level_from_env())
    logger.propagate = False
    logger._datafeeds_configured = True  # type: ignore[attr-defined]


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}")


def redact_json(value: Any) -> Any:
    """`redact` applied to every string inside a JSON-like value."""
    if isinstance(value, str):
        return redact(value)
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
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s : %(levelname)s : run %(run_id)s : %(message)s")
        )
    handler.addFilter(RunIdFilter(run_id))
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
