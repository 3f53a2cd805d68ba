"""Policies and snapshots for policy tests: files written to a temporary directory, and
live inventories built directly (resolution is pure, no emulator needed)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from reconciler.live import LiveGroup, LiveMember, LiveWorkspace, Snapshot
from reconciler.policy import Policy, load
from tests.support.orgs import CONSOLE_ORG, ENTERPRISE_ORG

CONSOLE_HEAD = f"""\
organization: {{id: {CONSOLE_ORG}, kind: console, currency: USD}}
"""
ENTERPRISE_HEAD = f"""\
organization: {{id: {ENTERPRISE_ORG}, kind: enterprise, currency: USD}}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative name: text}`` (dedented) under ``root``; returns ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def load_text(root: Path, text: str, name: str = "policy.yaml") -> Policy:
    """Load a one-file policy written at ``root/policies/name``."""
    write(root, {f"policies/{name}": text})
    return load([root / "policies"])


def ws(
    wid: str,
    name: str,
    allowed: Any = "unrestricted",
    default: str = "global",
    tags: dict[str, str] | None = None,
    *,
    archived: bool = False,
    is_default: bool = False,
) -> LiveWorkspace:
    return LiveWorkspace(
        id=wid,
        name=name,
        data_residency={
            "workspace_geo": "us",
            "allowed_inference_geos": allowed,
            "default_inference_geo": default,
        },
        tags=dict(tags or {}),
        archived=archived,
        is_default=is_default,
    )


def console_snapshot(**kw: Any) -> Snapshot:
    """The Console seed (examples/seeds/console.yaml) as a live read would see it."""
    workspaces = kw.pop(
        "workspaces",
        [
            ws("wrkspc_default", "Default", is_default=True),
            ws("wrkspc_claims", "claims-processing", tags={"team": "claims", "regulated": "true"}),
            ws("wrkspc_portal", "patient-portal", ["us"], "us",
               {"team": "portal", "regulated": "true"}),
            ws("wrkspc_research", "research-sandbox", tags={"team": "research"}),
            ws("wrkspc_marketing", "marketing-copy", ["global", "us"], "global",
               {"team": "marketing", "cost-center": "4410"}),
            ws("wrkspc_legacy", "legacy-prototype"),
            ws("wrkspc_retired", "retired-pilot", archived=True),
        ],
    )  # fmt: skip
    return Snapshot(
        org_id=kw.pop("org_id", CONSOLE_ORG),
        org_name="Acme Health",
        kind=kw.pop("kind", "console"),
        currency=kw.pop("currency", "USD"),
        workspaces=workspaces,
        **kw,
    )


def member(email: str) -> LiveMember:
    return LiveMember(f"user_{email.split('@')[0]}", email)


ENTERPRISE_EMAILS = (
    "alice@globex.example",
    "bob@globex.example",
    "carol@globex.example",
    "dan@globex.example",
    "erin@globex.example",
    "frank@globex.example",
    "grace@globex.example",
    "heidi@globex.example",
    "ivan@contractors.globex.example",
    "judy@contractors.globex.example",
    "mallory@contractors.globex.example",
    "oscar@globex.example",
)


def enterprise_snapshot(**kw: Any) -> Snapshot:
    """The Enterprise seed (examples/seeds/enterprise.yaml) as a live read would see it."""
    members = {e: member(e) for e in kw.pop("emails", ENTERPRISE_EMAILS)}
    groups = kw.pop(
        "groups",
        [
            LiveGroup("rbac_group_research", "research",
                      frozenset({"user_alice", "user_dan", "user_erin"})),
            LiveGroup("rbac_group_platform", "platform", frozenset({"user_bob", "user_frank"})),
        ],
    )  # fmt: skip
    return Snapshot(
        org_id=kw.pop("org_id", ENTERPRISE_ORG),
        org_name="Globex",
        kind=kw.pop("kind", "enterprise"),
        currency=kw.pop("currency", "USD"),
        members=members,
        groups=groups,
        **kw,
    )
