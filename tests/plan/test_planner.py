"""Planner: desired vs live → actions, fields, provenance, order (pure, no network)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from reconciler.desired import INHERIT, Value
from reconciler.live import LiveLimit, LiveMember
from reconciler.plan.model import Action, Plan, checksum
from reconciler.plan.planner import PlanOptions, build_plan
from tests.plan.builders import (
    console_snapshot,
    desired,
    enterprise_snapshot,
    limit,
    limits,
    live_ws,
    user_limit,
    val,
    workspace,
    workspaces,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def plan_of(d, snap, **opts) -> Plan:  # type: ignore[no-untyped-def]
    return build_plan(d, snap, policy_digest="sha256:test", options=PlanOptions(now=NOW, **opts))


def actions(plan: Plan) -> list[tuple[str, str]]:
    return [(c.address, c.action.value) for c in plan.changes]


ORG = {"type": "organization"}


def ws_scope(name: str, wid: str | None) -> dict[str, object]:
    return {"type": "workspace", "name": name, "id": wid}


def test_matching_state_is_unchanged_everywhere() -> None:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace(
                "claims",
                "wrkspc_claims",
                {"data_residency.default_inference_geo": val("global"), "tags.team": val("claims")},
            )
        ),
        limits=limits(
            limit(ORG, "monthly", val("5000000")),
            limit(ws_scope("claims", "wrkspc_claims"), "monthly", val("200000")),
        ),
    )
    plan = plan_of(d, console_snapshot())
    assert plan.changes == []
    assert plan.summary() == {
        "create": 0,
        "update": 0,
        "delete": 0,
        "archive": 0,
        "manual": 0,
        "blocked": 0,
        "unchanged": 3,
    }
    assert plan.organization.usage_tier_limit == "20000000"


def test_rule_residency_update_carries_field_diff_and_provenance() -> None:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace(
                "claims",
                "wrkspc_claims",
                {
                    "data_residency.allowed_inference_geos": val(["us"], 9, "workspace_rules[0]"),
                    "data_residency.default_inference_geo": val("us", 9, "workspace_rules[0]"),
                },
                declared=False,
            )
        ),
    )
    plan = plan_of(d, console_snapshot())
    (change,) = plan.changes
    assert change.action is Action.UPDATE
    assert change.id == "wrkspc_claims"
    assert [(f.path, f.before, f.after, f.source) for f in change.fields] == [
        (
            "data_residency.allowed_inference_geos",
            "unrestricted",
            ["us"],
            "policies/p.yaml:9 (workspace_rules[0])",
        ),
        (
            "data_residency.default_inference_geo",
            "global",
            "us",
            "policies/p.yaml:9 (workspace_rules[0])",
        ),
    ]
    assert change.after is not None
    assert change.after["data_residency"] == {
        "workspace_geo": "us",
        "allowed_inference_geos": ["us"],
        "default_inference_geo": "us",
    }
    assert change.before is not None and change.live_fingerprint is not None


def test_allowed_geos_compare_as_sets() -> None:
    snap = console_snapshot(
        workspaces=[live_ws("wrkspc_m", "marketing", ["us", "global"], "global")]
    )
    d = desired(
        "console",
        workspaces=workspaces(
            workspace(
                "marketing",
                "wrkspc_m",
                {"data_residency.allowed_inference_geos": val(["global", "us"])},
            )
        ),
    )
    assert plan_of(d, snap).changes == []


def test_create_workspace_then_its_limit_known_after_apply() -> None:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace(
                "fraud",
                None,
                {
                    "name": val("fraud"),
                    "data_residency.allowed_inference_geos": val(["us"]),
                    "data_residency.default_inference_geo": val("us"),
                    "tags.team": val("risk"),
                },
            )
        ),
        limits=limits(limit(ws_scope("fraud", None), "monthly", val("100000"))),
    )
    plan = plan_of(d, console_snapshot())
    assert actions(plan) == [
        ("workspace:fraud", "create"),
        ("spend_limit:workspace:fraud:monthly", "create"),
    ]
    ws, lim = plan.changes
    assert ws.before is None
    assert ws.after == {
        "name": "fraud",
        "data_residency": {
            "workspace_geo": "us",
            "allowed_inference_geos": ["us"],
            "default_inference_geo": "us",
        },
        "tags": {"team": "risk"},
    }
    assert lim.depends_on == ["workspace:fraud"]
    assert lim.after == {
        "scope": {"type": "workspace", "workspace_id": None},
        "period": "monthly",
        "amount": "100000",
        "currency": "USD",
    }


@pytest.mark.parametrize(
    ("name", "fields", "reason_part"),
    [
        (
            "workspace-geo-change",
            {"data_residency.workspace_geo": val("eu")},
            "set at creation",
        ),
        (
            "default-outside-allowed",
            {"data_residency.allowed_inference_geos": val(["us"])},
            "default_inference_geo 'global' is not in allowed_inference_geos",
        ),
    ],
)
def test_blocked_workspace_changes(name: str, fields: dict[str, Value], reason_part: str) -> None:
    d = desired("console", workspaces=workspaces(workspace("claims", "wrkspc_claims", fields)))
    plan = plan_of(d, console_snapshot())
    (change,) = plan.changes
    assert change.action is Action.BLOCKED, name
    assert change.reason is not None and reason_part in change.reason


def test_blocked_wins_over_update_at_the_same_address() -> None:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace(
                "claims",
                "wrkspc_claims",
                {"data_residency.workspace_geo": val("eu"), "tags.team": val("other")},
            )
        ),
    )
    (change,) = plan_of(d, console_snapshot()).changes
    assert change.action is Action.BLOCKED
    assert {f.path for f in change.fields} == {"data_residency.workspace_geo", "tags.team"}


# --------------------------------------------------------------------------- limit cases

# (name, org kind, desired limits, {address: (action, part of the reason or None)})
LIMIT_CASES = [
    (
        "console-org-unlimited-is-blocked",
        "console",
        [limit(ORG, "monthly", val(None))],
        {"spend_limit:organization:monthly": ("blocked", "need an amount")},
    ),
    (
        "console-org-daily-is-blocked",
        "console",
        [limit(ORG, "daily", val("100"))],
        {"spend_limit:organization:daily": ("blocked", "only a monthly period")},
    ),
    (
        "workspace-limit-above-the-org-monthly",
        "console",
        [limit(ws_scope("claims", "wrkspc_claims"), "monthly", val("6000000"))],
        {"spend_limit:workspace:claims:monthly": ("blocked", "$50,000.00")},
    ),
    (
        "default-workspace-limit",
        "console",
        [limit(ws_scope("Default", "wrkspc_default"), "monthly", val("100"))],
        {"spend_limit:workspace:Default:monthly": ("blocked", "default workspace")},
    ),
    (
        "console-has-no-user-limits",
        "console",
        [limit({"type": "user", "email": "a@x.example", "id": "u1"}, "monthly", val("1"))],
        {"spend_limit:user:a@x.example:monthly": ("blocked", "no user spend limits")},
    ),
    (
        "enterprise-seat-tier-is-verify-only",
        "enterprise",
        [limit({"type": "seat_tier", "seat_tier": "enterprise_standard"}, "monthly", val("1"))],
        {"spend_limit:seat_tier:enterprise_standard:monthly": ("manual", "claude.ai")},
    ),
    (
        "enterprise-org-inherit-is-verify-only",
        "enterprise",
        [limit(ORG, "monthly", val(INHERIT))],
        {"spend_limit:organization:monthly": ("manual", "cannot remove")},
    ),
    (
        "enterprise-unknown-member",
        "enterprise",
        [limit({"type": "user", "email": "z@x.example", "id": None}, "monthly", val("1"))],
        {"spend_limit:user:z@x.example:monthly": ("blocked", "no such member")},
    ),
    (
        "enterprise-member-unlimited-is-written",
        "enterprise",
        [user_limit("carol", "daily", val(None))],
        {"spend_limit:user:carol@globex.example:daily": ("create", None)},
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "wanted", "expected"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES]
)
def test_limit_cases(
    name: str, kind: str, wanted: list[Any], expected: dict[str, tuple[str, str | None]]
) -> None:
    snapshot = console_snapshot() if kind == "console" else enterprise_snapshot()
    plan = plan_of(desired(kind, limits=limits(*wanted)), snapshot)
    found = {c.address: (c.action.value, c.reason) for c in plan.changes}
    assert set(found) == set(expected), name
    for address, (action, reason_part) in expected.items():
        assert found[address][0] == action, address
        if reason_part is None:
            assert found[address][1] is None
        else:
            assert reason_part in (found[address][1] or ""), found[address][1]


def test_default_workspace_is_never_written() -> None:
    d = desired(
        "console",
        workspaces=workspaces(workspace("Default", "wrkspc_default", {"tags.x": val("y")})),
    )
    (change,) = plan_of(d, console_snapshot()).changes
    assert change.action is Action.BLOCKED and "default workspace" in (change.reason or "")


def test_raising_org_limit_goes_first_and_lowering_goes_last() -> None:
    raise_both = desired(
        "console",
        limits=limits(
            limit(ws_scope("claims", "wrkspc_claims"), "monthly", val("6000000")),
            limit(ORG, "monthly", val("9000000")),
        ),
    )
    assert actions(plan_of(raise_both, console_snapshot())) == [
        ("spend_limit:organization:monthly", "update"),
        ("spend_limit:workspace:claims:monthly", "update"),
    ]
    lower_both = desired(
        "console",
        limits=limits(
            limit(ORG, "monthly", val("150000")),
            limit(ws_scope("claims", "wrkspc_claims"), "monthly", val("100000")),
        ),
    )
    assert actions(plan_of(lower_both, console_snapshot())) == [
        ("spend_limit:workspace:claims:monthly", "update"),
        ("spend_limit:organization:monthly", "update"),
    ]


def test_inherit_deletes_an_existing_row_last_and_is_a_noop_without_one() -> None:
    d = desired(
        "console",
        workspaces=workspaces(workspace("claims", "wrkspc_claims", {"tags.team": val("c2")})),
        limits=limits(
            limit(ws_scope("claims", "wrkspc_claims"), "monthly", val(INHERIT)),
            limit(ws_scope("portal", "wrkspc_portal"), "monthly", val(INHERIT)),
        ),
    )
    plan = plan_of(d, console_snapshot())
    assert actions(plan) == [
        ("workspace:claims", "update"),
        ("spend_limit:workspace:claims:monthly", "delete"),
    ]
    delete = plan.changes[1]
    assert delete.id == "spl_claims" and delete.after is None
    assert plan.summary()["unchanged"] == 1


def test_archive_is_its_own_action() -> None:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace("portal", "wrkspc_portal", {}, archived=val(True)),
            workspace("ghost", None, {}, archived=val(True)),
        ),
    )
    plan = plan_of(d, console_snapshot())
    assert actions(plan) == [("workspace:portal", "archive")]
    assert plan.changes[0].after is not None and plan.changes[0].after["archived"] is True


def test_enterprise_verify_only_scopes_are_manual_and_users_are_written() -> None:
    d = desired(
        "enterprise",
        limits=limits(
            limit(
                {"type": "seat_tier", "seat_tier": "enterprise_standard"}, "monthly", val("12000")
            ),
            limit(ORG, "monthly", val("5000000")),
            user_limit("bob", "monthly", val("90000")),
            user_limit("carol", "daily", val(None)),
            user_limit("alice", "monthly", val(INHERIT)),
        ),
    )
    plan = plan_of(d, enterprise_snapshot())
    assert sorted(actions(plan)) == [
        ("spend_limit:seat_tier:enterprise_standard:monthly", "manual"),
        ("spend_limit:user:alice@globex.example:monthly", "delete"),
        ("spend_limit:user:bob@globex.example:monthly", "update"),
        ("spend_limit:user:carol@globex.example:daily", "create"),
    ]
    by = {c.address: c for c in plan.changes}
    manual = by["spend_limit:seat_tier:enterprise_standard:monthly"]
    assert manual.reason is not None and "claude.ai" in manual.reason
    assert by["spend_limit:user:alice@globex.example:monthly"].id == "spl_alice"
    carol = by["spend_limit:user:carol@globex.example:daily"]
    assert carol.after == {
        "scope": {"type": "user", "user_id": "user_carol"},
        "period": "daily",
        "amount": None,
        "currency": "USD",
    }
    assert plan.summary()["unchanged"] == 1


def test_authoritative_users_delete_undeclared_overrides_only() -> None:
    d = desired(
        "enterprise",
        management={"users": val("authoritative", 40)},
        limits=limits(user_limit("bob", "monthly", val("75000"))),
    )
    plan = plan_of(d, enterprise_snapshot())
    assert actions(plan) == [("spend_limit:user:alice@globex.example:monthly", "delete")]
    assert plan.changes[0].fields[0].source == "policies/p.yaml:40"


def test_additive_users_leave_undeclared_overrides_alone() -> None:
    plan = plan_of(desired("enterprise"), enterprise_snapshot())
    assert plan.changes == []


def test_targets_pull_in_the_workspace_create_a_limit_needs() -> None:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace("fraud", None, {"name": val("fraud")}),
            workspace("claims", "wrkspc_claims", {"tags.team": val("c2")}),
        ),
        limits=limits(limit(ws_scope("fraud", None), "monthly", val("1000"))),
    )
    plan = plan_of(d, console_snapshot(), targets=["spend_limit:*"])
    assert actions(plan) == [
        ("workspace:fraud", "create"),
        ("spend_limit:workspace:fraud:monthly", "create"),
    ]
    plan = plan_of(d, console_snapshot(), excludes=["workspace:claims"])
    assert "workspace:claims" not in {c.address for c in plan.changes}
    assert plan.targets == [] and plan.excludes == ["workspace:claims"]


def test_unmanaged_workspaces_listed_when_authoritative() -> None:
    d = desired(
        "console",
        management={"workspaces": val("authoritative")},
        workspaces=workspaces(workspace("claims", "wrkspc_claims", {})),
    )
    assert plan_of(d, console_snapshot()).unmanaged == ["workspace:portal"]
    d.management = {}
    assert plan_of(d, console_snapshot()).unmanaged == []


def test_safety_rail_is_recorded_and_warned() -> None:
    many = [live_ws(f"wrkspc_{i}", f"ws-{i}") for i in range(10)]
    d = desired(
        "console",
        safety={"max_change_percent": val(30), "min_existing": val(5)},
        workspaces=workspaces(
            *[workspace(f"ws-{i}", f"wrkspc_{i}", {"tags.t": val("x")}) for i in range(4)],
            *[workspace(f"ws-{i}", f"wrkspc_{i}", {}) for i in range(4, 10)],
        ),
    )
    plan = plan_of(d, console_snapshot(workspaces=many, limits=[]))
    safety = plan.to_document()["safety"]
    assert safety == {
        "existing": 10,
        "changing": 4,
        "percent": 40.0,
        "max_change_percent": 30,
        "min_existing": 5,
        "exceeded": True,
    }
    assert any("max_change_percent" in w for w in plan.warnings)


def test_estimate_counts_writes_and_time_at_the_rate_limits() -> None:
    members = {f"u{i}@x.example": LiveMember(f"user_{i}", f"u{i}@x.example") for i in range(120)}
    d = desired(
        "enterprise",
        limits=limits(
            *[
                limit({"type": "user", "email": e, "id": m.id}, "monthly", val("100"))
                for e, m in members.items()
            ]
        ),
    )
    plan = plan_of(d, enterprise_snapshot(members=members, effective={}))
    est = plan.estimate
    assert est.writes == 120 and est.spend_writes == 120
    # 120 writes, plus the re-reads apply makes first: GET /me and two effective batches
    # of 100 members (spend endpoints: 122 at 60/min, 48 of them at once).
    assert est.requests == 123
    assert est.seconds == 74.0


def test_document_is_deterministic_and_checksummed() -> None:
    d = desired("console", limits=limits(limit(ORG, "monthly", val("6000000"))))
    a = plan_of(d, console_snapshot()).to_document()
    b = plan_of(d, console_snapshot()).to_document()
    assert a == b
    assert a["expires_at"] == (NOW + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(a["checksum"]) == 64


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"checksum": "x", "a": 1},
        {"z": [], "a": [1, "é", None], "m": {"b": [{"y": 2, "x": "ü"}], "a": True}},
        {
            "changes": [
                {"address": f"ws:naïve-{i}", "after": {"tags": {"k": "\n"}}} for i in range(50)
            ]
        },
    ],
)
def test_the_checksum_is_the_sha256_of_the_canonical_json(doc: dict[str, object]) -> None:
    """Hashed piece by piece, the checksum is still that of one canonical string."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    whole = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert checksum(doc) == hashlib.sha256(whole.encode("utf-8")).hexdigest()


def test_unknown_live_scope_types_are_carried_not_crashing() -> None:
    snap = console_snapshot(
        limits=[LiveLimit("spl_x", "future_scope", "abc", "monthly", "1", "USD")]
    )
    plan = plan_of(desired("console", limits=limits(limit(ORG, "monthly", val("1")))), snap)
    assert actions(plan) == [("spend_limit:organization:monthly", "create")]


def test_lowering_a_cap_below_spend_so_far_warns_and_headroom_is_stated() -> None:
    d = desired(
        "enterprise",
        limits=limits(
            user_limit("bob", "monthly", val("50000")),
            user_limit("carol", "monthly", val(None)),
            user_limit("alice", "monthly", val("100000")),
        ),
    )
    plan = plan_of(d, enterprise_snapshot())
    doc = plan.to_document()
    assert doc["money"] == {
        "blocked_members": [
            {
                "email": "bob@globex.example",
                "period": "monthly",
                "spend": "61000",
                "new_amount": "50000",
            }
        ],
        "monthly_headroom_delta": "-25000",
        "members_to_unlimited": 1,
        "members_from_unlimited": 1,
    }
    assert doc["warnings"] == [
        "1 member(s) would be blocked at once: their new cap is below what they already spent "
        "this period: bob@globex.example (monthly: spent $610.00, new cap $500.00)"
    ]
    assert doc["notes"] == [
        "Monthly headroom: this plan removes $250.00 (1 member(s) become unlimited; "
        "1 member(s) lose an unlimited cap)."
    ]


def test_a_new_workspace_in_a_geo_the_api_cannot_create_is_blocked() -> None:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace("eu-ws", None, {"data_residency.workspace_geo": val("global")})
        ),
    )
    (change,) = plan_of(d, console_snapshot()).changes
    assert change.action is Action.BLOCKED
    assert change.reason == "the API creates workspaces only with workspace_geo us"


def test_authoritative_users_leave_rows_in_unknown_periods_alone() -> None:
    snap = enterprise_snapshot()
    assert snap.effective is not None
    snap.limits.append(LiveLimit("spl_q", "user", "user_bob", "quarterly", "1", "USD"))
    d = desired(
        "enterprise",
        management={"users": val("authoritative", 40)},
        limits=limits(
            user_limit("bob", "monthly", val("75000")),
            user_limit("alice", "monthly", val(None)),
        ),
    )
    assert plan_of(d, snap).changes == []
