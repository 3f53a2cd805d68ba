"""A partial apply: a failed change does not stop independent ones, its dependants are
skipped, the closing report says exactly that, and the next plan shows what is left.

The failure is a real API refusal: the organization already has 100 active workspaces
(the 101st is refused with a 400), which the planner cannot know, so the workspace create
fails and the limit on that workspace is skipped, while the other changes go through.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from tests.apply.conftest import (
    CONSOLE_KEY,
    CONSOLE_POLICY,
    CONSOLE_SEED,
    ENTERPRISE_KEY,
    ENTERPRISE_POLICY,
    FAST,
    CliFor,
    writes,
)
from tests.apply.orgstate import read_state, sdk
from tests.support.emulator import Emulator

# The sample org's 5 active workspaces + 95 generated ones: at the cap of 100.
FULL_SEED = CONSOLE_SEED.read_text() + "\ngenerate: {workspaces: 95}\n"

POLICY = """\
version: 1
workspaces:
  beta-intake:                              # the 101st active workspace: refused
    tags: {team: intake}
    spend_limits: {monthly: 400}
  claims-processing:
    tags: {team: claims-ops}
  research-sandbox:
    spend_limits: {monthly: 800}
"""


def full_org(start_emulator: Any, tmp_path: Path) -> Emulator:
    seed = tmp_path / "full.yaml"
    seed.write_text(FULL_SEED)
    emulator: Emulator = start_emulator(seed, *FAST)
    return emulator


def policy_dir(tmp_path: Path) -> Path:
    policy = tmp_path / "policy"
    shutil.copytree(CONSOLE_POLICY, policy, ignore=shutil.ignore_patterns("workspaces.yaml"))
    (policy / "workspaces.yaml").write_text(POLICY)
    return policy


def test_a_failed_create_skips_its_dependants_only(
    start_emulator: Any, cli_for: CliFor, tmp_path: Path
) -> None:
    emulator = full_org(start_emulator, tmp_path)
    policy = policy_dir(tmp_path)
    cli = cli_for(emulator, CONSOLE_KEY)
    assert cli("plan", policy, "--out", tmp_path / "plan.json").code == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert [c["address"] for c in plan["changes"]] == [
        "workspace:beta-intake",
        "workspace:claims-processing",
        "spend_limit:workspace:beta-intake:monthly",
        "spend_limit:workspace:research-sandbox:monthly",
    ]

    result = cli("apply", tmp_path / "plan.json", "--report", tmp_path / "report.json")

    assert result.code == 1, result
    report = json.loads((tmp_path / "report.json").read_text())
    failure = report["failed"].pop()
    request_id = failure.pop("request_id")
    assert re.fullmatch(r"req_[0-9A-Za-z]{24}", request_id)
    assert report == {
        "applied": [
            "workspace:claims-processing",
            "spend_limit:workspace:research-sandbox:monthly",
        ],
        "failed": [],
        "skipped": ["spend_limit:workspace:beta-intake:monthly"],
        "not_attempted": [],
    }
    assert failure == {
        "address": "workspace:beta-intake",
        "status": 400,
        "error_type": "invalid_request_error",
        "message": "The organization already has 100 active workspaces; archive one first.",
    }
    assert (
        "  FAILED    workspace:beta-intake: 400 invalid_request_error: The organization already "
        f"has 100 active workspaces; archive one first. (request-id {request_id})\n"
    ) in result.out
    assert "Apply finished with failures. 2 applied, 1 failed, 1 skipped" in result.out
    assert (
        "spend_limit:workspace:beta-intake:monthly skipped: workspace:beta-intake was not applied"
        in result.out
    )
    for written in ("plan.json", "report.json"):
        assert CONSOLE_KEY not in (tmp_path / written).read_text()
    # Exactly one attempt at the create (a 400 is not retried), nothing for the skipped limit.
    assert writes(emulator.stats()) == {
        "POST /v1/organizations/workspaces": 1,
        "POST /v1/organizations/workspaces/{workspace_id}": 1,
        "POST /v1/organizations/spend_limits": 1,
    }

    # The next plan shows exactly what is left: the failed change and the skipped one.
    left = cli("plan", policy, "--format", "json", "--detailed-exitcode")
    assert left.code == 2, left
    assert [c["address"] for c in json.loads(left.out)["changes"]] == [
        "workspace:beta-intake",
        "spend_limit:workspace:beta-intake:monthly",
    ]

    # Make room (archive a workspace in the Console); the rest then goes through.
    with sdk(emulator, CONSOLE_KEY) as client:
        spare = next(
            w for w in client.organization.workspaces.list(limit=1000) if w.name == "ws-095"
        )
        client.organization.workspaces.archive(spare.id)
    done = cli("apply", "--policies", policy, "--auto-approve")
    assert done.code == 0, done
    assert "2 applied, 0 failed, 0 skipped" in done.out
    assert cli("plan", policy, "--detailed-exitcode").code == 0
    state = read_state(emulator, CONSOLE_KEY)
    assert state.duplicates() == {}
    assert state.objects["spend_limit:workspace:beta-intake:monthly"] == "40000"


def test_manual_changes_are_reported_not_attempted(
    enterprise: Emulator, cli_for: CliFor, tmp_path: Path
) -> None:
    """A verify-only setting that differs is listed as not attempted; the rest is applied."""
    enterprise.control(
        "POST",
        "spend_limits",
        json={"scope": {"type": "rbac_group", "name": "research"}, "amount": "120000"},
    ).raise_for_status()
    cli = cli_for(enterprise, ENTERPRISE_KEY)

    result = cli(
        "apply", "--policies", ENTERPRISE_POLICY, "--auto-approve", "--report", tmp_path / "r.json"
    )

    assert result.code == 0, result
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["not_attempted"] == ["spend_limit:group:research:monthly"]
    assert report["failed"] == report["skipped"] == []
    assert len(report["applied"]) == 12
    assert (
        "  manual    spend_limit:group:research:monthly (not attempted: change it by hand)"
        in result.out
    )
    # Only the manual difference is left, and it is not something to apply.
    assert cli("plan", ENTERPRISE_POLICY, "--detailed-exitcode").code == 0
