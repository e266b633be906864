"""Hostile data and hostile settings (issue 12): Urjanet rows are untrusted input.

One section per attack of the issue, each replayed as an attacker (or a tired operator) would:
1 local files named by a row, 2 the Urjanet password sent to a row's host, 3 one absurd statement
replacing every bill, 4 a slow document server holding the job, 5 passwords printed, 6 secrets as
plain job-definition environment, 7 forged log lines, 8 configuration mistakes answered with
tracebacks or the wrong exit code, 9 `--oid 1_0` and bill_document rows outside the bill
transaction. Document servers are threads on 127.0.0.1; databases are real (SQLite and
PostgreSQL for the platform).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import typer

from datafeeds_core import logs
from datafeeds_core.config import load as load_settings
from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID, demo_statements
from datafeeds_core.documents.fetch import Fetcher, RetryPolicy, no_backoff
from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.documents.policy import SourcePolicy
from datafeeds_core.documents.service import collect_documents
from datafeeds_core.documents.store import FolderStore
from datafeeds_core.errors import ConfigurationError, JobFailed
from datafeeds_core.job.validation import validate_periods, validated
from datafeeds_core.plugin_api.registry import load as load_plugin
from datafeeds_core.urjanet.model import BillingPeriod, UrjanetData

KEY = "watauga-urjanet"
USER, PASSWORD = "urja-user", "Urja-Pa55word-x1"
PDF = make_pdf(["Statement", "Total due: 12.34"])
TODAY = date.today()
USAGE, CONFIGURATION = 2, 3


def one_error_line(result: Any) -> str:
    """The single `error:` line; nothing on stderr looks like a traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    error: str = errors[0]
    return error


# ---------------------------------------------------------------- a loopback document server


@dataclass
class Seen:
    path: str
    host: str
    authorization: str | None


@dataclass
class Docs:
    """Routes by path: "pdf", "stall" (headers, then nothing), "trickle" (a byte at a time),
    or ("redirect", url). Records every request it gets, with its Authorization header."""

    port: int = 0
    routes: dict[str, Any] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        docs: Docs = self.server.docs
        docs.seen.append(
            Seen(self.path, self.headers.get("Host", ""), self.headers.get("Authorization"))
        )
        route = docs.routes.get(self.path.split("?")[0])
        if isinstance(route, tuple):
            self.send_response(302)
            self.send_header("Location", route[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(PDF)))
        self.end_headers()
        if route == "pdf":
            self.wfile.write(PDF)
        elif route == "stall":
            self.wfile.flush()
            docs.stop.wait(60)  # a server that never sends the body (released at teardown)
        elif route == "trickle":
            # One byte at a time, each well within any read timeout: the slow peer of attack 4.
            for byte in PDF:
                if docs.stop.wait(0.05):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        self.close_connection = True

    def handle_one_request(self) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError):  # the client hung up on purpose
            super().handle_one_request()


@pytest.fixture
def docs() -> Iterator[Docs]:
    served = Docs()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.docs = served  # type: ignore[attr-defined]
    served.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def basic(user: str = USER, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def fetcher(tmp_path: Path, policy: SourcePolicy, **kwargs: Any) -> Fetcher:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return Fetcher(
        work,
        http_user=USER,
        http_password=PASSWORD,
        retry=RetryPolicy(3, no_backoff),
        policy=policy,
        **kwargs,
    )


# ---------------------------------------------------------------- jobs end to end


@dataclass
class Job:
    oid: int
    service: int
    env: dict[str, str]
    platform: Any
    urjanet: Any
    data: UrjanetData

    def bills(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.platform.rows("bill", service=self.service)
        return rows


@pytest.fixture
def make_job(
    platform_db: Any, urjanet_databases: Any, tmp_path: Path
) -> Iterator[Callable[..., Job]]:
    """A watauga data source whose 25 statements (24 months and a correction) link to `link`."""
    urjanet = urjanet_databases.get("sqlite")

    def make(link: str = "", **env: str) -> Job:
        data = demo_statements(load_plugin(KEY).metadata(), TODAY, link=link)
        urjanet.seed(data)
        target = platform_db.add_target(
            KEY, utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
        )
        full = {
            "DATAFEEDS_PLATFORM_URL": platform_db.url,
            "DATAFEEDS_URJANET_URL": urjanet.url,
            "DATAFEEDS_DOCUMENTS_URL": (tmp_path / "documents").as_uri(),
            **env,
        }
        return Job(target.data_source_oid, target.service_oid, full, platform_db, urjanet, data)

    yield make
    urjanet.clear()


def window() -> list[str]:
    return ["--start", str(TODAY - timedelta(days=730)), "--end", str(TODAY)]


def last_run(job: Job) -> dict[str, Any]:
    run: dict[str, Any] = job.platform.rows("datafeeds_run", data_source=job.oid)[-1]
    return run


# ================================================================ 1. local files named by a row


def test_a_file_link_is_refused_when_no_document_root_is_configured(tmp_path: Path) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)

    with fetcher(tmp_path, SourcePolicy()) as f:
        got = f.fetch(secret.as_uri())

    assert not got.ok and got.path is None
    assert got.reason == "file:// sources are not allowed (no DATAFEEDS_DOCUMENT_ROOT configured)"


def test_file_links_outside_the_root_are_refused_alike_whether_or_not_the_file_exists(
    tmp_path: Path,
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "bill.pdf").write_bytes(PDF)
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    (root / "link.pdf").symlink_to(secret)  # a symbolic link inside pointing outside
    outside = [
        secret.as_uri(),
        (tmp_path / "missing.pdf").as_uri(),
        f"file://{root}/../secret.pdf",
        f"file://{root}/../missing.pdf",
        (root / "link.pdf").as_uri(),
        f"file://otherhost{secret}",
    ]

    with fetcher(tmp_path, SourcePolicy(file_root=root)) as f:
        inside = f.fetch((root / "bill.pdf").as_uri())
        refused = [f.fetch(url) for url in outside]
        missing_inside = f.fetch((root / "nope.pdf").as_uri())

    assert inside.ok and inside.path == root / "bill.pdf"
    assert {r.reason for r in refused} == {"file:// source outside the document root"}
    assert not any(r.ok for r in refused)
    assert missing_inside.reason == "cannot read the source file"


def test_a_job_never_copies_a_local_file_a_row_names(
    cli: Any, make_job: Callable[..., Job], tmp_path: Path
) -> None:
    private = tmp_path / "private"
    private.mkdir()
    job = make_job(link=f"file://{private}/{{pk}}.pdf")
    for account in job.data.accounts:  # the files exist, look like bills, and are readable
        (private / f"{account.PK}.pdf").write_bytes(make_pdf([f"private {account.PK}"]))

    result = cli("run", "--oid", str(job.oid), *window(), env=job.env)

    assert result.returncode == 0, result.stderr
    bills = job.bills()
    assert len(bills) == 24 and not any(b["attachments"] for b in bills)
    documents = tmp_path / "documents"
    assert not documents.exists() or list(documents.iterdir()) == []
    assert job.platform.rows("bill_document") == []
    failures = last_run(job)["details"]["document_failures"]
    assert len(failures) == 24  # the links of the 24 periods in the window
    assert {f["reason"] for f in failures} == {
        "file:// sources are not allowed (no DATAFEEDS_DOCUMENT_ROOT configured)"
    }


# ================================================================ 2. the Urjanet password elsewhere


def test_the_credentials_go_to_the_urjanet_host_only(docs: Docs, tmp_path: Path) -> None:
    docs.routes["/doc"] = "pdf"
    # Both loopback names are allowed hosts; only 127.0.0.1 plays the Urjanet host.
    policy = SourcePolicy(
        hosts=("http://127.0.0.1", "http://localhost"), credential_hosts=("127.0.0.1",)
    )

    with fetcher(tmp_path, policy) as f:
        urjanet = f.fetch(docs.url("/doc"))
        other = f.fetch(docs.url("/doc", host="localhost"))

    assert urjanet.ok and other.ok
    by_host = {s.host.split(":")[0]: s.authorization for s in docs.seen}
    assert by_host == {"127.0.0.1": basic(), "localhost": None}


def test_a_host_off_the_allow_list_is_never_contacted(docs: Docs, tmp_path: Path) -> None:
    docs.routes["/doc"] = "pdf"

    with fetcher(tmp_path, SourcePolicy()) as f:  # the default: the Urjanet host, https only
        got = f.fetch(docs.url("/doc"))
        https = f.fetch(f"https://127.0.0.1:{docs.port}/doc")

    assert not got.ok and not https.ok
    assert got.reason == "host 127.0.0.1 is not on the document host allow list " + (
        "(DATAFEEDS_DOCUMENT_HOSTS)"
    )
    assert docs.seen == []


def test_a_redirect_off_the_allow_list_is_not_followed(docs: Docs, tmp_path: Path) -> None:
    docs.routes["/doc"] = "pdf"
    docs.routes["/go"] = ("redirect", docs.url("/doc", host="localhost"))
    policy = SourcePolicy(hosts=("http://127.0.0.1",), credential_hosts=("127.0.0.1",))

    with fetcher(tmp_path, policy) as f:
        got = f.fetch(docs.url("/go"))

    assert not got.ok and got.reason is not None
    assert got.reason.startswith("redirected to a refused link: host localhost is not on")
    assert [s.path for s in docs.seen] == ["/go"]


@pytest.mark.parametrize(
    ("url", "sent"),
    [
        ("https://sources.o2.urjanet.net/sourcewithhttpbasicauth?id=1", True),
        ("https://SOURCES.o2.urjanet.net:443/x", True),
        ("http://sources.o2.urjanet.net/x", False),  # never over plain http
        ("https://sources.o2.urjanet.net.evil.example/x", False),
        ("https://evil.example/x?u=sources.o2.urjanet.net", False),
        ("https://user@evil.example/x", False),
    ],
)
def test_credentials_never_travel_over_plain_http_nor_to_look_alike_hosts(
    url: str, sent: bool
) -> None:
    policy = SourcePolicy(hosts=("sources.o2.urjanet.net", "http://sources.o2.urjanet.net"))
    assert policy.sends_credentials(url) is sent


# ================================================================ 3. one absurd statement


def monthly(n: int, *, until: date = TODAY) -> list[BillingPeriod]:
    periods = []
    end = until
    for _ in range(n):
        start = end - timedelta(days=30)
        periods.append(BillingPeriod(start=start, end=end - timedelta(days=1)))
        end = start
    return sorted(periods, key=lambda p: p.start)


def test_an_absurd_statement_is_set_aside_and_the_good_ones_are_kept() -> None:
    good = monthly(24)
    absurd = BillingPeriod(start=date(1900, 1, 2), end=TODAY)
    long = BillingPeriod(start=date(2000, 1, 1), end=date(2003, 1, 1))

    kept, dropped = validate_periods([absurd, long, *good], TODAY, max_days=40)

    assert list(kept) == good
    assert [d.reason for d in dropped] == [
        f"implausible period 1900-01-02..{TODAY}: starts before 1990-01-01",
        "implausible period 2000-01-01..2003-01-01: 1096 days long (the utility's longest is 40)",
    ]


def test_a_plan_replacing_more_bills_than_the_bound_is_refused_and_writes_nothing(
    platform_db: Any,
) -> None:
    from datafeeds_core.platform.bill_writer import write_bills
    from datafeeds_core.platform.replace_guard import MassReplaceRefused

    target = platform_db.add_target(KEY)
    existing = [
        platform_db.add_bill(target.service_oid, p.start, p.end) for p in monthly(3, until=TODAY)
    ]
    before = platform_db.rows("bill", service=target.service_oid)
    first, last = before[0], before[-1]
    spanning = BillingPeriod(
        start=first["initial"], end=last["closing"], total_charge=Decimal("1"), total_usage=None
    )
    start, end = TODAY - timedelta(days=730), TODAY

    periods = validated([spanning], TODAY, start=start, end=end)
    with pytest.raises(MassReplaceRefused) as refused:
        write_bills(platform_db.engine, target, periods)
    dry = write_bills(platform_db.engine, target, periods, dry_run=True)

    assert platform_db.rows("bill", service=target.service_oid) == before
    message = str(refused.value)
    assert f"{first['initial']}..{last['closing']} would replace 3 bills" in message
    assert "nothing was written" in message and "--allow-mass-replace" in message
    assert [d.replaced_oids for d in dry.decisions] == [tuple(existing)]

    accepted = write_bills(platform_db.engine, target, periods, allow_mass_replace=True)
    assert accepted.counts()["replaced"] == 1
    assert len(platform_db.rows("bill", service=target.service_oid)) == 1


def add_statement(job: Job, pk: int, start: date, end: date, statement: date) -> None:
    """One more statement like the demo's, with its own period and statement date."""
    model = job.data.accounts[0]
    meter = replace(
        model.meters[0],
        PK=pk,
        IntervalStart=start,
        IntervalEnd=end,
        charges=tuple(
            replace(c, PK=pk * 10 + i, IntervalStart=start, IntervalEnd=end)
            for i, c in enumerate(model.meters[0].charges)
        ),
        usages=tuple(
            replace(u, PK=pk * 10 + 5 + i, IntervalStart=start, IntervalEnd=end)
            for i, u in enumerate(model.meters[0].usages)
        ),
    )
    account = replace(
        model,
        PK=pk,
        StatementDate=statement,
        IntervalStart=start,
        IntervalEnd=end,
        meters=(meter,),
        floating_charges=(),
    )
    job.urjanet.seed(UrjanetData((account,)))


def test_the_replayed_absurd_statement_loses_no_bill(
    cli: Any, make_job: Callable[..., Job]
) -> None:
    job = make_job()
    assert cli("run", "--oid", str(job.oid), *window(), env=job.env).returncode == 0
    before = job.bills()
    assert len(before) == 24
    add_statement(job, 9001, date(1900, 1, 2), TODAY, TODAY)

    result = cli("run", "--oid", str(job.oid), *window(), env=job.env)

    assert result.returncode == 0, result.stderr
    assert [(b["initial"], b["closing"]) for b in job.bills()] == [
        (b["initial"], b["closing"]) for b in before
    ]
    run = last_run(job)
    assert run["status"] == "no-new-data" and run["counts"]["replaced"] == 0
    reasons = [d["reason"] for d in run["details"]["dropped_statements"]]
    assert f"implausible period 1900-01-02..{TODAY}: starts before 1990-01-01" in reasons


@pytest.mark.slow
def test_a_statement_replacing_three_bills_is_refused_shown_by_dry_run_and_can_be_accepted(
    cli: Any, make_job: Callable[..., Job]
) -> None:
    job = make_job()
    assert cli("run", "--oid", str(job.oid), *window(), env=job.env).returncode == 0
    before = job.bills()
    # A newer statement covering the last three monthly bills (plausible length, 3 bills).
    first, last = before[-3], before[-1]
    add_statement(job, 9002, first["initial"], last["closing"], TODAY)

    refused = cli("run", "--oid", str(job.oid), *window(), env=job.env)
    dry = cli("run", "--oid", str(job.oid), *window(), "--dry-run", env=job.env)
    unchanged = job.bills()
    accepted = cli("run", "--oid", str(job.oid), *window(), "--allow-mass-replace", env=job.env)

    assert refused.returncode == 1
    line = one_error_line(refused)
    assert "would replace 3 bills" in line and "--allow-mass-replace" in line
    assert unchanged == before
    assert dry.returncode == 0, dry.stderr
    assert "dry run: refused to replace existing bills" in dry.stdout
    assert accepted.returncode == 0, accepted.stderr
    assert len(job.bills()) == 22


# ================================================================ 4. a slow document server


@pytest.mark.parametrize("route", ["trickle", "stall"])
def test_a_slow_server_is_cut_off_at_the_document_deadline_not_at_a_read_timeout(
    docs: Docs, tmp_path: Path, route: str
) -> None:
    """A byte at a time (each read well within its timeout), or headers and then silence."""
    docs.routes["/slow"] = route
    policy = SourcePolicy(hosts=("http://127.0.0.1",))

    started = time.monotonic()
    with fetcher(tmp_path, policy, deadline=0.5, read_timeout=30) as f:
        got = f.fetch(docs.url("/slow"))
    took = time.monotonic() - started

    assert not got.ok
    assert got.reason == "took longer than 0.5 s (DATAFEEDS_DOCUMENT_TIMEOUT)"
    assert len(docs.seen) == 1  # the deadline covers every attempt: no retry after it
    assert took < 3


def test_the_document_step_has_one_deadline_after_which_the_rest_fail(
    docs: Docs, tmp_path: Path
) -> None:
    docs.routes["/silent"] = "stall"
    urls = [docs.url(f"/silent?id={n}") for n in range(4)]

    started = time.monotonic()
    report = collect_documents(
        urls,
        FolderStore(tmp_path / "store"),
        concurrency=1,
        timeout=30,
        step_timeout=0.5,
        policy=SourcePolicy(hosts=("http://127.0.0.1",)),
        workdir=tmp_path,
    )

    assert time.monotonic() - started < 5
    assert report.counts() == {"fetched": 0, "reused": 0, "failed": 4}
    assert set(report.failures().values()) == {"the document step's deadline passed"}


@pytest.mark.slow
def test_under_launch_timeout_the_bills_are_written_without_the_slow_documents(
    cli: Any, make_job: Callable[..., Job], docs: Docs
) -> None:
    docs.routes["/statement"] = "stall"
    job = make_job(
        link=docs.url("/statement?n={pk}"),
        DATAFEEDS_DOCUMENT_HOSTS=f"http://127.0.0.1:{docs.port}",
        DATAFEEDS_DOCUMENT_CONCURRENCY="2",
    )

    started = time.monotonic()
    result = cli("launch", "--oid", str(job.oid), *window(), "--timeout", "20", env=job.env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert time.monotonic() - started < 60
    assert len(job.bills()) == 24
    run = last_run(job)
    assert run["status"] == "succeeded"
    assert run["counts"]["documents_failed"] == 24 and run["counts"]["documents_fetched"] == 0


def test_a_batch_job_plans_its_document_step_by_the_attempt_timeout(tmp_path: Path) -> None:
    from datafeeds_core.executors.batch.definition import JobDefinitionSpec, job_definition
    from datafeeds_core.job.pipeline import Job
    from datafeeds_core.job.request import JobRequest, JobRuntime

    spec = JobDefinitionSpec(
        name="datafeeds",
        image="datafeeds:1",
        execution_role_arn="arn:aws:iam::123456789012:role/exec",
        job_role_arn="arn:aws:iam::123456789012:role/job",
        log_group="/datafeeds/batch",
        secrets={
            "DATAFEEDS_PLATFORM_URL": "arn:aws:secretsmanager:eu-west-1:1:secret:p",
            "DATAFEEDS_URJANET_URL": "arn:aws:secretsmanager:eu-west-1:1:secret:u",
        },
        timeout_s=400,
    )
    container = job_definition(spec)["containerProperties"]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    settings = load_settings({"DATAFEEDS_HOME": str(tmp_path), **environment})

    budget = Job(JobRequest(1), settings).documents_deadline()

    assert environment["DATAFEEDS_JOB_TIMEOUT"] == "400"
    assert 190 < budget <= 200  # half the attempt, not the default 300 s step deadline
    quick = Job(JobRequest(1), settings, JobRuntime(timeout_s=20)).documents_deadline()
    assert 9 < quick <= 10


# ================================================================ 5. passwords printed


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:hunter2@db/platform", "postgresql://app:***@db/platform"),
        ("mysql://app:p@ss@word@db/urjanet", "mysql://app:***@db/urjanet"),
        (
            "postgresql://app@db/platform?sslmode=require&password=hunter2",
            "postgresql://app@db/platform?sslmode=require&password=***",
        ),
        ("https://h/x?PassWord=hunter2&id=7", "https://h/x?PassWord=***&id=7"),
        ("sqlite:////var/lib/datafeeds/platform.db", "sqlite:////var/lib/datafeeds/platform.db"),
        ("hunter2 is not a url", "***"),
        ("postgresql:/app:hunter2@db", "***"),
    ],
)
def test_one_masking_function_hides_every_form_of_password(url: str, shown: str) -> None:
    assert logs.mask_url(url) == shown
    if shown != "***":  # in free text, what is no URL is no URL
        assert "hunter2" not in logs.redact(f"cannot connect to {url}: refused")


def test_db_init_prints_no_password_given_as_a_query_parameter(cli: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'platform.db'}?password=hunter2"

    result = cli("db", "init", env={"DATAFEEDS_PLATFORM_URL": url})

    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert f"platform database: sqlite:///{tmp_path / 'platform.db'}?password=***" in result.stdout


def test_an_unencoded_at_in_a_password_is_refused_without_showing_any_of_it(cli: Any) -> None:
    url = "postgresql://app:first@half-secret@127.0.0.1:5432/platform"

    result = cli("run", "--oid", "1", env={"DATAFEEDS_PLATFORM_URL": url})

    assert result.returncode == CONFIGURATION
    line = one_error_line(result)
    assert "unencoded '@'" in line and "%40" in line
    assert "half-secret" not in result.stderr and "first" not in result.stderr


# ================================================================ 6. secrets as plain environment


@pytest.mark.parametrize(
    "name",
    [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SESSION_TOKEN",
        "DATAFEEDS_URJANET_HTTP_PASSWORD",
        "MY_DB_PASSWORD",
        "SLACK_TOKEN",
        "api_secret",
        "DATAFEEDS_PLATFORM_URL ",  # a trailing space dodged the exact-name check
        "DATAFEEDS_PLATFORM_URL",
    ],
)
def test_batch_register_refuses_a_credential_as_plain_environment(cli: Any, name: str) -> None:
    result = cli(
        "batch",
        "register",
        "--image",
        "datafeeds:1",
        "--execution-role-arn",
        "arn:aws:iam::123456789012:role/exec",
        "--job-role-arn",
        "arn:aws:iam::123456789012:role/job",
        "--secret",
        "DATAFEEDS_PLATFORM_URL=arn:aws:secretsmanager:eu-west-1:123456789012:secret:p",
        "--secret",
        "DATAFEEDS_URJANET_URL=arn:aws:secretsmanager:eu-west-1:123456789012:secret:u",
        "--env",
        f"{name}=wJalrXUtnFEMI-K7MDENG",
        env={"AWS_DEFAULT_REGION": "eu-west-1"},
    )

    assert result.returncode == USAGE, result.stderr
    line = one_error_line(result)
    assert repr(name) in line and "--secret NAME=ARN" in line
    assert "wJalrXUtnFEMI" not in result.stdout + result.stderr


def test_ordinary_settings_pass_as_plain_environment() -> None:
    from datafeeds_core.executors.batch.definition import looks_like_credential

    for name in ("DATAFEEDS_LOG_FORMAT", "DATAFEEDS_DOCUMENT_TIMEOUT", "AWS_DEFAULT_REGION"):
        assert not looks_like_credential(name)


# ================================================================ 7. forged log lines


@pytest.fixture
def run_log() -> Iterator[io.StringIO]:
    """The text run log of one job, as a launcher's child sets it up; restored afterwards."""
    saved = {
        name: (lg.handlers[:], lg.level, lg.propagate)
        for name, lg in (
            ("root", logging.getLogger()),
            (logs.LOGGER, logging.getLogger(logs.LOGGER)),
        )
    }
    stream = io.StringIO()
    logs.setup_run_log(stream, "text", 7)
    yield stream
    for name, (handlers, level, propagate) in saved.items():
        lg = logging.getLogger() if name == "root" else logging.getLogger(name)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate


def test_a_link_cannot_forge_a_log_line_nor_reach_the_terminal_raw(run_log: io.StringIO) -> None:
    link = (
        "https://sources.o2.urjanet.net/x?id=1\n2026-01-01 00:00:00,000 : ERROR : run 7 : "
        "platform database wiped\x1b[2J\x1b[31m\u2028"
    )

    logs.get("documents").warning("document %s not stored: %s", link, "not found")

    text = run_log.getvalue()
    assert text.count("\n") == 1 and text.endswith("not found\n")
    assert "\x1b" not in text and "\u2028" not in text
    assert "\\n2026-01-01 00:00:00,000 : ERROR" in text and "\\x1b[2J" in text


def test_row_values_reach_tables_and_error_lines_escaped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datafeeds_core.cli.common import report
    from datafeeds_core.job.summary import billing_summary

    period = BillingPeriod(start=date(2024, 1, 1), end=date(2024, 1, 31), tariff="A\x1b[2J\nB")
    table = billing_summary([period])
    code = report(JobFailed("bad row \x1b]0;owned\x07 value"))

    assert "\x1b" not in table and "A\\x1b[2J\\nB" in table
    err = capsys.readouterr().err
    assert code == 1 and err == "error: bad row \\x1b]0;owned\\x07 value\n"


# ================================================================ 8. configuration mistakes


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"DATAFEEDS_PLATFORM_URL": "mysql://root@127.0.0.1:3306/platform"},
            "DATAFEEDS_PLATFORM_URL: unsupported database 'mysql/mariadb' "
            "(supported: postgresql, sqlite)",
        ),
        (
            {"DATAFEEDS_URJANET_URL": "postgresql://postgres@127.0.0.1:5432/urjanet"},
            "DATAFEEDS_URJANET_URL: unsupported database 'postgresql' "
            "(supported: mysql/mariadb, sqlite)",
        ),
        (
            {"DATAFEEDS_PLATFORM_URL": "postgresql://postgres@127.0.0.1:99999/platform"},
            "DATAFEEDS_PLATFORM_URL: port 99999 is out of range (1 to 65535)",
        ),
        ({"DATAFEEDS_RUN_RETENTION_DAYS": "99999999999"}, "must be at most 36500"),
    ],
    ids=["mysql-platform", "postgresql-urjanet", "port-99999", "retention"],
)
def test_a_wrong_setting_is_one_line_and_exit_3(cli: Any, env: dict[str, str], says: str) -> None:
    result = cli("run", "--oid", "1", env=env)

    assert result.returncode == CONFIGURATION, result.stderr
    assert says in one_error_line(result)
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("variable", ["DATAFEEDS_HOME", "DATAFEEDS_LOG_DIR"])
def test_a_folder_setting_naming_a_file_is_exit_3(cli: Any, tmp_path: Path, variable: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")

    result = cli("run", "--oid", "1", env={variable: str(a_file)})

    assert result.returncode == CONFIGURATION, result.stderr
    assert f"{variable} is not a folder: {a_file}" in one_error_line(result)


@pytest.mark.parametrize("variable", ["DATAFEEDS_PLATFORM_URL", "DATAFEEDS_URJANET_URL"])
def test_a_mistyped_sqlite_path_is_exit_3_and_creates_no_file(
    cli: Any, tmp_path: Path, variable: str, platform_db: Any
) -> None:
    typo = tmp_path / "platfrom.db"
    missing_folder = tmp_path / "no-such-folder" / "x.db"
    target = platform_db.add_target(KEY)
    env = {"DATAFEEDS_PLATFORM_URL": platform_db.url}

    results = [
        cli("run", "--oid", str(target.data_source_oid), env={**env, variable: f"sqlite:///{path}"})
        for path in (typo, missing_folder)
    ]

    assert not typo.exists() and not missing_folder.parent.exists()
    hint = "run `datafeeds db init` first" if "PLATFORM" in variable else "DATAFEEDS_URJANET_URL"
    for result in results:
        assert result.returncode == CONFIGURATION, result.stderr
        assert hint in one_error_line(result)


def test_an_urjanet_database_without_its_tables_is_exit_3(
    cli: Any, platform_db: Any, tmp_path: Path
) -> None:
    empty = tmp_path / "urjanet.db"
    sqlite3.connect(empty).close()
    target = platform_db.add_target(KEY, utility_account_id="1", service_id="2")
    env = {"DATAFEEDS_PLATFORM_URL": platform_db.url, "DATAFEEDS_URJANET_URL": f"sqlite:///{empty}"}

    result = cli("run", "--oid", str(target.data_source_oid), env=env)

    assert result.returncode == CONFIGURATION, result.stderr
    line = one_error_line(result)
    assert "Urjanet database is missing a table: no such table" in line
    assert "set DATAFEEDS_URJANET_URL" in line


@pytest.mark.parametrize("meta", [[1, 2], "a string", 7])
def test_data_source_meta_that_is_not_an_object_is_exit_3(
    cli: Any, platform_db: Any, tmp_path: Path, meta: Any
) -> None:
    from sqlalchemy import update

    from datafeeds_core.platform.schema import snapmeter_meter_data_source as mds

    target = platform_db.add_target(KEY)
    with platform_db.engine.begin() as conn:
        conn.execute(update(mds).where(mds.c.oid == target.data_source_oid).values(meta=meta))

    result = cli(
        "run", "--oid", str(target.data_source_oid), env={"DATAFEEDS_PLATFORM_URL": platform_db.url}
    )

    assert result.returncode == CONFIGURATION, result.stderr
    kind = {list: "array", str: "string", int: "number"}[type(meta)]
    line = one_error_line(result)
    assert f"meta is a JSON {kind}, not an object" in line
    assert json.dumps(meta) not in line


def test_a_missing_aws_region_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from datafeeds_core.executors.batch.aws import client

    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")

    with pytest.raises(ConfigurationError, match="no AWS region for batch: set AWS_DEFAULT_REGION"):
        client("batch")


def test_settings_read_the_document_rules(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATAFEEDS_HOME": str(tmp_path),
            "DATAFEEDS_DOCUMENT_HOSTS": "sources.o2.urjanet.net, http://127.0.0.1:8080",
            "DATAFEEDS_DOCUMENT_ROOT": str(tmp_path),
            "DATAFEEDS_DOCUMENTS_DEADLINE": "120",
        }
    )
    policy = SourcePolicy.from_settings(settings)

    assert settings.document_hosts == ("sources.o2.urjanet.net", "http://127.0.0.1:8080")
    assert settings.documents_deadline_s == 120
    assert policy.refusal("http://127.0.0.1:8080/x") is None
    assert policy.refusal("http://127.0.0.1:8081/x") is not None
    assert load_settings({"DATAFEEDS_HOME": str(tmp_path)}).document_root is None


# ================================================================ 9. --oid and bill_document rows


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--oid", "1_0"],
        ["run", "--oid", "\u0661"],  # ARABIC-INDIC DIGIT ONE
        ["run", "--oid", "\uff11"],  # FULLWIDTH DIGIT ONE
        ["run", "--oid", " 1"],
        ["documents", "fetch", "--oid", "1_0"],
        ["worker", "--oid", "\u0661"],
        ["runs", "list", "--oid", "1_0"],
        ["launch", "--oid", "\u0661"],
        ["launch", "--oid", "1,1_0"],
    ],
    ids=lambda v: " ".join(v).encode("unicode_escape").decode(),
)
def test_oids_are_ascii_digits_only(cli: Any, args: list[str]) -> None:
    result = cli(*args)

    assert result.returncode == USAGE, result.stderr
    assert "oid" in one_error_line(result) or "digits 0-9 only" in one_error_line(result)


def test_bill_document_rows_are_written_with_their_bills_or_not_at_all(
    platform_db: Any, urjanet_databases: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datafeeds_core.job.pipeline import run_job
    from datafeeds_core.job.request import JobRequest
    from datafeeds_core.platform import bill_writer

    urjanet = urjanet_databases.get("sqlite")
    sources = tmp_path / "sources"
    sources.mkdir()
    data = demo_statements(load_plugin(KEY).metadata(), TODAY, link=f"file://{sources}/{{pk}}.pdf")
    for account in data.accounts:
        (sources / f"{account.PK}.pdf").write_bytes(make_pdf([f"statement {account.PK}"]))
    urjanet.seed(data)
    target = platform_db.add_target(
        KEY, utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
    )
    settings = load_settings(
        {
            "DATAFEEDS_HOME": str(tmp_path / "home"),
            "DATAFEEDS_PLATFORM_URL": platform_db.url,
            "DATAFEEDS_URJANET_URL": urjanet.url,
            "DATAFEEDS_DOCUMENTS_URL": (tmp_path / "documents").as_uri(),
            "DATAFEEDS_DOCUMENT_ROOT": str(sources),
        }
    )
    real = bill_writer._apply_bills

    def killed_mid_write(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise RuntimeError("the process died inside the bill transaction")

    request = JobRequest(target.data_source_oid, TODAY - timedelta(days=730), TODAY)
    try:
        monkeypatch.setattr(bill_writer, "_apply_bills", killed_mid_write)
        failed = run_job(request, settings, today=TODAY, echo=lambda _: None)
        after_failure = platform_db.rows("bill_document"), platform_db.rows("bill")
        monkeypatch.undo()
        done = run_job(request, settings, today=TODAY, echo=lambda _: None)
    finally:
        urjanet.clear()

    assert failed.status == "failed"
    assert after_failure == ([], [])
    assert done.status == "succeeded"
    documents = platform_db.rows("bill_document")
    assert len(documents) == 24 and len(platform_db.rows("bill")) == 24
    keys = {a["key"] for b in platform_db.rows("bill") for a in b["attachments"]}
    assert {d["s3_key"] for d in documents} >= keys


def test_an_oid_is_read_from_ascii_digits_alone() -> None:
    from datafeeds_core.cli.common import oid_number

    with pytest.raises(typer.BadParameter, match="digits 0-9 only"):
        oid_number("1_0")
    assert oid_number("10") == 10
