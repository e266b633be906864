"""Test suites a plugin assigns in its test modules, each a parametrized test or test class.

- `conformance_suite(scraper_key, folder=..., csv=...)`: a test parametrized over reference
  fixtures: pairs `NAME_input.json` / `NAME_expected.json` in `folder` (compared as the shared
  checker does), or, with `csv`, the rows of a CSV-style expectation file (columns
  utility,utility_account_id,service_id,start,end,cost,used,peak) grouped by key (service_id,
  else utility_account_id), each key's input being `folder/<key>.json`; with neither, the
  cases of the shared manifest. `test_reference = conformance_suite("x-urjanet", folder=HERE)`.
- `selection_suite(key, hook=..., ...)`: the tests every Urjanet plugin's selection owes, on
  `urjanet_db`.
- `generic_water_suite(T)` / `end_minus_one_day_water_suite(T)`: the tests a water plugin owes
  when its transformer is GENERIC_WATER, or GENERIC_WATER with `end_minus_one_day` periods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Unpack

import pytest

from datafeeds_core.testing.builders import (
    StatementFields,
    meter,
    statement,
    total_usage,
    water_statement,
)
from datafeeds_core.urjanet.model import Account, TransformResult, UrjanetData, Usage

if TYPE_CHECKING:
    from datafeeds_core.plugin_api.conformance import Case
    from datafeeds_core.plugin_api.contract import DataSourceContext, Selection
    from datafeeds_core.testing.urjanet_db import UrjanetTestDatabase

SelectionHook = Callable[[str, "DataSourceContext"], "Selection | None"]
TransformerFunction = Callable[[UrjanetData], TransformResult]
# Where the selection suite's statements keep the account number.
NumberColumn = Literal["AccountNumber", "RawAccountNumber"]


def _local_cases(scraper: str, folder: Path) -> list[Case]:
    from datafeeds_core.plugin_api.conformance import Case

    cases: list[Case] = []
    for inp in sorted(folder.glob("*_input.json")):
        expected = inp.with_name(inp.name.replace("_input.json", "_expected.json"))
        if expected.is_file():
            cases.append(Case(f"{folder.name}/{inp.stem}", scraper, "json", inp, expected))
    return cases


def _csv_cases(scraper: str, folder: Path, expectations: Path) -> list[Case]:
    """One case per key (service_id, else utility_account_id) of the CSV, input `<key>.json`."""
    import csv

    from datafeeds_core.plugin_api.conformance import Case

    with expectations.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    # The key as conformance.compare_csv groups rows: service_id, else utility_account_id.
    keys = dict.fromkeys(r.get("service_id") or r.get("utility_account_id") or "" for r in rows)
    return [
        Case(f"{folder.name}/{k}", scraper, "csv", folder / f"{k}.json", expectations, csv_key=k)
        for k in keys
        if k
    ]


def conformance_suite(
    scraper: str, folder: Path | None = None, csv: Path | None = None
) -> Callable[[Case | None], None]:
    """A test function, parametrized over the reference fixtures of `scraper`.

    Cases come from `folder` (pairs `NAME_input.json` / `NAME_expected.json`) when given, else
    from the shared manifest. With `csv`, they come from that CSV-style expectation file instead:
    one case per key, whose input is `<folder>/<key>.json` (`folder` defaults to the CSV's own
    folder). With no case at all, the test fails and says what to add.
    """
    from datafeeds_core.plugin_api.conformance import manifest_cases
    from datafeeds_core.testing.locations import reference_fixtures

    cases: list[Case] = []
    if csv is not None:
        folder = folder if folder is not None else csv.parent
        if csv.is_file():
            cases = _csv_cases(scraper, folder, csv)
        missing = (
            f"add rows (utility,utility_account_id,service_id,start,end,cost,used,peak) to {csv} "
            f"and each key's input as {folder}/<key>.json"
        )
    else:
        if folder is not None and folder.is_dir():
            cases = _local_cases(scraper, folder)
        shared = reference_fixtures()
        if not cases and shared.exists():
            cases = manifest_cases(shared.path, scraper)
        missing = (
            "add NAME_input.json and NAME_expected.json pairs (datafeeds urjanet dump, then check "
            "the expected periods against the bill PDFs) to "
            f"{folder or f'the shared manifest in {shared.path}'}"
        )
        if not cases and folder is None and not shared.exists():
            missing = shared.missing()
    params: list[Case | None] = [*cases] or [None]

    @pytest.mark.parametrize("case", params, ids=[c.id if c else "no-fixtures" for c in params])
    def test_reference_fixtures(case: Case | None) -> None:
        if case is None:
            pytest.fail(f"no reference fixtures for {scraper}: {missing}", pytrace=False)
        if not case.input.is_file():
            pytest.fail(
                f"{case.expected} has rows for {case.csv_key} but its input {case.input} is "
                f"missing: export it with `datafeeds urjanet dump {scraper} --account ... "
                f"--anonymize --seed ... --output {case.input}`",
                pytrace=False,
            )
        from datafeeds_core.plugin_api.conformance import check_case
        from datafeeds_core.plugin_api.registry import load

        result = load(scraper).transformer()(case.data())
        problems = check_case(case, result.periods)
        assert not problems, "\n".join(problems)

    return test_reference_fixtures


def _numbered_statement(
    pk: int, number: str, provider: str, services: tuple[str, ...], column: NumberColumn
) -> Account:
    meters = [meter(pk * 10 + i, ServiceType=s) for i, s in enumerate(services)]
    issued, span = date(2020, 2, 3), (date(2020, 1, 1), date(2020, 2, 1))
    if column == "RawAccountNumber":
        return statement(
            pk, *meters, issued=issued, span=span, UtilityProvider=provider, RawAccountNumber=number
        )
    return statement(
        pk, *meters, issued=issued, span=span, UtilityProvider=provider, AccountNumber=number
    )


def selection_suite(
    key: str,
    *,
    hook: SelectionHook,
    provider: str,
    account_number: str,
    services: tuple[str, ...],
    other_services: tuple[str, ...] = ("electric",),
    as_given: Callable[[str], str] = lambda number: number,
    wildcards: str = "%_",
    column: NumberColumn = "AccountNumber",
) -> type:
    """A test class for the selection `hook` (the plugin's `datafeeds_datasource`) serves for `key`.

    Its statements are those of `provider` whose AccountNumber is `account_number` (the user
    gives it as `as_given(account_number)`), with the meters of `services`. The tests check that
    the selection takes them, and none of the look-alikes: another provider, a longer account
    number, only meters of `other_services`, an account number with a LIKE metacharacter of
    `wildcards` in it (which must match only itself); and that other keys are not served.
    `column` is where the statements keep the number (AccountNumber or RawAccountNumber).
    """
    from datafeeds_core.plugin_api.contract import DataSourceContext

    def numbered(pk: int, number: str, provider: str, services: tuple[str, ...]) -> Account:
        return _numbered_statement(pk, number, provider, services, column)

    taken = services[0]
    lookalikes = {
        "other-provider": numbered(2, account_number, provider + "X", (taken,)),
        "longer-account-number": numbered(2, account_number + "0", provider, (taken,)),
        "other-service-types": numbered(2, account_number, provider, other_services),
    }
    wildcard_numbers = {f"wildcard-{c}": account_number[:-1] + c for c in wildcards}

    def selected(
        urjanet_db: UrjanetTestDatabase, account_id: str
    ) -> list[tuple[int | None, list[str | None]]]:
        context = DataSourceContext(key, utility_account_id=account_id)
        selection = hook(key, context)
        assert selection is not None, f"{key}: the hook serves no selection for {account_id}"
        data = urjanet_db.load(selection)
        return [(a.PK, [m.ServiceType for m in a.meters]) for a in data.accounts]

    class TestSelection:
        def test_takes_the_accounts_statements_with_their_service_meters(
            self, urjanet_db: UrjanetTestDatabase
        ) -> None:
            urjanet_db.seed(
                UrjanetData(
                    (
                        numbered(1, account_number, provider, services + other_services),
                        numbered(2, account_number, provider, (taken,)),
                    )
                )
            )
            assert selected(urjanet_db, as_given(account_number)) == [
                (1, list(services)),
                (2, [taken]),
            ]

        @pytest.mark.parametrize("lookalike", sorted(lookalikes))
        def test_takes_no_look_alike(self, urjanet_db: UrjanetTestDatabase, lookalike: str) -> None:
            own = numbered(1, account_number, provider, (taken,))
            urjanet_db.seed(UrjanetData((own, lookalikes[lookalike])))
            assert selected(urjanet_db, as_given(account_number)) == [(1, [taken])]

        @pytest.mark.parametrize("wildcard", sorted(wildcard_numbers))
        def test_a_wildcard_character_in_the_account_id_matches_only_itself(
            self, urjanet_db: UrjanetTestDatabase, wildcard: str
        ) -> None:
            number = wildcard_numbers[wildcard]
            urjanet_db.seed(
                UrjanetData(
                    (
                        numbered(1, account_number, provider, (taken,)),
                        numbered(2, number, provider, (taken,)),
                    )
                )
            )
            assert selected(urjanet_db, as_given(number)) == [(2, [taken])]

        def test_other_keys_are_not_served(self) -> None:
            other = "other-urjanet"
            assert hook(other, DataSourceContext(other, utility_account_id="1")) is None

    return TestSelection


def generic_water_suite(transformer: TransformerFunction) -> type:
    """A test class pinning the generic water rules on `transformer`: touching statements, the
    newest statement winning an overlap, totals and usage as GENERIC_WATER computes them."""

    jan = (date(2020, 1, 1), date(2020, 2, 1))
    feb = (date(2020, 2, 1), date(2020, 3, 1))
    mar = (date(2020, 3, 1), date(2020, 4, 1))
    apr = (date(2020, 4, 1), date(2020, 5, 1))
    stmt = water_statement

    class TestGenericWater:
        def test_touching_statements_become_periods_ending_a_day_before_the_next(self) -> None:
            result = transformer(UrjanetData((stmt(2, feb), stmt(1, jan))))
            assert [(p.start, p.end, p.tariff) for p in result.periods] == [
                (date(2020, 1, 1), date(2020, 1, 31), "W1"),
                (date(2020, 2, 1), date(2020, 3, 1), "W1"),
            ]

        def test_the_newest_statement_wins_an_overlap_and_the_other_is_reported(self) -> None:
            older = stmt(1, jan, statement=date(2020, 2, 5), NewCharges=Decimal("10"))
            correction = stmt(
                2, (date(2020, 1, 15), date(2020, 2, 1)), date(2020, 3, 5), NewCharges=Decimal("4")
            )
            result = transformer(UrjanetData((older, correction)))
            assert [(p.start, p.total_charge) for p in result.periods] == [
                (date(2020, 1, 15), Decimal("4"))
            ]
            assert [d.PK for d in result.dropped] == [1]

        def test_a_statement_without_a_statement_date_is_reported_not_used(self) -> None:
            undated = replace(stmt(1, jan), StatementDate=None)
            result = transformer(UrjanetData((undated,)))
            assert result.periods == ()
            assert [(d.PK, d.reason) for d in result.dropped] == [(1, "no statement date")]

        def test_total_is_new_charges_if_positive_else_bill_amount_when_nothing_is_owed_else_zero(
            self,
        ) -> None:
            statements = (
                stmt(1, jan, NewCharges=Decimal("25.50"), TotalBillAmount=Decimal("99")),
                stmt(
                    2,
                    feb,
                    NewCharges=Decimal("0"),
                    OutstandingBalance=Decimal("0"),
                    TotalBillAmount=Decimal("30"),
                ),
                stmt(
                    3,
                    mar,
                    NewCharges=Decimal("0"),
                    OutstandingBalance=Decimal("5"),
                    TotalBillAmount=Decimal("30"),
                ),
                stmt(4, apr, NewCharges=None, TotalBillAmount=Decimal("30")),
            )
            totals = [p.total_charge for p in transformer(UrjanetData(statements)).periods]
            assert totals == [Decimal("25.50"), Decimal("30"), Decimal("0"), Decimal("0")]

        def test_usage_is_the_deduplicated_total_usages_converted_by_their_unit_and_no_peak(
            self,
        ) -> None:
            usages = (
                total_usage(1, "1000", "gallons"),
                total_usage(2, "1000", "gallons"),  # same amount, unit and dates: counted once
                total_usage(3, "500", "gallons"),
                total_usage(4, "700", "gallons", "[tier1]"),
            )
            (period,) = transformer(UrjanetData((stmt(1, jan, usages=usages),))).periods
            assert period.total_usage == Decimal("1500") * Decimal("0.0013368")
            assert period.peak_demand is None

    return TestGenericWater


def end_minus_one_day_water_suite(transformer: TransformerFunction) -> type:
    """A test class pinning, on `transformer`, periods that end the day before the statement's
    IntervalEnd followed by the generic water rules (`generic_water_suite`)."""

    def stmt(
        pk: int,
        start: date,
        end: date,
        statement: date | None = None,
        usages: tuple[Usage, ...] = (),
        **amounts: Unpack[StatementFields],
    ) -> Account:
        return water_statement(pk, (start, end), statement, usages, **amounts)

    def spans(data: UrjanetData) -> list[tuple[date, date]]:
        return [(p.start, p.end) for p in transformer(data).periods]

    class TestEndMinusOneDayWater:
        def test_each_period_ends_the_day_before_the_statements_interval_end(self) -> None:
            data = UrjanetData(
                (
                    stmt(1, date(2020, 1, 1), date(2020, 2, 1)),
                    stmt(2, date(2020, 2, 1), date(2020, 3, 1)),
                )
            )
            assert spans(data) == [
                (date(2020, 1, 1), date(2020, 1, 31)),
                (date(2020, 2, 1), date(2020, 2, 29)),
            ]

        def test_the_overlap_test_uses_the_shortened_period(self) -> None:
            # Raw intervals share 2020-01-31; shortened by a day they only touch, so both are
            # kept and the earlier one then ends a day before the next begins.
            data = UrjanetData(
                (
                    stmt(1, date(2020, 1, 1), date(2020, 2, 1), statement=date(2020, 2, 5)),
                    stmt(2, date(2020, 1, 31), date(2020, 3, 1), statement=date(2020, 3, 5)),
                )
            )
            assert spans(data) == [
                (date(2020, 1, 1), date(2020, 1, 30)),
                (date(2020, 1, 31), date(2020, 2, 29)),
            ]

        def test_a_one_day_statement_is_reported_not_turned_into_an_empty_period(self) -> None:
            result = transformer(UrjanetData((stmt(1, date(2020, 1, 1), date(2020, 1, 2)),)))
            assert result.periods == ()
            assert [d.PK for d in result.dropped] == [1]

        def test_a_second_run_over_the_same_statements_gives_the_same_periods(self) -> None:
            data = UrjanetData((stmt(1, date(2020, 1, 1), date(2020, 2, 1)),))
            assert spans(data) == spans(data) == [(date(2020, 1, 1), date(2020, 1, 31))]
            assert data.accounts[0].IntervalEnd == date(2020, 2, 1)

        def test_total_and_usage_follow_the_generic_water_rules(self) -> None:
            usage = total_usage(1, "12", "HCF")
            data = UrjanetData(
                (
                    stmt(
                        1,
                        date(2020, 1, 1),
                        date(2020, 2, 1),
                        usages=(usage,),
                        NewCharges=Decimal("40.10"),
                    ),
                    stmt(
                        2,
                        date(2020, 2, 1),
                        date(2020, 3, 1),
                        NewCharges=Decimal("0"),
                        OutstandingBalance=Decimal("0"),
                        TotalBillAmount=Decimal("7"),
                    ),
                    stmt(3, date(2020, 3, 1), date(2020, 4, 1), NewCharges=Decimal("-3")),
                )
            )
            periods = transformer(data).periods
            assert [(p.total_charge, p.total_usage, p.peak_demand) for p in periods] == [
                (Decimal("40.10"), Decimal("12.0"), None),
                (Decimal("7"), Decimal("0"), None),
                (Decimal("0"), Decimal("0"), None),
            ]

    return TestEndMinusOneDayWater
