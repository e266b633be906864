"""Fleet tests: the real CLI in a subprocess, a platform and a Urjanet database, test plugins.

`fleet_cli` runs `datafeeds` with the fleet commands (launch, runs, feeds) in a fresh
interpreter, as an operator would; `fleet` holds the databases, the environment that points the
CLI at them, and helpers to add data sources with demo statements. The test plugins crash the
interpreter, exit without closing their run, hang, or wait at a gate the test opens.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from datafeeds_core.testing import PlatformTestDatabase, UrjanetTestDatabase

# The real CLI; the fleet commands are added here only if the `datafeeds` app lacks them.
DRIVER = """
if __name__ == "__main__":
    from datafeeds_core.cli import app, feeds, launch, main, runs

    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    if "launch" not in names:
        app.command("launch")(launch.launch)
    if "runs" not in names:
        app.add_typer(runs.app, name="runs")
    if "feeds" not in names:
        app.add_typer(feeds.app, name="feeds")
    main()
"""

TEST_PLUGINS = """
import os
import signal
import threading

from datafeeds_core.plugin_api.contract import PluginMetadata, Selection, provider_is
from datafeeds_core.plugin_api.hookspecs import hookimpl
from datafeeds_core.urjanet.model import TransformResult


def crash(data):
    os.kill(os.getpid(), signal.SIGKILL)


def vanish(data):
    os._exit(3)


def hang(data):
    threading.Event().wait()


def gate(data):
    with open(os.environ["FLEET_STARTED"], "w") as started:
        started.write(f"started {os.getpid()}\\n")
    with open(os.environ["FLEET_RELEASE"]) as release:
        release.readline()
    return TransformResult()


def empty(data):
    return TransformResult()


TRANSFORMERS = {
    "crash-urjanet": crash,
    "vanish-urjanet": vanish,
    "hang-urjanet": hang,
    "gate-urjanet": gate,
    "empty-urjanet": empty,
}


@hookimpl
def datafeeds_metadata(scraper_key):
    if scraper_key in TRANSFORMERS:
        return PluginMetadata(provider="NoSuchProvider", commodity="water")


@hookimpl
def datafeeds_datasource(scraper_key, context):
    if scraper_key in TRANSFORMERS:
        return Selection(account=(provider_is("NoSuchProvider"),))


@hookimpl
def datafeeds_transformer(scraper_key):
    return TRANSFORMERS.get(scraper_key)
"""

CliResult = subprocess.CompletedProcess[str]


@dataclass
class FleetCli:
    driver: Path
    env: dict[str, str]

    def command(self, *args: str) -> list[str]:
        return [sys.executable, str(self.driver), *args]

    def __call__(self, *args: str, timeout: float = 120) -> CliResult:
        return subprocess.run(
            self.command(*args), capture_output=True, text=True, env=self.env, timeout=timeout
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )


@dataclass
class Fleet:
    platform: PlatformTestDatabase
    urjanet: UrjanetTestDatabase
    log_dir: Path

    def seed_demo(self, key: str = "watauga-urjanet") -> None:
        """Two years of demo statements for the demo account, shaped by `key`'s metadata."""
        from datafeeds_core.demo.data import demo_statements
        from datafeeds_core.plugin_api.registry import load

        self.urjanet.seed(demo_statements(load(key).metadata(), date.today()))

    def add_source(self, key: str = "watauga-urjanet") -> Any:
        """A data source of `key` on its own meter and service (demo account numbers);
        returns its JobTarget. Each service has a utility code of its own: services with the
        same SAID and utility would share their bills (fan-out), which is not what these
        tests are about."""
        import uuid

        from datafeeds_core.demo.data import DEMO_ACCOUNT_NUMBER, DEMO_SERVICE_ID

        return self.platform.add_target(
            key,
            utility=f"utility:fleet-{uuid.uuid4().hex[:8]}",
            utility_account_id=DEMO_ACCOUNT_NUMBER,
            service_id=DEMO_SERVICE_ID,
        )

    def runs(self, **where: Any) -> list[dict[str, Any]]:
        return self.platform.rows("datafeeds_run", **where)

    def run_of(self, oid: int) -> dict[str, Any]:
        [run] = self.runs(data_source=oid)
        return run

    def bills(self, service: int) -> list[dict[str, Any]]:
        return self.platform.rows("bill", service=service)


@pytest.fixture
def fleet(
    platform_db: PlatformTestDatabase, urjanet_db: UrjanetTestDatabase, tmp_path: Path
) -> Fleet:
    return Fleet(platform_db, urjanet_db, tmp_path / "logs")


@pytest.fixture
def fleet_cli(fleet: Fleet, tmp_path: Path) -> FleetCli:
    """The CLI, pointed at the fleet's databases, with the test plugins installed."""
    site = tmp_path / "site"
    site.mkdir()
    info = site / "datafeeds_fleet_test_plugins-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: datafeeds-fleet-test-plugins\nVersion: 1.0\n"
    )
    keys = ("crash-urjanet", "vanish-urjanet", "hang-urjanet", "gate-urjanet", "empty-urjanet")
    lines = "\n".join(f"{key} = fleet_test_plugins" for key in keys)
    (info / "entry_points.txt").write_text(f"[datafeeds]\n{lines}\n")
    (site / "fleet_test_plugins.py").write_text(TEST_PLUGINS)
    driver = tmp_path / "datafeeds_driver.py"
    driver.write_text(DRIVER)

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATAFEEDS_", "POSTGRES_URL", "URJANET_"))
    }
    env.update(
        PYTHONPATH=str(site),
        DATAFEEDS_HOME=str(tmp_path / "home"),
        DATAFEEDS_PLATFORM_URL=fleet.platform.url,
        DATAFEEDS_URJANET_URL=fleet.urjanet.url,
        DATAFEEDS_LOG_DIR=str(fleet.log_dir),
    )
    return FleetCli(driver, env)
