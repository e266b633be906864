"""Who may open the dashboard: an access token or basic-auth credentials from the environment,
and the rule that a dashboard reachable from other machines must have one of them.

Pure (no web framework imported): the CLI checks the bind address before starting a server.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from datafeeds_core.config import is_loopback
from datafeeds_core.errors import ConfigurationError

TOKEN_VAR = "DATAFEEDS_WEB_TOKEN"
USER_VAR = "DATAFEEDS_WEB_USER"
PASSWORD_VAR = "DATAFEEDS_WEB_PASSWORD"
MIN_SECRET = 12  # characters: a token or password shorter than this is refused


@dataclass(frozen=True)
class Access:
    """The credentials a request must present; none configured means none asked for."""

    # Kept out of repr: a secret never shows, not even in a traceback.
    token: str | None = field(default=None, repr=False)
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        return bool(self.token or self.user)

    @property
    def basic(self) -> bool:
        return bool(self.user)


def access_from_env(env: Mapping[str, str]) -> Access:
    """The access rules of DATAFEEDS_WEB_TOKEN and DATAFEEDS_WEB_USER/_PASSWORD."""
    token = env.get(TOKEN_VAR) or None
    user = env.get(USER_VAR) or None
    password = env.get(PASSWORD_VAR) or None
    if bool(user) != bool(password):
        raise ConfigurationError(
            f"{USER_VAR} and {PASSWORD_VAR} go together: set both for basic auth, or neither"
        )
    for name, value in ((TOKEN_VAR, token), (PASSWORD_VAR, password)):
        if value is not None and len(value) < MIN_SECRET:
            raise ConfigurationError(
                f"{name} is too short: use at least {MIN_SECRET} characters "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(24))')"
            )
    return Access(token=token, user=user, password=password)


def check_bind(host: str, access: Access) -> None:
    """Refuse to serve beyond this machine without credentials (ConfigurationError, exit 3)."""
    if not is_loopback(host) and not access.configured:
        raise ConfigurationError(
            f"refusing to serve the dashboard on {host}, beyond this machine, without access "
            f"control: set {TOKEN_VAR}, or {USER_VAR} and {PASSWORD_VAR} (docs/dashboard.md)"
        )


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def authorised(header: str | None, access: Access) -> bool:
    """Does this Authorization header satisfy `access`? Bearer for the token, Basic for the
    user and password; always true when nothing is configured."""
    if not access.configured:
        return True
    if not header:
        return False
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and access.token:
        return _same(value.strip(), access.token)
    if scheme == "basic" and access.user and access.password:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, password = decoded.partition(":")
        # Both compared, always: the time taken says nothing about which one was wrong.
        user_ok = _same(user, access.user)
        password_ok = _same(password, access.password)
        return bool(sep) and user_ok and password_ok
    return False
