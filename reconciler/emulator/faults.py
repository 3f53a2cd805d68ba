"""Injected faults, reproducible from ``--fault-seed`` (SPEC §8).

Before a ``/v1`` request is handled, with probability ``rate`` it fails instead: a 500
``api_error``, a 529 ``overloaded_error``, a 429 with ``retry-after``, or a dropped
connection (no response at all), chosen with equal odds.  After a mutating request has
been carried out, with probability ``after_write_rate`` its response is lost (the
connection is dropped).  One seeded generator draws in request order, so the same seed
and the same sequence of requests give the same faults.
"""

from __future__ import annotations

import random
from typing import Literal

Fault = Literal["500", "529", "429", "drop"]
KINDS: tuple[Fault, ...] = ("500", "529", "429", "drop")


class FaultInjector:
    def __init__(self, rate: float = 0.0, after_write_rate: float = 0.0, seed: int = 0) -> None:
        self.rate = rate
        self.after_write_rate = after_write_rate
        self.seed = seed
        self._random = random.Random(seed)

    def reset(self) -> None:
        self._random = random.Random(self.seed)

    def before(self) -> Fault | None:
        """The fault that replaces this request, if any."""
        if self.rate <= 0 or self._random.random() >= self.rate:
            return None
        return self._random.choice(KINDS)

    def after_write(self) -> bool:
        """Whether to lose the response of a write that was carried out."""
        return self.after_write_rate > 0 and self._random.random() < self.after_write_rate
