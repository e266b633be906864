"""`datafeeds worker`: the container's entrypoint. Its service is Batch's worker itself
(`executors/batch/worker.py`): it resolves the job from --oid or the array manifest entry, runs
it and returns the exit code."""

from datafeeds_core.executors.batch.worker import work

__all__ = ["work"]
