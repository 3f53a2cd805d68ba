"""End-to-end apply tests: the real command line against a real emulator process.

Commands run in-process through :func:`reconciler.cli.app.run` — the console script's
own error boundary and exit codes — inside click's ``CliRunner`` isolation (stdin, stdout,
stderr and the environment swapped; no terminal), pointed at an emulator subprocess
serving over loopback (:mod:`tests.support.emulator`).  Only the Ctrl-C / SIGTERM tests
run the command as a subprocess of its own.

What the organization looks like afterwards is read with the official ``anthropic`` SDK
(:mod:`tests.apply.orgstate`), a client that shares nothing with ours.

Emulators run with ``--rate-scale 100`` and the commands with matching rates (env
``CLAUDE_POLICY_ADMIN_RPM`` / ``CLAUDE_POLICY_SPEND_RPM``) unless a test is about pacing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from reconciler.adminapi import AdminClient
from reconciler.cli.app import run
from tests.conftest import REPO, SEEDS
from tests.support.emulator import Emulator, running_emulator

CONSOLE_SEED = SEEDS / "console.yaml"
ENTERPRISE_SEED = SEEDS / "enterprise.yaml"
CONSOLE_KEY = "sk-ant-admin01-demo-console-key"
ENTERPRISE_KEY = "sk-ant-api01-demo-enterprise-key"
CONSOLE_ORG = "8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37"
ENTERPRISE_ORG = "5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10"
CONSOLE_POLICY = REPO / "policies"
ENTERPRISE_POLICY = REPO / "examples" / "enterprise"

FAST = ("--rate-scale", "100")  # the emulator's limits ×100: 10,000 and 6,000 a minute
FAST_RATES = {"CLAUDE_POLICY_ADMIN_RPM": "10000", "CLAUDE_POLICY_SPEND_RPM": "6000"}


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.out}--- stderr ---\n{self.err}"


class Cli:
    """``cli("apply", "plan.json")`` → :class:`Result`, against one emulator with one key."""

    def __init__(self, url: str, key: str, rates: dict[str, str] | None = None) -> None:
        self.url = url
        self.key = key
        self.rates = FAST_RATES if rates is None else rates

    def __call__(self, *args: str | Path, stdin: str = "") -> Result:
        env = {
            "ANTHROPIC_BASE_URL": self.url,
            "ANTHROPIC_ADMIN_API_KEY": self.key,
            "CLAUDE_POLICY_DEBUG": None,
            "NO_COLOR": "1",
            **self.rates,
        }
        runner = CliRunner()
        code = 0
        with runner.isolation(input=stdin, env=env) as (out, err, _):
            try:
                run([str(a) for a in args])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            finally:
                _drop_log_handler()
            result = Result(code, out.getvalue().decode(), err.getvalue().decode())
        assert self.key not in result.out + result.err, "the API key leaked into the output"
        return result


def _drop_log_handler() -> None:
    """The command logs to the isolated stderr, which closes with the isolation: remove
    its handler so nothing later writes to a closed stream."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "claude-policy-stderr"]:
        root.removeHandler(handler)


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
