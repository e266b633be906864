"""Storage names for statement documents, and the download form of a source link (SPEC §3.3)."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

# Urjanet statement ids look like UUIDs but are not all RFC 4122 versions: check the shape only.
_STATEMENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
DEPRECATED_PATH = "/source"
BASIC_AUTH_PATH = "/sourcewithhttpbasicauth"


def statement_id(url: str) -> str | None:
    """The `id` query parameter when it is exactly one statement id, else None.

    Only the id itself is returned: other parameters after it are never part of the key (§8.18).
    """
    try:
        values = parse_qs(urlsplit(url).query, keep_blank_values=True).get("id", [])
    except ValueError:
        return None
    if len(values) != 1 or not _STATEMENT_ID.fullmatch(values[0]):
        return None
    return values[0]


def document_name(url: str) -> str:
    """The store name without extension: the statement id, else the SHA-224 hex of the link."""
    return statement_id(url) or hashlib.sha224(url.encode("utf-8")).hexdigest()


def download_url(url: str) -> str:
    """Rewrite the deprecated `/source?` form to `/sourcewithhttpbasicauth?`; others unchanged."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.path == DEPRECATED_PATH and parts.query:
        return urlunsplit(parts._replace(path=BASIC_AUTH_PATH))
    return url
