"""Apply, then plan again: no changes — and the SDK agrees with the policy's intent.

The Console sample policy (``policies/``) against the Console seed, and an Enterprise
policy with every kind of user override change (create, update, unlimited, inherit →
delete, rule-made caps) against the Enterprise seed.  After the apply, the organization is
read with the official SDK and compared, address by address, with what the policy means:
every planned address holds its planned value and every other object is untouched.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.apply.conftest import (
    CONSOLE_KEY,
    CONSOLE_POLICY,
    ENTERPRISE_KEY,
    ENTERPRISE_POLICY,
    CliFor,
    writes,
)
from tests.apply.orgstate import read_state, sdk
from tests.support.emulator import Emulator

US_ONLY = {"allowed_inference_geos": ["us"], "default_inference_geo": "us"}


def test_console_sample_policy_converges(console: Emulator, cli_for: CliFor, cwd: Path) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    before = read_state(console, CONSOLE_KEY)

    planned = cli("plan", CONSOLE_POLICY, "--out", "plan.json", "--detailed-exitcode")
    assert planned.code == 2, planned
    doc = json.loads(Path("plan.json").read_text())
    addresses = [c["address"] for c in doc["changes"]]
    assert addresses == [
        "workspace:claims-processing",
        "workspace:fraud-detection",
        "workspace:marketing-copy",
        "spend_limit:workspace:claims-processing:monthly",
        "spend_limit:workspace:fraud-detection:monthly",
    ]

    applied = cli("apply", "plan.json", "--report", "report.json")
    assert applied.code == 0, applied
    assert "Apply complete. 5 applied, 0 failed, 0 skipped" in applied.out
    assert json.loads(Path("report.json").read_text()) == {
        "applied": addresses,
        "failed": [],
        "skipped": [],
        "not_attempted": [],
    }
    # One write per change, nothing else written.
    assert writes(console.stats()) == {
        "POST /v1/organizations/workspaces": 1,
        "POST /v1/organizations/workspaces/{workspace_id}": 2,
        "POST /v1/organizations/spend_limits": 2,
    }

    again = cli("plan", CONSOLE_POLICY, "--detailed-exitcode")
    assert again.code == 0, again
    assert "No changes." in again.out

    after = read_state(console, CONSOLE_KEY)
    assert after.duplicates() == {}
    intent = {
        "workspace:claims-processing": {
            "data_residency": {**US_ONLY, "workspace_geo": "us"},
            "tags": {"team": "claims", "regulated": "true"},
        },
        "workspace:fraud-detection": {
            "data_residency": {**US_ONLY, "workspace_geo": "us"},
            "tags": {"team": "fraud", "regulated": "true", "cost-center": "4410"},
        },
        "workspace:marketing-copy": {
            "data_residency": {
                "allowed_inference_geos": ["global", "us"],
                "default_inference_geo": "global",
                "workspace_geo": "us",
            },
            "tags": {"team": "marketing", "cost-center": "4420"},
        },
        "spend_limit:workspace:claims-processing:monthly": "300000",
        "spend_limit:workspace:fraud-detection:monthly": "150000",
    }
    got = after.without_ids()
    assert {a: got.get(a) for a in intent} == intent
    # Everything the plan did not list is exactly as it was (same ids too).
    untouched = {a: v for a, v in before.objects.items() if a not in intent}
    assert {a: after.objects.get(a) for a in untouched} == untouched
    assert set(after.objects) == set(before.objects) | set(intent)
    assert after.archived == before.archived == ["retired-pilot"]


ENTERPRISE_USERS = """\
version: 1
spend_limits:
  users:
    alice@globex.example: {monthly: 600}          # unlimited -> $600.00 (update)
    bob@globex.example: {monthly: unlimited}      # $750.00 -> unlimited (update to null)
    carol@globex.example: {daily: inherit}        # her daily row is deleted
    DAN@globex.example: {monthly: 2000, daily: 150}   # two creates (email case-insensitive)
    erin@globex.example: {weekly: unlimited}      # a create with a null amount
    grace@globex.example: {weekly: 1000}          # a create
    ivan@contractors.globex.example: {monthly: inherit}   # an explicit entry beats the rule
    oscar@globex.example: {monthly: inherit}      # no row: nothing to do
"""


def test_enterprise_user_overrides_converge(
    enterprise: Emulator, cli_for: CliFor, tmp_path: Path
) -> None:
    policy = tmp_path / "policy"
    shutil.copytree(ENTERPRISE_POLICY, policy, ignore=shutil.ignore_patterns("users.yaml", "*.md"))
    (policy / "users.yaml").write_text(ENTERPRISE_USERS)
    cli = cli_for(enterprise, ENTERPRISE_KEY)
    before = read_state(enterprise, ENTERPRISE_KEY)

    first = cli("apply", "--policies", policy, "--auto-approve", "--report", tmp_path / "r.json")
    assert first.code == 0, first
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["failed"] == report["skipped"] == report["not_attempted"] == []

    again = cli("plan", policy, "--detailed-exitcode")
    assert again.code == 0, again

    user = "spend_limit:user:"
    intent: dict[str, Any] = {
        f"{user}alice@globex.example:monthly": "60000",
        f"{user}bob@globex.example:monthly": None,
        f"{user}dan@globex.example:monthly": "200000",
        f"{user}dan@globex.example:daily": "15000",
        f"{user}erin@globex.example:weekly": None,
        f"{user}grace@globex.example:weekly": "100000",
        # rules: contractors $250 a month and $25 a day, platform $1,000 (bob is explicit)
        f"{user}judy@contractors.globex.example:monthly": "25000",
        f"{user}judy@contractors.globex.example:daily": "2500",
        f"{user}mallory@contractors.globex.example:monthly": "25000",
        f"{user}mallory@contractors.globex.example:daily": "2500",
        f"{user}ivan@contractors.globex.example:daily": "2500",
        f"{user}frank@globex.example:monthly": "100000",
    }
    deleted = [
        f"{user}carol@globex.example:daily",
        f"{user}ivan@contractors.globex.example:monthly",
    ]
    assert sorted(report["applied"]) == sorted([*intent, *deleted])

    after = read_state(enterprise, ENTERPRISE_KEY)
    assert {a: after.objects.get(a, "absent") for a in intent} == intent
    assert all(a in before.objects and a not in after.objects for a in deleted)
    untouched = {a: v for a, v in before.objects.items() if a not in intent and a not in deleted}
    assert {a: after.objects.get(a, "absent") for a in untouched} == untouched
    assert set(after.objects) == (set(before.objects) | set(intent)) - set(deleted)

    # What the members' caps now resolve to, as the API reports it.
    with sdk(enterprise, ENTERPRISE_KEY) as client:
        emails = {u.id: u.email for u in client.organization.users.list(limit=1000)}
        effective = {
            (emails[row.actor.user_id], row.period): (row.source.type, row.amount)
            for row in client.organization.spend_limits.effective.list(limit=1000)
        }
    assert effective[("bob@globex.example", "monthly")] == ("user", None)
    assert effective[("ivan@contractors.globex.example", "monthly")] == ("seat_tier", "10000")
    assert ("carol@globex.example", "daily") not in effective


def test_a_saved_plan_is_applied_exactly_as_reviewed(
    console: Emulator, cli_for: CliFor, cwd: Path, tmp_path: Path
) -> None:
    """A targeted plan writes only its targets (and the create they depend on), and the
    plan's values, not the policy's: the policy edited after the review changes nothing."""
    policy = tmp_path / "policy"
    shutil.copytree(CONSOLE_POLICY, policy)
    cli = cli_for(console, CONSOLE_KEY)
    target = "spend_limit:workspace:fraud-detection:monthly"
    planned = cli("plan", policy, "--out", "plan.json", "--target", target)
    assert planned.code == 0, planned
    doc = json.loads(Path("plan.json").read_text())
    assert [c["address"] for c in doc["changes"]] == ["workspace:fraud-detection", target]
    assert doc["targets"] == [target]
    workspaces = policy / "workspaces.yaml"
    workspaces.write_text(workspaces.read_text().replace("monthly: 1500", "monthly: 1700"))

    applied = cli("apply", "plan.json", "--report", "report.json")

    assert applied.code == 0, applied
    assert json.loads(Path("report.json").read_text())["applied"] == [
        "workspace:fraud-detection",
        target,
    ]
    assert writes(console.stats()) == {
        "POST /v1/organizations/workspaces": 1,
        "POST /v1/organizations/spend_limits": 1,
    }
    assert read_state(console, CONSOLE_KEY).objects[target] == "150000"  # as reviewed
    left = cli("plan", policy, "--format", "json")
    assert [c["address"] for c in json.loads(left.out)["changes"]] == [
        "workspace:claims-processing",
        "workspace:marketing-copy",
        "spend_limit:workspace:claims-processing:monthly",
        target,  # the policy's new $1,700.00, never reviewed, is still to do
    ]
