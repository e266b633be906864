"""The Urjanet schema carries the delivery's table and column names and its suggested indexes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import inspect, select

from datafeeds_core.testing import UrjanetTestDatabase
from datafeeds_core.urjanet import schema
from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData

# The Urjanet tables, column by column.
SQL_COLUMNS = {
    "Account": [
        "PK",
        "UtilityProvider",
        "AccountNumber",
        "RawAccountNumber",
        "SourceLink",
        "StatementType",
        "StatementDate",
        "IntervalStart",
        "IntervalEnd",
        "TotalBillAmount",
        "AmountDue",
        "NewCharges",
        "OutstandingBalance",
        "PreviousBalance",
    ],
    "Meter": [
        "PK",
        "AccountFK",
        "Tariff",
        "ServiceType",
        "PODid",
        "MeterNumber",
        "IntervalStart",
        "IntervalEnd",
    ],
    "Charge": [
        "PK",
        "AccountFK",
        "MeterFK",
        "ChargeActualName",
        "ChargeAmount",
        "ChargeUnitsUsed",
        "ChargeRatePerUnit",
        "UsageUnit",
        "ThirdPartyProvider",
        "IsAdjustmentCharge",
        "IntervalStart",
        "IntervalEnd",
        "ChargeId",
    ],
    "Usage": [
        "PK",
        "AccountFK",
        "MeterFK",
        "UsageActualName",
        "UsageAmount",
        "RateComponent",
        "MeasurementType",
        "EnergyUnit",
        "IntervalStart",
        "IntervalEnd",
    ],
}
SQL_INDEXES = {
    "Account": {("AccountNumber", "UtilityProvider"), ("RawAccountNumber",)},
    "Meter": {("AccountFK",)},
    "Charge": {("AccountFK", "MeterFK")},
    "Usage": {("AccountFK", "MeterFK")},
}
XML_OF = {"Account": "xmlaccount", "Meter": "xmlmeter", "Charge": "xmlcharge", "Usage": "xmlusage"}
AMOUNTS = {
    "TotalBillAmount",
    "AmountDue",
    "NewCharges",
    "OutstandingBalance",
    "PreviousBalance",
    "ChargeAmount",
    "ChargeUnitsUsed",
    "ChargeRatePerUnit",
    "UsageAmount",
}


def test_sql_delivery_tables_have_the_spec_names_and_columns_in_the_database(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    found = inspect(urjanet_db.engine)
    for table, columns in SQL_COLUMNS.items():
        assert [c["name"] for c in found.get_columns(table)] == columns
        assert found.get_pk_constraint(table)["constrained_columns"] == ["PK"]


def test_sql_delivery_tables_have_the_suggested_indexes(urjanet_db: UrjanetTestDatabase) -> None:
    found = inspect(urjanet_db.engine)
    for table, indexes in SQL_INDEXES.items():
        assert {tuple(ix["column_names"]) for ix in found.get_indexes(table)} == indexes


def test_xml_delivery_tables_copy_the_sql_columns_with_service_address_on_meters(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    found = inspect(urjanet_db.engine)
    assert {"xmlstatement", *XML_OF.values()} <= set(found.get_table_names())
    assert [c["name"] for c in found.get_columns("xmlstatement")] == [
        "Uid",
        "Filename",
        "CreateDate",
    ]
    for table, xml_table in XML_OF.items():
        extra = ["ServiceAddress"] if table == "Meter" else []
        assert [c["name"] for c in found.get_columns(xml_table)] == SQL_COLUMNS[table] + extra
        indexes = {tuple(ix["column_names"]) for ix in found.get_indexes(xml_table)}
        assert indexes == SQL_INDEXES[table]


def test_xml_amount_columns_are_floating_point_and_sql_ones_decimal(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    found = inspect(urjanet_db.engine)
    for table, xml_table in XML_OF.items():
        sql_types = {c["name"]: str(c["type"]).upper() for c in found.get_columns(table)}
        xml_types = {c["name"]: str(c["type"]).upper() for c in found.get_columns(xml_table)}
        for name in AMOUNTS & set(sql_types):
            assert "DOUBLE" in xml_types[name] or "FLOAT" in xml_types[name], (xml_table, name)
            if urjanet_db.backend == "mariadb":
                assert sql_types[name] == "DECIMAL(18, 4)", (table, name)


def test_usage_table_name_is_quoted_for_mysql() -> None:
    from sqlalchemy.dialects import mysql

    sql = str(select(schema.usage.c.PK).compile(dialect=mysql.dialect()))
    assert "FROM `Usage`" in sql


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("1972.7300", "1972.7300"),
        ("4810.00", "4810.0000"),
        ("0.00005", "0.0001"),  # MySQL rounds half away from zero; SQLite is made to agree
        ("-0.00005", "-0.0001"),
    ],
)
def test_decimal_columns_keep_their_scale_on_every_backend(
    urjanet_db: UrjanetTestDatabase, given: str, stored: str
) -> None:
    charge = Charge(PK=1, ChargeAmount=Decimal(given))
    urjanet_db.seed(UrjanetData((Account(PK=1, meters=(Meter(PK=1, charges=(charge,)),)),)))
    with urjanet_db.engine.connect() as conn:
        value = conn.execute(select(schema.charge.c.ChargeAmount)).scalar_one()
    assert isinstance(value, Decimal)
    assert str(value) == stored
