"""AWS Batch: job definitions, array submission, the container's worker, and Batch states
read back into run records."""
