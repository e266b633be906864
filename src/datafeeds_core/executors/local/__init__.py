"""The local fleet: each job in its own child process on this machine, and which local runs
still have a process."""
