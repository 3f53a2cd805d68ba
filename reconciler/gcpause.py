"""Pausing Python's cyclic garbage collector while large acyclic structures are built.

Reading, resolving and planning a 50,000-member organization allocates a few million
small containers (parsed JSON, snapshot rows, desired rows, changes, plan documents),
none of which form reference cycles.  The cyclic collector walks everything that
survives again and again as it accumulates: measured on the 50,000-member benchmark
(``benchmarks/bench_plan_scale.py``) that is about 2 s of a 6 s plan.  Reference counting
still frees everything; the collector is restored (if it was on) when the block ends, and
a nested pause leaves it to the outermost one.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many acyclic objects are built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
