"""Which Urjanet rows belong to a PG&E data source: the bills of a service, and the CCA
generation statements of the same service (the package README states the rules)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from datafeeds_core.plugin_api import (
    AnyOf,
    Condition,
    ConfigurationError,
    DataSourceContext,
    Match,
    Selection,
    UrjanetLookup,
    provider_is,
    service_id,
    service_type_in,
    without_dashes,
)

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
            # AccountNumber is the printed number cleaned of dashes.
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
    cca = Selection(
        account=(AnyOf(tuple(raw_number)), Match("UtilityProvider", "ne", PROVIDER)),
        meter=(service_type_in(*SERVICE_TYPES),),
        delivery="xml",
    )
    return replace(cca, resolve=lambda lookup: with_cca_meters(cca, saids, lookup))


def with_cca_meters(
    selection: Selection, known: tuple[str, ...], lookup: UrjanetLookup
) -> Selection:
    """`selection` narrowed to the meters whose PODid is a known service id or one that
    `cca_meter_ids` finds."""
    ids = tuple(sorted(set(known) | set(cca_meter_ids(selection, known, lookup))))
    return replace(selection, meter=(*selection.meter, Match("PODid", "in", ids)), resolve=None)


def cca_meter_ids(
    selection: Selection, known: tuple[str, ...], lookup: UrjanetLookup
) -> tuple[str, ...]:
    """The PODids of the CCA meters of the selected statements (sorted).

    A CCA meter's PODid is the ESP customer number, which the platform never stores. It is
    found by what it bills: its charges repeat, more than once in one meter interval, the
    quantity and start day of PG&E's own charges on the known meters (the service ids) at
    their service address. The first known meter row (by PK) gives that address and its
    service type; the address is compared upper-cased on both sides. Meter conditions other
    than the ids still apply to the selection this narrows.
    """
    known = tuple(sorted(set(known)))
    if not known:
        return ()
    by_id = Match("PODid", "in", known)
    first = lookup.meters(
        Selection(account=(), meter=(by_id,), delivery="xml"), ("ServiceAddress", "ServiceType")
    )
    if not first or first[0][0] is None:
        return ()  # no address to compare (the system we replace matched nothing either)
    address, service_type = str(first[0][0]).upper(), first[0][1]
    of_type = (
        Match("ServiceType", "eq", service_type)
        if service_type is not None
        else Match("ServiceType", "is_null")
    )
    pge_charges = lookup.meter_charges(
        Selection(account=(provider_is(PROVIDER),), meter=(by_id, of_type), delivery="xml"),
        ("ServiceAddress",),
        ("ChargeUnitsUsed", "IntervalStart"),
    )
    billed = {
        (units, start)
        for at, units, start in pge_charges
        if at is not None and str(at).upper() == address and units is not None and start is not None
    }
    candidates = lookup.meter_charges(
        replace(selection, meter=(Match("PODid", "not_null"),), resolve=None),
        ("PODid", "IntervalStart"),
        ("ChargeUnitsUsed",),
    )
    repeats = Counter(
        (pod_id, start) for pod_id, start, units in candidates if (units, start) in billed
    )
    return tuple(sorted({pod_id for (pod_id, _), count in repeats.items() if count > 1}))
