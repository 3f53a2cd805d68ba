"""Pacing: an apply of many spend-limit writes provokes no 429, and sends exactly the
requests the plan announced — one write per change, no retries, nothing read twice.

The emulator's limits are scaled (``--rate-scale``) and the command is told the same
scaled rates (``--admin-rpm`` / ``--spend-rpm``), as an operator would configure it for
an organization with those limits.  Nothing here measures time: the emulator's own
sliding windows are the judge, and its counters are the meter.

``test_pacing_at_the_documented_limits`` crosses a whole 60-second window at the
unscaled limits (over a minute of real time), so it is marked ``bench`` and left out of
``make test``: run it with ``pytest -m bench tests/apply``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.apply.conftest import Cli
from tests.apply.generated import KEY, write_org

SPEND_ROUTE = "POST /v1/organizations/spend_limits"


def rates(scale: float) -> dict[str, str]:
    return {
        "CLAUDE_POLICY_ADMIN_RPM": str(100 * scale),
        "CLAUDE_POLICY_SPEND_RPM": str(60 * scale),
    }


def apply_all(emulator: Any, tmp_path: Path, policy: Path, scale: float) -> dict[str, Any]:
    cli = Cli(emulator.url, KEY, rates(scale))
    planned = cli("plan", policy, "--out", tmp_path / "plan.json")
    assert planned.code == 0, planned
    doc: dict[str, Any] = json.loads((tmp_path / "plan.json").read_text())
    emulator.control("POST", "reset").raise_for_status()  # count the apply alone

    applied = cli("apply", tmp_path / "plan.json", "--report", tmp_path / "report.json")

    assert applied.code == 0, applied
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["applied"]) == len(doc["changes"])
    return doc


@pytest.mark.parametrize("members", [150])
def test_many_spend_limit_writes_without_a_429(
    start_emulator: Any, tmp_path: Path, members: int
) -> None:
    scale = 50.0  # 5,000 and 3,000 requests a minute
    seed, policy = write_org(tmp_path, members)
    emulator = start_emulator(seed, "--rate-scale", str(scale))

    doc = apply_all(emulator, tmp_path, policy, scale)

    assert doc["summary"]["create"] == members
    stats = emulator.stats()
    assert stats["by_status"] == {"200": stats["requests_total"]}  # not one 429
    # GET /me (the organization check), the effective report for the touched members in
    # batches of 100 (the fingerprint re-read), then one write per change.
    assert stats["by_route"] == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/spend_limits/effective": -(-members // 100),
        SPEND_ROUTE: members,
    }
    assert doc["estimate"]["writes"] == doc["estimate"]["spend_writes"] == members
    assert stats["requests_total"] == doc["estimate"]["requests"]  # as the plan announced


@pytest.mark.bench
def test_pacing_at_the_documented_limits(start_emulator: Any, tmp_path: Path) -> None:
    """100 and 60 requests a minute, unscaled: 64 writes plus the re-reads are more than
    one 60-second window allows, so a client that did not pace would meet 429s."""
    members = 64
    seed, policy = write_org(tmp_path, members)
    emulator = start_emulator(seed)

    apply_all(emulator, tmp_path, policy, 1.0)

    stats = emulator.stats()
    assert stats["by_route"][SPEND_ROUTE] == members
    assert stats["by_status"] == {"200": stats["requests_total"]}
    assert stats["requests_total"] > 60
