"""The test kit's testcontainers path, for real: collected only when DATAFEEDS_TEST_CONTAINERS=1
(scripts/container-ci sets it, with no server URL, so the database tests of the same session run
on PostgreSQL and MariaDB containers built from Debian packages: container/testdb/)."""

import os

collect_ignore = [] if os.environ.get("DATAFEEDS_TEST_CONTAINERS") == "1" else ["test_servers.py"]
