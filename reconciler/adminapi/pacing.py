"""Proactive pacing: one token bucket per rate-limit group, shared by every thread.

The Admin API limits each organization to ``admin_rpm`` requests per minute overall and
``spend_rpm`` per minute on the spend-limit endpoints, which count in **both** buckets
(admin-api §4).  The emulator (and, we assume, the API) counts requests in a *sliding*
60-second window.  A lone client must never be the cause of a 429.

The bucket is a GCRA (generic cell rate algorithm: a token bucket kept as one
"theoretical arrival time"), with

* **capacity** ``C = max(1, floor(0.02 × L))`` — a small burst: 2 for the Admin 100/min,
  1 for the Spend 60/min;
* **rate** ``r = (L + 0.5 − C) / 61 s`` — 96.9/min for L = 100, 58.5/min for L = 60.

Why that never exceeds the window: a conforming GCRA sequence has at most
``floor(C + r × T)`` requests in any interval of length ``T`` (it starts with at most C
tokens and gains r per second; this holds even when reservations are made out of order,
which the two-bucket acquire does).  With ``T = 61 s`` — the 60-second window plus one
second of slack for the difference between the moment we release a request and the
moment the server stamps it (scheduling, connection set-up, latency jitter) —
``floor(C + (L + 0.5 − C)) = floor(L + 0.5) = L``.  So any 60-second window on the server
sees at most ``L`` requests from us.  ``tests/adminapi/test_pacing.py`` checks exactly this
against a sliding-window counter with a simulated clock.

Server hints: when a response carries ``anthropic-ratelimit-requests-limit`` below our
configured rate we slow down to it (never speed up: the org's budget is shared),
charging what we already sent in the last window to the new pace; when
``-remaining`` is 0 we hold until ``-reset``.  A 429's ``retry-after`` holds every bucket
(any 429 means the shared admin window is full, or may be).  None of these headers is
required.

Waiting happens outside the lock with the injected ``sleep``; time comes from the
injected monotonic ``clock`` (and ``wall`` for the RFC 3339 reset header), so tests
never wait on real time.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

__all__ = [
    "ADMIN",
    "SPEND",
    "WINDOW_SECONDS",
    "Pacer",
    "burst_for",
    "parse_rfc3339",
    "rate_for",
]

ADMIN = "admin"
SPEND = "spend"

WINDOW_SECONDS = 60.0
# Slack between "released by us" and "counted by the server" (see module docstring).
SLACK_SECONDS = 1.0
BURST_FRACTION = 0.02
# Never hold longer than this on a server's say-so (a wrong clock or header must not
# freeze a run); a real window frees a request within 60 s.
MAX_HOLD_SECONDS = 61.0

LIMIT_HEADER = "anthropic-ratelimit-requests-limit"
REMAINING_HEADER = "anthropic-ratelimit-requests-remaining"
RESET_HEADER = "anthropic-ratelimit-requests-reset"


def burst_for(limit: float) -> int:
    """Bucket capacity for a limit of ``limit`` requests per 60-second window."""
    return max(1, math.floor(limit * BURST_FRACTION))


def rate_for(limit: float) -> float:
    """Pace, in requests per second, for a limit of ``limit`` requests per minute.

    Chosen so that ``floor(burst + rate × 61) <= floor(limit)``; see the module docstring.
    """
    whole = math.floor(limit)
    burst = burst_for(limit)
    if whole < 1:  # below one request a minute: the server rounds down to nothing anyway
        return limit / (WINDOW_SECONDS + SLACK_SECONDS) / 2
    return (whole + 0.5 - burst) / (WINDOW_SECONDS + SLACK_SECONDS)


def parse_rfc3339(value: str) -> float | None:
    """Seconds since the epoch for an RFC 3339 timestamp, or None if unreadable.

    Python 3.10's ``fromisoformat`` takes neither ``Z`` nor more than six fractional
    digits, so both are normalised first.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + (rest[:digits] + "000000")[:6] + rest[digits:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


@dataclass
class _Bucket:
    limit: float
    interval: float = 0.0  # seconds between requests at the steady pace (1 / rate)
    tolerance: float = 0.0  # (capacity - 1) × interval: how far ahead of pace we may run
    tat: float = -math.inf  # theoretical arrival time; ≤ now means the bucket is full
    # Release times of the last window (future reservations included), so that a lower
    # limit learnt mid-run can account for what was already sent at the old pace.
    recent: deque[float] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.configure(self.limit)

    def configure(self, limit: float) -> None:
        self.limit = limit
        self.interval = 1.0 / rate_for(limit)
        self.tolerance = (burst_for(limit) - 1) * self.interval

    def lower(self, limit: float, now: float) -> None:
        """Switch to a lower limit, charging the last window's releases to the new pace.

        As if the ``n`` recent releases had all happened at the latest of them: the next
        release waits until the new bucket would have refilled past them, so every
        window holds at most ``capacity + rate × window`` — the new bound — old and new
        releases together.
        """
        self.configure(limit)
        self._prune(now)
        if self.recent:
            base = max(now, max(self.recent))
            self.tat = max(self.tat, base + len(self.recent) * self.interval)

    def _prune(self, now: float) -> None:
        horizon = now - (WINDOW_SECONDS + SLACK_SECONDS)
        while self.recent and self.recent[0] <= horizon:
            self.recent.popleft()

    def earliest(self) -> float:
        return self.tat - self.tolerance

    def take(self, at: float, now: float) -> None:
        self.tat = max(self.tat, at) + self.interval
        self._prune(now)
        self.recent.append(at)

    def hold_until(self, moment: float) -> None:
        # Next earliest() becomes ≥ moment, and the burst is spent: after a hold we
        # restart at the steady pace.
        self.tat = max(self.tat, moment + self.tolerance)


class Pacer:
    """Token buckets for the ``admin`` and ``spend`` groups (thread-safe).

    ``acquire(group)`` blocks until a request of that group may be sent and returns the
    seconds it waited.  A ``spend`` request takes from both buckets at one instant.
    """

    def __init__(
        self,
        admin_rpm: float = 100.0,
        spend_rpm: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if not (admin_rpm > 0 and spend_rpm > 0):
            raise ValueError("rates must be positive")
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._lock = threading.Lock()
        self._buckets = {ADMIN: _Bucket(admin_rpm), SPEND: _Bucket(spend_rpm)}
        self.waited = 0.0  # total seconds spent waiting, for reports

    def limit(self, group: str) -> float:
        """The requests-per-minute limit a bucket currently respects."""
        return self._buckets[group].limit

    def _groups(self, group: str) -> tuple[_Bucket, ...]:
        if group == SPEND:
            return (self._buckets[SPEND], self._buckets[ADMIN])
        if group == ADMIN:
            return (self._buckets[ADMIN],)
        raise ValueError(f"unknown rate-limit group {group!r}")

    def acquire(self, group: str) -> float:
        buckets = self._groups(group)
        with self._lock:
            now = self._clock()
            at = max(now, *(b.earliest() for b in buckets))
            for bucket in buckets:
                bucket.take(at, now)
            wait = at - now
            self.waited += wait
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold(self, seconds: float) -> None:
        """Let no request of any group go for ``seconds`` (a 429's ``retry-after``)."""
        seconds = min(max(seconds, 0.0), MAX_HOLD_SECONDS)
        with self._lock:
            until = self._clock() + seconds
            for bucket in self._buckets.values():
                bucket.hold_until(until)

    def observe(self, group: str, headers: Mapping[str, str]) -> None:
        """Follow the optional rate-limit headers of a response to a ``group`` request.

        The headers describe the most constrained bucket the request counted against;
        for an admin request that is the admin bucket, for a spend request usually the
        spend bucket, so the advertised limit slows down that group's own bucket.
        """
        limit = _int_header(headers, LIMIT_HEADER)
        remaining = _int_header(headers, REMAINING_HEADER)
        reset_raw = headers.get(RESET_HEADER)
        if limit is None and remaining is None:
            return
        with self._lock:
            own = self._buckets[group]
            if limit is not None and 0 < limit < own.limit:
                own.lower(float(limit), self._clock())
            if remaining is not None and remaining <= 0 and reset_raw:
                reset = parse_rfc3339(reset_raw)
                if reset is not None:
                    seconds = min(max(reset - self._wall(), 0.0), MAX_HOLD_SECONDS)
                    until = self._clock() + seconds
                    for bucket in self._groups(group):
                        bucket.hold_until(until)
