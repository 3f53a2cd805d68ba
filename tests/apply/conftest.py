"""End-to-end apply tests: the real command line against a real emulator process.

Commands run in-process through the one runner (:mod:`tests.support.cli`), pointed at an
emulator subprocess serving over loopback (:mod:`tests.support.emulator`).  Only the
Ctrl-C / SIGTERM tests run the command as a subprocess of its own.

What the organization looks like afterwards is read with the official ``anthropic`` SDK
(:mod:`tests.apply.orgstate`), a client that shares nothing with ours.

Emulators and commands run "fast" (:mod:`tests.support.orgs`) unless a test is about
pacing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.adminapi import AdminClient
from tests.conftest import REPO, SEEDS
from tests.support.cli import Cli, Result
from tests.support.emulator import Emulator, running_emulator
from tests.support.orgs import (
    CONSOLE_KEY,
    CONSOLE_ORG,
    ENTERPRISE_KEY,
    ENTERPRISE_ORG,
    FAST_EMULATOR,
    FAST_RATES,
)

__all__ = [
    "CONSOLE_KEY",
    "CONSOLE_ORG",
    "CONSOLE_POLICY",
    "CONSOLE_SEED",
    "ENTERPRISE_KEY",
    "ENTERPRISE_ORG",
    "ENTERPRISE_POLICY",
    "ENTERPRISE_SEED",
    "FAST",
    "FAST_RATES",
    "Cli",
    "CliFor",
    "Result",
    "library_client",
]

CONSOLE_SEED = SEEDS / "console.yaml"
ENTERPRISE_SEED = SEEDS / "enterprise.yaml"
CONSOLE_POLICY = REPO / "policies"
ENTERPRISE_POLICY = REPO / "examples" / "enterprise"

FAST = FAST_EMULATOR


@pytest.fixture(scope="module")
def console_server() -> Iterator[Emulator]:
    with running_emulator(CONSOLE_SEED, *FAST) as server:
        yield server


@pytest.fixture(scope="module")
def enterprise_server() -> Iterator[Emulator]:
    with running_emulator(ENTERPRISE_SEED, *FAST) as server:
        yield server


@pytest.fixture
def console(console_server: Emulator) -> Emulator:
    """The Console sample organization, freshly reset (state, stats, rate windows)."""
    console_server.control("POST", "reset").raise_for_status()
    return console_server


@pytest.fixture
def enterprise(enterprise_server: Emulator) -> Emulator:
    """The Enterprise sample organization, freshly reset."""
    enterprise_server.control("POST", "reset").raise_for_status()
    return enterprise_server


CliFor = Callable[..., Cli]


@pytest.fixture
def cli_for() -> CliFor:
    """``cli_for(emulator, key)``: a :class:`Cli` for that organization (``rates`` to
    override the fast defaults)."""

    def make(emulator: Emulator, key: str, rates: dict[str, str] | None = None) -> Cli:
        return Cli(emulator.url, key, rates)

    return make


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a scratch directory (plan and report files land here)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


WRITE_METHODS = ("POST", "DELETE")


def writes(stats: dict[str, Any]) -> dict[str, int]:
    """The write routes of an emulator's stats (every attempt, faults included)."""
    return {
        route: n
        for route, n in stats["by_route"].items()
        if route.split(" ", 1)[0] in WRITE_METHODS
    }


def library_client(emulator: Emulator, key: str) -> AdminClient:
    """Our own client, for driving the library directly (close ``client._http`` after)."""
    http = httpx.Client(trust_env=False, timeout=30.0)
    return AdminClient(http, key, base_url=emulator.url, admin_rpm=10000, spend_rpm=6000)
