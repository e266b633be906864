"""Batch defaults the CLI shows in its options: no imports, so `datafeeds --help` stays fast."""

# Data sources per array child, the scheduler's too: one container start for this many jobs
# (the cost model, `python -m bench batch_cost`, and docs/performance.md say why this figure).
DEFAULT_CHUNK_SIZE = 2500
DEFAULT_JOB_DEFINITION = "datafeeds"
DEFAULT_LOG_GROUP = "/datafeeds/batch"
