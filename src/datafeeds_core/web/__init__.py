"""The read-only run dashboard (`datafeeds web`): pages over the run history, their JSON twins,
and Prometheus metrics. Imported only by that command: the web framework stays out of the CLI's
start-up."""
