"""Entry-point discovery (metadata only), lazy loading of one plugin, and its failure registry.

Listing never imports a plugin; a job imports exactly the plugin it runs. A plugin that fails to
import is reported for its own key and affects nothing else.
"""

from __future__ import annotations

import importlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.metadata import Distribution, EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from datafeeds_core.errors import PluginError, UnknownScraper

if TYPE_CHECKING:
    import pluggy

    from datafeeds_core.plugin_api.contract import DataSourceContext, PluginMetadata, Selection
    from datafeeds_core.urjanet.transform import Transformer

GROUP = "datafeeds"
LOAD_VAR = "DATAFEEDS_LOAD_PLUGINS"
DISABLE_VAR = "DATAFEEDS_DISABLE_PLUGINS"


@dataclass(frozen=True)
class PluginInfo:
    key: str
    distribution: str
    version: str
    module: str

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "distribution": self.distribution,
            "version": self.version,
            "module": self.module,
        }


def _names(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _allowed(key: str) -> bool:
    allow, block = _names(LOAD_VAR), _names(DISABLE_VAR)
    return (allow is None or key in allow) and (block is None or key not in block)


def _entries() -> list[EntryPoint]:
    return sorted(entry_points(group=GROUP), key=lambda ep: ep.name)


# An installed wheel's metadata folder: {name}-{version}.dist-info, the name escaped with "_".
_DIST_INFO = re.compile(r"(?P<name>[^-]+)-(?P<version>[^-]+)\.dist-info")


def _name_and_version(dist: Distribution) -> tuple[str, str]:
    """The distribution's name (normalised, PEP 503) and version, without reading a file when
    its metadata folder's name says them, else from the METADATA header lines alone.

    `dist.name` and `dist.version` each run the email parser over the whole METADATA file,
    and even reading the file was a third of `plugins list` with 300 extra plugins
    (bench/startup.py). The email parser stays for anything unusual (a header missing or
    folded).
    """
    folder = getattr(getattr(dist, "_path", None), "name", "")  # a PathDistribution's folder
    if match := _DIST_INFO.fullmatch(folder):
        return _normalised(match["name"]), match["version"]
    lines = (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").splitlines()
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        if not line:  # the end of the headers
            break
        name, sep, value = line.partition(":")
        name = name.lower()
        if sep and name in ("name", "version") and name not in found:
            if i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):
                break  # folded: leave it to the email parser
            found[name] = value.lstrip(" \t")  # as the email parser reads it
    if found.get("name") and found.get("version"):
        return _normalised(found["name"]), found["version"]
    return _normalised(dist.name), dist.version


def _normalised(name: str) -> str:
    """A distribution name as PEP 503 normalises it (what pip compares)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _info(ep: EntryPoint) -> PluginInfo:
    dist = ep.dist
    name, version = _name_and_version(dist) if dist else ("?", "?")
    return PluginInfo(key=ep.name, distribution=name, version=version, module=ep.value)


def discover() -> list[PluginInfo]:
    """Every installed key the allow/block lists admit, from metadata alone (no import)."""
    return [_info(ep) for ep in _entries() if _allowed(ep.name)]


def duplicates() -> dict[str, list[PluginInfo]]:
    """Keys registered by more than one distribution."""
    by_key: dict[str, list[PluginInfo]] = defaultdict(list)
    for info in discover():
        by_key[info.key].append(info)
    return {k: v for k, v in by_key.items() if len({i.distribution for i in v}) > 1}


def installed_keys() -> list[str]:
    return sorted({info.key for info in discover()})


def unknown_scraper(key: str) -> UnknownScraper:
    """The error for a key no installed plugin serves, suggesting the closest installed keys."""
    from difflib import get_close_matches

    keys = installed_keys()
    close = get_close_matches(key, keys, n=3, cutoff=0.8)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    listed = ", ".join(keys) or "none"
    return UnknownScraper(f'no plugin installed for scraper "{key}"; {hint}(installed: {listed})')


def require_installed(key: str) -> None:
    """UnknownScraper (exit 3, with a suggestion) unless an installed plugin serves `key`;
    reads metadata only."""
    if key not in installed_keys():
        raise unknown_scraper(key)


class Plugin:
    """Typed facade over one loaded plugin: one method per hook, so call sites type-check."""

    def __init__(self, info: PluginInfo, manager: pluggy.PluginManager) -> None:
        self.info = info
        self._hook = manager.hook

    @property
    def key(self) -> str:
        return self.info.key

    def metadata(self) -> PluginMetadata:
        meta: PluginMetadata | None = self._hook.datafeeds_metadata(scraper_key=self.key)
        if meta is None:
            raise PluginError(f"plugin {self.key!r} gives no metadata for its own key")
        return meta

    def selection(self, context: DataSourceContext) -> Selection:
        sel: Selection | None = self._hook.datafeeds_datasource(
            scraper_key=self.key, context=context
        )
        if sel is None:
            raise PluginError(f"plugin {self.key!r} gives no datasource for its own key")
        return sel

    def transformer(self) -> Transformer:
        fn: Transformer | None = self._hook.datafeeds_transformer(scraper_key=self.key)
        if fn is None:
            raise PluginError(f"plugin {self.key!r} gives no transformer for its own key")
        return fn


def _manager() -> pluggy.PluginManager:
    import pluggy

    from datafeeds_core.plugin_api import hookspecs

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _import(info: PluginInfo) -> Any:
    """The entry point's object: its module, or the attribute `module:attr` names."""
    module_name, _, attr = info.module.partition(":")
    try:
        found = importlib.import_module(module_name.strip())
    except Exception as exc:  # a broken plugin must not take anything else down
        raise PluginError(
            f'error importing plugin "{info.key}" ({info.distribution} {info.version}): '
            f"{type(exc).__name__}: {exc}"
        ) from exc
    for part in attr.strip().split(".") if attr.strip() else ():
        try:
            found = getattr(found, part)
        except AttributeError:
            raise PluginError(
                f'plugin "{info.key}" ({info.distribution} {info.version}): its entry point '
                f"{info.module} names {attr.strip()!r}, which {module_name.strip()} does not "
                "define"
            ) from None
    return found


# The module attribute in which a plugin names the plugin API version it was written for.
API_ATTRIBUTE = "PLUGIN_API_VERSION"


def _major_minor(version: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?", version.strip())
    return (int(match[1]), int(match[2] or 0)) if match else None


def check_api_version(info: PluginInfo, declared: object) -> None:
    """PluginError (one line) unless `declared`, the plugin's PLUGIN_API_VERSION, is this
    core's major version at a minor version it has. A plugin that declares none predates the
    version and was written for 1.0, the first."""
    from datafeeds_core.plugin_api import API_VERSION

    core = _major_minor(API_VERSION) or (0, 0)
    wanted = _major_minor(declared) if isinstance(declared, str) else None
    if declared is None:
        wanted = (1, 0)
    who = f'plugin "{info.key}" ({info.distribution} {info.version})'
    if wanted is None:
        raise PluginError(
            f'{who}: {API_ATTRIBUTE} = {declared!r} is not a version like "{API_VERSION}"'
        )
    if wanted[0] != core[0] or wanted[1] > core[1]:
        raise PluginError(
            f"{who} was written for plugin API {wanted[0]}.{wanted[1]}; this datafeeds-core "
            f"offers {API_VERSION}: install a {info.distribution} written for {core[0]}.x, "
            f"or a datafeeds-core that offers {wanted[0]}.{wanted[1]}"
        )


@cache
def load(key: str) -> Plugin:
    """Import and register the plugin serving `key` (and nothing else)."""
    found = [i for i in discover() if i.key == key]
    if not found:
        raise unknown_scraper(key)
    if len({i.distribution for i in found}) > 1:
        names = " and ".join(sorted(f"{i.distribution} {i.version}" for i in found))
        raise PluginError(f'scraper "{key}" is registered by both {names}')
    info = found[0]
    module = _import(info)
    check_api_version(info, getattr(module, API_ATTRIBUTE, None))
    pm = _manager()
    try:
        pm.register(module, name=info.module)
        pm.check_pending()
    except Exception as exc:
        raise PluginError(f'plugin "{key}" does not follow the hook contract: {exc}') from exc
    plugin = Plugin(info, pm)
    plugin.metadata()  # a plugin that does not answer for its own key is broken
    return plugin


@dataclass(frozen=True)
class CheckResult:
    info: PluginInfo
    status: str  # ok | broken | duplicate
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**self.info.as_dict(), "status": self.status, "error": self.error}


def check_all() -> list[CheckResult]:
    """Import every plugin (each isolated) and say which work."""
    dupes = duplicates()
    results = []
    for info in discover():
        if info.key in dupes:
            others = ", ".join(i.distribution for i in dupes[info.key])
            results.append(CheckResult(info, "duplicate", f"key registered by {others}"))
            continue
        try:
            load(info.key)
        except PluginError as exc:
            results.append(CheckResult(info, "broken", str(exc)))
        else:
            results.append(CheckResult(info, "ok"))
    return results
