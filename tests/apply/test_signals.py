"""Ctrl-C and SIGTERM during a long apply: the request in flight finishes, the report is
written, the command exits 130, and the next plan shows exactly what is left.

``claude-policy apply`` runs as a process of its own (signals are delivered to it, not to
the test), paced at 10 spend-limit writes a second so that a 300-write apply is still
running when the signal comes; the signal is sent once the emulator has counted the
first writes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.apply.conftest import FAST, Cli
from tests.apply.generated import KEY, member, write_org
from tests.support.emulator import Emulator, running_emulator

MEMBERS = 300
RATES = {"CLAUDE_POLICY_ADMIN_RPM": "1000", "CLAUDE_POLICY_SPEND_RPM": "600"}
WRITE_ROUTE = "POST /v1/organizations/spend_limits"
WAIT = 60.0


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emulator, Path]]:
    seed, policy = write_org(tmp_path_factory.mktemp("generated"), MEMBERS)
    with running_emulator(seed, *FAST) as emulator:
        yield emulator, policy


@pytest.fixture
def fresh(org: tuple[Emulator, Path]) -> tuple[Emulator, Path]:
    emulator, policy = org
    emulator.control("POST", "reset").raise_for_status()
    return emulator, policy


def start_apply(emulator: Emulator, policy: Path, report: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "ANTHROPIC_BASE_URL": emulator.url,
        "ANTHROPIC_ADMIN_API_KEY": KEY,
        "NO_COLOR": "1",
        **RATES,
    }
    args = ["apply", "--policies", str(policy), "--auto-approve", "--report", str(report)]
    # stdout goes to a file: the plan text can outgrow a pipe's buffer while nobody reads it.
    with (report.parent / "apply.stdout").open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )


def _stdout(process: subprocess.Popen[str]) -> str:
    return (Path(str(process.args[-1])).parent / "apply.stdout").read_text()


def writes_seen(emulator: Emulator) -> int:
    return int(emulator.stats()["by_route"].get(WRITE_ROUTE, 0))


def wait_for_writes(emulator: Emulator, process: subprocess.Popen[str], at_least: int) -> None:
    deadline = time.monotonic() + WAIT
    while writes_seen(emulator) < at_least:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the apply never started writing"
        time.sleep(0.02)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        _, err = process.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"apply did not stop\n{_stdout(process)}\n{err}") from None
    return process.returncode, _stdout(process), err


def left_after(emulator: Emulator, policy: Path) -> list[str]:
    left = Cli(emulator.url, KEY)("plan", policy, "--format", "json", "--detailed-exitcode")
    assert left.code == 2, left
    return [c["address"] for c in json.loads(left.out)["changes"]]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_after_the_request_in_flight(
    fresh: tuple[Emulator, Path], tmp_path: Path, sig: signal.Signals
) -> None:
    emulator, policy = fresh
    report_file = tmp_path / "report.json"
    process = start_apply(emulator, policy, report_file)
    wait_for_writes(emulator, process, 3)

    process.send_signal(sig)
    code, out, err = finish(process)

    assert code == 130, (out, err)
    assert "Stopping after the request in flight" in err
    assert "Apply interrupted" in out
    report: dict[str, Any] = json.loads(report_file.read_text())
    applied = report["applied"]
    assert report["failed"] == [] and report["not_attempted"] == []
    everyone = [f"spend_limit:user:{member(n)}:monthly" for n in range(1, MEMBERS + 1)]
    assert len(applied) >= 3
    assert sorted(applied + report["skipped"]) == sorted(everyone)
    # Every write sent was finished and reported applied; none was sent after the stop.
    assert writes_seen(emulator) == len(applied)
    assert emulator.stats()["by_status"] == {"200": emulator.stats()["requests_total"]}
    assert left_after(emulator, policy) == report["skipped"]

    if sig is signal.SIGTERM:  # and applying again finishes the job
        cli = Cli(emulator.url, KEY)
        resumed = cli("apply", "--policies", policy, "--auto-approve")
        assert resumed.code == 0, resumed
        assert f"{len(report['skipped'])} applied, 0 failed" in resumed.out
        assert cli("plan", policy, "--detailed-exitcode").code == 0


def test_a_second_signal_stops_at_once(tmp_path: Path, start_emulator: Any) -> None:
    """The emulator answers slowly (``--latency-ms``) so that both signals usually land
    while a write is in flight: that write is reported in doubt, never lost.  (If the
    write completes between the two, the first signal's orderly stop is what happens;
    the report must be whole either way, and the exit code 130.)"""
    seed, policy = write_org(tmp_path, MEMBERS)
    emulator = start_emulator(seed, *FAST, "--latency-ms", "300")
    report_file = tmp_path / "report.json"
    process = start_apply(emulator, policy, report_file)
    wait_for_writes(emulator, process, 2)

    process.send_signal(signal.SIGTERM)
    time.sleep(0.05)  # two signals at the same instant may be delivered as one
    process.send_signal(signal.SIGTERM)
    code, out, err = finish(process)

    assert code == 130, (out, err)
    report: dict[str, Any] = json.loads(report_file.read_text())
    failed = [f["address"] for f in report["failed"]]
    assert len(failed) <= 1
    assert all(f["error_type"] == "interrupted" for f in report["failed"])
    assert len(report["applied"]) + len(failed) + len(report["skipped"]) == MEMBERS
    # Every write reported applied reached the emulator; the one in doubt may or may not
    # have (the client hung up on it), and the next plan says which.
    assert len(report["applied"]) <= writes_seen(emulator) <= len(report["applied"]) + len(failed)
    left = left_after(emulator, policy)
    assert set(report["skipped"]) <= set(left) <= set(report["skipped"]) | set(failed)


def test_sigterm_while_planning_exits_130_having_written_nothing(
    tmp_path: Path, start_emulator: Any
) -> None:
    """Before the first write, SIGTERM stops at once, as Ctrl-C does.  The emulator answers
    slowly here (``--latency-ms``), so the signal lands while the plan is still reading."""
    seed, policy = write_org(tmp_path, MEMBERS)
    emulator = start_emulator(seed, *FAST, "--latency-ms", "300")
    process = start_apply(emulator, policy, tmp_path / "report.json")
    deadline = time.monotonic() + WAIT
    while emulator.stats()["requests_total"] == 0:  # the plan's first read is answered
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)

    process.send_signal(signal.SIGTERM)
    code, out, err = finish(process)

    assert code == 130, (out, err)
    assert err.endswith("Interrupted.\n")
    assert writes_seen(emulator) == 0
    assert not (tmp_path / "report.json").exists()
