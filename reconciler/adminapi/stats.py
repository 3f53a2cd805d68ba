"""Counting the requests a client sends, for plans, reports and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RequestCounts", "RequestStats"]


@dataclass(frozen=True)
class RequestCounts:
    """A copy of the counters at one moment.

    ``by_group`` counts against the rate-limit buckets: ``admin`` counts every request,
    ``spend`` the spend-limit ones (which count in both).  ``by_route`` is keyed by
    ``"METHOD /template"`` with the path below ``/v1/organizations``.
    """

    total: int
    by_group: dict[str, int]
    by_route: dict[str, int]

    def __sub__(self, other: RequestCounts) -> RequestCounts:
        return RequestCounts(
            total=self.total - other.total,
            by_group=dict(Counter(self.by_group) - Counter(other.by_group)),
            by_route=dict(Counter(self.by_route) - Counter(other.by_route)),
        )


class RequestStats:
    """Thread-safe counters of every attempt sent (retries included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = 0
        self._by_group: Counter[str] = Counter()
        self._by_route: Counter[str] = Counter()
        # Told the running total after each request (e.g. a progress line on a terminal).
        # Called outside the lock, from whichever thread sent the request; must not raise.
        self.listener: Callable[[int], None] | None = None

    def count(self, route: str, *, spend: bool) -> None:
        """Count one attempt sent, by route and rate-limit group."""
        with self._lock:
            self._total += 1
            self._by_group["admin"] += 1
            if spend:
                self._by_group["spend"] += 1
            self._by_route[route] += 1
            total = self._total
        if self.listener is not None:
            self.listener(total)

    @property
    def total(self) -> int:
        return self._total

    def snapshot(self) -> RequestCounts:
        with self._lock:
            return RequestCounts(self._total, dict(self._by_group), dict(self._by_route))
