"""Logging set-up (text or JSON lines) with secret redaction on every record."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime

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
    logger.setLevel(level or os.environ.get("DATAFEEDS_LOG_LEVEL", "INFO").upper())
    logger.propagate = False
    logger._datafeeds_configured = True  # type: ignore[attr-defined]


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{LOGGER}.{name}")
