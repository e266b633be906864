"""A TCP proxy that adds network latency to a database on 127.0.0.1, for the extraction benchmark.

Loopback answers a round trip in ~0.1 ms; the Urjanet database a job reads is another host.
The proxy runs in its own process (no GIL shared with what is measured) and holds every chunk
it relays for `one_way_ms` before passing it on, in each direction, so each round trip costs
about twice that more. Used as a context manager: `with DelayProxy(host, port, 0.25) as port:`.
Run alone: `python -m bench.latency --target 127.0.0.1:3306 --one-way-ms 0.25 --port 13306`.
"""

from __future__ import annotations

import argparse
import contextlib
import queue
import socket
import subprocess
import sys
import threading
import time
from types import TracebackType


def _pump(src: socket.socket, dst: socket.socket, delay_s: float) -> None:
    """Relay src → dst, each chunk `delay_s` after it arrived, in order."""
    pending: queue.Queue[tuple[float, bytes]] = queue.Queue()

    def send() -> None:
        while True:
            due, data = pending.get()
            if not data:
                break
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                dst.sendall(data)
            except OSError:
                break
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        pending.put((time.perf_counter() + delay_s, data))
        if not data:
            break
    sender.join()


def _serve(listen_port: int, target: tuple[str, int], delay_s: float) -> None:
    server = socket.create_server(("127.0.0.1", listen_port))
    print(server.getsockname()[1], flush=True)  # the port, for the parent
    while True:
        client, _ = server.accept()
        upstream = socket.create_connection(target)
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=(a, b, delay_s), daemon=True).start()


class DelayProxy:
    """The proxy as a child process for the duration of a `with` block; yields its port."""

    def __init__(self, host: str, port: int, one_way_ms: float) -> None:
        self.target = f"{host}:{port}"
        self.one_way_ms = one_way_ms
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> int:
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.latency",
                "--target",
                self.target,
                "--one-way-ms",
                str(self.one_way_ms),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        return int(self._process.stdout.readline())

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="host:port to relay to")
    parser.add_argument("--one-way-ms", type=float, required=True)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any)")
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    _serve(args.port, (host, int(port)), args.one_way_ms / 1000)


if __name__ == "__main__":
    main()
