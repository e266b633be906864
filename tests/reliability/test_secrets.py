"""Secrets never leave the environment: database URLs with passwords, the Urjanet MySQL and HTTP
passwords and AWS keys appear in no log, run record, bill, `--help`, error message or `runs show`
output; and no command takes a password as an argument.

The end-to-end test sets distinctive secret values, runs succeeding and failing jobs as real
subprocesses (the platform on PostgreSQL through a URL with a password, which trust auth
ignores; documents fetched over HTTP with basic auth), then greps everything they wrote.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import typer
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from datafeeds_core.cli import app
from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID, demo_statements
from datafeeds_core.documents.pdf import make_pdf
from datafeeds_core.plugin_api.registry import load

KEY = "watauga-urjanet"
PLATFORM_PASSWORD = "pgPW-4b7e1d9c"
MYSQL_PASSWORD = "myPW-9a2f6e3b"
HTTP_USER = "urjanet-reader"
HTTP_PASSWORD = "httpPW-c5d8e2a7"
LEGACY_HTTP_PASSWORD = "legacyPW-71f0b3c4"
AWS_SECRET = "awsSK/3kQ+9vZp7mW2xR5tY8uB1nC4dF6gH0jL"
AWS_TOKEN = "awsST/FwoGZXIvYXdzEJr+token7e5c"
SECRETS = {
    "DATAFEEDS_URJANET_HTTP_USER": HTTP_USER,
    "DATAFEEDS_URJANET_HTTP_PASSWORD": HTTP_PASSWORD,
    "URJANET_HTTP_PASSWORD": LEGACY_HTTP_PASSWORD,
    "URJANET_MYSQL_PASSWORD": MYSQL_PASSWORD,
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE7Q2W3E4R5",
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
    "AWS_SESSION_TOKEN": AWS_TOKEN,
}
SECRET_VALUES = [PLATFORM_PASSWORD, MYSQL_PASSWORD, HTTP_PASSWORD, LEGACY_HTTP_PASSWORD]
SECRET_VALUES += [AWS_SECRET, AWS_TOKEN]


def leaks(text: str) -> list[str]:
    """The secret values in `text`, as they are or URL-quoted."""
    found = []
    for secret in SECRET_VALUES:
        if secret in text or quote(secret, safe="") in text:
            found.append(secret)
    return found


# ------------------------------------------------------------------ no password as an argument

# Parameters whose name looks like a credential but which take a reference to one.
REFERENCES = {
    ("batch", "register", "secret"): "VAR=ARN: the ARN of a Secrets Manager or SSM entry",
}
CREDENTIAL_NAME = re.compile(r"pass(word|wd)?|pwd|secret|token|credential|api.?key|access.?key")


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from commands(sub, (*path, name))


ALL_COMMANDS = list(commands(typer.main.get_command(app)))


def test_no_command_takes_a_password_secret_or_token_argument() -> None:
    offending = []
    for path, command in ALL_COMMANDS:
        for param in command.params:
            words = [param.name or "", *param.opts, param.metavar or ""]
            named_like_one = any(CREDENTIAL_NAME.search(w.lower()) for w in words)
            if named_like_one and (*path, param.name) not in REFERENCES:
                offending.append(f"datafeeds {' '.join(path)} {'/'.join(param.opts)}")
    assert offending == []
    assert len(ALL_COMMANDS) > 20  # the walk did reach the subcommands


def test_a_secret_given_where_an_arn_belongs_is_not_repeated(cli: Any) -> None:
    result = cli(
        "batch", "register", "--image", "x", "--execution-role-arn", "arn:aws:iam::1:role/a",
        "--job-role-arn", "arn:aws:iam::1:role/b", "--scheduler-job-role-arn",
        "arn:aws:iam::1:role/c", "--manifests", "s3://b/m", "--log-group", "g",
        "--secret", f"DATAFEEDS_PLATFORM_URL={PLATFORM_PASSWORD}",
        "--secret", "DATAFEEDS_URJANET_URL=arn:aws:ssm:us-east-1:1:parameter/u",
    )  # fmt: skip
    assert result.returncode == 2
    assert "is not a Secrets Manager or SSM parameter ARN" in result.stderr
    assert leaks(result.stdout + result.stderr) == []


@pytest.mark.parametrize("path", [p for p, _ in ALL_COMMANDS], ids=" ".join)
def test_help_shows_no_secret(path: tuple[str, ...]) -> None:
    env = {**SECRETS, "DATAFEEDS_PLATFORM_URL": f"postgresql://u:{PLATFORM_PASSWORD}@h/db"}
    result = CliRunner().invoke(app, [*path, "--help"], env=env)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert leaks(result.output) == []


# ------------------------------------------------------------------ everything a job writes


class _Sources(BaseHTTPRequestHandler):
    """Urjanet's source links: a PDF per statement, behind HTTP basic auth."""

    expected = "Basic " + base64.b64encode(f"{HTTP_USER}:{HTTP_PASSWORD}".encode()).decode()
    served: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="urjanet"')
            self.end_headers()
            return
        body = make_pdf([f"statement {self.path}"])
        self.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sources() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sources)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.postgres
@pytest.mark.mariadb
@pytest.mark.slow
def test_nothing_a_job_writes_holds_a_secret(
    cli: Any, platform_databases: Any, urjanet_databases: Any, sources: str, tmp_path: Path
) -> None:
    platform = platform_databases.get("postgresql")
    urjanet = urjanet_databases.get("mariadb")
    data = demo_statements(load(KEY).metadata(), date.today(), link=sources + "/source?id={pk}")
    urjanet.seed(data)
    target = platform.add_target(
        KEY, utility_account_id=DEMO_ACCOUNT_NUMBER, service_id=DEMO_SERVICE_ID
    )
    oid = str(target.data_source_oid)
    documents = tmp_path / "documents"
    platform_url = make_url(platform.url).set(password=PLATFORM_PASSWORD)
    env = {
        **SECRETS,
        "DATAFEEDS_PLATFORM_URL": platform_url.render_as_string(hide_password=False),
        "DATAFEEDS_URJANET_URL": urjanet.url,
        "DATAFEEDS_DOCUMENTS_URL": f"file://{documents}",
        "DATAFEEDS_LOG_LEVEL": "DEBUG",
        # The PDFs are served over http on loopback, behind basic auth: the one place plain
        # http may carry the credentials.
        "DATAFEEDS_DOCUMENT_HOSTS": sources,
        "DATAFEEDS_URJANET_HTTP_HOSTS": "127.0.0.1",
    }
    urjanet_db = make_url(urjanet.url).database
    window = ["--start", str(date.today() - timedelta(days=730))]
    outputs = []
    try:
        succeeded = cli("run", "--oid", oid, *window, env=env)
        launched = cli("launch", "--oid", oid, *window, env=env)
        # The Urjanet database through the original variables, with a wrong password...
        legacy = {k: v for k, v in env.items() if k != "DATAFEEDS_URJANET_URL"}
        legacy |= {
            "URJANET_MYSQL_HOST": "127.0.0.1",
            "URJANET_MYSQL_USER": "root",
            "URJANET_MYSQL_DB": urjanet_db or "urjanet",
        }
        refused = cli("run", "--oid", oid, *window, env=legacy)
        # ... and unreachable.
        gone = cli(
            "run", "--oid", oid, *window, env={**legacy, "URJANET_MYSQL_HOST": "127.0.0.1:1"}
        )
        outputs += [succeeded, launched, refused, gone]
        runs = platform.rows("datafeeds_run")
        for run in runs:
            outputs.append(cli("runs", "show", str(run["id"]), env=env))
            outputs.append(cli("runs", "show", str(run["id"]), "--json", env=env))
        outputs.append(cli("runs", "list", "--json", env=env))
        outputs.append(cli("db", "init", env=env))
        rows = {table: platform.rows(table) for table in ("datafeeds_run", "bill", "bill_document")}
    finally:
        platform.clear()
        urjanet.clear()

    # The jobs did use every secret they were given.
    assert succeeded.returncode == 0, succeeded.stderr
    assert launched.returncode == 0, launched.stdout + launched.stderr
    assert refused.returncode == 3 and "Urjanet database refused the connection" in refused.stderr
    assert gone.returncode == 75 and "Urjanet database unreachable" in gone.stderr
    assert [r["status"] for r in runs] == ["succeeded", "no-new-data", "failed", "failed"]
    assert runs[0]["counts"]["documents_fetched"] == len(rows["bill"]) > 0
    assert len(_Sources.served) >= len(rows["bill"])
    assert any(run["log_location"] for run in runs)  # launch wrote a log file
    assert all(result.returncode == 0 for result in outputs[4:]), [r.stderr for r in outputs]

    written = {
        "outputs": "\n".join(r.stdout + r.stderr for r in outputs),
        "rows": json.dumps(rows, default=str),
    }
    files = [p for folder in (cli.home, documents) for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        written[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    found = {where: leaks(text) for where, text in written.items() if leaks(text)}
    assert found == {}
