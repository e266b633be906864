"""Colleyville transform: generic water (SPEC §4.2); its usage comes in TGAL (× 1.3368)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datafeeds_colleyville import TRANSFORMER

from datafeeds_core.urjanet.model import Account, Meter, UrjanetData, Usage


def test_tgal_usage_is_converted_and_non_total_usages_are_left_out():
    usages = (
        Usage(PK=1, UsageAmount=Decimal("12.5"), EnergyUnit="TGAL", RateComponent="[total]"),
        Usage(PK=2, UsageAmount=Decimal("7"), EnergyUnit="TGAL", RateComponent="[tier 1]"),
    )
    account = Account(
        PK=1,
        StatementDate=date(2020, 2, 5),
        IntervalStart=date(2020, 1, 1),
        IntervalEnd=date(2020, 2, 1),
        NewCharges=Decimal("64.10"),
        meters=(Meter(PK=1, ServiceType="water", usages=usages),),
    )
    (period,) = TRANSFORMER(UrjanetData((account,))).periods
    assert (period.total_usage, period.total_charge, period.peak_demand) == (
        Decimal("12.5") * Decimal("1.3368"),
        Decimal("64.10"),
        None,
    )
