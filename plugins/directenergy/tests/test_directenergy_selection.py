"""Direct Energy selection on a real Urjanet database: statements found through a meter whose
PODid is the utility account id, any provider, one statement per interval."""

from __future__ import annotations

from datetime import date

from datafeeds_directenergy import KEY, datafeeds_datasource

from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing import UrjanetTestDatabase, builders
from datafeeds_core.testing.builders import statement, urjanet_data
from datafeeds_core.urjanet.model import Account, Meter

JAN = (date(2020, 1, 1), date(2020, 2, 1))
FEB = (date(2020, 2, 1), date(2020, 3, 1))


def stmt(
    pk: int,
    span: tuple[date, date],
    issued: date | None,
    *meters: Meter,
    provider: str = "DirectEnergy",
) -> Account:
    return statement(
        pk, *meters, issued=issued, span=span, UtilityProvider=provider, AccountNumber=f"A{pk}"
    )


def meter(pk: int, pod: str, service: str = "electric") -> Meter:
    return builders.meter(pk, PODid=pod, ServiceType=service)


def test_selects_statements_by_pod_of_any_provider_latest_per_interval_and_nothing_alike(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    pod = "10443720_1"
    urjanet_db.seed(
        urjanet_data(
            stmt(1, JAN, date(2020, 2, 3), meter(11, pod)),
            stmt(2, FEB, date(2020, 3, 3), meter(21, pod, "natural_gas")),
            stmt(
                3, JAN, date(2020, 4, 1), meter(31, pod), provider="DirectEnergyBusiness"
            ),  # JAN corrected
            stmt(4, FEB, None, meter(41, pod, "gas")),  # null date: older than any
            stmt(
                5,
                (date(2020, 3, 1), date(2020, 4, 1)),
                date(2020, 4, 3),
                meter(51, "10443720X1"),
                meter(52, "10443720_10"),
                meter(53, pod, "water"),
            ),
        )
    )
    context = DataSourceContext(KEY, utility_account_id=pod, service_id="something else")
    selection = datafeeds_datasource(KEY, context)
    assert selection is not None
    data = urjanet_db.load(selection)
    assert builders.loaded_pks(data) == [(2, [21]), (3, [31])]
