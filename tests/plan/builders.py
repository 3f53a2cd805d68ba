"""Small builders for desired and live states in planner tests."""

from __future__ import annotations

from typing import Any

from reconciler import addresses as addr
from reconciler.desired import (
    Desired,
    DesiredLimit,
    DesiredWorkspace,
    OrgDecl,
    Source,
    Value,
)
from reconciler.live import Effective, LiveLimit, LiveMember, LiveWorkspace, Snapshot
from reconciler.plan.facts import Organization
from reconciler.plan.model import Change, Plan
from tests.support.orgs import CONSOLE_ORG, ENTERPRISE_ORG


def src(line: int, rule: str | None = None, file: str = "policies/p.yaml") -> Source:
    return Source(file, line, 3, rule)


def val(value: Any, line: int = 1, rule: str | None = None) -> Value:
    return Value(value, src(line, rule))


def live_ws(
    wid: str, name: str, allowed: Any = "unrestricted", default: str = "global", **kw: Any
) -> LiveWorkspace:
    return LiveWorkspace(
        id=wid,
        name=name,
        data_residency={
            "workspace_geo": "us",
            "allowed_inference_geos": allowed,
            "default_inference_geo": default,
        },
        tags=kw.pop("tags", {}),
        archived=kw.pop("archived", False),
        is_default=kw.pop("is_default", False),
    )


def console_snapshot(**kw: Any) -> Snapshot:
    workspaces = kw.pop(
        "workspaces",
        [
            live_ws("wrkspc_default", "Default", is_default=True),
            live_ws("wrkspc_claims", "claims", tags={"team": "claims"}),
            live_ws("wrkspc_portal", "portal", ["us"], "us", tags={"team": "portal"}),
        ],
    )
    limits = kw.pop(
        "limits",
        [
            LiveLimit("spl_org", "organization", None, "monthly", "5000000", "USD"),
            LiveLimit("spl_claims", "workspace", "wrkspc_claims", "monthly", "200000", "USD"),
            LiveLimit("spl_tier", "usage_tier", None, "monthly", "20000000", "USD"),
        ],
    )
    return Snapshot(
        org_id=CONSOLE_ORG,
        org_name="Acme Health",
        kind="console",
        currency="USD",
        workspaces=workspaces,
        limits=limits,
        requests_sent=3,
        **kw,
    )


def enterprise_snapshot(**kw: Any) -> Snapshot:
    members = {
        e: LiveMember(f"user_{e.split('@')[0]}", e)
        for e in ("alice@globex.example", "bob@globex.example", "carol@globex.example")
    }
    limits = [
        LiveLimit("spl_org", "organization", None, "monthly", "5000000", "USD"),
        LiveLimit("spl_std", "seat_tier", "enterprise_standard", "monthly", "10000", "USD"),
        LiveLimit("spl_research", "rbac_group", "rbac_group_research", "monthly", "150000", "USD"),
        # The two members' own overrides, as the reader records them from the effective
        # report below.
        LiveLimit("spl_alice", "user", "user_alice", "monthly", None, "USD"),
        LiveLimit("spl_bob", "user", "user_bob", "monthly", "75000", "USD"),
    ]
    effective = {
        ("user_alice", "monthly"): Effective(
            "user_alice", "monthly", None, "user", "user_alice", "spl_alice", "12050.5"
        ),
        ("user_bob", "monthly"): Effective(
            "user_bob", "monthly", "75000", "user", "user_bob", "spl_bob", "61000"
        ),
        ("user_carol", "monthly"): Effective(
            "user_carol", "monthly", "10000", "seat_tier", "enterprise_standard", "spl_std", "0"
        ),
    }
    return Snapshot(
        org_id=ENTERPRISE_ORG,
        org_name="Globex",
        kind="enterprise",
        currency="USD",
        members=kw.pop("members", members),
        limits=kw.pop("limits", limits),
        effective=kw.pop("effective", effective),
        requests_sent=4,
        **kw,
    )


def desired(kind: str, **kw: Any) -> Desired:
    org = CONSOLE_ORG if kind == "console" else ENTERPRISE_ORG
    return Desired(org=OrgDecl(org, kind, "USD", src(1)), currency="USD", **kw)


def workspace(
    name: str,
    live_id: str | None,
    fields: dict[str, Value],
    *,
    archived: Value | None = None,
    declared: bool = True,
) -> DesiredWorkspace:
    return DesiredWorkspace(
        address=addr.workspace(name),
        name=name,
        live_id=live_id,
        fields=fields,
        archived=archived,
        declared=src(5) if declared else None,
    )


def limit(scope: dict[str, Any], period: str, amount: Value) -> DesiredLimit:
    kind = scope["type"]
    name = {
        "organization": None,
        "seat_tier": scope.get("seat_tier"),
        "rbac_group": scope.get("name"),
        "workspace": scope.get("name"),
        "user": scope.get("email"),
    }[kind]
    scope_word = "group" if kind == "rbac_group" else kind
    return DesiredLimit(addr.spend_limit(scope_word, name, period), scope, period, amount)


def limits(*items: DesiredLimit) -> dict[str, DesiredLimit]:
    return {i.address: i for i in items}


def workspaces(*items: DesiredWorkspace) -> dict[str, DesiredWorkspace]:
    return {i.address: i for i in items}


def user_limit(name: str, period: str, amount: Value) -> DesiredLimit:
    """A limit for the sample Enterprise member ``name@globex.example`` (id ``user_<name>``)."""
    scope = {"type": "user", "email": f"{name}@globex.example", "id": f"user_{name}"}
    return limit(scope, period, amount)


def plan_with(changes: list[dict[str, Any]]) -> Plan:
    """A plan holding just these changes (in the JSON form), for the executor's tests."""
    return Plan(
        tool_version="0.0.0",
        created_at="2026-11-22T12:00:00Z",
        expires_at="2026-11-23T12:00:00Z",
        organization=Organization(id="org", name="Org", kind="console", currency="USD"),
        policy_digest="sha256:t",
        changes=[Change.from_json(c) for c in changes],
    )
