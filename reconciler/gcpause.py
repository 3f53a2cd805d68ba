"""Pausing Python's cyclic garbage collector while large acyclic structures are built.

Reading, resolving and planning a 50,000-member organization allocates a few million
small containers (parsed JSON, snapshot rows, desired rows, changes, plan documents),
none of which form reference cycles.  The cyclic collector walks everything that
survives again and again as it accumulates: measured on the 50,000-member benchmark
(``benchmarks/bench_plan_scale.py``) that is about 2 s of a 6 s plan.  Reference counting
still frees everything; the collector is restored (if it was on) when the block ends, and
a nested pause leaves it to the outermost one.

A pause that built many objects (more than :data:`FREEZE_AFTER` containers) also
*freezes* what is alive as it ends (``gc.freeze``, unless ``freeze=False``): otherwise
the collector's first run after the pause walks every one of them once — 0.16 s after
planning and documenting 50,000 changes.  Frozen objects are still freed by reference
counting as soon as nothing refers to them; only reference cycles alive at that moment
(the HTTP client leaves a few per request) are never collected, which is why the read
does not freeze (measured: +18 MB at the plan's peak when it did).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["FREEZE_AFTER", "paused"]

FREEZE_AFTER = 50_000


@contextmanager
def paused(*, freeze: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector while many acyclic objects are built (and, with
    ``freeze``, freeze a large haul as the pause ends: see the module docstring)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze and gc.get_count()[0] > FREEZE_AFTER:
            gc.freeze()
        if enabled:
            gc.enable()
