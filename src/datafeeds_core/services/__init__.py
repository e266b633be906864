"""What each `datafeeds` command does, below the CLI: one module per command group (`run`,
`launch`, `runs`, `feeds`, `meters`, `sources`, `db`, `documents`, `batch`, `urjanet`, `demo`,
`plugins`, `doctor`, `web`).

A service function takes values the CLI has parsed, opens what it needs (the settings, a database
through `database.engine_for`), does the work through the package that owns it (`job/`,
`executors/`, `platform/`, `urjanet/`, `documents/`, `plugin_api/`) and returns values for the
CLI to render; it prints nothing but the progress lines it is given an `echo` for. The CLI
imports these modules inside its commands, and they import heavy libraries inside their
functions, so `datafeeds --help` stays fast.
"""
