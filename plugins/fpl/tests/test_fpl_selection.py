"""FPL selection on a real Urjanet database: the account's every meter, charges loaded once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_fpl import KEY, PROVIDER, TRANSFORMER, datafeeds_datasource

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.testing.builders import charge, meter, only_period, statement, urjanet_data
from datafeeds_core.urjanet.model import Account, Charge, Meter


def stmt(
    pk: int,
    number: str,
    provider: str,
    meters: tuple[Meter, ...],
    floating: tuple[Charge, ...] = (),
) -> Account:
    return statement(
        pk,
        *meters,
        issued=date(2020, 2, 3),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        floating=floating,
        AccountNumber=number,
        UtilityProvider=provider,
        NewCharges=Decimal(3),
    )


def test_selects_every_meter_of_the_account_and_lists_each_charge_once(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    urjanet_db.seed(
        urjanet_data(
            stmt(
                1,
                "12345",
                PROVIDER,
                (
                    meter(11, charges=(charge(101, 1),), ServiceType="electric"),
                    meter(12, ServiceType="lighting"),
                ),
                (charge(102, 2),),
            ),
            stmt(2, "12345", "FPLX", (meter(21, ServiceType="electric"),)),
            stmt(3, "123456", PROVIDER, (meter(31, ServiceType="electric"),)),
            stmt(4, "1234_", PROVIDER, (meter(41, ServiceType="electric"),)),
        )
    )
    selection = datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id=" 12345 "))
    assert selection is not None
    data = urjanet_db.load(selection)
    assert builders.loaded_pks(data) == [(1, [11, 12])]
    period = only_period(TRANSFORMER(data))
    assert [c.PK for c in period.line_items] == [101, 102]
