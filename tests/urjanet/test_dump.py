"""`datafeeds urjanet dump`: a data source's statements as an input fixture, optionally anonymised.

Database tests run on SQLite and MariaDB (the `urjanet_db` fixture); the CLI tests run the real
command in a subprocess against the same databases.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datafeeds_core.plugin_api.registry import load
from datafeeds_core.testing import DatafeedsCli, UrjanetTestDatabase, reference_fixtures_dir
from datafeeds_core.urjanet.anonymise import LOCAL_FOLDER, Anonymiser, anonymise
from datafeeds_core.urjanet.dump import DumpRequest, dump_fixture
from datafeeds_core.urjanet.fixture_json import dumps, load_urjanet_data, read_urjanet_data
from datafeeds_core.urjanet.model import Account, BillingPeriod, Meter, UrjanetData

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LINK = "https://sources.o2.urjanet.net/sourcewithhttpbasicauth?id="


def fixture_path(relative: str) -> Path:
    return reference_fixtures_dir() / relative


def statement(pk: int, number: str | None, *meters: Meter, link: str | None = None) -> Account:
    return Account(
        PK=pk,
        UtilityProvider="CityOfWataugaTX",
        AccountNumber=number,
        RawAccountNumber=number,
        SourceLink=link,
        StatementDate=date(2021, pk, 5),
        IntervalStart=date(2021, pk, 1),
        IntervalEnd=date(2021, pk, 28),
        NewCharges=Decimal("12.3400"),
        meters=meters,
    )


# ------------------------------------------------------------------ the mapping


def test_same_identifier_maps_to_the_same_output_in_every_statement_and_field() -> None:
    data = UrjanetData(
        (
            statement(1, "17-2911-11", Meter(PK=1, MeterNumber="16517171", PODid="16517171")),
            statement(2, "17-2911-11", Meter(PK=2, MeterNumber="16517171", PODid="X-9")),
        )
    )

    first, second = anonymise(data, "k1").accounts

    assert first.AccountNumber == second.AccountNumber == first.RawAccountNumber
    assert first.meters[0].MeterNumber == second.meters[0].MeterNumber == first.meters[0].PODid
    assert second.meters[0].PODid != first.meters[0].PODid


def test_every_letter_and_digit_changes_and_separators_stay() -> None:
    text = Anonymiser.for_seed("k1").text("MPX-1116 5357.ab")

    assert text is not None and len(text) == len("MPX-1116 5357.ab")
    for before, after in zip("MPX-1116 5357.ab", text, strict=True):
        if before.isalnum():
            assert after != before
        else:
            assert after == before


@given(
    st.text(string.ascii_letters + string.digits + "-. ", max_size=12),
    st.text(string.ascii_letters + string.digits + "-. ", max_size=12),
)
def test_substitution_is_one_to_one_and_keeps_each_characters_class(a: str, b: str) -> None:
    anonymiser = Anonymiser.for_seed("k1")
    mapped_a, mapped_b = anonymiser.text(a), anonymiser.text(b)

    assert (mapped_a == mapped_b) == (a == b)
    assert mapped_a is not None and len(mapped_a) == len(a)
    for before, after in zip(a, mapped_a, strict=True):
        same_class = [c for c in (string.digits, "abcdef", "ABCDEF") if before in c]
        assert after.isdigit() == before.isdigit()
        assert after.islower() == before.islower() and after.isupper() == before.isupper()
        assert all(after in c for c in same_class)


def test_the_seed_decides_the_mapping() -> None:
    number = "4504960933350245"

    again = Anonymiser.for_seed("k1").text(number)
    assert Anonymiser.for_seed("k1").text(number) == again
    assert Anonymiser.for_seed("k2").text(number) != again


def test_nulls_and_empty_values_pass_through() -> None:
    data = UrjanetData(
        (
            statement(1, None, Meter(PK=1), link=None),
            Account(PK=2, meters=(Meter(PK=2, MeterNumber="", PODid=None),)),
        )
    )

    first, second = anonymise(data, "k1").accounts

    assert (first.AccountNumber, first.RawAccountNumber, first.SourceLink) == (None, None, None)
    assert (first.meters[0].MeterNumber, first.meters[0].PODid) == (None, None)
    assert (second.meters[0].MeterNumber, second.meters[0].PODid) == ("", None)


def test_source_link_ids_map_consistently_and_keep_the_url_shape() -> None:
    ids = ("1e9c5b21-bdfc-d158-9cb3-0e6fcd4edc32", "1e9c5b22-08e2-dde3-9cb3-0e6fcd4edc32")
    data = UrjanetData(
        (
            statement(1, "1", link=LINK + ids[0]),
            statement(2, "1", link=LINK + ids[1]),
            statement(3, "1", link=LINK + ids[0]),
        )
    )

    links = [a.SourceLink for a in anonymise(data, "k1").accounts]

    assert links[0] == links[2] != links[1]
    for link, original in zip(links, (*ids, ids[0]), strict=True):
        assert link is not None and link.startswith(LINK)
        new_id = link.removeprefix(LINK)
        assert UUID.fullmatch(new_id) and new_id != original


def test_links_without_a_query_keep_their_folder_and_extension() -> None:
    link = Anonymiser.for_seed("k1").link("https://bills.example/srv/bills/0123456789%20a.pdf")

    assert link is not None and link.startswith("https://bills.example/srv/bills/")
    assert link.endswith(".pdf") and "0123456789" not in link and "%20" in link


def test_local_file_links_lose_the_machines_folders() -> None:
    anonymiser = Anonymiser.for_seed("k1")
    link = anonymiser.link("file:///home/alice/tmp.x81/demo-bills/0123456789%20a.pdf")

    assert (
        link
        == f"file://{LOCAL_FOLDER}/{anonymiser.text('0123456789')}%20{anonymiser.text('a')}.pdf"
    )
    assert "alice" not in link and "tmp.x81" not in link


# ------------------------------------------------------------------ dumping from a database

CASES = {
    # id: (scraper key, input fixture, account, SAID)
    "american": ("american-urjanet", "american/10152200_input.json", "1115-221115111111", None),
    "heco": (
        "heco-urjanet",
        "heco/heco_202013401833.json",
        "212113111133",
        "MPX111666721,MPX111113111,MPX111511171",
    ),
    "fostercity": (
        "fostercity-water-urjanet",
        "fostercity/384Foster_input.json",
        "51155-136111",
        None,
    ),
    "ladwp-water": ("ladwp-water-urjanet", "ladwp/707_input.json", "1605394542", "1605394831"),
}


def request_for(case: str, seed: str | None = None) -> DumpRequest:
    key, _, account, said = CASES[case]
    return DumpRequest(key, account=account, said=said, anonymise_seed=seed)


def seed_case(urjanet_db: UrjanetTestDatabase, case: str) -> UrjanetData:
    data: UrjanetData = urjanet_db.seed_fixture_json(fixture_path(CASES[case][1]))
    return data


def in_pk_order(data: UrjanetData) -> UrjanetData:
    """As the loader returns statements: every list ordered by PK."""

    def meter(m: Meter) -> Meter:
        return replace(
            m,
            charges=tuple(sorted(m.charges, key=lambda c: c.PK)),
            usages=tuple(sorted(m.usages, key=lambda u: u.PK)),
        )

    return UrjanetData(
        tuple(
            replace(
                a,
                meters=tuple(meter(m) for m in sorted(a.meters, key=lambda m: m.PK or 0)),
                floating_charges=tuple(sorted(a.floating_charges, key=lambda c: c.PK)),
            )
            for a in sorted(data.accounts, key=lambda a: a.PK or 0)
        )
    )


def without_links_and_ids(period: BillingPeriod) -> BillingPeriod:
    return replace(period, source_urls=(), utility_account_id=None, service_id=None)


def identifiers(data: UrjanetData) -> set[str]:
    found = set()
    for a in data.accounts:
        found |= {a.AccountNumber or "", a.RawAccountNumber or ""}
        found |= {v or "" for m in a.meters for v in (m.MeterNumber, m.PODid)}
    return found - {""}


@pytest.mark.parametrize("case", ["american", "heco"])
def test_dump_exports_the_data_source_statements_in_fixture_format(
    urjanet_db: UrjanetTestDatabase, case: str
) -> None:
    stored = seed_case(urjanet_db, case)
    first = stored.accounts[0]
    number = first.AccountNumber or ""
    bare_meter = replace(first.meters[0], PK=None, charges=(), usages=())
    lookalikes = (  # another provider's account of the same number; a longer number
        replace(
            first, PK=99998, UtilityProvider="Elsewhere", meters=(bare_meter,), floating_charges=()
        ),
        replace(
            first, PK=99999, AccountNumber=number + "1", meters=(bare_meter,), floating_charges=()
        ),
    )
    urjanet_db.seed(UrjanetData(lookalikes))

    text = dump_fixture(urjanet_db.url, request_for(case))

    assert text == dumps(read_urjanet_data(text))  # ordered keys, indent 4
    assert text.startswith('{\n    "accounts": [\n        {\n            "AccountNumber": ')
    dumped = read_urjanet_data(text)
    assert dumped == in_pk_order(load_urjanet_data(fixture_path(CASES[case][1])))
    assert not {99998, 99999} & {a.PK for a in dumped.accounts}


@pytest.mark.parametrize("case", sorted(CASES))
def test_anonymised_dump_transforms_to_the_same_periods_apart_from_its_identifiers(
    urjanet_db: UrjanetTestDatabase, case: str
) -> None:
    seed_case(urjanet_db, case)
    transformer = load(CASES[case][0]).transformer()

    plain = read_urjanet_data(dump_fixture(urjanet_db.url, request_for(case)))
    anonymised = read_urjanet_data(dump_fixture(urjanet_db.url, request_for(case, seed="s3cret")))

    before, after = transformer(plain).periods, transformer(anonymised).periods
    assert before, "the case should produce periods"
    assert [without_links_and_ids(p) for p in after] == [without_links_and_ids(p) for p in before]
    mapping = Anonymiser.for_seed("s3cret")
    for old, new in zip(before, after, strict=True):
        assert new.source_urls == tuple(mapping.link(u) for u in old.source_urls)
        assert new.utility_account_id == mapping.text(old.utility_account_id)
        assert new.service_id == mapping.text(old.service_id)
    assert not identifiers(plain) & identifiers(anonymised)


def test_one_meter_keeps_one_anonymised_number_across_the_history(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    seed_case(urjanet_db, "heco")
    plain = read_urjanet_data(dump_fixture(urjanet_db.url, request_for("heco")))
    anonymised = read_urjanet_data(dump_fixture(urjanet_db.url, request_for("heco", seed="k")))

    pairs = {
        (old.MeterNumber, new.MeterNumber)
        for a, b in zip(plain.accounts, anonymised.accounts, strict=True)
        for old, new in zip(a.meters, b.meters, strict=True)
    }
    assert len(pairs) == len({old for old, _ in pairs}) == len({new for _, new in pairs}) == 3


def test_anonymised_fixture_is_selected_again_by_the_anonymised_ids(
    urjanet_db: UrjanetTestDatabase,
) -> None:
    seed_case(urjanet_db, "fostercity")
    anonymised = read_urjanet_data(
        dump_fixture(urjanet_db.url, request_for("fostercity", seed="k"))
    )
    urjanet_db.clear()
    urjanet_db.seed(anonymised)

    account = Anonymiser.for_seed("k").text("51155-136111")
    assert account is not None and account != "51155-136111" and account[5] == "-"
    again = dump_fixture(urjanet_db.url, replace(request_for("fostercity"), account=account))

    assert read_urjanet_data(again) == anonymised


# ------------------------------------------------------------------ the command


def test_cli_dump_writes_a_fixture_that_transform_reads(
    urjanet_db: UrjanetTestDatabase, cli: DatafeedsCli, tmp_path: Path
) -> None:
    seed_case(urjanet_db, "heco")
    out = tmp_path / "heco_input.json"
    env = {"DATAFEEDS_URJANET_URL": urjanet_db.url}
    _, _, account, said = CASES["heco"]
    assert said is not None

    dumped = cli(
        "urjanet", "dump", "heco-urjanet", "--account", account, "--said", said,
        "--anonymize", "--seed", "k", "--output", str(out), env=env,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    assert dumped.stdout == ""
    transformed = cli("urjanet", "transform", "heco-urjanet", str(out), env=env)

    assert transformed.returncode == 0, transformed.stderr
    expected = dump_fixture(urjanet_db.url, request_for("heco", seed="k"))
    assert out.read_text(encoding="utf-8") == expected + "\n"
    periods = json.loads(transformed.stdout)["periods"]
    assert len(periods) == len(load("heco-urjanet").transformer()(load_urjanet_data(out)).periods)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--anonymize"], 2, "--anonymize needs --seed"),
        (["--seed", "k"], 2, "--seed only applies with --anonymize"),
        (["--meta", "[1]"], 2, "--meta must be a JSON object"),
        (["--account", "2121131111%"], 1, "no statements selected for heco-urjanet"),
    ],
)
def test_cli_dump_refuses_bad_requests_in_one_line(
    urjanet_db: UrjanetTestDatabase, cli: DatafeedsCli, args: list[str], code: int, message: str
) -> None:
    seed_case(urjanet_db, "heco")
    base = [
        "urjanet",
        "dump",
        "heco-urjanet",
        "--account",
        "212113111133",
        "--said",
        "MPX111666721",
    ]

    result = cli(*base, *args, env={"DATAFEEDS_URJANET_URL": urjanet_db.url})

    assert result.returncode == code
    assert result.stdout == "" and message in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_cli_dump_without_a_urjanet_database_is_a_configuration_error(
    cli: DatafeedsCli, tmp_path: Path
) -> None:
    result = cli("urjanet", "dump", "watauga-urjanet", "--account", "1")

    assert result.returncode == 3
    assert "no Urjanet database at sqlite:///" in result.stderr
    assert not (tmp_path / "home" / "urjanet.db").exists()


def test_cli_dump_of_an_unknown_key_exits_3(cli: DatafeedsCli) -> None:
    result = cli("urjanet", "dump", "nowhere-urjanet", "--account", "1")

    assert result.returncode == 3 and 'no plugin installed for scraper "nowhere-urjanet"' in (
        result.stderr
    )
