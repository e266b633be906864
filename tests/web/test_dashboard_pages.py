"""The dashboard's pages, their JSON twins and /metrics, over a seeded history on SQLite and
PostgreSQL (Starlette's TestClient: no server, no browser)."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest

from datafeeds_core.testing import PlatformTestDatabase
from datafeeds_core.web import views

from .dashboard_kit import BROKEN_PLUGIN, HOSTILE_LINK, HOSTILE_REASON, NOW, SECRET, History


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["runs"]]


def test_the_runs_page_lists_runs_newest_first_each_linking_to_its_run(
    client: Any, history: History
) -> None:
    page = client.get("/runs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    links = [int(n) for n in re.findall(r'<a href="/runs/(\d+)">', page.text)]
    assert links == sorted(history.ids.values(), reverse=True)
    assert ids(client.get("/api/runs")) == links


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", ["failed", "alpha-3", "alpha-10", "alpha-17"]),
        ("scraper=beta-urjanet", ["failed", "beta-10", "beta-15", "beta-20"]),
        ("data_source=404", ["batch"]),
        ("executor=batch", ["batch"]),
        ("executor=cli&status=dry-run", ["dry"]),
        ("from=2024-06-28&to=2024-06-28", ["failed", "alpha-2"]),
        ("scraper=beta-urjanet&to=2024-06-15", ["beta-15", "beta-20"]),
        ("scraper=nobody", []),
    ],
)
@pytest.mark.slow
def test_the_runs_filters_select_by_status_scraper_source_executor_and_dates(
    client: Any, history: History, query: str, expected: list[str]
) -> None:
    assert ids(client.get(f"/api/runs?{query}")) == [history.ids[name] for name in expected]
    page = client.get(f"/runs?{query}")
    assert page.status_code == 200
    assert len(re.findall(r'<tr class="run"', page.text)) == len(expected)


def test_pages_of_runs_follow_each_other_by_key_without_gaps_or_repeats(
    client: Any, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    seen: list[int] = []
    query = "scraper=alpha-urjanet"
    while True:
        data = client.get(f"/api/runs?{query}").json()
        assert len(data["runs"]) <= 5
        seen += [r["id"] for r in data["runs"]]
        if data["next_before"] is None:
            break
        html = client.get(f"/runs?{query}").text
        assert f"before={data['next_before']}" in html  # the "Older runs" link
        query = f"scraper=alpha-urjanet&before={data['next_before']}"
    alpha = [v for k, v in history.ids.items() if k.startswith("alpha-") or k == "dry"]
    assert seen == sorted(alpha, reverse=True)


def test_a_page_showing_open_jobs_reloads_itself_and_others_do_not(
    client: Any, history: History
) -> None:
    refresh = '<meta http-equiv="refresh" content="10">'
    assert refresh in client.get("/runs").text
    assert refresh not in client.get("/runs?status=succeeded").text
    assert refresh in client.get(f"/runs/{history.ids['running']}").text
    assert refresh not in client.get(f"/runs/{history.ids['failed']}").text


def test_a_run_page_shows_settings_timings_error_log_tail_and_the_rerun_commands(
    client: Any, history: History
) -> None:
    run_id = history.ids["failed"]
    html = client.get(f"/runs/{run_id}").text
    for text in ("2022-07-01 .. 2024-06-30", "task-202-", "2024-06-28 12:00:05", "Waited"):
        assert text in html
    assert "TransientError" in html and "postgresql://ops:***@db/platform" in html
    assert "step 29" in html and "step 0" in html  # the log's tail
    assert f"datafeeds runs rerun {run_id}" in html
    assert "datafeeds run --oid 202 --start 2022-07-01 --end 2024-06-30" in html
    data = client.get(f"/api/runs/{run_id}").json()
    assert data["launch"]["data_source"] == 202 and data["attempt"] == 1
    assert data["timings"]["waited_s"] == 5.0 and data["timings"]["duration_s"] == 2.0
    assert data["log"]["kind"] == "local" and data["log"]["tail"][-1].endswith("@db/platform")


def test_a_log_outside_the_run_log_folder_is_named_but_never_read(
    client: Any, history: History, platform_db: PlatformTestDatabase, tmp_path: Any
) -> None:
    from sqlalchemy import update

    from datafeeds_core.platform.schema import datafeeds_run

    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere.txt"
    elsewhere.write_text("not a log: a file the dashboard must not show\n")
    for location in (str(elsewhere), str(tmp_path / ".." / elsewhere.name)):
        with platform_db.engine.begin() as conn:
            conn.execute(
                update(datafeeds_run)
                .where(datafeeds_run.c.id == history.ids["failed"])
                .values(log_location=location)
            )
        page = client.get(f"/runs/{history.ids['failed']}").text
        assert "must not show" not in page and "is not readable here" in page
    elsewhere.unlink()


def test_a_batch_run_page_names_its_cloudwatch_stream_and_resubmits_through_batch(
    client: Any, history: History
) -> None:
    data = client.get(f"/api/runs/{history.ids['batch']}").json()
    assert data["log"] == {
        "kind": "cloudwatch",
        "group": "/datafeeds/batch",
        "stream": "datafeeds/default/abc123",
        "command": f"datafeeds batch logs {history.ids['batch']}",
    }
    assert data["attempt"] == 2 and data["launch"]["batch_job_id"] == "0b1c2d3e-job"
    assert data["rerun"] == ["datafeeds batch submit --oid 404 --start 2022-07-01 --end 2024-06-30"]
    assert "datafeeds/default/abc123" in client.get(f"/runs/{history.ids['batch']}").text


def test_every_set_aside_statement_and_document_failure_is_listed_with_its_reason(
    client: Any, history: History
) -> None:
    data = client.get(f"/api/runs/{history.ids['hostile']}").json()
    assert [d["pk"] for d in data["dropped_statements"]] == [7]
    assert data["dropped_statements"][0]["reason"] == HOSTILE_REASON
    assert data["document_failures"] == [{"url": HOSTILE_LINK, "reason": "not a PDF"}]


def test_hostile_values_are_escaped_in_html_and_no_page_carries_a_script(
    client: Any, history: History
) -> None:
    html = client.get(f"/runs/{history.ids['hostile']}").text
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;window.pwned = 1;" in html
    assert "x&#34;&gt;&lt;script&gt;window.pwned = 2&lt;/script&gt;&lt;img src=x&gt;" in html
    for path in ("/runs", "/scrapers", "/attention", f"/runs/{history.ids['failed']}"):
        assert "<script" not in client.get(path).text


def test_no_credential_from_an_error_or_a_log_reaches_a_page_or_the_api(
    client: Any, history: History
) -> None:
    run_id = history.ids["failed"]
    for path in (f"/runs/{run_id}", f"/api/runs/{run_id}", "/runs", "/api/runs"):
        response = client.get(path)
        assert response.status_code == 200 and SECRET not in response.text, path


def test_the_scrapers_page_gives_rates_over_7_and_30_days_last_success_and_a_chart(
    client: Any, history: History
) -> None:
    data = client.get("/api/scrapers").json()
    assert data["days"] == ["2024-06-01", "2024-06-30"]
    by_name = {s["scraper"]: s for s in data["scrapers"]}
    assert list(by_name) == ["alpha-urjanet", "beta-urjanet", "gamma-urjanet"]
    alpha = by_name["alpha-urjanet"]
    assert alpha["windows"]["30d"] == {
        "runs": 20,
        "succeeded": 17,
        "failed": 3,
        "success_rate": 17 / 20,
    }
    assert alpha["windows"]["7d"]["runs"] == 6  # 24 to 29 June; the dry run is left out
    assert alpha["last_success"].startswith("2024-06-29T12:00:0")
    assert alpha["per_day"]["2024-06-27"] == {"failed": 1}
    beta = by_name["beta-urjanet"]
    assert beta["windows"]["7d"] == {"runs": 1, "succeeded": 0, "failed": 1, "success_rate": 0.0}
    assert beta["last_success"].startswith("2024-06-20T12:00:0")
    assert "chart" not in alpha  # JSON readers get the numbers, not the drawing
    html = client.get("/scrapers").text
    charts = re.findall(r'<svg class="chart".*?</svg>', html, flags=re.S)
    assert len(charts) == 3 and charts[0].count('class="failed"') == 3
    assert "<title>2024-06-27: 0 ok, 1 failed, 0 other</title>" in charts[0]


def test_the_attention_page_lists_stale_sources_lost_runs_and_broken_plugins(
    client: Any, history: History
) -> None:
    data = client.get("/api/attention?days=5").json()
    stale = {s["data_source"]: s for s in data["stale_sources"]}
    assert sorted(stale) == [202, 404, 505]  # 202: ten days; 404 lost; 505 never finished
    assert stale[202]["last_run"] == history.ids["failed"]
    assert stale[202]["stale_days"] == pytest.approx(10.0, abs=0.01)
    assert stale[404]["last_success"] is None
    assert [r["id"] for r in data["lost_runs"]] == [history.ids["batch"]]
    assert data["broken_plugins"] == [BROKEN_PLUGIN]
    assert sorted(
        s["data_source"] for s in client.get("/api/attention?days=11").json()["stale_sources"]
    ) == [404, 505]
    html = client.get("/attention").text
    assert "broken-urjanet" in html and "No module named nothing" in html


def test_metrics_export_runs_by_status_and_a_duration_histogram_in_prometheus_text(
    client: Any, history: History
) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert 'datafeeds_runs{scraper="alpha-urjanet",status="succeeded"} 17' in text
    assert 'datafeeds_runs{scraper="alpha-urjanet",status="failed"} 3' in text
    assert 'datafeeds_runs{scraper="gamma-urjanet",status="running"} 1' in text
    assert "# TYPE datafeeds_job_duration_seconds histogram" in text
    # alpha's 21 finished jobs (dry run included) took 2 to 6 s.
    assert 'datafeeds_job_duration_seconds_bucket{scraper="alpha-urjanet",le="1"} 0' in text
    assert 'datafeeds_job_duration_seconds_bucket{scraper="alpha-urjanet",le="5"} 16' in text
    assert 'datafeeds_job_duration_seconds_bucket{scraper="alpha-urjanet",le="+Inf"} 21' in text
    assert 'datafeeds_job_duration_seconds_count{scraper="alpha-urjanet"} 21' in text


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/runs/999999", 404, "no run with id 999999"),
        ("/runs?status=done", 400, "status must be one of"),
        ("/runs?executor=cron", 400, "executor must be one of"),
        ("/runs?data_source=abc", 400, "data_source must be a positive whole number"),
        ("/runs?from=yesterday", 400, "from must be a date"),
        ("/attention?days=many", 400, "days must be a number"),
        ("/nowhere", 404, "no such page"),
    ],
)
def test_bad_requests_get_one_line_errors_as_html_and_json(
    client: Any, history: History, path: str, status: int, message: str
) -> None:
    page = client.get(path)
    assert page.status_code == status and message in page.text
    assert "Traceback" not in page.text
    api = client.get(f"/api{path}")
    assert api.status_code == status and message in api.json()["error"]


def test_the_dashboard_cannot_write_to_the_database(
    platform_db: PlatformTestDatabase, history: History
) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from datafeeds_core.platform.run_dashboard import read_only_engine

    engine = read_only_engine(platform_db.url)
    try:
        with pytest.raises(DBAPIError, match="(?i)read.only|readonly"), engine.begin() as conn:
            conn.execute(text("DELETE FROM datafeeds_run"))
        with engine.connect() as conn:
            runs = conn.execute(text("SELECT count(*) FROM datafeeds_run")).scalar_one()
        assert runs == len(history.ids) > 0
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_read_only_role_of_the_docs_serves_every_page_and_can_write_nothing(
    platform_databases: Any, tmp_path: Any
) -> None:
    """docs/dashboard.md's role, made on the test database: the pages work, writes fail."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError

    from datafeeds_core.platform.run_dashboard import read_only_engine
    from datafeeds_core.web.app import create_app

    from .dashboard_kit import seed_history

    db = platform_databases.get("postgresql")
    history = seed_history(db, tmp_path)
    role = f"datafeeds_dashboard_{uuid.uuid4().hex[:8]}"
    database = make_url(db.url).database
    admin = create_engine(db.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in (
            f"CREATE ROLE {role} LOGIN",
            f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT ON datafeeds_run, snapmeter_meter_data_source TO {role}",
            f"ALTER ROLE {role} SET default_transaction_read_only = on",
        ):
            conn.execute(text(statement))
    url = make_url(db.url).set(username=role, password=None)
    engine = read_only_engine(url.render_as_string(hide_password=False))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
            from starlette.testclient import TestClient

            client = TestClient(create_app(engine, clock=lambda: NOW, broken_plugins=list))
        for path in ("/runs", f"/runs/{history.ids['hostile']}", "/scrapers", "/attention"):
            assert client.get(path).status_code == 200, path
        assert client.get("/metrics").status_code == 200
        with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(text("SET TRANSACTION READ WRITE"))
            conn.execute(text("DELETE FROM datafeeds_run"))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()
        db.clear()
