"""Emulator processes shared by a module's end-to-end tests (reset before each test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reconciler.adminapi import AdminClient
from tests.conftest import SEEDS
from tests.support.emulator import Emulator, running_emulator
from tests.support.orgs import FAST_EMULATOR

FAST = FAST_EMULATOR


@pytest.fixture(scope="module")
def console_emulator() -> Iterator[Emulator]:
    with running_emulator(SEEDS / "console.yaml", *FAST) as emu:
        yield emu


@pytest.fixture(scope="module")
def enterprise_emulator() -> Iterator[Emulator]:
    with running_emulator(SEEDS / "enterprise.yaml", *FAST) as emu:
        yield emu


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, trust_env=False) as client:
        yield client


@pytest.fixture
def connect(http: httpx.Client) -> Callable[..., AdminClient]:
    """``connect(emu, key, **kwargs)``: a client of a freshly reset emulator."""

    def make(emu: Emulator, key: str, **kwargs: Any) -> AdminClient:
        emu.control("POST", "reset").raise_for_status()
        kwargs.setdefault("admin_rpm", 6000)
        kwargs.setdefault("spend_rpm", 3600)
        return AdminClient(http, key, base_url=emu.url, **kwargs)

    return make


def emulator_routes(stats: dict[str, Any]) -> dict[str, int]:
    """The emulator's ``by_route`` in the client's notation (below /v1/organizations)."""
    out: dict[str, int] = {}
    for route, count in stats["by_route"].items():
        method, path = route.split(" ", 1)
        out[f"{method} {path.removeprefix('/v1/organizations')}"] = count
    return out
