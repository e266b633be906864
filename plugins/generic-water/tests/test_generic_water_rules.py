"""Generic water: provider and usage conversion factor from the data source meta,
generic water transform."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from datafeeds_generic_water import (
    KEY,
    METADATA,
    TRANSFORMER,
    datafeeds_datasource,
    factor_from,
    scaled_usages,
)

from datafeeds_core.errors import ConfigurationError
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.testing.builders import meter, only_period, statement, urjanet_data, usage
from datafeeds_core.urjanet.model import UrjanetData


def data(*amounts: Decimal | None) -> UrjanetData:
    usages = [usage(i, a, "ccf") for i, a in enumerate(amounts)]
    account = statement(
        1,
        meter(1, usages=usages, ServiceType="water"),
        issued=date(2020, 2, 5),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        NewCharges=Decimal("12"),
    )
    return urjanet_data(account)


def amounts(result: UrjanetData) -> list[Decimal | None]:
    return [u.UsageAmount for a in result.accounts for u in a.meter_usages()]


def test_the_provider_is_required_meta() -> None:
    assert METADATA.required_meta == ("utility_provider",)
    with pytest.raises(ConfigurationError, match="utility_provider"):
        datafeeds_datasource(KEY, DataSourceContext(KEY, utility_account_id="1", meta={}))


def test_the_factor_defaults_to_one_and_goes_through_str() -> None:
    assert factor_from({}) == Decimal(1)
    # Decimal(0.1) would be 0.1000000000000000055511151231257827...
    assert factor_from({"conversion_factor": 0.1}) == Decimal("0.1")
    assert factor_from({"conversion_factor": "7.48"}) == Decimal("7.48")


@pytest.mark.parametrize("bad", ["seven", "nan", "inf", True])
def test_a_factor_that_is_not_a_number_is_a_configuration_error(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="conversion_factor"):
        factor_from({"conversion_factor": bad})


def test_every_usage_amount_is_multiplied_on_a_copy() -> None:
    original = data(Decimal("10.5"), None, Decimal("2"))
    scaled = scaled_usages(Decimal("0.748"), original)
    assert amounts(scaled) == [Decimal("7.8540"), None, Decimal("1.496")]
    assert amounts(original) == [Decimal("10.5"), None, Decimal("2")]


def test_the_selection_refine_step_applies_the_meta_factor_before_the_generic_water_transform() -> (
    None
):
    context = DataSourceContext(
        KEY,
        utility_account_id="A-1",
        meta={"utility_provider": "SomeWaterCo", "conversion_factor": 0.1},
    )
    selection = datafeeds_datasource(KEY, context)
    assert selection is not None and selection.refine is not None
    period = only_period(TRANSFORMER(selection.refine(data(Decimal("40"), Decimal("5")))))
    assert (period.total_usage, period.total_charge, period.peak_demand) == (
        Decimal("4.5"),
        Decimal("12"),
        None,
    )
