"""Where jobs run: local isolated child processes (`local`) and AWS Batch."""
