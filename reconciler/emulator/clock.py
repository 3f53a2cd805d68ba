"""Time for the emulator: one injectable clock, and the API's timestamp form.

Everything that depends on time (rate-limit windows, ``created_at`` of objects made
through the API, ``anthropic-ratelimit-requests-reset``) asks a :class:`Clock`, so tests
use :class:`FakeClock` and never sleep on wall time.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Protocol

# Objects that come from a seed carry timestamps counted in seconds from this instant,
# so the same seed always yields the same state (and state files diff cleanly).
SEED_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()


class Clock(Protocol):
    """Where the emulator reads time.

    ``monotonic()`` measures intervals (rate-limit windows); ``wall()`` is Unix time
    (timestamps on objects and headers).  Both are in seconds.
    """

    def monotonic(self) -> float: ...

    def wall(self) -> float: ...


class SystemClock:
    """The real clocks of the machine."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


class FakeClock:
    """A clock that moves only when told to (``advance``); for tests."""

    def __init__(self, wall: float = SEED_EPOCH + 86_400 * 300) -> None:
        self._wall = wall
        self._monotonic = 1_000.0

    def monotonic(self) -> float:
        return self._monotonic

    def wall(self) -> float:
        return self._wall

    def advance(self, seconds: float) -> None:
        self._wall += seconds
        self._monotonic += seconds


def timestamp(epoch_seconds: float) -> str:
    """RFC 3339 in UTC with microseconds and ``Z``: ``2026-01-01T00:00:00.000000Z``."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"
