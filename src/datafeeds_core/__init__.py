"""datafeeds: Urjanet utility-bill data to platform billing periods, one job per data source."""

__version__ = "0.1.0"
