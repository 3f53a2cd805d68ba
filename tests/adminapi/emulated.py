"""The real emulator served in-process on a loopback socket, sharing a virtual clock
with the client, so pacing can be checked against the emulator's own sliding windows
over hundreds of requests without waiting on wall time.

(The subprocess helper, ``tests/support/emulator.py``, runs the emulator exactly as a
user would; this one exists for the clock.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from reconciler.adminapi import AdminClient
from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.clock import FakeClock
from reconciler.emulator.runtime import Options
from reconciler.emulator.seed import load_seed


class VirtualClock(FakeClock):
    """The emulator's fake clock, also usable as the client's clock, sleep and wall.

    ``sleep(s)`` means "until s after I last read the clock", so a sleeping client moves
    time to exactly the instant its pacer reserved.  Sequential use only: with several
    client threads, virtual sleeps would not overlap the way real ones do.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._last_read = self.monotonic()
        self.slept = 0.0

    def read(self) -> float:
        with self._lock:
            self._last_read = self.monotonic()
            return self._last_read

    def sleep(self, seconds: float) -> None:
        with self._lock:
            target = self._last_read + max(seconds, 0.0)
            step = target - self.monotonic()
            if step > 0:
                self.advance(step)
                self.slept += step


@dataclass
class Served:
    url: str
    app: EmulatorApp
    clock: VirtualClock
    http: httpx.Client

    def stats(self) -> dict[str, Any]:
        response = self.http.get(self.url + "/_emulator/stats")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def client(self, key: str, **kwargs: Any) -> AdminClient:
        """A client on the virtual clock (``kwargs`` may replace its ``sleep``)."""
        options: dict[str, Any] = {
            "clock": self.clock.read,
            "sleep": self.clock.sleep,
            "wall": self.clock.wall,
        }
        options.update(kwargs)
        return AdminClient(self.http, key, base_url=self.url, **options)


@contextmanager
def served(seed: str, **options: Any) -> Iterator[Served]:
    """Serve ``seed`` on 127.0.0.1 (a free port) until the block ends."""
    clock = VirtualClock()
    app = EmulatorApp(load_seed(seed), Options(control=True, **options), clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the in-process emulator did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(timeout=30) as http:
            yield Served(f"http://127.0.0.1:{port}", app, clock, http)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
