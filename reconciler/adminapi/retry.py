"""What may be retried, and how long to wait.

Two kinds of request (admin-api §15 "Safe to retry"):

* **idempotent** (``SAFE``): every GET, DELETE (a 404 on a retry means done), spend-limit
  set (an upsert on scope and period), workspace update with absolute values, archive
  (re-checked with a GET when a retry is refused).  Retried on 408, 409 with a transient
  code, 429, 500/502/503/504/529, connection errors and timeouts.
* **not idempotent** (``UNSAFE``): ``POST /workspaces``.  Retried only when the request
  certainly did not run — a 429 (the rate limit is checked before anything else) or a
  failure to connect.  Anything else after sending (timeout, dropped connection, 5xx,
  unreadable success) is an *unknown outcome*: the caller must re-read before creating
  again.

Waits: ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date) when present, capped;
else jittered exponential backoff ``min(cap, base × 2^n) × U(0.5, 1)``.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

from reconciler.errors import ApiError

__all__ = [
    "RETRYABLE_STATUSES",
    "Backoff",
    "Idempotency",
    "is_retryable",
    "parse_retry_after",
    "surely_not_sent",
]


class Idempotency(enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 529})
# 409 codes the API documents as transient ("retry").
TRANSIENT_CONFLICTS = frozenset({"concurrent_membership_change", "external_key_changed"})


def is_retryable(error: ApiError, idempotency: Idempotency) -> bool:
    """Whether an error answer may be retried for a request of this kind."""
    if error.status == 429:
        # Rejected before any work (admin-api §14.7, check order): safe even for a create.
        # A spend cap reached is not a rate limit and will not pass by waiting.
        return error.error_code != "enforced_spend_limit_reached"
    if idempotency is Idempotency.UNSAFE:
        return False
    if error.status == 409:
        return error.error_code in TRANSIENT_CONFLICTS
    return error.status in RETRYABLE_STATUSES


def surely_not_sent(exc: httpx.TransportError) -> bool:
    """True when the request never reached the server (nothing can have happened)."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def parse_retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds the server asks us to wait, or None when it does not say.

    ``now`` is the wall-clock time (epoch seconds) for the HTTP-date form.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            return max(float(raw_ms) / 1000.0, 0.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(moment.timestamp() - now, 0.0)


@dataclass
class Backoff:
    """Delays between attempts; ``random`` is injectable for deterministic tests."""

    base: float = 0.5
    cap: float = 8.0
    retry_after_cap: float = 60.0
    random: Callable[[], float] = field(default=random.random)

    def delay(self, retry_index: int, retry_after: float | None = None) -> float:
        """Wait before retry number ``retry_index`` (0-based)."""
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap)
        return min(self.cap, self.base * 2.0**retry_index) * (0.5 + 0.5 * self.random())
