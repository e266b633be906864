"""Which Urjanet rows belong to a PG&E data source (SPEC §3.2 "pge", §3.4)."""

from __future__ import annotations

import re

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import (
    AnyOf,
    Condition,
    DataSourceContext,
    Match,
    SameUsageMeters,
    Selection,
    provider_is,
    service_type_in,
)
from datafeeds_core.urjanet.normalise import service_id, without_dashes

PROVIDER = "PacGAndE"
SERVICE_TYPES = ("electric", "natural_gas", "lighting")
MIN_ACCOUNT_DIGITS = 10
CHECK_DIGIT = re.compile(r"^(?P<number>.+)-[0-9A-Za-z]$")


def bill_selection(context: DataSourceContext) -> Selection:
    """PG&E statements of the account (as printed, or cleaned of dashes) and its service's
    meters."""
    number = without_dashes(context.utility_account_id)
    if len(number) < MIN_ACCOUNT_DIGITS:
        raise ConfigurationError(
            f"PG&E account number {context.utility_account_id!r} is too short: "
            f"{MIN_ACCOUNT_DIGITS} or more digits expected"
        )
    return Selection(
        account=(
            # AccountNumber is the printed number cleaned of dashes (SPEC §1.1).
            AnyOf(
                (
                    Match("RawAccountNumber", "startswith", number),
                    Match("AccountNumber", "eq", number),
                )
            ),
            provider_is(PROVIDER),
        ),
        meter=(
            service_type_in(*SERVICE_TYPES),
            Match("PODid", "eq", service_id(context.service_id)),
        ),
    )


def _present(*values: str | None) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


def account_ids(context: DataSourceContext) -> list[str]:
    """The service's account and generation account ids, now and in its history, each also
    without its "-check digit" suffix."""
    ids: list[str] = []
    for value in _present(
        context.utility_account_id, context.gen_utility_account_id, *context.history_account_ids
    ):
        found = CHECK_DIGIT.match(value)
        for candidate in (value, found.group("number") if found else None):
            if candidate and candidate not in ids:
                ids.append(candidate)
    return ids


def service_ids(context: DataSourceContext) -> tuple[str, ...]:
    values = _present(context.service_id, context.gen_service_id, *context.history_service_ids)
    return tuple(dict.fromkeys(values))


def generation_selection(context: DataSourceContext) -> Selection:
    """CCA statements of the xml delivery: a RawAccountNumber that is one of the account ids
    (or one of them followed by a check digit), any provider but PG&E; meters of the service
    ids and of the ESP customer numbers found through the PG&E charges they repeat."""
    ids = account_ids(context)
    saids = service_ids(context)
    if not ids:
        raise ConfigurationError("the utility service has no utility account id")
    if not saids:
        raise ConfigurationError("the utility service has no service id")
    raw_number: list[Condition] = []
    for value in ids:
        raw_number += [
            Match("RawAccountNumber", "eq", value),
            Match("RawAccountNumber", "startswith", value + "-"),
        ]
    return Selection(
        account=(AnyOf(tuple(raw_number)), Match("UtilityProvider", "ne", PROVIDER)),
        meter=(service_type_in(*SERVICE_TYPES),),
        delivery="xml",
        same_usage_meters=SameUsageMeters(known_ids=saids, provider=PROVIDER),
    )
