"""The Admin API's two rate-limit buckets (admin-api.md §4, decisions 11–12).

Per organization, the Admin bucket (100 requests a minute) counts every authenticated
request; the spend bucket (60 a minute) counts spend-limit and increase-request
requests, which count in both.  A request is admitted only when every bucket it counts
against has room; a rejected request counts against nothing.  ``scale`` multiplies the
rates (``--rate-scale``) so tests need not wait.

Each bucket is a token bucket of ``L`` requests refilled continuously at ``L`` a minute
— a fresh minute's budget can be spent at once, and then one request frees every
``60/L`` s (kept as GCRA: one "theoretical arrival time" ``tat``; the bucket is full
when ``tat ≤ now``, and holds ``⌊(now + 60 − tat) · L/60⌋`` requests otherwise).

What the responses say, for the tightest bucket the request counted against (or the
one that refused it):

* ``-remaining``: whole requests free after this one;
* ``-reset``: when the bucket next frees a request (now when it is full);
* a 429's ``retry-after``: whole seconds, at least 1, until the refusing bucket is full
  again — the time a client that spent the whole minute waits for the next one (60 s
  after a burst of the full limit, as the sliding window this replaced said).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WINDOW = 60.0
ADMIN_PER_MINUTE = 100
SPEND_PER_MINUTE = 60
# Float sums of 60/L drift by a few ulps; a request is whole when within this of one.
_EPSILON = 1e-9


class Window:
    """One bucket: ``capacity`` requests, refilled continuously at ``capacity`` a minute."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.interval = WINDOW / capacity
        self._tat = -math.inf

    def remaining(self, now: float) -> int:
        if self._tat <= now:
            return self.capacity
        free = (now + WINDOW - self._tat) / self.interval
        return max(0, min(self.capacity, math.floor(free + _EPSILON)))

    def record(self, now: float) -> None:
        self._tat = max(self._tat, now) + self.interval

    def frees_in(self, now: float) -> float:
        """Seconds until the bucket frees one more request (0 when it is full)."""
        free = self.remaining(now)
        if free >= self.capacity:
            return 0.0
        moment = self._tat - WINDOW + (free + 1) * self.interval
        return max(0.0, moment - now)

    def full_in(self, now: float) -> float:
        """Seconds until the bucket is full again (0 when it is)."""
        return max(0.0, self._tat - now)


@dataclass(frozen=True)
class Verdict:
    """What the limiter decided, and what the response's headers should say.

    ``limit`` / ``remaining`` / ``resets_in`` describe the most constrained bucket the
    request counted against (or, when refused, the bucket that refused it);
    ``full_in`` is when that bucket is full again.
    """

    admitted: bool
    limit: int
    remaining: int
    resets_in: float
    full_in: float = 0.0

    @property
    def retry_after(self) -> int:
        """Whole seconds, at least 1, until the refusing bucket is full again."""
        return max(1, math.ceil(self.full_in - _EPSILON))


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
                return Verdict(False, bucket.capacity, 0, bucket.frees_in(now), bucket.full_in(now))
        for bucket in buckets:
            bucket.record(now)
        return self._tightest(buckets, now, admitted=True)

    def peek(self, now: float, spend: bool) -> Verdict:
        """The headers' view of the buckets without counting anything (injected faults)."""
        return self._tightest(self._buckets(spend), now, admitted=True)

    @staticmethod
    def _tightest(buckets: list[Window], now: float, admitted: bool) -> Verdict:
        bucket = min(buckets, key=lambda b: (b.remaining(now), b.capacity))
        return Verdict(
            admitted,
            bucket.capacity,
            bucket.remaining(now),
            bucket.frees_in(now),
            bucket.full_in(now),
        )
