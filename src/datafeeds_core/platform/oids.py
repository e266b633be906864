"""Meter oids the way the platform makes them, keeping the node bits.

oid = node << 43 | clock << 13 | counter, with node 0..1023 (from the platform's oid-adapter
sequence, so concurrent processes get different nodes), clock = seconds since the platform epoch
(30 bits: until 2046) and counter 1..4095. The reference masked `node << 52 | …` to 52 bits, which
dropped the node and let two processes collide. Here every part is kept and the value stays below
2**53, so it survives JSON and JavaScript numbers as the platform's own oids do (4505071289158471
reads as node 512 in this layout).
"""

from __future__ import annotations

import math
import os
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

MAX_OID = 2**63 - 1  # oids are PostgreSQL bigints


def checked_oid(value: int, what: str) -> int:
    """`value` if it can be an oid (1 to 2**63 − 1); else a usage error naming `what` (a value
    the database cannot even compare would fail as an overflow deep in the driver)."""
    if not 1 <= value <= MAX_OID:
        from datafeeds_core.errors import UsageError

        raise UsageError(f"{what} {value} is out of range (ids are 1 to {MAX_OID})")
    return value


EPOCH = 1350654629.354
NODES = 1024
NODE_SHIFT = 43
CLOCK_BITS = 30
CLOCK_SHIFT = 13
COUNTER_MAX = 4095
CLOCK_MAX = (1 << CLOCK_BITS) - 1
assert NODE_SHIFT == CLOCK_SHIFT + CLOCK_BITS


class OidGenerator:
    """Unique oids for one node; thread-safe."""

    def __init__(self, node: int, clock: Callable[[], float] = time.time) -> None:
        if not 0 <= node < NODES:
            raise ValueError(f"node must be in 0..{NODES - 1}, got {node}")
        self.node = node
        self._clock = clock
        self._lock = threading.Lock()
        self._second = -1
        self._counter = 0

    def next(self) -> int:
        with self._lock:
            now = math.floor(self._clock() - EPOCH)
            if now > self._second:
                self._second, self._counter = now, 0
            if self._counter >= COUNTER_MAX:
                # The reference sleeps until the next second; taking it now is as unique and
                # never blocks (a later call simply continues from there).
                self._second, self._counter = self._second + 1, 0
            self._counter += 1
            if not 0 <= self._second <= CLOCK_MAX:
                raise ValueError(f"clock {self._second} is outside the oid range")
            return (self.node << NODE_SHIFT) | (self._second << CLOCK_SHIFT) | self._counter


_generators: dict[tuple[int, str], OidGenerator] = {}
_generators_lock = threading.Lock()


def node_for(conn: Connection) -> int:
    """A node number: the platform's oid-adapter sequence where there is one, else random."""
    if conn.dialect.name == "postgresql":
        has_sequence = conn.execute(
            text("SELECT to_regclass('webapps_platform_oid_adapter_seq') IS NOT NULL")
        ).scalar()
        if has_sequence:
            value = conn.execute(
                text("SELECT nextval('webapps_platform_oid_adapter_seq')")
            ).scalar()
            return int(value or 0) % NODES
    # SQLite has one writer at a time and the caller checks the oid is free before inserting.
    return secrets.randbelow(NODES)


def generator_for(conn: Connection) -> OidGenerator:
    """The generator of this process for this database (a forked child gets its own node)."""
    key = (os.getpid(), conn.engine.url.render_as_string(hide_password=True))
    with _generators_lock:
        found = _generators.get(key)
    if found is None:
        found = OidGenerator(node_for(conn))
        with _generators_lock:
            found = _generators.setdefault(key, found)
    return found
