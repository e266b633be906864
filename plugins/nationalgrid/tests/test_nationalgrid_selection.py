"""National Grid selection on a real Urjanet database: raw account number, provider, electric
and gas meters, one statement per interval (the latest)."""

from __future__ import annotations

from datetime import date

from datafeeds_nationalgrid import KEY, PROVIDER, datafeeds_datasource

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.urjanet.model import Account, Meter

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))


def stmt(
    pk: int,
    raw: str,
    span: tuple[date, date],
    statement: date | None,
    *meters: Meter,
    provider: str = PROVIDER,
) -> Account:
    return builders.statement(
        pk,
        *meters,
        issued=statement,
        span=span,
        RawAccountNumber=raw,
        AccountNumber=raw.replace("-", ""),
        UtilityProvider=provider,
    )


def meter(pk: int, service: str = "electric") -> Meter:
    return builders.meter(pk, ServiceType=service)


def test_selects_the_raw_account_latest_statement_per_interval_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    raw = "12345-67_90"
    urjanet_db.seed(
        builders.urjanet_data(
            stmt(
                1,
                raw,
                JAN,
                date(2020, 2, 3),
                meter(11),
                meter(12, "natural_gas"),
                meter(13, "water"),
            ),
            stmt(2, raw, FEB, None, meter(21)),
            stmt(3, raw, JAN, date(2020, 5, 1), meter(31)),
            stmt(4, raw, FEB, date(2020, 3, 3), meter(41, "lighting")),
            stmt(
                5,
                raw,
                (date(2020, 3, 1), date(2020, 4, 1)),
                date(2020, 4, 3),
                meter(51),
                provider="NationalGridX",
            ),
            stmt(
                6,
                "12345-67X90",
                (date(2020, 3, 1), date(2020, 4, 1)),
                date(2020, 4, 3),
                meter(61),
            ),
            stmt(
                7,
                "1234567_90",
                (date(2020, 3, 1), date(2020, 4, 1)),
                date(2020, 4, 3),
                meter(71),
            ),
        )
    )
    data = urjanet_db.load(
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id=raw))
    )
    assert builders.loaded_pks(data) == [(2, [21]), (3, [31])]
