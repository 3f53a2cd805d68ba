"""The same endpoints through ``client.beta.organization``, validated by the Beta models.

The SDK exposes users, workspaces, RBAC groups, the effective report and increase requests
twice — stable and beta — with separate model classes; each beta call here must succeed
and its raw body must validate against the beta model too.
"""

from __future__ import annotations

from typing import Literal

import anthropic
from anthropic.types.beta.organization.beta_organization_user import BetaOrganizationUser
from anthropic.types.beta.organization.beta_rbac_group import BetaRBACGroup
from anthropic.types.beta.organization.beta_spend_summary import BetaSpendSummary
from anthropic.types.beta.organization.beta_workspace import BetaWorkspace
from anthropic.types.beta.organization.rbac_groups.beta_rbac_group_member import (
    BetaRBACGroupMember,
)
from anthropic.types.beta.organization.spend_limits.beta_spend_limit_increase_request import (
    BetaSpendLimitIncreaseRequest,
)
from anthropic.types.beta.organization.spend_limits.increase_request_approve_response import (
    IncreaseRequestApproveResponse as BetaIncreaseRequestApproveResponse,
)
from anthropic.types.beta.organization.user_remove_response import (
    UserRemoveResponse as BetaUserRemoveResponse,
)

from tests.conformance import seed_data
from tests.conformance.harness import Org
from tests.conformance.shapes import cursor_page, id_page, validate


def test_users(org: Org) -> None:
    users = org.client.beta.organization.users
    response = users.with_raw_response.list(limit=2)
    first, _ = id_page(BetaOrganizationUser, response.json())
    walked = list(response.parse())
    assert all(isinstance(u, BetaOrganizationUser) for u in walked)
    assert sorted(u.email for u in walked) == sorted(seed_data.emails(org.kind))
    assert walked[:2] == first
    for page in org.sent("GET", "users"):
        id_page(BetaOrganizationUser, page.json())
    target = next(u for u in walked if u.role == "user")
    got = users.with_raw_response.retrieve(target.id)
    assert got.parse() == validate(BetaOrganizationUser, got.json()) == target
    role: Literal["developer", "managed"] = "developer" if org.kind == "console" else "managed"
    changed = users.with_raw_response.update(target.id, role=role)
    assert validate(BetaOrganizationUser, changed.json()).role == role
    removed = users.with_raw_response.remove(target.id)
    assert removed.parse() == validate(BetaUserRemoveResponse, removed.json())


def test_workspaces(console: Org) -> None:
    workspaces = console.client.beta.organization.workspaces
    response = workspaces.with_raw_response.list(limit=3, include_archived=True)
    id_page(BetaWorkspace, response.json())
    walked = list(response.parse())
    assert all(isinstance(w, BetaWorkspace) for w in walked)
    assert sorted(w.name for w in walked) == sorted(seed_data.workspace_names("console"))
    for page in console.sent("GET", "workspaces"):
        id_page(BetaWorkspace, page.json())
    got = workspaces.with_raw_response.retrieve(walked[0].id)
    assert got.parse() == validate(BetaWorkspace, got.json()) == walked[0]
    created = workspaces.with_raw_response.create(
        name="beta-made",
        data_residency={"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
        tags={"via": "beta"},
    )
    made = validate(BetaWorkspace, created.json())
    assert made == created.parse()
    assert made.data_residency.allowed_inference_geos == ["us"]
    assert "anthropic-beta" not in console.sent("POST", "workspaces")[0].request_headers
    updated = workspaces.with_raw_response.update(made.id, name="beta-renamed")
    assert validate(BetaWorkspace, updated.json()).name == "beta-renamed"
    archived = workspaces.with_raw_response.archive(made.id)
    assert validate(BetaWorkspace, archived.json()).archived_at is not None


def test_rbac_groups(enterprise: Org) -> None:
    groups = enterprise.client.beta.organization.rbac_groups
    response = groups.with_raw_response.list(limit=2)
    cursor_page(BetaRBACGroup, response.json())
    walked = list(response.parse())
    assert sorted(g.name for g in walked) == sorted(seed_data.group_names())
    for page in enterprise.sent("GET", "rbac_groups"):
        cursor_page(BetaRBACGroup, page.json())
    research = next(g for g in walked if g.name == "research")
    got = groups.with_raw_response.retrieve(research.id)
    assert got.parse() == validate(BetaRBACGroup, got.json()) == research
    members = list(groups.members.list(research.id, limit=2))
    assert all(isinstance(m, BetaRBACGroupMember) for m in members)
    assert sorted(m.email for m in members) == sorted(seed_data.group_members("research"))
    for page in enterprise.sent("GET", f"rbac_groups/{research.id}/members"):
        cursor_page(BetaRBACGroupMember, page.json())


def test_effective_report(enterprise: Org) -> None:
    effective = enterprise.client.beta.organization.spend_limits.effective
    rows = list(effective.list(limit=2))
    assert rows and all(isinstance(r, BetaSpendSummary) for r in rows)
    for page in enterprise.sent("GET", "spend_limits/effective"):
        cursor_page(BetaSpendSummary, page.json())


def test_increase_requests(enterprise: Org) -> None:
    requests = enterprise.client.beta.organization.spend_limits.increase_requests
    walked = list(requests.list(limit=2))
    assert len(walked) == len(seed_data.increase_requests())
    for page in enterprise.sent("GET", "spend_limit_increase_requests"):
        cursor_page(BetaSpendLimitIncreaseRequest, page.json())
    pending = [r for r in walked if r.status == "pending"]
    got = requests.with_raw_response.retrieve(pending[0].id)
    assert got.parse() == validate(BetaSpendLimitIncreaseRequest, got.json()) == pending[0]
    approved = requests.with_raw_response.approve(pending[0].id, amount="4200")
    body = validate(BetaIncreaseRequestApproveResponse, approved.json())
    assert body.spend_limit is not None and body.spend_limit.amount == "4200"
    denied = requests.with_raw_response.deny(pending[1].id, suppress_notification=False)
    assert validate(BetaSpendLimitIncreaseRequest, denied.json()).status == "denied"
    assert enterprise.sent("POST", f"spend_limit_increase_requests/{pending[1].id}/deny")[
        0
    ].sent_json() == {"suppress_notification": False}


def test_scope_errors_are_the_same_exception_classes(enterprise: Org) -> None:
    client = enterprise.sdk("sk-ant-api01-conformance-members-only-key")
    try:
        client.beta.organization.rbac_groups.list()
    except anthropic.PermissionDeniedError as exc:
        assert exc.error_code == "api_key_scope_missing"
    else:
        raise AssertionError("a key without read:rbac_groups listed the groups")
