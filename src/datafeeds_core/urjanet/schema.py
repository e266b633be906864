"""The Urjanet MySQL schema as used: the SQL-delivery tables and their XML variants.

There is no DDL for the real Urjanet database; these tables are what the reference code reads,
with the suggested types and indexes. The loader reads only the columns named here. References
between tables (Meter.AccountFK → Account.PK, …) are not enforced as foreign keys: the delivery
is a copy we do not own, and the loader must tolerate what it contains.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
)
from sqlalchemy.dialects.mysql import TINYINT
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.types import TypeDecorator, TypeEngine

Delivery = Literal["sql", "xml"]

AMOUNT_PRECISION, AMOUNT_SCALE = 18, 4
_QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)


class Amount(TypeDecorator[Decimal]):
    """DECIMAL(18,4) on MySQL; on SQLite the Decimal stored as text, rounded to the same scale,
    so a value reads back with its scale on both (SQLite NUMERIC would turn it into a float)."""

    impl = Numeric(AMOUNT_PRECISION, AMOUNT_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(AMOUNT_PRECISION, AMOUNT_SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        # MySQL rounds excess places half away from zero; do the same so both backends agree.
        return str(Decimal(str(value)).quantize(_QUANTUM, rounding=ROUND_HALF_UP))

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))


class FloatAmount(TypeDecorator[float]):
    """DOUBLE, as the XML-delivery amount columns are; Decimals are bound as floats."""

    impl = Double
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else float(value)


def _account_columns(amount: type[TypeDecorator[Any]]) -> list[Column[Any]]:
    return [
        Column("PK", Integer, primary_key=True, autoincrement=False),
        Column("UtilityProvider", String(64)),
        Column("AccountNumber", String(32)),
        Column("RawAccountNumber", String(32)),
        Column("SourceLink", String(255)),
        Column("StatementType", String(32)),
        Column("StatementDate", Date),
        Column("IntervalStart", Date),
        Column("IntervalEnd", Date),
        Column("TotalBillAmount", amount()),
        Column("AmountDue", amount()),
        Column("NewCharges", amount()),
        Column("OutstandingBalance", amount()),
        Column("PreviousBalance", amount()),
    ]


def _meter_columns() -> list[Column[Any]]:
    return [
        Column("PK", Integer, primary_key=True, autoincrement=False),
        Column("AccountFK", Integer),  # → Account.PK
        Column("Tariff", String(255)),
        Column("ServiceType", String(32)),
        Column("PODid", String(64)),
        Column("MeterNumber", String(64)),
        Column("IntervalStart", Date),
        Column("IntervalEnd", Date),
    ]


def _charge_columns(amount: type[TypeDecorator[Any]]) -> list[Column[Any]]:
    return [
        Column("PK", Integer, primary_key=True, autoincrement=False),
        Column("AccountFK", Integer),  # → Account.PK
        Column("MeterFK", Integer),  # → Meter.PK; NULL marks a floating (account-only) charge
        Column("ChargeActualName", String(255)),
        Column("ChargeAmount", amount()),
        Column("ChargeUnitsUsed", amount()),
        Column("ChargeRatePerUnit", amount()),
        Column("UsageUnit", String(16)),
        Column("ThirdPartyProvider", String(64)),
        # TINYINT(1) holding 0/1; a real database may use BIT(1), which the loader also reads.
        Column("IsAdjustmentCharge", SmallInteger().with_variant(TINYINT(1), "mysql", "mariadb")),
        Column("IntervalStart", Date),
        Column("IntervalEnd", Date),
        Column("ChargeId", String(64)),
    ]


def _usage_columns(amount: type[TypeDecorator[Any]]) -> list[Column[Any]]:
    return [
        Column("PK", Integer, primary_key=True, autoincrement=False),
        Column("AccountFK", Integer),  # → Account.PK
        Column("MeterFK", Integer),  # → Meter.PK
        Column("UsageActualName", String(128)),
        Column("UsageAmount", amount()),
        Column("RateComponent", String(64)),
        Column("MeasurementType", String(32)),
        Column("EnergyUnit", String(16)),
        Column("IntervalStart", Date),
        Column("IntervalEnd", Date),
    ]


metadata = MetaData()

# ------------------------------------------------------------------ SQL delivery

account = Table("Account", metadata, *_account_columns(Amount))
meter = Table("Meter", metadata, *_meter_columns())
charge = Table("Charge", metadata, *_charge_columns(Amount))
usage = Table("Usage", metadata, *_usage_columns(Amount))  # reserved word: quoted by the dialect

Index(
    "ix_Account_AccountNumber_UtilityProvider", account.c.AccountNumber, account.c.UtilityProvider
)
Index("ix_Account_RawAccountNumber", account.c.RawAccountNumber)
Index("ix_Meter_AccountFK", meter.c.AccountFK)
Index("ix_Charge_AccountFK_MeterFK", charge.c.AccountFK, charge.c.MeterFK)
Index("ix_Usage_AccountFK_MeterFK", usage.c.AccountFK, usage.c.MeterFK)

# ------------------------------------------------------------------ XML delivery

xmlstatement = Table(
    "xmlstatement",
    metadata,
    Column("Uid", String(64), primary_key=True),
    Column("Filename", String(255)),
    Column("CreateDate", DateTime),
)
xmlaccount = Table("xmlaccount", metadata, *_account_columns(FloatAmount))
xmlmeter = Table("xmlmeter", metadata, *_meter_columns(), Column("ServiceAddress", String(255)))
xmlcharge = Table("xmlcharge", metadata, *_charge_columns(FloatAmount))
xmlusage = Table("xmlusage", metadata, *_usage_columns(FloatAmount))

Index(
    "ix_xmlaccount_AccountNumber_UtilityProvider",
    xmlaccount.c.AccountNumber,
    xmlaccount.c.UtilityProvider,
)
Index("ix_xmlaccount_RawAccountNumber", xmlaccount.c.RawAccountNumber)
Index("ix_xmlmeter_AccountFK", xmlmeter.c.AccountFK)
Index("ix_xmlcharge_AccountFK_MeterFK", xmlcharge.c.AccountFK, xmlcharge.c.MeterFK)
Index("ix_xmlusage_AccountFK_MeterFK", xmlusage.c.AccountFK, xmlusage.c.MeterFK)


@dataclass(frozen=True)
class DeliveryTables:
    """The four tables one delivery format stores statements in."""

    account: Table
    meter: Table
    charge: Table
    usage: Table


SQL_TABLES = DeliveryTables(account, meter, charge, usage)
XML_TABLES = DeliveryTables(xmlaccount, xmlmeter, xmlcharge, xmlusage)


def tables_for(delivery: Delivery) -> DeliveryTables:
    if delivery == "sql":
        return SQL_TABLES
    if delivery == "xml":
        return XML_TABLES
    raise ValueError(f"unknown Urjanet delivery {delivery!r} (expected 'sql' or 'xml')")


def create_schema(bind: Engine | Connection) -> None:
    """Create every table and index that does not exist yet (tests, fixtures, the demo)."""
    metadata.create_all(bind)
