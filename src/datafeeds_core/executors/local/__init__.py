"""Running jobs on this machine: each in its own child process (`executor`), launched many at a
time (`fleet`), or one in this process (`inprocess`); and which local runs still have a process
(`liveness`)."""
