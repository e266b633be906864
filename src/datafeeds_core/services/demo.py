"""`datafeeds demo`: the whole flow on the embedded default, with synthetic data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datafeeds_core.demo.run import DemoResult


def demo(scraper: str, *, echo: Callable[[str], None]) -> DemoResult:
    """Seed synthetic Urjanet statements and platform rows under $DATAFEEDS_HOME and run the
    job; `echo` gets the progress lines, the first naming the folder."""
    from datafeeds_core.config import settings
    from datafeeds_core.demo.run import run_demo

    cfg = settings()
    echo(f"Demo data in {cfg.home}")
    return run_demo(scraper, cfg, echo=echo)
