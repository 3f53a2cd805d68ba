"""The arithmetic of a rate-limit budget shared with other clients (SPEC §4, §9).

A bucket allows ``L`` requests a minute; with ``--max-api-share P`` the tool always
leaves ``reserve_for(L, P)`` of them free for other clients, so a fresh minute lets it
send ``usable_for(L, P)`` at once (the ``B`` of SPEC §9), and then ``L`` a minute as the
limiter frees them.  Shared by the pacer (``reconciler.adminapi.pacing``) and the plan's
estimate, so the two never disagree; no I/O, no dependencies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["DEFAULT_SHARE", "apply_seconds", "reserve_for", "usable_for"]

DEFAULT_SHARE = 0.8
MINUTE = 60.0


def reserve_for(limit: float, share: float) -> int:
    """Requests of a bucket of ``limit`` a minute always left free at ``share``:
    ``⌈(1 − P) × L⌉``, but never the whole bucket (one request is always ours)."""
    whole = max(math.floor(limit), 1)
    return min(math.ceil((1.0 - share) * whole - 1e-9), whole - 1)


def usable_for(limit: float, share: float) -> int:
    """Requests of a fresh minute the tool may send at once: ``L − reserve``."""
    return max(math.floor(limit), 1) - reserve_for(limit, share)


def apply_seconds(
    requests: Mapping[str, int], limits: Mapping[str, float], share: float = DEFAULT_SHARE
) -> float:
    """Seconds of pacing ``requests`` (per bucket name) need from a fresh minute.

    Each bucket sends its usable share at once, then its limit a minute: ``(n − B) ÷ L``
    minutes; the slowest bucket decides.  Spend-limit requests count in both buckets, so
    the caller counts them in both.
    """
    seconds = 0.0
    for name, count in requests.items():
        limit = max(limits[name], 1.0)
        seconds = max(seconds, max(count - usable_for(limit, share), 0) * MINUTE / limit)
    return seconds
