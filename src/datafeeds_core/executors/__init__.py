"""Where jobs run: `local/` (isolated child processes on this machine) and `batch/` (AWS Batch
array jobs, whose container runs the same job)."""
