"""The commands a newcomer and an operator use every day, through the real CLI: loading Urjanet
statements, listing meters and data sources, running (and refusing a disabled feed), reading a
run back, logs that say which run they belong to, 80-column output, and mistyped keys."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from datafeeds_core.plugin_api.contract import Selection, account_number_is
from datafeeds_core.testing import DatafeedsCli, UrjanetTestDatabase

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "watauga-statements.json"
KEY = "watauga-urjanet"


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def guide_home(cli: DatafeedsCli, env: dict[str, str] | None = None) -> tuple[str, str]:
    """The running-jobs guide's set-up; returns the meter and data source oids."""
    ok(cli("db", "init", env=env))
    ok(cli("urjanet", "load", str(EXAMPLE), env=env))
    meter = ok(
        cli(
            "meters",
            "add",
            "--account-name",
            "Acme Water",
            "--utility",
            "utility:watauga",
            "--utility-account-id",
            "0123456789",
            "--service-id",
            "7700123456",
            "--commodity",
            "ccf",
            env=env,
        )  # fmt: skip
    )
    return meter, ok(cli("sources", "create", meter, KEY, env=env))


# ------------------------------------------------------------------ urjanet load


def test_urjanet_load_fills_the_configured_database_once(
    cli: DatafeedsCli, urjanet_db: UrjanetTestDatabase
) -> None:
    env = {"DATAFEEDS_URJANET_URL": urjanet_db.url}
    first = cli("urjanet", "load", str(EXAMPLE), env=env)
    again = cli("urjanet", "load", str(EXAMPLE), env=env)

    assert first.returncode == 0 and first.stdout.startswith("loaded 25 statements into ")
    assert again.returncode == 0 and "25 statements already in" in again.stdout
    stored = urjanet_db.load(Selection(account=(account_number_is("0123456789"),)))
    assert len(stored.accounts) == 25


def test_urjanet_load_refuses_a_file_that_clashes_with_rows_already_there(
    cli: DatafeedsCli, tmp_path: Path
) -> None:
    ok(cli("urjanet", "load", str(EXAMPLE)))
    doc = json.loads(EXAMPLE.read_text())
    doc["accounts"] = doc["accounts"][:1] + [{**doc["accounts"][1], "PK": 99999}]
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps(doc))

    done = cli("urjanet", "load", str(clash))

    assert done.returncode == 3 and "nothing loaded" in done.stderr
    assert done.stderr.count("\n") == 1


def test_urjanet_load_of_a_malformed_file_exits_1_in_one_line(
    cli: DatafeedsCli, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    done = cli("urjanet", "load", str(bad))
    assert done.returncode == 1 and done.stderr.startswith("error: ")
    assert "Traceback" not in done.stderr


# ------------------------------------------------------------------ meters and sources


@pytest.mark.slow
def test_meters_and_sources_list_show_what_the_guide_created(cli: DatafeedsCli) -> None:
    meter, source = guide_home(cli)

    meters = json.loads(ok(cli("meters", "list", "--json")))
    sources = json.loads(ok(cli("sources", "list", "--json")))
    table = ok(cli("sources", "list"))

    assert [(m["oid"], m["service_id"], m["utility"]) for m in meters] == [
        (int(meter), "7700123456", "utility:watauga")
    ]
    [row] = sources
    assert (row["oid"], row["scraper"], row["meter"]) == (int(source), KEY, int(meter))
    assert row["accounts"] == meters[0]["accounts"] and row["utility_account_id"] == "0123456789"
    assert KEY in table and meter in table
    assert json.loads(ok(cli("sources", "list", "--json", "--scraper", "nope-urjanet"))) == []


@pytest.mark.slow
def test_sources_create_checks_the_account_when_one_is_given(cli: DatafeedsCli) -> None:
    meter, _ = guide_home(cli)
    [account] = json.loads(ok(cli("meters", "list", "--json")))[0]["accounts"]

    other = cli("sources", "create", str(account + 1000), meter, "sfpuc-water-urjanet")
    three = cli("sources", "create", str(account), meter, "sfpuc-water-urjanet")
    one = cli("sources", "create", meter)

    assert other.returncode == 3 and "no account with oid" in other.stderr
    assert three.returncode == 0 and three.stdout.strip().isdigit()
    assert one.returncode == 2 and "METER_OID SCRAPER_KEY" in one.stderr


# ------------------------------------------------------------------ run


@pytest.mark.slow
def test_run_refuses_a_disabled_feed_unless_forced_and_says_so(cli: DatafeedsCli) -> None:
    _, source = guide_home(cli)
    ok(cli("feeds", "set", KEY, "--disable"))

    refused = cli("run", "--oid", source, "--dry-run")
    forced = cli("run", "--oid", source, "--dry-run", "--force")

    assert refused.returncode == 3
    assert f"the feed {KEY} is disabled" in refused.stderr and "--force" in refused.stderr
    assert forced.returncode == 0 and "Final Billing Summary" in forced.stdout


@pytest.mark.slow
def test_every_json_log_line_of_a_run_names_its_run_data_source_and_scraper(
    cli: DatafeedsCli,
) -> None:
    _, source = guide_home(cli)

    done = cli("run", "--oid", source, "--dry-run", env={"DATAFEEDS_LOG_FORMAT": "json"})

    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert done.returncode == 0 and len(lines) > 5
    run_id = lines[0]["run_id"]
    assert {(d["run_id"], d["oid"]) for d in lines} == {(run_id, int(source))}
    # The scraper is known once the data source is read: every line from its launch settings.
    assert all(d.get("scraper") == KEY for d in lines)


@pytest.mark.slow
def test_runs_show_has_the_set_aside_statements_and_the_log_of_a_datafeeds_run(
    cli: DatafeedsCli,
) -> None:
    _, source = guide_home(cli)
    ran = cli("run", "--oid", source, "--start", "2026-06-01", "--end", "2026-09-01")
    run_id = ran.stdout.strip().splitlines()[-1].split(":")[0].removeprefix("run ")

    shown = ok(cli("runs", "show", run_id))
    as_json = json.loads(ok(cli("runs", "show", run_id, "--json")))

    log = cli.home / "logs" / f"{run_id}.log"
    assert as_json["log_location"] == str(log) and log.is_file()
    assert f"log:            {log}" in shown
    assert "set aside:      1 statement" in shown
    assert "PK=1021 (statement 2026-10-04, 2026-09-01 to 2026-10-01): overlaps" in shown
    assert "finished: succeeded" in shown  # the log's tail
    assert f"run {run_id} : run {run_id}" not in log.read_text()


@pytest.mark.slow
def test_runs_stats_leaves_out_a_data_source_that_does_not_exist(cli: DatafeedsCli) -> None:
    guide_home(cli)
    missing = cli("run", "--oid", "424242")
    stats = json.loads(ok(cli("runs", "stats", "--json")))
    assert missing.returncode == 3
    assert 424242 not in {s["data_source"] for s in stats["data_sources"]}


# ------------------------------------------------------------------ 80 columns


def assert_fits_80(text: str, *names: str) -> None:
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert too_wide == [] and "…" not in text
    for name in names:
        assert name in text


@pytest.mark.slow
def test_runs_list_and_a_launch_dry_run_keep_every_name_whole_at_80_columns(
    cli: DatafeedsCli,
) -> None:
    _, source = guide_home(cli)
    narrow = {"COLUMNS": "80"}
    ok(cli("run", "--oid", source, "--dry-run"))

    launched = cli("launch", "--oid", source, "--dry-run", env=narrow)
    listed = cli("runs", "list", env=narrow)

    assert launched.returncode == 0, launched.stderr
    assert_fits_80(launched.stdout, KEY, "updated", "replaced", "unchanged", "dry-run")
    assert_fits_80(ok(listed), KEY, "no-new-data" if "no-new-data" in listed.stdout else "dry-run")
    assert "1 job in" in launched.stdout
    wide = ok(cli("runs", "list", env={"COLUMNS": "200"}))
    assert "┃" in wide  # a table where it fits


def test_batch_register_help_keeps_options_and_variables_whole_at_80_columns(
    cli: DatafeedsCli,
) -> None:
    done = cli("batch", "register", "--help", env={"COLUMNS": "80"})
    assert_fits_80(
        ok(done),
        "--execution-role-arn",
        "--scheduler-job-role-arn",
        "DATAFEEDS_BATCH_SCHEDULER_JOB_ROLE_ARN",
        "DATAFEEDS_BATCH_EXECUTION_ROLE_ARN",
    )


# ------------------------------------------------------------------ mistyped keys


@pytest.mark.slow
def test_launch_of_an_unknown_scraper_is_an_error_with_a_suggestion(cli: DatafeedsCli) -> None:
    guide_home(cli)
    done = cli("launch", "--scraper", "wataga-urjanet")
    assert done.returncode == 3
    assert 'no plugin installed for scraper "wataga-urjanet"; did you mean watauga-urjanet?' in (
        done.stderr
    )
    assert "nothing to launch" not in done.stdout


def test_plugins_list_has_a_header_row(cli: DatafeedsCli) -> None:
    first, second = ok(cli("plugins", "list")).splitlines()[:2]
    assert first.split() == ["KEY", "DISTRIBUTION", "VERSION", "MODULE"]
    assert second.split()[0] == "american-urjanet"


# ------------------------------------------------------------------ before db init (issue 12)


def test_runs_list_on_an_uninitialised_home_says_run_db_init_and_leaves_no_file(
    cli: DatafeedsCli,
) -> None:
    listed = cli("runs", "list")
    ran = cli("run", "--oid", "1")
    assert listed.returncode == 3 and "run `datafeeds db init`" in listed.stderr
    assert ran.returncode == 3 and "run `datafeeds db init`" in ran.stderr
    assert not (cli.home / "platform.db").exists()
