"""The dashboard in a real browser: headless Chromium opens the pages from a live server,
applies filters, follows links, and sees hostile values as text that never runs.

Screenshots go to the test's temp folder; docs/images/ is refreshed with (docs/dashboard.md)
`DATAFEEDS_SCREENSHOTS=docs/images .venv/bin/python -m pytest tests/web -k "browser and sqlite"`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .dashboard_kit import HOSTILE_LINK, HOSTILE_REASON, SECRET, History


def shot(browser: Any, folder: Path, name: str) -> Path:
    """A PNG of what the window shows (the docs' pictures)."""
    path = folder / f"dashboard-{name}.png"
    assert browser.save_screenshot(str(path)), path
    assert path.stat().st_size > 10_000  # a page, not a blank window
    return path


def gone(element: Any) -> bool:
    """Does `element` belong to a document the browser has left?"""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        # Chromium sometimes answers for a node of the unloaded page with this, not "stale".
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def follow(browser: Any, element: Any) -> None:
    """Click and wait for the next page: the old document goes stale (WebDriver polls)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 20).until(lambda _: gone(old))


def rows(browser: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(browser.find_elements(By.CSS_SELECTOR, "table.runs tr.run"))


@pytest.mark.slow
def test_filtering_the_runs_and_following_a_row_to_its_run(
    browser: Any, live_server: str, history: History, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{live_server}/runs")
    assert browser.title == "Runs · datafeeds"
    first = rows(browser)
    assert len(first) == 28 and first[0].get_attribute("data-status") == "running"
    refresh = browser.find_elements(By.CSS_SELECTOR, 'meta[http-equiv="refresh"]')
    assert refresh and refresh[0].get_attribute("content") == "10"  # a job is running
    shot(browser, screenshots, "runs")

    Select(browser.find_element(By.NAME, "status")).select_by_value("failed")
    browser.find_element(By.NAME, "scraper").send_keys("beta-urjanet")
    follow(browser, browser.find_element(By.ID, "apply"))
    assert "status=failed" in browser.current_url and "scraper=beta-urjanet" in browser.current_url
    failed = rows(browser)
    assert [r.get_attribute("data-status") for r in failed] == ["failed"]
    assert not browser.find_elements(By.CSS_SELECTOR, 'meta[http-equiv="refresh"]')

    follow(browser, failed[0].find_element(By.TAG_NAME, "a"))
    assert browser.current_url == f"{live_server}/runs/{history.ids['failed']}"
    assert browser.find_element(By.ID, "run-status").text == "failed"
    log = browser.find_element(By.ID, "log").text
    assert "step 29" in log and SECRET not in browser.page_source
    assert SECRET not in browser.find_element(By.ID, "error").text
    assert "datafeeds runs rerun" in browser.page_source
    shot(browser, screenshots, "run")


def test_a_script_tag_in_a_statement_or_link_is_shown_as_text_and_never_runs(
    browser: Any, live_server: str, history: History, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server}/runs/{history.ids['hostile']}")
    reason = browser.find_element(By.CSS_SELECTOR, "#dropped td.reason").text
    link = browser.find_element(By.CSS_SELECTOR, "#document-failures td.link").text
    assert reason == HOSTILE_REASON and link == HOSTILE_LINK
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert browser.title == f"Run {history.ids['hostile']} · datafeeds"
    assert browser.execute_script("return document.scripts.length") == 0
    assert browser.execute_script("return document.images.length") == 0
    shot(browser, screenshots, "hostile-run")


def test_the_scrapers_and_attention_pages_in_chromium(
    browser: Any, live_server: str, history: History, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server}/scrapers")
    names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "tr.scraper td:first-child")]
    assert names == ["alpha-urjanet", "beta-urjanet", "gamma-urjanet"]
    charts = browser.find_elements(By.CSS_SELECTOR, "tr.scraper svg.chart")
    assert len(charts) == 3
    bars = charts[0].find_elements(By.CSS_SELECTOR, "rect.failed")
    assert len(bars) == 3  # alpha failed on three of its twenty days
    shot(browser, screenshots, "scrapers")

    follow(browser, browser.find_element(By.LINK_TEXT, "Attention"))
    assert browser.current_url == f"{live_server}/attention"
    stale = browser.find_element(By.ID, "stale").text
    assert "202" in stale and "beta-urjanet" in stale
    assert "broken-urjanet" in browser.find_element(By.ID, "broken-plugins").text
    lost = rows(browser)
    assert [r.get_attribute("data-status") for r in lost] == ["lost"]
    shot(browser, screenshots, "attention")
