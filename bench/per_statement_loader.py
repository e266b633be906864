"""The access pattern of the system we replace, as a baseline: not product code.

One query for the accounts, then for each account its meters and its floating charges, then for
each meter its charges and its usages: 1 + 2·statements + 2·meters queries, each a round trip.
Plain MySQLdb with `SELECT *` as the old code used (no SQLAlchemy, so the baseline is the
pattern's best case); rows become the same model objects through the loader's own row parsing.
"""

from __future__ import annotations

from typing import Any

from datafeeds_core.urjanet.model import Account, Charge, Meter, UrjanetData, Usage
from datafeeds_core.urjanet.rows import parse_fields


class CountingCursor:
    """A MySQLdb DictCursor that counts the statements it runs."""

    def __init__(self, conn: Any) -> None:
        import MySQLdb.cursors

        self._cursor = conn.cursor(MySQLdb.cursors.DictCursor)
        self.queries = 0

    def rows(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        self.queries += 1
        self._cursor.execute(sql, params)
        return list(self._cursor.fetchall())


def load(
    cursor: CountingCursor, account_number: str, provider: str, service_types: tuple[str, ...]
) -> UrjanetData:
    """A data source's statements, statement by statement and meter by meter."""
    types = ", ".join(["%s"] * len(service_types))
    accounts = []
    for row in cursor.rows(
        "SELECT * FROM Account WHERE AccountNumber = %s AND UtilityProvider = %s ORDER BY PK",
        (account_number, provider),
    ):
        fields = parse_fields(Account, "Account", row)
        pk = fields["PK"]
        meters = []
        for meter_row in cursor.rows(
            f"SELECT * FROM Meter WHERE AccountFK = %s AND ServiceType IN ({types}) ORDER BY PK",
            (pk, *service_types),
        ):
            meter = parse_fields(Meter, "Meter", meter_row)
            charges = tuple(
                Charge(**parse_fields(Charge, "Charge", r))
                for r in cursor.rows(
                    "SELECT * FROM Charge WHERE AccountFK = %s AND MeterFK = %s ORDER BY PK",
                    (pk, meter["PK"]),
                )
            )
            usages = tuple(
                Usage(**parse_fields(Usage, "Usage", r))
                for r in cursor.rows(
                    "SELECT * FROM `Usage` WHERE AccountFK = %s AND MeterFK = %s ORDER BY PK",
                    (pk, meter["PK"]),
                )
            )
            meters.append(Meter(**meter, charges=charges, usages=usages))
        floating = tuple(
            Charge(**parse_fields(Charge, "Charge", r))
            for r in cursor.rows(
                "SELECT * FROM Charge WHERE AccountFK = %s AND MeterFK IS NULL ORDER BY PK", (pk,)
            )
        )
        if meters or floating:
            accounts.append(Account(**fields, meters=tuple(meters), floating_charges=floating))
    return UrjanetData(tuple(accounts))
