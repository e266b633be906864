"""Account-number and service-id normalisers shared by utilities."""

from __future__ import annotations

import re

from datafeeds_core.errors import ConfigurationError


def _required(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise ConfigurationError(f"the utility service has no {what}")
    return value.strip()


def as_is(value: str | None) -> str:
    return _required(value, "utility account id")


def without_dashes(value: str | None) -> str:
    return as_is(value).replace("-", "")


def without_dots(value: str | None) -> str:
    return as_is(value).replace(".", "")


def without_spaces(value: str | None) -> str:
    return as_is(value).replace(" ", "")


def before_first_dash(value: str | None) -> str:
    return as_is(value).split("-", 1)[0].strip()


def digits_before_first_dash(value: str | None) -> str:
    return re.sub(r"\D", "", before_first_dash(value))


def service_id(value: str | None) -> str:
    """The service id (SAID, meter number) as stored, trimmed; a missing one is a
    configuration error naming it."""
    return _required(value, "service id")
