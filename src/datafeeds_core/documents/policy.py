"""Which statement-document links may be followed, and which may carry the Urjanet password.

A `SourceLink` comes from a third party's row: it must not make datafeeds read a local file,
reach an arbitrary host, or hand the Urjanet HTTP credentials to anyone but Urjanet.

- https to the hosts of the allow list only (default: the Urjanet document host); an entry
  written `http://host[:port]` also allows plain http to that origin (tests' loopback servers);
- `file://` only beneath a document root the operator configured (the demo configures its own);
- the credentials only to the Urjanet host(s) over https, or over http to a loopback address
  (tests), never elsewhere.

Every refusal reason is the same whether or not a local file exists.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from datafeeds_core.config import URJANET_DOCUMENT_HOSTS, is_loopback

if TYPE_CHECKING:
    from datafeeds_core.config import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, lower-cased; None when it has no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host or scheme not in _DEFAULT_PORTS:
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme]


def _entry(text: str) -> tuple[str, str, int | None]:
    """An allow-list entry: `host`, `host:port` (https) or `http(s)://host[:port]`."""
    text = text.strip().lower()
    url = text if "://" in text else f"https://{text}"
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or ""), parts.port


@dataclass(frozen=True)
class SourcePolicy:
    """The rules for following one source link (see the module docstring)."""

    hosts: tuple[str, ...] = URJANET_DOCUMENT_HOSTS
    credential_hosts: tuple[str, ...] = URJANET_DOCUMENT_HOSTS
    file_root: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SourcePolicy:
        return cls(settings.document_hosts, settings.urjanet_http_hosts, settings.document_root)

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be followed (None: it may). Never says whether a file exists."""
        scheme = urlsplit(url).scheme.lower() if "://" in url else ""
        if scheme == "file":
            return self._file_refusal(url)
        origin = _origin(url)
        if origin is None:
            shown = scheme or "(none)"
            return f"unsupported source scheme {shown!r}: only https links are followed"
        if not self._allowed(origin):
            scheme, host, port = origin
            if scheme == "http" and self._allowed(("https", host, _DEFAULT_PORTS["https"])):
                return f"plain http to {host} is not allowed: only https links are followed"
            return f"host {host} is not on the document host allow list (DATAFEEDS_DOCUMENT_HOSTS)"
        return None

    def _allowed(self, origin: tuple[str, str, int]) -> bool:
        scheme, host, port = origin
        for entry in self.hosts:
            e_scheme, e_host, e_port = _entry(entry)
            if e_host != host or (e_port is not None and e_port != port):
                continue
            if scheme == "https" or e_scheme == "http":
                return True
        return False

    def sends_credentials(self, url: str) -> bool:
        """The Urjanet HTTP credentials go to this URL: a credential host over https, or over
        http only to a loopback address (tests)."""
        origin = _origin(url)
        if origin is None or self.refusal(url) is not None:
            return False
        scheme, host, _port = origin
        if host not in {_entry(h)[1] for h in self.credential_hosts}:
            return False
        return scheme == "https" or is_loopback(host)

    def local_path(self, url: str) -> Path | None:
        """The file a permitted `file://` link names (None when it is not permitted)."""
        if self.file_root is None:
            return None
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        # realpath: `..` and symbolic links cannot lead out of the root.
        path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        root = Path(os.path.realpath(self.file_root))
        return path if path.is_relative_to(root) else None

    def _file_refusal(self, url: str) -> str | None:
        if self.file_root is None:
            return "file:// sources are not allowed (no DATAFEEDS_DOCUMENT_ROOT configured)"
        if self.local_path(url) is None:
            return "file:// source outside the document root"
        return None
