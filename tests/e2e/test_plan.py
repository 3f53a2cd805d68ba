"""``plan`` end to end: the real CLI against the emulator process over a socket.

Each scenario checks the actions and addresses, the summary counts and the number of
requests the emulator saw against the minimum needed (SPEC §9).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS
from tests.support.cli import CONSOLE_KEY, ENTERPRISE_KEY, Result, invoke
from tests.support.emulator import Emulator
from tests.support.orgs import CONSOLE_ORG, ENTERPRISE_ORG, FAST_EMULATOR

SCALE = FAST_EMULATOR


def policy(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    root = tmp_path / "policy"
    root.mkdir(exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    return root


def plan_json(emu: Emulator, key: str, *args: str) -> tuple[Result, dict[str, object]]:
    result = invoke(["plan", *args, "--format", "json"], url=emu.url, key=key)
    assert result.out, result.err
    return result, json.loads(result.out)


def actions(doc: dict[str, object]) -> dict[str, str]:
    return {c["address"]: c["action"] for c in doc["changes"]}  # type: ignore[attr-defined]


def reads(emu: Emulator) -> dict[str, int]:
    return dict(emu.stats()["by_route"])


CONSOLE_HEAD = f"""version: 1
organization: {{id: {CONSOLE_ORG}, kind: console, currency: USD}}
"""
ENTERPRISE_HEAD = f"""version: 1
organization: {{id: {ENTERPRISE_ORG}, kind: enterprise, currency: USD}}
"""


@pytest.fixture
def console(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator(SEEDS / "console.yaml", *SCALE)


@pytest.fixture
def enterprise(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator(SEEDS / "enterprise.yaml", *SCALE)


def test_console_sample_policy(console: Emulator) -> None:
    result, doc = plan_json(console, CONSOLE_KEY, str(REPO / "policies"), "--detailed-exitcode")
    assert result.code == 2, result.err
    assert actions(doc) == {
        "workspace:claims-processing": "update",
        "workspace:fraud-detection": "create",
        "workspace:marketing-copy": "update",
        "spend_limit:workspace:claims-processing:monthly": "update",
        "spend_limit:workspace:fraud-detection:monthly": "create",
    }
    assert doc["summary"] == {
        "create": 2,
        "update": 3,
        "delete": 0,
        "archive": 0,
        "manual": 0,
        "blocked": 0,
        "unchanged": 4,
    }
    assert doc["organization"] == {
        "id": CONSOLE_ORG,
        "name": "Acme Health",
        "kind": "console",
        "currency": "USD",
        "usage_tier_limit": "20000000",
    }
    # Console minimum: /me, one workspace listing, one limits listing; and, because the
    # plan moves claims-processing and marketing-copy to US-only inference, one cost
    # report query for their residency cost (SPEC §9).
    assert reads(console) == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/workspaces": 1,
        "GET /v1/organizations/spend_limits": 1,
        "GET /v1/organizations/cost_report": 1,
    }


def test_rules_govern_workspaces_no_file_names(console: Emulator, tmp_path: Path) -> None:
    root = policy(
        tmp_path,
        CONSOLE_HEAD
        + """workspace_rules:
  - match: {name: "legacy-*"}
    data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
    tags: {lifecycle: sunset}
""",
    )
    result, doc = plan_json(console, CONSOLE_KEY, str(root))
    assert result.code == 0, result.err
    assert actions(doc) == {"workspace:legacy-prototype": "update"}
    (change,) = doc["changes"]  # type: ignore[misc]
    assert [(f["path"], f["before"], f["after"]) for f in change["fields"]] == [
        ("data_residency.allowed_inference_geos", "unrestricted", ["us"]),
        ("data_residency.default_inference_geo", "global", "us"),
        ("tags.lifecycle", None, "sunset"),
    ]
    assert all("(workspace_rules[0])" in f["source"] for f in change["fields"])


def test_a_rule_leaving_the_live_default_outside_allowed_is_a_located_error(
    console: Emulator, tmp_path: Path
) -> None:
    root = policy(
        tmp_path,
        CONSOLE_HEAD
        + """workspace_rules:
  - match: {name: "research-*"}
    data_residency: {allowed_inference_geos: [us]}
""",
    )
    result = invoke(["plan", str(root)], url=console.url, key=CONSOLE_KEY)
    assert result.code == 1
    assert "policy.yaml:5:" in result.err
    assert "default_inference_geo: us" in result.err
    assert "Traceback" not in result.err


def test_workspace_geo_change_is_blocked(console: Emulator, tmp_path: Path) -> None:
    root = policy(
        tmp_path,
        CONSOLE_HEAD
        + """workspaces:
  claims-processing:
    data_residency: {workspace_geo: global}
    tags: {team: claims-2}
""",
    )
    result, doc = plan_json(console, CONSOLE_KEY, str(root), "--detailed-exitcode")
    assert result.code == 1
    assert actions(doc) == {"workspace:claims-processing": "blocked"}
    (change,) = doc["changes"]  # type: ignore[misc]
    assert (
        change["reason"] == "data_residency.workspace_geo is set at creation and can never change"
    )
    assert doc["summary"]["blocked"] == 1


def test_blocked_plan_prints_writes_files_and_exits_1(console: Emulator, tmp_path: Path) -> None:
    root = policy(
        tmp_path,
        CONSOLE_HEAD
        + """workspaces:
  claims-processing:
    spend_limits: {monthly: 60000}
""",
    )
    out = tmp_path / "plan.json"
    md = tmp_path / "plan.md"
    result = invoke(
        ["plan", str(root), "--out", str(out), "--markdown-out", str(md)],
        url=console.url,
        key=CONSOLE_KEY,
    )
    assert result.code == 1
    assert "x spend_limit:workspace:claims-processing:monthly" in result.out
    assert "above the organization's monthly limit ($50,000.00)" in result.out
    assert json.loads(out.read_text())["summary"]["blocked"] == 1
    assert "blocked change(s): apply will refuse this plan" in md.read_text()


def test_archive_inherit_and_authoritative_modes(console: Emulator, tmp_path: Path) -> None:
    root = policy(
        tmp_path,
        CONSOLE_HEAD
        + """management: {workspaces: authoritative, workspace_tags: authoritative}
workspaces:
  legacy-prototype: {archived: true}
  research-sandbox:
    spend_limits: {monthly: inherit}
  marketing-copy:
    tags: {team: marketing}
""",
    )
    result, doc = plan_json(console, CONSOLE_KEY, str(root))
    assert result.code == 0, result.err
    assert actions(doc) == {
        "workspace:legacy-prototype": "archive",
        "workspace:marketing-copy": "update",
        "workspace:research-sandbox": "update",
        "spend_limit:workspace:research-sandbox:monthly": "delete",
    }
    by = {c["address"]: c for c in doc["changes"]}  # type: ignore[attr-defined]
    assert [
        (f["path"], f["before"], f["after"]) for f in by["workspace:marketing-copy"]["fields"]
    ] == [("tags.cost-center", "4410", None)]
    assert doc["unmanaged"] == ["workspace:claims-processing", "workspace:patient-portal"]
    # Deletes come last, after the archive.
    assert [c["action"] for c in doc["changes"]][-2:] == ["archive", "delete"]  # type: ignore[index]


def test_enterprise_sample_policy(enterprise: Emulator) -> None:
    result, doc = plan_json(enterprise, ENTERPRISE_KEY, str(REPO / "examples" / "enterprise"))
    assert result.code == 0, result.err
    assert actions(doc) == {
        "spend_limit:user:bob@globex.example:monthly": "update",
        "spend_limit:user:dan@globex.example:daily": "create",
        "spend_limit:user:dan@globex.example:monthly": "create",
        "spend_limit:user:frank@globex.example:monthly": "create",
        "spend_limit:user:grace@globex.example:weekly": "create",
        "spend_limit:user:ivan@contractors.globex.example:daily": "create",
        "spend_limit:user:ivan@contractors.globex.example:monthly": "update",
        "spend_limit:user:judy@contractors.globex.example:daily": "create",
        "spend_limit:user:judy@contractors.globex.example:monthly": "create",
        "spend_limit:user:mallory@contractors.globex.example:daily": "create",
        "spend_limit:user:mallory@contractors.globex.example:monthly": "create",
        "spend_limit:user:carol@globex.example:daily": "delete",
    }
    # /me, the non-user limits, one effective-report pass (members, overrides, spend),
    # the groups and the members of the one group a rule matches on.
    assert reads(enterprise) == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/spend_limits": 1,
        "GET /v1/organizations/spend_limits/effective": 1,
        "GET /v1/organizations/rbac_groups": 1,
        "GET /v1/organizations/rbac_groups/{rbac_group_id}/members": 1,
    }


def test_verify_only_scopes_are_manual_and_exit_0(enterprise: Emulator, tmp_path: Path) -> None:
    root = policy(
        tmp_path,
        ENTERPRISE_HEAD
        + """spend_limits:
  organization: {monthly: 60000}
  seat_tiers:
    enterprise_standard: {monthly: 120}
  groups:
    research: {monthly: 1500}
""",
    )
    result, doc = plan_json(enterprise, ENTERPRISE_KEY, str(root), "--detailed-exitcode")
    assert result.code == 0, result.err  # only manual differences: nothing to apply
    assert actions(doc) == {
        "spend_limit:organization:monthly": "manual",
        "spend_limit:seat_tier:enterprise_standard:monthly": "manual",
    }
    assert all("claude.ai" in c["reason"] for c in doc["changes"])  # type: ignore[attr-defined]
    assert doc["summary"]["unchanged"] == 1


def test_authoritative_users_delete_undeclared_overrides(
    enterprise: Emulator, tmp_path: Path
) -> None:
    root = policy(
        tmp_path,
        ENTERPRISE_HEAD
        + """management: {users: authoritative}
spend_limits:
  users:
    bob@globex.example: {monthly: 750}
""",
    )
    result, doc = plan_json(enterprise, ENTERPRISE_KEY, str(root))
    assert result.code == 0, result.err
    assert actions(doc) == {
        "spend_limit:user:alice@globex.example:monthly": "delete",
        "spend_limit:user:carol@globex.example:daily": "delete",
        "spend_limit:user:ivan@contractors.globex.example:monthly": "delete",
    }
    assert doc["summary"]["unchanged"] == 1


def test_few_declared_users_are_looked_up_not_listed(enterprise: Emulator, tmp_path: Path) -> None:
    root = policy(
        tmp_path,
        ENTERPRISE_HEAD + "spend_limits:\n  users:\n    erin@globex.example: {monthly: 300}\n",
    )
    result, doc = plan_json(enterprise, ENTERPRISE_KEY, str(root))
    assert result.code == 0, result.err
    assert actions(doc) == {"spend_limit:user:erin@globex.example:monthly": "create"}
    assert reads(enterprise) == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/spend_limits": 1,
        "GET /v1/organizations/users": 1,
        "GET /v1/organizations/spend_limits/effective": 1,
    }


def test_unknown_email_is_located_or_warned(enterprise: Emulator, tmp_path: Path) -> None:
    root = policy(
        tmp_path,
        ENTERPRISE_HEAD
        + "spend_limits:\n  users:\n    bob@globex.example: {monthly: 750}\n"
        + "    nobody@globex.example: {monthly: 10}\n",
    )
    result = invoke(["plan", str(root)], url=enterprise.url, key=ENTERPRISE_KEY)
    assert result.code == 1
    assert "policy.yaml:6:5:" in result.err and "nobody@globex.example" in result.err
    result, doc = plan_json(enterprise, ENTERPRISE_KEY, str(root), "--skip-unknown-users")
    assert result.code == 0, result.err
    assert any("nobody@globex.example" in w for w in doc["warnings"])  # type: ignore[attr-defined]


def test_refuses_another_organization_and_kind(console: Emulator, tmp_path: Path) -> None:
    other = policy(
        tmp_path,
        "version: 1\norganization: {id: 00000000-0000-4000-8000-000000000000, kind: console}\n",
    )
    result = invoke(["plan", str(other)], url=console.url, key=CONSOLE_KEY)
    assert result.code == 1
    assert "belongs to organization" in result.err
    result = invoke(
        ["plan", str(REPO / "examples" / "enterprise")], url=console.url, key=CONSOLE_KEY
    )
    assert result.code == 1
    assert "enterprise organization" in result.err


def test_targets_and_excludes(console: Emulator) -> None:
    result, doc = plan_json(
        console,
        CONSOLE_KEY,
        str(REPO / "policies"),
        "--target",
        "spend_limit:workspace:fraud-*",
        "--exclude",
        "workspace:marketing-*",
    )
    assert result.code == 0, result.err
    assert actions(doc) == {
        "workspace:fraud-detection": "create",
        "spend_limit:workspace:fraud-detection:monthly": "create",
    }
    assert doc["targets"] == ["spend_limit:workspace:fraud-*"]


def test_saved_plan_renders_with_show(console: Emulator, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = invoke(
        ["plan", str(REPO / "policies"), "--out", str(out)], url=console.url, key=CONSOLE_KEY
    )
    assert result.code == 0, result.err
    shown = invoke(["show", str(out)])
    assert shown.code == 0
    assert shown.out == result.out
    text = out.read_text()
    assert CONSOLE_KEY not in text and "sk-ant" not in text
    assert invoke(["show", str(out), "--format", "markdown"]).out.startswith("### claude-policy")
