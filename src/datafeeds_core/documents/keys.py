"""Storage names for statement documents, and the download form of a source link."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

DEPRECATED_PATH = "/source"
BASIC_AUTH_PATH = "/sourcewithhttpbasicauth"
# The old system's key: everything after the first "?id=" (greedy, trailing parameters
# included). Documents it stored are found again only under the same key.
_AFTER_ID = re.compile(r"\?id=(.*)")
# What a key may be made of: no path separator, no leading dot, nothing a store or a shell
# would read specially. A text after "?id=" outside this set is never used as a key.
_SAFE_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._~=&%+-]{0,199}")


def statement_id(url: str) -> str | None:
    """The text after `?id=` in the link, as the old system took it, when it is a safe key."""
    found = _AFTER_ID.search(url)
    if found is None or not _SAFE_KEY.fullmatch(found.group(1)):
        return None
    return found.group(1)


def document_name(url: str) -> str:
    """The store name without extension, as the old system derived it (urjanet-rules.md):
    the text after `?id=`, else the SHA-224 hex of the link (also when that text is not a safe
    key: docs/cut-over.md)."""
    return statement_id(url) or hashlib.sha224(url.encode("utf-8")).hexdigest()


def download_url(url: str) -> str:
    """Rewrite the deprecated `/source?` form to `/sourcewithhttpbasicauth?`; others unchanged."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.path == DEPRECATED_PATH and parts.query:
        return urlunsplit(parts._replace(path=BASIC_AUTH_PATH))
    return url
