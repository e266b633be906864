"""Synthetic Urjanet statements for the demo, generated from plugin metadata alone.

Two years of monthly statements ending last month, with charges and usages, plus one
correction statement (a newer statement for an earlier month, which must win).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from datafeeds_core.plugin_api.contract import PluginMetadata
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage

DEMO_ACCOUNT_NUMBER = "0123456789"
DEMO_SERVICE_ID = "7700123456"
MONTHS = 24

_SERVICE_TYPE = {"water": "water", "electric": "electric", "gas": "natural_gas"}
_UNIT = {"water": "ccf", "electric": "kWh", "gas": "therms"}


def _month_start(d: date, back: int) -> date:
    index = d.year * 12 + d.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _statement(
    meta: PluginMetadata,
    pk: int,
    start: date,
    end: date,
    statement_date: date,
    scale: Decimal,
    source_link: str,
) -> Account:
    unit = _UNIT[meta.commodity]
    days = Decimal((end - start).days)
    use = (Decimal("38.5") * days * scale).quantize(Decimal("0.0001"))
    rate = Decimal("0.1520") if meta.commodity == "electric" else Decimal("4.2100")
    energy = (use * rate).quantize(Decimal("0.0001"))
    base = Decimal("24.5000")
    charges = [
        Charge(
            pk * 10 + 1,
            "Usage charge",
            energy,
            use,
            unit,
            rate,
            "",
            False,
            start,
            end,
            "ch.usage_charge",
        ),
        Charge(
            pk * 10 + 2,
            "Service charge",
            base,
            Decimal(0),
            "",
            Decimal(0),
            "",
            False,
            start,
            end,
            "ch.customer_charge",
        ),
    ]
    usages = [
        Usage(pk * 10 + 1, "Total use", use, "[total]", "general_consumption", unit, start, end)
    ]
    peak = None
    if meta.commodity == "electric":
        peak = (Decimal("41.2") * scale).quantize(Decimal("0.0001"))
        demand = (peak * Decimal("12.5000")).quantize(Decimal("0.0001"))
        charges.append(
            Charge(
                pk * 10 + 3,
                "Demand charge",
                demand,
                peak,
                "kW",
                Decimal("12.5000"),
                "",
                False,
                start,
                end,
                "ch.demand_charge",
            )
        )
        usages.append(Usage(pk * 10 + 2, "Max demand", peak, "[max]", "demand", "kW", start, end))
    meter_total = sum((c.ChargeAmount or Decimal(0) for c in charges), Decimal(0))
    tax = (meter_total * Decimal("0.0250")).quantize(Decimal("0.0001"))
    # The statement's own line: some utilities total their floating charges.
    floating = (
        Charge(
            pk * 10 + 9,
            "Current charges",
            meter_total + tax,
            Decimal(0),
            "",
            Decimal(0),
            "",
            False,
            start,
            end,
            "ch.total",
        ),
    )
    meter = Meter(
        PK=pk,
        Tariff="DEMO-1" if meta.commodity != "electric" else "A-10",
        ServiceType=_SERVICE_TYPE[meta.commodity],
        PODid=DEMO_SERVICE_ID,
        MeterNumber=DEMO_SERVICE_ID,
        IntervalStart=start,
        IntervalEnd=end,
        charges=tuple(charges),
        usages=tuple(usages),
    )
    total = meter_total + tax
    return Account(
        PK=pk,
        UtilityProvider=meta.provider or "DemoUtility",
        RawAccountNumber=DEMO_ACCOUNT_NUMBER,
        AccountNumber=DEMO_ACCOUNT_NUMBER,
        SourceLink=source_link,
        StatementType="statement_type_bill",
        StatementDate=statement_date,
        IntervalStart=start,
        IntervalEnd=end,
        TotalBillAmount=total,
        AmountDue=total,
        NewCharges=total,
        OutstandingBalance=Decimal(0),
        PreviousBalance=Decimal(0),
        meters=(meter,),
        floating_charges=floating,
    )


def demo_statements(meta: PluginMetadata, today: date, link: str = "") -> UrjanetData:
    """`link` is a format string with {pk} for each statement's source link."""
    accounts = []
    for back in range(MONTHS, 0, -1):
        start = _month_start(today, back)
        end = _month_start(today, back - 1)
        pk = 1000 + (MONTHS - back)
        scale = Decimal(1) + Decimal(start.month % 6) / Decimal(10)
        accounts.append(
            _statement(meta, pk, start, end, end + timedelta(days=3), scale, link.format(pk=pk))
        )
    # A correction: a newer statement re-issuing the month three months back, with higher use.
    back = 3
    start, end = _month_start(today, back), _month_start(today, back - 1)
    pk = 1000 + MONTHS
    accounts.append(
        _statement(
            meta, pk, start, end, today - timedelta(days=1), Decimal("1.35"), link.format(pk=pk)
        )
    )
    return UrjanetData(tuple(accounts))
