"""Colleyville transform: generic water; its usage comes in TGAL (× 1.3368)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_colleyville import TRANSFORMER

from datafeeds_core.testing.builders import meter, only_period, statement, urjanet_data, usage


def test_tgal_usage_is_converted_and_non_total_usages_are_left_out() -> None:
    usages = (usage(1, "12.5", "TGAL"), usage(2, "7", "TGAL", "[tier 1]"))
    account = statement(
        1,
        meter(1, usages=usages, ServiceType="water"),
        issued=date(2020, 2, 5),
        span=(date(2020, 1, 1), date(2020, 2, 1)),
        NewCharges=Decimal("64.10"),
    )
    period = only_period(TRANSFORMER(urjanet_data(account)))
    assert (period.total_usage, period.total_charge, period.peak_demand) == (
        Decimal("12.5") * Decimal("1.3368"),
        Decimal("64.10"),
        None,
    )
