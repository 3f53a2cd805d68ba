"""Spend limits (admin-api.md §11.4): set, retrieve, list, delete — both organization kinds.

The SDK exposes these only as ``client.beta.organization.spend_limits``; only the list sends
the ``spend-limit-reads-2026-09-26`` beta header.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any, cast

import anthropic
import pytest
from anthropic.types.beta.organization.beta_spend_limit import BetaSpendLimit
from anthropic.types.beta.organization.spend_limit_delete_response import (
    SpendLimitDeleteResponse,
)

from tests.conformance import seed_data
from tests.conformance.harness import Org, check_error
from tests.conformance.shapes import cursor_page, validate

UNKNOWN_LIMIT = "spl_000000000000000000000000"
UNKNOWN_USER = "user_000000000000000000000000"
UNKNOWN_WORKSPACE = "wrkspc_000000000000000000000000"
BETA = "spend-limit-reads-2026-09-26"
ENTERPRISE_TYPE_ORDER = ["organization", "seat_tier", "rbac_group", "organization_service", "user"]
CURRENCY = {"console": "USD", "enterprise": "EUR"}


def all_limits(org: Org, **filters: object) -> list[BetaSpendLimit]:
    return org.client.beta.organization.spend_limits.list(limit=1000, **filters).data  # type: ignore[arg-type]


def member(org: Org, email: str) -> str:
    (user,) = org.client.organization.users.list(email=email).data
    return user.id


def workspace(org: Org, name: str) -> str:
    listed = org.client.organization.workspaces.list(limit=1000, include_archived=True).data
    (match,) = [w.id for w in listed if w.name == name]
    return match


def test_list_is_typed_exact_and_sends_the_beta_header(org: Org) -> None:
    response = org.client.beta.organization.spend_limits.with_raw_response.list(limit=1000)
    page = response.parse()
    items, body = cursor_page(BetaSpendLimit, response.json())
    assert page.data == items
    assert body["next_page"] is None
    assert len(items) == seed_data.limit_count(org.kind)
    assert {row.currency for row in items} == {CURRENCY[org.kind]}
    assert org.sent("GET", "spend_limits")[0].request_headers["anthropic-beta"] == BETA


def test_enterprise_list_order_and_every_scope_variant(enterprise: Org) -> None:
    rows = all_limits(enterprise)
    types = [row.scope.type for row in rows]
    assert types == sorted(types, key=ENTERPRISE_TYPE_ORDER.index)
    assert set(types) == set(ENTERPRISE_TYPE_ORDER)
    for scope_type in ENTERPRISE_TYPE_ORDER:
        ids = [row.id for row in rows if row.scope.type == scope_type]
        assert ids == sorted(ids), f"{scope_type} rows not by ascending id"
    organization = next(row for row in rows if row.scope.type == "organization")
    # extra_usage_enabled is off in the seed: only the organization row says so.
    assert organization.is_enabled is False
    assert all(row.is_enabled for row in rows if row is not organization)
    dan = member(enterprise, "dan@enterprise.example.com")
    (unlimited,) = [r for r in rows if r.scope.type == "user" and r.scope.user_id == dan]
    assert unlimited.amount is None
    service = next(row for row in rows if row.scope.type == "organization_service")
    assert service.scope.service == "claude_code"  # type: ignore[union-attr]
    tiers = {row.scope.seat_tier for row in rows if row.scope.type == "seat_tier"}
    assert tiers == {"enterprise_premium", "enterprise_standard"}


def test_console_list_has_its_three_scope_types(console: Org) -> None:
    rows = all_limits(console)
    assert {row.scope.type for row in rows} == {"organization", "workspace", "usage_tier"}
    assert all(row.period == "monthly" and row.is_enabled for row in rows)
    claims = workspace(console, "claims")
    assert any(r.scope.type == "workspace" and r.scope.workspace_id == claims for r in rows)
    # Newest first, the usage_tier row included: it dates from the organization's creation.
    created = [row.created_at for row in rows]
    assert created == sorted(created, reverse=True)
    (tier,) = [row for row in rows if row.scope.type == "usage_tier"]
    assert tier.created_at == tier.updated_at == min(created)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_auto_pagination_walks_every_page_once(org: Org, limit: int) -> None:
    expected = [row.id for row in all_limits(org)]
    walked = org.client.beta.organization.spend_limits.list(limit=limit)
    assert [row.id for row in walked] == expected
    pages = org.sent("GET", "spend_limits")[1:]
    assert len(pages) == math.ceil(len(expected) / limit)
    assert org.route_count("GET /v1/organizations/spend_limits") == 1 + len(pages)
    for previous, following in pairwise(pages):
        assert ("page", previous.json()["next_page"]) in following.query
        assert following.request_headers["anthropic-beta"] == BETA


def test_filtered_walk_repeats_the_filters(enterprise: Org) -> None:
    expected = [row.id for row in all_limits(enterprise) if row.scope.type in ("user", "seat_tier")]
    walked = enterprise.client.beta.organization.spend_limits.list(
        limit=1, scope_type=["seat_tier", "user"]
    )
    assert [row.id for row in walked] == expected
    for page in enterprise.sent("GET", "spend_limits")[1:]:
        assert [v for k, v in page.query if k == "scope_type[]"] == ["seat_tier", "user"]


def test_console_workspace_filter(console: Org) -> None:
    claims = workspace(console, "claims")
    rows = all_limits(console, workspace_id=claims)
    assert [(r.scope.type, r.scope.workspace_id) for r in rows] == [("workspace", claims)]  # type: ignore[union-attr]


def test_cursor_is_bound_to_the_filters_but_not_to_limit(enterprise: Org) -> None:
    limits = enterprise.client.beta.organization.spend_limits
    first = limits.list(limit=1, scope_type=["user"])
    assert first.next_page
    with pytest.raises(anthropic.BadRequestError) as info:
        limits.list(limit=1, scope_type=["seat_tier"], page=first.next_page)
    body = check_error(info.value, 400, "invalid_request_error")
    assert body["error"]["message"] == "cursor does not match current query parameters"
    rest = limits.list(limit=3, scope_type=["user"], page=first.next_page)
    users = [row.id for row in all_limits(enterprise, scope_type=["user"])]
    assert [first.data[0].id, *(row.id for row in rest.data)] == users


def test_retrieve_every_row(org: Org) -> None:
    for listed in all_limits(org):
        response = org.client.beta.organization.spend_limits.with_raw_response.retrieve(listed.id)
        row = response.parse()
        assert row == validate(BetaSpendLimit, response.json())
        assert row == listed
        assert "anthropic-beta" not in org.recorder.exchanges[-1].request_headers


def test_enterprise_set_user_override_is_an_upsert(enterprise: Org) -> None:
    hal = member(enterprise, "hal@enterprise.example.com")
    limits = enterprise.client.beta.organization.spend_limits
    response = limits.with_raw_response.set(amount="12345", scope={"type": "user", "user_id": hal})
    created = response.parse()
    assert created == validate(BetaSpendLimit, response.json())
    assert (created.amount, created.period, created.currency) == ("12345", "monthly", "EUR")
    assert (created.scope.type, created.scope.user_id) == ("user", hal)  # type: ignore[union-attr]
    sent = enterprise.sent("POST", "spend_limits")[0].sent_json()
    assert sent == {"amount": "12345", "scope": {"type": "user", "user_id": hal}}
    again = limits.set(amount="23456", scope={"type": "user", "user_id": hal}, period="monthly")
    assert again.id == created.id
    assert again.amount == "23456"
    assert again.created_at == created.created_at
    assert again.updated_at >= created.updated_at
    assert limits.retrieve(created.id) == again
    assert len(all_limits(enterprise)) == seed_data.limit_count("enterprise") + 1


@pytest.mark.parametrize("period", ["daily", "weekly", "monthly"])
def test_enterprise_null_amount_is_an_explicit_no_limit(enterprise: Org, period: str) -> None:
    ivy = member(enterprise, "ivy@enterprise.example.com")
    row = enterprise.client.beta.organization.spend_limits.set(
        amount=None,
        scope={"type": "user", "user_id": ivy},
        period=period,  # type: ignore[arg-type]
    )
    assert (row.amount, row.period) == (None, period)
    assert enterprise.sent("POST", "spend_limits")[0].sent_json()["amount"] is None


def test_console_set_organization_and_workspace_rows(console: Org) -> None:
    limits = console.client.beta.organization.spend_limits
    organization = limits.set(amount="6000000", scope={"type": "organization"})
    assert (organization.scope.type, organization.amount) == ("organization", "6000000")
    sandbox = workspace(console, "sandbox-1")
    response = limits.with_raw_response.set(
        amount="100000", scope={"type": "workspace", "workspace_id": sandbox}, period="monthly"
    )
    row = validate(BetaSpendLimit, response.json())
    assert (row.scope.type, row.scope.workspace_id, row.amount) == ("workspace", sandbox, "100000")  # type: ignore[union-attr]
    assert row.currency == "USD"
    assert all_limits(console, workspace_id=sandbox) == [response.parse()]


def test_delete_then_retrieve_is_a_404(org: Org) -> None:
    deletable = "user" if org.kind == "enterprise" else "workspace"
    row = next(r for r in all_limits(org) if r.scope.type == deletable)
    limits = org.client.beta.organization.spend_limits
    response = limits.with_raw_response.delete(row.id)
    deleted = response.parse()
    assert deleted == validate(SpendLimitDeleteResponse, response.json())
    assert (deleted.type, deleted.id) == ("spend_limit_deleted", row.id)
    with pytest.raises(anthropic.NotFoundError) as info:
        limits.retrieve(row.id)
    check_error(info.value, 404, "not_found_error")
    with pytest.raises(anthropic.NotFoundError) as info:
        limits.delete(row.id)
    check_error(info.value, 404, "not_found_error")
    assert row.id not in {r.id for r in all_limits(org)}


def test_console_deletes_its_organization_row(console: Org) -> None:
    row = next(r for r in all_limits(console) if r.scope.type == "organization")
    assert console.client.beta.organization.spend_limits.delete(row.id).id == row.id


@pytest.mark.parametrize(
    ("kind", "scope_type"),
    [
        ("enterprise", "organization"),
        ("enterprise", "seat_tier"),
        ("enterprise", "rbac_group"),
        ("enterprise", "organization_service"),
        ("console", "usage_tier"),
    ],
)
def test_rows_that_cannot_be_deleted_are_400s(
    request: pytest.FixtureRequest, kind: str, scope_type: str
) -> None:
    org: Org = request.getfixturevalue(kind)
    row = next(r for r in all_limits(org) if r.scope.type == scope_type)
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.beta.organization.spend_limits.delete(row.id)
    check_error(info.value, 400, "invalid_request_error")


@pytest.mark.parametrize(
    "amount", ["01", "1.5", "-5", "1e3", "", "1234567890123456", " 5"], ids=repr
)
def test_malformed_amount_is_a_400(enterprise: Org, amount: str) -> None:
    hal = member(enterprise, "hal@enterprise.example.com")
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.beta.organization.spend_limits.set(
            amount=amount, scope={"type": "user", "user_id": hal}
        )
    check_error(info.value, 400, "invalid_request_error")


def test_amount_as_a_json_number_is_a_400(enterprise: Org) -> None:
    hal = member(enterprise, "hal@enterprise.example.com")
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.beta.organization.spend_limits.set(
            amount=5000,  # type: ignore[arg-type]
            scope={"type": "user", "user_id": hal},
        )
    check_error(info.value, 400, "invalid_request_error")


def test_largest_amount_is_accepted(enterprise: Org) -> None:
    hal = member(enterprise, "hal@enterprise.example.com")
    row = enterprise.client.beta.organization.spend_limits.set(
        amount="999999999999999", scope={"type": "user", "user_id": hal}
    )
    assert row.amount == "999999999999999"


@pytest.mark.parametrize(
    ("kind", "amount", "scope", "period"),
    [
        pytest.param("enterprise", "100", {"type": "organization"}, "monthly", id="ent-org"),
        pytest.param("console", "100", {"type": "user", "user_id": "?"}, "monthly", id="con-user"),
        pytest.param("console", "100", {"type": "organization"}, "weekly", id="con-weekly"),
        pytest.param("console", None, {"type": "organization"}, "monthly", id="con-null"),
        pytest.param(
            "enterprise", "100", {"type": "user", "user_id": "?"}, "yearly", id="ent-yearly"
        ),
        pytest.param("console", "100", {"type": "usage_tier"}, "monthly", id="con-usage-tier"),
        pytest.param("console", "999999999", {"type": "workspace"}, "monthly", id="con-above-org"),
        pytest.param(
            "console", "100", {"type": "workspace", "default": True}, "monthly", id="con-default-ws"
        ),
    ],
)
def test_invalid_set_is_a_400(
    request: pytest.FixtureRequest,
    kind: str,
    amount: str | None,
    scope: dict[str, object],
    period: str,
) -> None:
    org: Org = request.getfixturevalue(kind)
    scope = dict(scope)
    if scope.get("user_id") == "?":
        scope["user_id"] = org.client.organization.users.list(limit=1).data[0].id
    if scope["type"] == "workspace":
        listed = org.client.organization.workspaces.list(limit=1000, include_default=True).data
        target = listed[-1] if scope.pop("default", False) else listed[0]
        scope["workspace_id"] = target.id
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.beta.organization.spend_limits.set(
            amount=amount,
            scope=cast(Any, scope),
            period=cast(Any, period),
        )
    check_error(info.value, 400, "invalid_request_error")


@pytest.mark.parametrize(
    ("kind", "scope"),
    [
        ("enterprise", {"type": "user", "user_id": UNKNOWN_USER}),
        ("console", {"type": "workspace", "workspace_id": UNKNOWN_WORKSPACE}),
    ],
)
def test_unknown_target_in_the_body_is_a_404(
    request: pytest.FixtureRequest, kind: str, scope: dict[str, str]
) -> None:
    org: Org = request.getfixturevalue(kind)
    with pytest.raises(anthropic.NotFoundError) as info:
        org.client.beta.organization.spend_limits.set(amount="100", scope=scope)  # type: ignore[arg-type]
    check_error(info.value, 404, "not_found_error")


def test_unknown_row_is_a_404(org: Org) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        org.client.beta.organization.spend_limits.retrieve(UNKNOWN_LIMIT)
    check_error(info.value, 404, "not_found_error")


def test_list_without_the_beta_header_is_a_400(org: Org) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.beta.organization.spend_limits.list(
            extra_headers={"anthropic-beta": anthropic.omit}
        )
    body = check_error(info.value, 400, "invalid_request_error")
    assert "anthropic-beta" in body["error"]["message"]
    assert "anthropic-beta" not in org.sent("GET", "spend_limits")[0].request_headers


def test_unknown_extra_beta_is_named_in_the_400(org: Org) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.beta.organization.spend_limits.list(betas=["made-up-2020-01-01"])
    body = check_error(info.value, 400, "invalid_request_error")
    assert body["error"]["message"] == (
        "Unexpected value(s) `made-up-2020-01-01` for the `anthropic-beta` header. "
        "Please consult our documentation at platform.claude.com/docs or try again "
        "without the header."
    )
    sent = org.sent("GET", "spend_limits")[0].request_headers["anthropic-beta"]
    assert sent == f"made-up-2020-01-01,{BETA}"


@pytest.mark.parametrize(
    ("kind", "filters"),
    [
        ("enterprise", {"scope_type": ["workspace"]}),
        ("enterprise", {"scope_type": ["usage_tier"]}),
        ("enterprise", {"scope_type": ["everything"]}),
        ("enterprise", {"workspace_id": UNKNOWN_WORKSPACE}),
        ("console", {"scope_type": ["user"]}),
        ("console", {"scope_type": ["seat_tier"]}),
        ("console", {"scope_type": ["rbac_group"]}),
        ("console", {"limit": 0}),
        ("enterprise", {"limit": 1001}),
    ],
)
def test_invalid_list_filters_are_400s(
    request: pytest.FixtureRequest, kind: str, filters: dict[str, object]
) -> None:
    org: Org = request.getfixturevalue(kind)
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.beta.organization.spend_limits.list(**filters)  # type: ignore[arg-type]
    check_error(info.value, 400, "invalid_request_error")


def test_console_new_rows_are_listed_first(console: Org) -> None:
    sandbox = workspace(console, "sandbox-2")
    row = console.client.beta.organization.spend_limits.set(
        amount="1000", scope={"type": "workspace", "workspace_id": sandbox}
    )
    assert all_limits(console)[0] == row


def test_set_without_the_amount_key_is_a_400(enterprise: Org) -> None:
    hal = member(enterprise, "hal@enterprise.example.com")
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.post(
            "/v1/organizations/spend_limits",
            cast_to=object,
            body={"scope": {"type": "user", "user_id": hal}},
        )
    check_error(info.value, 400, "invalid_request_error")


def test_set_with_an_unknown_field_is_a_400(enterprise: Org) -> None:
    hal = member(enterprise, "hal@enterprise.example.com")
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.beta.organization.spend_limits.set(
            amount="100",
            scope={"type": "user", "user_id": hal},
            extra_body={"currency": "USD"},
        )
    check_error(info.value, 400, "invalid_request_error")
