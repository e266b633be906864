"""Imported once in the local executor's fork server: loads the plugins about to run.

Children forked from the server then find those plugins imported and registered (the cache of
`plugins.load`). A plugin that fails to load here is left alone: its own job reports the error
(exit 4) and no other job notices. Which keys is said by `WARM_PLUGINS_VAR`, set by the launcher
before the server starts.
"""

from __future__ import annotations

import gc
import os

WARM_PLUGINS_VAR = "DATAFEEDS_WARM_PLUGINS"


def warm(keys: str | None) -> list[str]:
    """Load each comma-separated key; returns the keys that loaded."""
    from datafeeds_core.plugin_api.registry import load

    loaded = []
    for key in (k.strip() for k in (keys or "").split(",")):
        if not key:
            continue
        try:
            load(key)
        except Exception:  # broken or unknown: the job of that key says so
            continue
        loaded.append(key)
    return loaded


warm(os.environ.get(WARM_PLUGINS_VAR))

# Everything imported so far lives as long as the server: the children's collections need not
# scan it, nor write to its pages (copy-on-write), as the gc module's documentation advises
# for processes that fork without exec.
gc.collect()
gc.freeze()
