"""`datafeeds plugins` and `datafeeds new-plugin`: the installed utility plugins, and a new one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datafeeds_core.plugin_api.registry import CheckResult, PluginInfo
    from datafeeds_core.plugin_api.scaffold import NewPlugin


def installed() -> list[PluginInfo]:
    """Every installed plugin, read from the package metadata: none is imported."""
    from datafeeds_core.plugin_api.registry import discover

    return discover()


def check() -> list[CheckResult]:
    """Import every plugin, each on its own: ok, broken or duplicate."""
    from datafeeds_core.plugin_api.registry import check_all

    return check_all()


def pins() -> list[str]:
    """`distribution==version` of every installed plugin, sorted, each once."""
    return sorted({f"{i.distribution}=={i.version}" for i in installed()})


def new_plugin(
    folder: str,
    *,
    provider: str,
    commodity: Literal["electric", "water"],
    dest: Path,
    key: str | None,
) -> NewPlugin:
    """Write a working plugin package at `dest/folder/`."""
    from datafeeds_core.plugin_api.scaffold import new_plugin as scaffold

    return scaffold(folder, provider, commodity, dest, key)
