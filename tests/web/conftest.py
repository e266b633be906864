"""The dashboard's fixtures: the app over a seeded history (TestClient), a live uvicorn server
on a free loopback port, and headless Chromium."""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from datafeeds_core.testing import PlatformTestDatabase, unavailable

from .dashboard_kit import BROKEN_PLUGIN, NOW, History, seed_history


@pytest.fixture
def history(platform_db: PlatformTestDatabase, tmp_path: Path) -> History:
    return seed_history(platform_db, tmp_path)


@pytest.fixture
def dashboard(platform_db: PlatformTestDatabase, tmp_path: Path) -> Iterator[Any]:
    """The app over the test database, read only, at a fixed `NOW`, one broken plugin, run
    logs in `tmp_path` (where `history` writes its log)."""
    from datafeeds_core.platform.run_dashboard import read_only_engine
    from datafeeds_core.web.app import create_app

    engine = read_only_engine(platform_db.url)
    yield create_app(
        engine, clock=lambda: NOW, broken_plugins=lambda: [BROKEN_PLUGIN], log_dir=tmp_path
    )
    engine.dispose()


@pytest.fixture
def client(dashboard: Any) -> Any:
    with warnings.catch_warnings():
        # Starlette suggests another HTTP client; httpx is what the project pins.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient

        return TestClient(dashboard)


@pytest.fixture
def live_server(dashboard: Any) -> Iterator[str]:
    """uvicorn serving the dashboard on a free loopback port, in a thread; its base URL."""
    from datafeeds_core.web.server import in_background

    with in_background(dashboard) as url:
        yield url


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1200,760",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's headless Chromium through chromium-driver (scripts/test-all installs both)."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        unavailable("chromium and chromium-driver are not installed (apt-get install them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: the test's temp folder, or DATAFEEDS_SCREENSHOTS (docs/images, to
    refresh the pictures of docs/dashboard.md)."""
    target = os.environ.get("DATAFEEDS_SCREENSHOTS")
    folder = Path(target) if target else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
