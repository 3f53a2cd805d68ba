"""The Admin API emulator: a real HTTP server that behaves like the Anthropic Admin API.

It is the API, built from ``admin-api.md``, not a mirror of our client: nothing here
imports from the rest of ``reconciler`` (a misunderstanding shared by both sides would
hide itself).

Modules, by what they hold:

* ``seed``, ``documents``, ``seed_build``, ``generate`` — seed files → organization state
* ``store``, ``model`` — the organization's state and its indexes
* ``routes/`` — one module per endpoint family; ``routing`` — the route table's terms
* ``pipeline`` — the order of checks for every ``/v1`` request; ``inputs`` — query/body
* ``pagination``, ``effective``, ``workspace_rules``, ``render``, ``errors`` — API rules
* ``usage`` (usage rows → dated events), ``catalog`` (models, geo support, list prices),
  ``costs`` (what usage costs), ``buckets`` (report time buckets and cursors),
  ``aggregate`` (grouping into report results) — the usage and cost reports
* ``ratelimit``, ``faults``, ``stats``, ``clock``, ``ids`` — the machinery around them
* ``control`` — ``/_emulator/*``; ``state`` — ``--state FILE``, checked by ``statecheck``
  against ``schemas/state.schema.json`` (with ``schemacheck``, a fast JSON Schema subset)
* ``wellformed`` — what every document from outside must be (request bodies, seeds,
  state files): no lone surrogates, finite numbers, bounded nesting
* ``app`` — the ASGI app; ``server`` — uvicorn on loopback
"""

from __future__ import annotations

from reconciler.emulator.app import ConnectionDropped, EmulatorApp
from reconciler.emulator.clock import Clock, FakeClock, SystemClock
from reconciler.emulator.runtime import Options
from reconciler.emulator.seed import Seed, load_seed, parse_seed, seed_from_text
from reconciler.emulator.seed_build import SeedError
from reconciler.emulator.state import LoadedState, StateError, StateFile

__all__ = [
    "Clock",
    "ConnectionDropped",
    "EmulatorApp",
    "FakeClock",
    "LoadedState",
    "Options",
    "Seed",
    "SeedError",
    "StateError",
    "StateFile",
    "SystemClock",
    "load_seed",
    "parse_seed",
    "seed_from_text",
]
