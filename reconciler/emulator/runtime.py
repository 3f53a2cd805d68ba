"""Everything a running emulator holds: the organization, its source, the clock, the
rate limiter, the fault injector, the stats and the optional state file."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Protocol

from reconciler.emulator.clock import Clock, SystemClock
from reconciler.emulator.faults import FaultInjector
from reconciler.emulator.ratelimit import RateLimiter
from reconciler.emulator.state import StateFile
from reconciler.emulator.stats import Stats
from reconciler.emulator.store import Store


class Source(Protocol):
    """Where an organization comes from: a seed, or a state file as first read.

    ``now`` (Unix seconds) is the emulator clock's time: relative usage dates count from it.
    """

    def build(self, now: float | None = None) -> Store: ...


@dataclass(frozen=True)
class Options:
    """The emulator's switches (the ``emulator`` command's options)."""

    control: bool = False
    # Usage newer than now minus this many seconds is not in the reports yet (decision 3).
    usage_delay: float = 300.0
    rate_scale: float = 1.0
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_after_write_rate: float = 0.0
    fault_seed: int = 0


class Runtime:
    def __init__(
        self,
        source: Source,
        options: Options,
        clock: Clock | None = None,
        state: StateFile | None = None,
    ) -> None:
        self.source = source
        self.options = options
        self.clock: Clock = clock or SystemClock()
        self.state = state
        self.store = source.build(self.clock.wall())
        self.limiter = RateLimiter(options.rate_scale)
        self.faults = FaultInjector(
            options.fault_rate, options.fault_after_write_rate, options.fault_seed
        )
        self.stats = Stats()
        # Set by the serving process: the organization's objects are frozen out of the
        # cyclic collector after each (re)build (``server.freeze_heap``).
        self.freeze_heap = False
        if state is not None and not state.exists():
            state.save(self.store)

    def persist(self) -> None:
        """Write the state file, if there is one (after every mutation)."""
        if self.state is not None:
            self.state.save(self.store)

    def reset(self) -> None:
        """Back to the source; stats, rate windows and the fault sequence start over."""
        self.store = self.source.build(self.clock.wall())
        self.limiter.reset()
        self.faults.reset()
        self.stats.reset()
        self.persist()
        if self.freeze_heap:
            gc.collect()
            gc.freeze()
