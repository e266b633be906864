"""The platform database, and every write to it: tables as production has them (`schema`),
`db init` and migrations (`init`), data-source lookup and provisioning, the bill planner and
writer (`bill_plan`, `bill_writer`, `bill_documents`, `replace_guard`), run records and history
(`run_model`, `run_records`, `run_history`, `run_dashboard`, `batch_runs`), feed configuration
(`feeds`), and the light SQLite read path of the listings (`listing`)."""
