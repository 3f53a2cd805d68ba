"""Every refusal of ``apply``: exit 1, a message saying what is wrong, and nothing written.

"Nothing written" is checked on the emulator: no POST or DELETE reached it after the plan
was made (``/_emulator/stats``), and the organization read with the SDK is the same.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from reconciler.plan import planfile
from reconciler.plan.model import checksum
from reconciler.plan.planner import PlanOptions
from reconciler.workflow import plan_policy
from tests.apply.conftest import (
    CONSOLE_KEY,
    CONSOLE_ORG,
    CONSOLE_POLICY,
    CONSOLE_SEED,
    ENTERPRISE_KEY,
    ENTERPRISE_POLICY,
    FAST,
    Cli,
    CliFor,
    library_client,
    writes,
)
from tests.apply.orgstate import State, read_state, sdk
from tests.support.emulator import Emulator


class Untouched:
    """Snapshot an organization; ``check()`` asserts nothing was written since."""

    def __init__(self, emulator: Emulator, key: str) -> None:
        self.emulator, self.key = emulator, key
        self.state: State = read_state(emulator, key)
        self.writes = writes(emulator.stats())

    def check(self) -> None:
        assert writes(self.emulator.stats()) == self.writes, "apply wrote something"
        assert read_state(self.emulator, self.key) == self.state


def saved_plan(cli: Cli, policy: Path | str, out: str = "plan.json", *args: str) -> dict[str, Any]:
    result = cli("plan", policy, "--out", out, *args)
    assert result.code in (0, 1), result
    doc: dict[str, Any] = json.loads(Path(out).read_text())
    return doc


def rewrite(path: str, doc: dict[str, Any], *, fix_checksum: bool = True) -> None:
    if fix_checksum:
        doc["checksum"] = checksum(doc)
    Path(path).write_text(json.dumps(doc, indent=2))


def console_policy(tmp_path: Path, workspaces: str, safety: str = "") -> Path:
    """The sample Console policy with its workspaces.yaml replaced."""
    policy = tmp_path / "policy"
    shutil.copytree(CONSOLE_POLICY, policy, ignore=shutil.ignore_patterns("workspaces.yaml"))
    (policy / "workspaces.yaml").write_text("version: 1\n" + workspaces)
    if safety:
        org = policy / "organization.yaml"
        text = org.read_text()
        start = text.index("safety:")
        org.write_text(text[:start] + safety)
    return policy


# --------------------------------------------------------------------------- saved plans


def test_a_tampered_plan_is_refused_before_any_request(
    console: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    doc = saved_plan(cli, CONSOLE_POLICY)
    untouched = Untouched(console, CONSOLE_KEY)
    requests = console.stats()["requests_total"]
    change = next(c for c in doc["changes"] if c["address"].startswith("spend_limit:workspace:"))
    change["after"]["amount"] = "9999900"  # raise a cap behind the reviewers' backs
    rewrite("plan.json", doc, fix_checksum=False)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert "checksum mismatch: the plan file was modified after it was written" in result.err
    assert result.out == ""
    assert console.stats()["requests_total"] == requests  # not even a read
    untouched.check()


def test_a_plan_for_another_organization_is_refused(
    console: Emulator, cli_for: CliFor, cwd: Path, start_emulator: Any
) -> None:
    """The plan was made against one organization; the key now points at another (a second
    emulator whose seed differs only by the organization id)."""
    other_id = "0d6e5f4a-3b2c-4d1e-8f7a-6b5c4d3e2f10"
    seed = cwd / "other.yaml"
    seed.write_text(CONSOLE_SEED.read_text().replace(CONSOLE_ORG, other_id))
    other = start_emulator(seed, *FAST)
    saved_plan(cli_for(console, CONSOLE_KEY), CONSOLE_POLICY)
    untouched = Untouched(other, CONSOLE_KEY)
    reads = other.stats()["by_route"]

    result = cli_for(other, CONSOLE_KEY)("apply", "plan.json")

    assert result.code == 1, result
    assert (
        f"the plan was made for organization {CONSOLE_ORG}, but the API key belongs to "
        f"organization {other_id}; refusing to apply"
    ) in result.err
    me = "GET /v1/organizations/me"
    assert other.stats()["by_route"] == {**reads, me: reads.get(me, 0) + 1}  # only GET /me
    untouched.check()


def test_an_edited_organization_with_a_valid_checksum_is_still_refused(
    console: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    doc = saved_plan(cli, CONSOLE_POLICY)
    doc["organization"]["id"] = "0d6e5f4a-3b2c-4d1e-8f7a-6b5c4d3e2f10"
    rewrite("plan.json", doc)
    untouched = Untouched(console, CONSOLE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert "the plan was made for organization 0d6e5f4a-" in result.err
    untouched.check()


def test_an_expired_plan_is_refused(console: Emulator, cli_for: CliFor, cwd: Path) -> None:
    """Made through the library 25 hours ago (default expiry 24 h), checksum intact."""
    client = library_client(console, CONSOLE_KEY)
    past = datetime.now(timezone.utc) - timedelta(hours=25)
    try:
        run = plan_policy([CONSOLE_POLICY], client, options=PlanOptions(now=past))
    finally:
        client._http.close()
    doc = run.plan.to_document()
    planfile.write(doc, "plan.json")
    assert planfile.read_document("plan.json") == doc  # a genuine plan file
    untouched = Untouched(console, CONSOLE_KEY)

    result = cli_for(console, CONSOLE_KEY)("apply", "plan.json")

    assert result.code == 1, result
    assert f"plan.json: the plan expired at {doc['expires_at']}; make a new plan" in result.err
    untouched.check()


def test_a_plan_made_with_a_short_expiry(console: Emulator, cli_for: CliFor, cwd: Path) -> None:
    """``--expires-in`` is recorded in the plan; apply honours it (checked by moving the
    plan's own clock back rather than by waiting)."""
    cli = cli_for(console, CONSOLE_KEY)
    doc = saved_plan(cli, CONSOLE_POLICY, "plan.json", "--expires-in", "90s")
    created = datetime.strptime(doc["created_at"], "%Y-%m-%dT%H:%M:%SZ")
    expires = datetime.strptime(doc["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires - created == timedelta(seconds=90)
    for key in ("created_at", "expires_at"):
        moved = datetime.strptime(doc[key], "%Y-%m-%dT%H:%M:%SZ") - timedelta(minutes=2)
        doc[key] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    rewrite("plan.json", doc)
    untouched = Untouched(console, CONSOLE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert "the plan expired at" in result.err
    untouched.check()


# --------------------------------------------------------------------------- stale plans


def stale_lines(err: str) -> list[str]:
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def test_a_limit_changed_out_of_band_makes_the_plan_stale(
    console: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    saved_plan(cli, CONSOLE_POLICY)
    # Someone raises the claims-processing cap in the Console after the review.
    console.control(
        "POST",
        "spend_limits",
        json={
            "scope": {"type": "workspace", "name": "claims-processing"},
            "period": "monthly",
            "amount": "250000",
        },
    ).raise_for_status()
    untouched = Untouched(console, CONSOLE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert "1 object(s) changed since the plan was made; nothing was written" in result.err
    assert stale_lines(result.err) == [
        "spend_limit:workspace:claims-processing:monthly:",
        "amount: $2,000.00 at plan time, $2,500.00 now",
    ]
    assert "Make a new plan and review it." in result.err
    untouched.check()


def test_a_workspace_created_and_one_edited_out_of_band(
    console: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    """The workspace the plan would create now exists (made in the Console), and another
    one was edited through the API: both are named, field by field."""
    cli = cli_for(console, CONSOLE_KEY)
    saved_plan(cli, CONSOLE_POLICY)
    console.control(
        "POST", "workspaces", json={"name": "fraud-detection", "tags": {"team": "fraud"}}
    ).raise_for_status()
    with sdk(console, CONSOLE_KEY) as client:
        marketing = next(
            w for w in client.organization.workspaces.list(limit=1000) if w.name == "marketing-copy"
        )
        client.organization.workspaces.update(
            marketing.id,
            tags={"cost-center": None, "owner": "dana"},
            data_residency={"default_inference_geo": "us"},
        )
    untouched = Untouched(console, CONSOLE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert "2 object(s) changed since the plan was made; nothing was written" in result.err
    assert stale_lines(result.err) == [
        "workspace:fraud-detection:",
        "(object): absent at plan time, workspace 'fraud-detection' now",
        "workspace:marketing-copy:",
        'data_residency.default_inference_geo: "global" at plan time, "us" now',
        'tags.cost-center: "4410" at plan time, absent now',
        'tags.owner: absent at plan time, "dana" now',
    ]
    untouched.check()


def test_enterprise_overrides_changed_out_of_band(
    enterprise: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    cli = cli_for(enterprise, ENTERPRISE_KEY)
    saved_plan(cli, ENTERPRISE_POLICY)
    # bob's override (planned: update) is edited; dan gets a monthly row (planned: create);
    # carol's daily row (planned: delete) is removed already.
    for body in (
        {"scope": {"type": "user", "email": "bob@globex.example"}, "amount": "80000"},
        {"scope": {"type": "user", "email": "dan@globex.example"}, "amount": None},
    ):
        enterprise.control("POST", "spend_limits", json=body).raise_for_status()
    enterprise.control(
        "DELETE",
        "spend_limits",
        json={"scope": {"type": "user", "email": "carol@globex.example"}, "period": "daily"},
    ).raise_for_status()
    untouched = Untouched(enterprise, ENTERPRISE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert "3 object(s) changed since the plan was made" in result.err
    assert stale_lines(result.err) == [
        "spend_limit:user:bob@globex.example:monthly:",
        "amount: $750.00 at plan time, $800.00 now",
        "spend_limit:user:dan@globex.example:monthly:",
        "(object): absent at plan time, unlimited now",
        "spend_limit:user:carol@globex.example:daily: (now as this plan sets it)",
        "(object): $60.00 at plan time, absent now",
    ]
    untouched.check()


def test_a_plan_applied_twice_is_refused_the_second_time(
    console: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    saved_plan(cli, CONSOLE_POLICY)
    assert cli("apply", "plan.json").code == 0
    untouched = Untouched(console, CONSOLE_KEY)

    again = cli("apply", "plan.json")

    assert again.code == 1, again
    assert "5 object(s) changed since the plan was made; nothing was written" in again.err
    assert "  spend_limit:workspace:claims-processing:monthly: (now as this plan sets it)" in (
        again.err
    )
    assert "They all hold what this plan sets already: was it applied before?" in again.err
    untouched.check()


def test_a_member_removed_since_the_plan(enterprise: Emulator, cli_for: CliFor, cwd: Path) -> None:
    """A member the plan writes a cap for has left: refused as stale, not failed mid-apply."""
    cli = cli_for(enterprise, ENTERPRISE_KEY)
    saved_plan(cli, ENTERPRISE_POLICY)
    enterprise.control("DELETE", "users/grace@globex.example").raise_for_status()
    untouched = Untouched(enterprise, ENTERPRISE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert stale_lines(result.err) == [
        "spend_limit:user:grace@globex.example:weekly:",
        "member: grace@globex.example at plan time, no longer in the organization now",
    ]
    untouched.check()


def test_a_workspace_archived_since_the_plan(
    console: Emulator, cli_for: CliFor, cwd: Path, tmp_path: Path
) -> None:
    """The limit row itself did not move, but its workspace was archived in the Console:
    the write would be refused by the API, so the plan is stale."""
    cli = cli_for(console, CONSOLE_KEY)
    policy = console_policy(
        tmp_path, "workspaces:\n  research-sandbox: {spend_limits: {monthly: 800}}\n"
    )
    doc = saved_plan(cli, policy)
    assert [c["address"] for c in doc["changes"]] == [
        "spend_limit:workspace:research-sandbox:monthly"
    ]
    with sdk(console, CONSOLE_KEY) as client:
        sandbox = next(
            w
            for w in client.organization.workspaces.list(limit=1000)
            if w.name == "research-sandbox"
        )
        client.organization.workspaces.archive(sandbox.id)
    untouched = Untouched(console, CONSOLE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert stale_lines(result.err) == [
        "spend_limit:workspace:research-sandbox:monthly:",
        "workspace: active at plan time, archived now",
    ]
    untouched.check()


# --------------------------------------------------------------------------- plan content


BLOCKED = """\
workspaces:
  patient-portal:
    spend_limits: {monthly: 60000}    # above the organization's $50,000.00: the API refuses
  research-sandbox:
    spend_limits: {monthly: 800}
"""


def test_blocked_changes_refuse_the_whole_apply(
    console: Emulator, cli_for: CliFor, cwd: Path, tmp_path: Path
) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    policy = console_policy(tmp_path, BLOCKED)
    planned = cli("plan", policy, "--out", "plan.json")
    assert planned.code == 1, planned  # a blocked plan is still written
    untouched = Untouched(console, CONSOLE_KEY)

    for result in (
        cli("apply", "plan.json"),
        cli("apply", "--policies", policy, "--auto-approve"),
        cli("apply", "--policies", policy),  # no terminal: still refused for the blocked change
    ):
        assert result.code == 1, result
        assert "the plan has 1 blocked change(s); nothing was written" in result.err
        assert (
            "x spend_limit:workspace:patient-portal:monthly: the API refuses a workspace limit "
            "above the organization's monthly limit ($50,000.00)"
        ) in result.err
    untouched.check()


MANY_CHANGES = """\
workspaces:
  claims-processing: {tags: {team: claims-2}}
  patient-portal: {tags: {team: portal-2}}
  research-sandbox: {tags: {team: research-2}}
"""


def test_the_safety_rail_needs_force(
    console: Emulator, cli_for: CliFor, cwd: Path, tmp_path: Path
) -> None:
    """3 updates of 8 existing managed objects (37.5 %) > max_change_percent 30."""
    cli = cli_for(console, CONSOLE_KEY)
    policy = console_policy(
        tmp_path,
        MANY_CHANGES
        + "  marketing-copy: {}\n  legacy-prototype: {}\n"
        + "  research-sandbox-2: {}\n",
        safety="safety: {max_change_percent: 30, min_existing: 4}\n",
    )
    doc = saved_plan(cli, policy)
    assert doc["safety"]["exceeded"] is True
    untouched = Untouched(console, CONSOLE_KEY)

    refused = cli("apply", "plan.json")
    assert refused.code == 1, refused
    safety = doc["safety"]
    assert (
        f"the plan changes 3 of {safety['existing']} existing objects ({safety['percent']}%), "
        "more than safety.max_change_percent (30%); nothing was written"
    ) in refused.err
    assert "--force" in refused.err
    refused_fresh = cli("apply", "--policies", policy, "--auto-approve")
    assert refused_fresh.code == 1, refused_fresh
    untouched.check()

    forced = cli("apply", "plan.json", "--force")
    assert forced.code == 0, forced
    assert "4 applied, 0 failed" in forced.out
    assert cli("plan", policy, "--detailed-exitcode").code == 0


ARCHIVE = """\
workspaces:
  legacy-prototype: {archived: true}
"""


def test_archives_need_allow_archive(
    console: Emulator, cli_for: CliFor, cwd: Path, tmp_path: Path
) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    policy = console_policy(tmp_path, ARCHIVE)
    saved_plan(cli, policy)
    untouched = Untouched(console, CONSOLE_KEY)

    refused = cli("apply", "plan.json")
    assert refused.code == 1, refused
    assert (
        "the plan archives 1 workspace(s) (workspace:legacy-prototype); archiving is "
        "irreversible and deactivates their API keys. Re-run with --allow-archive."
    ) in refused.err
    assert cli("apply", "--policies", policy, "--auto-approve").code == 1
    untouched.check()

    allowed = cli("apply", "plan.json", "--allow-archive", "--report", "report.json")
    assert allowed.code == 0, allowed
    assert json.loads(Path("report.json").read_text())["applied"] == ["workspace:legacy-prototype"]
    assert writes(console.stats()) == {
        "POST /v1/organizations/workspaces/{workspace_id}/archive": 1
    }
    after = read_state(console, CONSOLE_KEY)
    assert sorted(after.archived) == ["legacy-prototype", "retired-pilot"]
    assert "workspace:legacy-prototype" not in after.objects
    assert cli("plan", policy, "--detailed-exitcode").code == 0


# --------------------------------------------------------------------------- confirmation


def test_nothing_to_apply_says_so_without_asking(
    console: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    cli = cli_for(console, CONSOLE_KEY)
    assert cli("apply", "--policies", CONSOLE_POLICY, "--auto-approve").code == 0
    untouched = Untouched(console, CONSOLE_KEY)

    fresh = cli("apply", "--policies", CONSOLE_POLICY)  # no terminal, no --auto-approve
    assert fresh.code == 0, fresh
    assert fresh.out.endswith("No changes.\n")
    assert "Apply these changes?" not in fresh.out + fresh.err

    saved_plan(cli, CONSOLE_POLICY)
    saved = cli("apply", "plan.json")
    assert (saved.code, saved.out) == (0, "No changes.\n")
    untouched.check()


def test_only_manual_differences_are_nothing_to_apply(
    enterprise: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    cli = cli_for(enterprise, ENTERPRISE_KEY)
    assert cli("apply", "--policies", ENTERPRISE_POLICY, "--auto-approve").code == 0
    # claude.ai moves a seat-tier cap: the policy now differs only where a person must act.
    enterprise.control(
        "POST",
        "spend_limits",
        json={"scope": {"type": "seat_tier", "seat_tier": "enterprise_standard"}, "amount": "1"},
    ).raise_for_status()
    untouched = Untouched(enterprise, ENTERPRISE_KEY)

    result = cli("apply", "--policies", ENTERPRISE_POLICY, "--report", "report.json")

    assert result.code == 0, result
    assert "spend_limit:seat_tier:enterprise_standard:monthly" in result.out
    assert result.out.endswith("No changes.\n")
    # The report is written all the same: nothing applied, the manual change not attempted.
    assert json.loads(Path("report.json").read_text()) == {
        "applied": [],
        "failed": [],
        "skipped": [],
        "not_attempted": ["spend_limit:seat_tier:enterprise_standard:monthly"],
    }
    untouched.check()


@pytest.mark.parametrize("answer", [None, "no\n"])
def test_without_a_terminal_or_approval_nothing_is_written(
    console: Emulator, cli_for: CliFor, cwd: Path, answer: str | None
) -> None:
    untouched = Untouched(console, CONSOLE_KEY)

    result = cli_for(console, CONSOLE_KEY)(
        "apply", "--policies", CONSOLE_POLICY, stdin=answer or ""
    )

    assert result.code == 1, result
    assert "refusing to apply without confirmation: no terminal to ask on" in result.err
    assert "+ workspace:fraud-detection will be created" in result.out  # the plan was shown
    untouched.check()


def test_a_row_replaced_since_the_plan_is_not_deleted_by_its_old_id(
    enterprise: Emulator, cli_for: CliFor, cwd: Path
) -> None:
    """carol's daily row (planned: delete, by id) was deleted and set again with the same
    amount through the API: it looks the same but is another row, which a delete by the
    old id would miss (a 404, taken for "already gone") while reporting success."""
    cli = cli_for(enterprise, ENTERPRISE_KEY)
    doc = saved_plan(cli, ENTERPRISE_POLICY)
    address = "spend_limit:user:carol@globex.example:daily"
    change = next(c for c in doc["changes"] if c["address"] == address)
    with sdk(enterprise, ENTERPRISE_KEY) as client:
        limits = client.beta.organization.spend_limits
        limits.delete(change["id"])
        new_id = limits.set(amount="6000", scope=change["before"]["scope"], period="daily").id
    assert new_id != change["id"]
    untouched = Untouched(enterprise, ENTERPRISE_KEY)

    result = cli("apply", "plan.json")

    assert result.code == 1, result
    assert stale_lines(result.err) == [
        f"{address}:",
        f"id: {change['id']} at plan time, {new_id} (the row was replaced) now",
    ]
    untouched.check()
