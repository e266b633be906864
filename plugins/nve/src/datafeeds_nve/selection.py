"""Which NV Energy rows belong to a meter data source."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from datafeeds_core.plugin_api import (
    DataSourceContext,
    Meter,
    Selection,
    UrjanetData,
    account_number_is,
    as_is,
    latest_statement_per_interval,
    provider_is,
    service_id,
    service_type_in,
)

PROVIDER = "NVEnergy"
SERVICE_TYPES = ("electric", "natural_gas", "lighting")
# The platform meter's commodity → the meters taken when none carries the service id.
FALLBACK_SERVICE_TYPE = {"kw": "electric", "therms": "natural_gas"}


def _is_service(meter: Meter, said: str, meta_meter_number: str | None) -> bool:
    number = meter.MeterNumber or ""
    return said in number or bool(meta_meter_number and number.endswith(meta_meter_number))


def service_meters(
    data: UrjanetData, said: str, meta_meter_number: str | None, fallback_type: str | None
) -> UrjanetData:
    """Per statement: the meters whose MeterNumber holds the service id (or ends with the
    meta meter number); when none does, every meter of the commodity's service type."""
    accounts = []
    for account in data.accounts:
        meters = tuple(m for m in account.meters if _is_service(m, said, meta_meter_number))
        if not meters:
            meters = tuple(m for m in account.meters if m.ServiceType == fallback_type)
        if meters or account.floating_charges:
            accounts.append(replace(account, meters=meters))
    return UrjanetData(tuple(accounts))


def refine(
    data: UrjanetData, said: str, meta_meter_number: str | None, fallback_type: str | None
) -> UrjanetData:
    latest = latest_statement_per_interval(data)
    return service_meters(latest, said, meta_meter_number, fallback_type)


def selection(context: DataSourceContext) -> Selection:
    meta_number = context.meta.get("nveMeterNumber")
    return Selection(
        account=(account_number_is(as_is(context.utility_account_id)), provider_is(PROVIDER)),
        meter=(service_type_in(*SERVICE_TYPES),),
        refine=partial(
            refine,
            said=service_id(context.service_id),
            meta_meter_number=str(meta_number).strip() if meta_number else None,
            fallback_type=FALLBACK_SERVICE_TYPE.get((context.commodity or "").lower()),
        ),
    )
