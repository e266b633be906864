"""The embedded-default demo: synthetic Urjanet data and one real job on SQLite files."""
