"""Fixtures shared by every test suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.emulator import Emulator, running_emulator

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "examples" / "seeds"


@pytest.fixture
def start_emulator() -> Iterator[Callable[..., Emulator]]:
    """``start_emulator(seed, *args, state=None)`` runs the real emulator process (see
    :func:`tests.support.emulator.running_emulator`); all are stopped when the test ends."""
    with ExitStack() as stack:

        def start(seed: str | Path | None, *args: str, state: str | Path | None = None) -> Emulator:
            return stack.enter_context(running_emulator(seed, *args, state=state))

        yield start
