"""Meters found by what they bill (`contract.SameUsageMeters`; docs/urjanet-rules.md).

The system we replace filled a `CREATE TEMPORARY TABLE tnd_charges` per job (leaked on error,
needing an extra privilege, comparing the address upper-cased on one side only). Here it is two
ordinary queries that MySQL 5.6 accepts (a derived table, an IN subquery, GROUP BY … HAVING),
the address compared upper-cased on both sides, every value a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.engine import Connection

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import SameUsageMeters
from datafeeds_core.urjanet.schema import DeliveryTables


def same_usage_meter_ids(
    conn: Connection,
    spec: SameUsageMeters,
    tables: DeliveryTables,
    account_conditions: Sequence[ColumnElement[bool]],
) -> tuple[str, ...]:
    """The PODids of the selected accounts' meters billing like the known meters (sorted)."""
    known = sorted(set(spec.known_ids))
    if not known:
        return ()
    account_t, meter_t, charge_t = tables.account, tables.meter, tables.charge
    if "ServiceAddress" not in meter_t.c:
        raise ConfigurationError(
            f"selection: same_usage_meters needs a {meter_t.name} table with ServiceAddress "
            "(the xml delivery)"
        )

    # 1. Where and what the known meters are: the first such meter row decides.
    first = conn.execute(
        select(meter_t.c.ServiceAddress, meter_t.c.ServiceType)
        .where(meter_t.c.PODid.in_(known))
        .order_by(meter_t.c.PK)
        .limit(1)
    ).first()
    if first is None or first.ServiceAddress is None:
        return ()  # no address to compare (the reference's UPPER(NULL) matched nothing)
    address, service_type = first

    # 2. The provider's (transmission and distribution) charges on the known meters there:
    # distinct (quantity, start day) pairs, as a derived table.
    known_meter = meter_t.alias("known_meter")
    known_charge = charge_t.alias("known_charge")
    known_account = account_t.alias("known_account")
    at_address = func.upper(known_meter.c.ServiceAddress) == func.upper(address)
    of_type = (
        known_meter.c.ServiceType == service_type
        if service_type is not None
        else known_meter.c.ServiceType.is_(None)
    )
    provider_charges = (
        select(known_charge.c.ChargeUnitsUsed, known_charge.c.IntervalStart)
        .distinct()
        .select_from(
            known_charge.join(known_meter, known_charge.c.MeterFK == known_meter.c.PK).join(
                known_account, known_meter.c.AccountFK == known_account.c.PK
            )
        )
        .where(
            known_account.c.UtilityProvider == spec.provider,
            known_meter.c.PODid.in_(known),
            at_address,
            of_type,
        )
        .subquery("provider_charges")
    )

    # 3. Meters of the selected accounts whose charges repeat those quantities from the same
    # day, more than once per (meter id, meter interval start).
    selected_accounts = select(account_t.c.PK).where(*account_conditions)
    matches = (
        select(meter_t.c.PODid)
        .select_from(
            meter_t.join(
                charge_t,
                and_(
                    charge_t.c.MeterFK == meter_t.c.PK,
                    charge_t.c.AccountFK == meter_t.c.AccountFK,
                ),
            ).join(
                provider_charges,
                and_(
                    meter_t.c.IntervalStart == provider_charges.c.IntervalStart,
                    charge_t.c.ChargeUnitsUsed == provider_charges.c.ChargeUnitsUsed,
                ),
            )
        )
        .where(meter_t.c.AccountFK.in_(selected_accounts), meter_t.c.PODid.is_not(None))
        .group_by(meter_t.c.PODid, meter_t.c.IntervalStart)
        .having(func.count() > 1)
    )
    return tuple(sorted({row[0] for row in conn.execute(matches)}))
