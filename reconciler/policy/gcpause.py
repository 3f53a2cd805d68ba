"""Pausing Python's cyclic garbage collector while large acyclic structures are built.

Loading and resolving a 50,000-member policy allocates a few hundred thousand small
objects, none of which form reference cycles; the cyclic collector walks them all again
and again as they accumulate, which doubles the time spent.  Reference counting still
frees everything; the collector is restored (if it was on) when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
