"""FPL selection on a real Urjanet database: the account's every meter, charges loaded once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_fpl import KEY, PROVIDER, TRANSFORMER, datafeeds_datasource

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData


def stmt(
    pk: int,
    number: str,
    provider: str,
    meters: tuple[Meter, ...],
    floating: tuple[Charge, ...] = (),
) -> Account:
    return Account(
        PK=pk,
        AccountNumber=number,
        UtilityProvider=provider,
        StatementDate=date(2020, 2, 3),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        NewCharges=Decimal(3),
        meters=meters,
        floating_charges=floating,
    )


def test_selects_every_meter_of_the_account_and_lists_each_charge_once(urjanet_db):
    urjanet_db.seed(
        UrjanetData(
            (
                stmt(
                    1,
                    "12345",
                    PROVIDER,
                    (
                        Meter(
                            PK=11,
                            ServiceType="electric",
                            charges=(Charge(PK=101, ChargeAmount=Decimal(1)),),
                        ),
                        Meter(PK=12, ServiceType="lighting"),
                    ),
                    (Charge(PK=102, ChargeAmount=Decimal(2)),),
                ),
                stmt(2, "12345", "FPLX", (Meter(PK=21, ServiceType="electric"),)),
                stmt(3, "123456", PROVIDER, (Meter(PK=31, ServiceType="electric"),)),
                stmt(4, "1234_", PROVIDER, (Meter(PK=41, ServiceType="electric"),)),
            )
        )
    )
    data = urjanet_db.load(
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id=" 12345 "))
    )
    assert [(a.PK, [m.PK for m in a.meters]) for a in data.accounts] == [(1, [11, 12])]
    (period,) = TRANSFORMER(data).periods
    assert [c.PK for c in period.line_items] == [101, 102]
