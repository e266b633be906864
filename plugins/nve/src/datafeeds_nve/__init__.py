"""NV Energy electric bills (nve-urjanet)."""

from __future__ import annotations

from datafeeds_core.plugin_api import PluginMetadata, single_key_hooks
from datafeeds_nve.selection import PROVIDER, selection
from datafeeds_nve.transform import TRANSFORMER

PLUGIN_API_VERSION = "1.0"  # the plugin API this module is written for
KEY = "nve-urjanet"
METADATA = PluginMetadata(provider=PROVIDER, commodity="electric", description="NV Energy")

datafeeds_metadata, datafeeds_datasource, datafeeds_transformer = single_key_hooks(
    KEY, METADATA, selection, TRANSFORMER
)
