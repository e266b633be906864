"""Export a data source's statements from the Urjanet database as an input fixture, and load
such a fixture into an Urjanet database.

`datafeeds urjanet dump`: the rows are the ones a job would load, chosen by the plugin's own
Selection and read by the core loader; the output is ordered JSON with indent 4, the format of
the reference fixtures; identifiers are optionally anonymised with a seeded one-to-one mapping
(`anonymise.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datafeeds_core.errors import ConfigurationError, JobFailed
from datafeeds_core.plugin_api.contract import DataSourceContext
from datafeeds_core.urjanet.model import UrjanetData


@dataclass(frozen=True)
class DumpRequest:
    scraper_key: str
    account: str
    said: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    gen_account: str | None = None
    gen_said: str | None = None
    commodity: str | None = None
    anonymise_seed: str | None = None  # None: identifiers as stored

    def context(self) -> DataSourceContext:
        """What the plugin would know about a meter data source with these ids."""
        return DataSourceContext(
            scraper_key=self.scraper_key,
            utility_account_id=self.account,
            service_id=self.said,
            gen_utility_account_id=self.gen_account,
            gen_service_id=self.gen_said,
            meta=dict(self.meta),
            commodity=self.commodity,
        )


def selected_statements(urjanet_url: str, request: DumpRequest) -> UrjanetData:
    """The statements a job of `request.scraper_key` would load for these ids."""
    from datafeeds_core.plugin_api.registry import load
    from datafeeds_core.urjanet.loader import load_statements

    return load_statements(urjanet_url, load(request.scraper_key).selection(request.context()))


def dump_fixture(urjanet_url: str, request: DumpRequest) -> str:
    """The input fixture JSON for `request`; JobFailed when no statement is selected."""
    from datafeeds_core.urjanet.anonymise import anonymise
    from datafeeds_core.urjanet.fixture_json import dumps

    data = selected_statements(urjanet_url, request)
    if not data.accounts:
        said = f", SAID {request.said}" if request.said else ""
        raise JobFailed(
            f"no statements selected for {request.scraper_key} (account {request.account}{said}); "
            "nothing written"
        )
    if request.anonymise_seed is not None:
        data = anonymise(data, request.anonymise_seed)
    return dumps(data)


@dataclass(frozen=True)
class LoadReport:
    """What `load_fixture` did: statements added, and statements that were there already."""

    loaded: int
    already_there: int


def load_fixture(urjanet_url: str, path: Path) -> LoadReport:
    """Insert the statements of an input fixture (fixture JSON, what `dump` writes) into the
    Urjanet database, creating its tables if they are missing.

    Loading the same file again changes nothing; a file of which only some statements are
    there already, or whose rows clash with other rows, is refused and nothing is written.
    """
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from datafeeds_core.database import make_engine, unreachable_is_transient
    from datafeeds_core.logs import mask_url
    from datafeeds_core.urjanet import schema
    from datafeeds_core.urjanet.fixture_json import load_urjanet_data
    from datafeeds_core.urjanet.seed import seed

    data = load_urjanet_data(path)
    if not data.accounts:
        raise JobFailed(f"{path} holds no statements; nothing loaded")
    pks = [a.PK for a in data.accounts if a.PK is not None]
    engine = make_engine(urjanet_url)
    try:
        with unreachable_is_transient("Urjanet database"):
            schema.create_schema(engine)
            with engine.begin() as conn:
                found = set(
                    conn.execute(
                        select(schema.account.c.PK).where(schema.account.c.PK.in_(pks))
                    ).scalars()
                )
                if found and len(found) == len(data.accounts):
                    return LoadReport(0, len(found))
                if found:
                    listed = ", ".join(str(pk) for pk in sorted(found)[:5])
                    raise ConfigurationError(
                        f"{len(found)} of the {len(data.accounts)} statements of {path} are in "
                        f"{mask_url(urjanet_url)} already (PK {listed}); nothing loaded"
                    )
                try:
                    seed(conn, data)
                except IntegrityError as exc:
                    first = str(exc.orig).strip().splitlines()[0]
                    raise ConfigurationError(
                        f"the rows of {path} clash with rows in {mask_url(urjanet_url)} ({first}); "
                        "nothing loaded"
                    ) from None
        return LoadReport(len(data.accounts), 0)
    finally:
        engine.dispose()
