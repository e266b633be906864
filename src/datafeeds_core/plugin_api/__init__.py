"""The plugin API: what a utility plugin implements and imports, and how the core discovers,
loads and checks plugins."""
