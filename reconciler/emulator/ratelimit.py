"""The Admin API's two rate-limit buckets (admin-api.md §4, decisions 11–12).

Sliding 60-second windows per organization: the Admin bucket (100 requests a minute)
counts every authenticated request; the spend bucket (60 a minute) counts spend-limit
and increase-request requests, which count in both.  A request is admitted only when
every bucket it counts against has room; a rejected request counts against nothing.
``scale`` multiplies the rates (``--rate-scale``) so tests need not wait.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

WINDOW = 60.0
ADMIN_PER_MINUTE = 100
SPEND_PER_MINUTE = 60


class Window:
    """One bucket: the monotonic times of the requests it counted in the last minute."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._times: deque[float] = deque()

    def _prune(self, now: float) -> None:
        while self._times and self._times[0] <= now - WINDOW:
            self._times.popleft()

    def remaining(self, now: float) -> int:
        self._prune(now)
        return self.capacity - len(self._times)

    def record(self, now: float) -> None:
        self._times.append(now)

    def frees_in(self, now: float) -> float:
        """Seconds until the oldest counted request leaves the window (0 when empty)."""
        self._prune(now)
        return max(0.0, self._times[0] + WINDOW - now) if self._times else 0.0


@dataclass(frozen=True)
class Verdict:
    """What the limiter decided, and what the response's headers should say.

    ``limit`` / ``remaining`` / ``resets_in`` describe the most constrained bucket the
    request counted against (or, when refused, the bucket that refused it).
    """

    admitted: bool
    limit: int
    remaining: int
    resets_in: float

    @property
    def retry_after(self) -> int:
        """Whole seconds, at least 1, until the refusing bucket frees a request."""
        return max(1, math.ceil(self.resets_in))


class RateLimiter:
    """Both buckets of the one emulated organization."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        self.reset()

    def reset(self) -> None:
        self.admin = Window(max(1, int(ADMIN_PER_MINUTE * self.scale)))
        self.spend = Window(max(1, int(SPEND_PER_MINUTE * self.scale)))

    def _buckets(self, spend: bool) -> list[Window]:
        return [self.admin, self.spend] if spend else [self.admin]

    def admit(self, now: float, spend: bool) -> Verdict:
        """Count the request if every bucket has room; otherwise refuse it uncounted."""
        buckets = self._buckets(spend)
        for bucket in buckets:
            if bucket.remaining(now) <= 0:
                return Verdict(False, bucket.capacity, 0, bucket.frees_in(now))
        for bucket in buckets:
            bucket.record(now)
        return self._tightest(buckets, now, admitted=True)

    def peek(self, now: float, spend: bool) -> Verdict:
        """The headers' view of the buckets without counting anything (injected faults)."""
        return self._tightest(self._buckets(spend), now, admitted=True)

    @staticmethod
    def _tightest(buckets: list[Window], now: float, admitted: bool) -> Verdict:
        bucket = min(buckets, key=lambda b: (b.remaining(now), b.capacity))
        return Verdict(admitted, bucket.capacity, bucket.remaining(now), bucket.frees_in(now))
