"""Export a data source's statements from the Urjanet database as an input fixture (SPEC §2).

`datafeeds urjanet dump` (fixes SPEC §7 `dump_urja_json.py`): the rows are the ones a job
would load, chosen by the plugin's own Selection and read by the core loader; the output is
ordered JSON with indent 4, the format of the reference fixtures; identifiers are optionally
anonymised with a seeded one-to-one mapping (`anonymise.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from datafeeds_core.contract import DataSourceContext
from datafeeds_core.errors import JobFailed
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


def load_statements(urjanet_url: str, request: DumpRequest) -> UrjanetData:
    """The statements a job of `request.scraper_key` would load for these ids."""
    from datafeeds_core.database import URJANET, open_existing
    from datafeeds_core.plugins import load
    from datafeeds_core.urjanet.loader import load as load_rows

    selection = load(request.scraper_key).selection(request.context())
    engine = open_existing(urjanet_url, URJANET)
    try:
        return load_rows(engine, selection)
    finally:
        engine.dispose()


def dump_fixture(urjanet_url: str, request: DumpRequest) -> str:
    """The input fixture JSON for `request`; JobFailed when no statement is selected."""
    from datafeeds_core.urjanet.anonymise import anonymise
    from datafeeds_core.urjanet.fixture_json import dumps

    data = load_statements(urjanet_url, request)
    if not data.accounts:
        said = f", SAID {request.said}" if request.said else ""
        raise JobFailed(
            f"no statements selected for {request.scraper_key} (account {request.account}{said}); "
            "nothing written"
        )
    if request.anonymise_seed is not None:
        data = anonymise(data, request.anonymise_seed)
    return dumps(data)
