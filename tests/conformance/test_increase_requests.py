"""Spend-limit increase requests (admin-api.md §12): list, get, approve, deny — Enterprise."""

from __future__ import annotations

import math
from itertools import pairwise

import anthropic
import pytest
from anthropic.types.beta.organization.beta_spend_limit import BetaSpendLimit
from anthropic.types.organization.spend_limits.increase_request_approve_response import (
    IncreaseRequestApproveResponse,
)
from anthropic.types.organization.spend_limits.spend_limit_increase_request import (
    SpendLimitIncreaseRequest,
)

from tests.conformance import seed_data
from tests.conformance.harness import Org, check_error, each_raises
from tests.conformance.shapes import ID_FIELDS, as_dict, cursor_page, validate

UNKNOWN_REQUEST = "slir_000000000000000000000000"


def all_requests(org: Org, **filters: object) -> list[SpendLimitIncreaseRequest]:
    return org.client.organization.spend_limits.increase_requests.list(limit=1000, **filters).data  # type: ignore[arg-type]


def request_of(org: Org, email: str) -> SpendLimitIncreaseRequest:
    matches = [r for r in all_requests(org) if r.actor.email_address == email]  # type: ignore[union-attr]
    assert len(matches) == 1, matches
    return matches[0]


def seeded(status: str) -> list[str]:
    return [r["email"] for r in seed_data.increase_requests() if r["status"] == status]


def test_list_is_typed_exact_and_most_recent_first(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    response = requests.with_raw_response.list(limit=1000)
    page = response.parse()
    items, body = cursor_page(SpendLimitIncreaseRequest, response.json())
    assert page.data == items
    assert body["next_page"] is None
    emails = [r.actor.email_address for r in items]  # type: ignore[union-attr]
    assert sorted(emails) == sorted(r["email"] for r in seed_data.increase_requests())  # type: ignore[type-var]
    created = [r.created_at for r in items]
    assert created == sorted(created, reverse=True)
    assert {r.status for r in items} == {"pending", "approved", "denied"}


def test_pending_and_resolved_requests_carry_the_right_fields(enterprise: Org) -> None:
    for request in all_requests(enterprise):
        if request.status == "pending":
            assert request.resolved_at is None
            assert request.resolved_by is None
            assert request.spend_summary is not None
            assert request.spend_summary.scope.user_id == request.actor.user_id  # type: ignore[union-attr]
            assert request.spend_summary.period == request.period
        else:
            assert request.resolved_at is not None
            assert request.resolved_at >= request.created_at
            assert request.resolved_by is not None
            assert request.spend_summary is None


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_auto_pagination_walks_every_page_once(enterprise: Org, limit: int) -> None:
    expected = [r.id for r in all_requests(enterprise)]
    walked = enterprise.client.organization.spend_limits.increase_requests.list(limit=limit)
    assert [r.id for r in walked] == expected
    pages = enterprise.sent("GET", "spend_limit_increase_requests")[1:]
    assert len(pages) == math.ceil(len(expected) / limit)
    route = "GET /v1/organizations/spend_limit_increase_requests"
    assert enterprise.route_count(route) == 1 + len(pages)
    for previous, following in pairwise(pages):
        assert ("page", previous.json()["next_page"]) in following.query


def test_status_and_actor_filters(enterprise: Org) -> None:
    pending = list(
        enterprise.client.organization.spend_limits.increase_requests.list(
            status=["pending"], limit=1
        )
    )
    assert sorted(r.actor.email_address for r in pending) == sorted(seeded("pending"))  # type: ignore[union-attr, type-var]
    resolved = all_requests(enterprise, status=["approved", "denied"])
    assert {r.status for r in resolved} == {"approved", "denied"}
    hal = request_of(enterprise, "hal@enterprise.example.com")
    by_actor = all_requests(enterprise, actor_ids=[hal.actor.user_id])  # type: ignore[union-attr]
    assert [r.id for r in by_actor] == [hal.id]


def test_cursor_is_bound_to_the_filters(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    first = requests.list(limit=1, status=["pending"])
    assert first.next_page
    with pytest.raises(anthropic.BadRequestError) as info:
        requests.list(limit=1, status=["denied"], page=first.next_page)
    body = check_error(info.value, 400, "invalid_request_error")
    assert body["error"]["message"] == "cursor does not match current query parameters"


def test_retrieve_every_request(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    for listed in all_requests(enterprise):
        response = requests.with_raw_response.retrieve(listed.id)
        request = response.parse()
        assert request == validate(SpendLimitIncreaseRequest, response.json())
        assert request == listed


def test_approve_writes_the_user_row(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    eli = request_of(enterprise, "eli@enterprise.example.com")
    assert (eli.status, eli.period) == ("pending", "monthly")
    overrides = {
        (r.scope.user_id, r.period): r  # type: ignore[union-attr]
        for r in enterprise.client.beta.organization.spend_limits.list(
            limit=1000, scope_type=["user"]
        )
    }
    existing = overrides[(eli.actor.user_id, "monthly")]  # type: ignore[union-attr]
    response = requests.with_raw_response.approve(
        eli.id, amount="90000", suppress_notification=True
    )
    approved = response.parse()
    assert approved == validate(IncreaseRequestApproveResponse, response.json())
    assert (approved.id, approved.status) == (eli.id, "approved")
    assert approved.resolved_at is not None
    assert approved.resolved_by is not None
    assert approved.resolved_by.type == "scoped_api_key_actor"
    assert ID_FIELDS["scoped_api_key_id"].match(approved.resolved_by.scoped_api_key_id)
    assert approved.spend_summary is None
    row = approved.spend_limit
    assert row is not None
    assert (row.id, row.amount, row.period) == (existing.id, "90000", "monthly")
    assert (row.scope.type, row.scope.user_id) == ("user", eli.actor.user_id)  # type: ignore[union-attr]
    sent = enterprise.sent("POST", f"spend_limit_increase_requests/{eli.id}/approve")[0]
    assert sent.sent_json() == {"amount": "90000", "suppress_notification": True}
    stored = enterprise.client.beta.organization.spend_limits.retrieve(row.id)
    assert stored.amount == "90000"
    assert validate(BetaSpendLimit, as_dict(response.json())["spend_limit"]).id == row.id
    assert requests.retrieve(eli.id).status == "approved"


def test_approve_with_another_period_creates_that_row(enterprise: Org) -> None:
    dan = request_of(enterprise, "dan@enterprise.example.com")
    approved = enterprise.client.organization.spend_limits.increase_requests.approve(
        dan.id, amount="5000", period="weekly"
    )
    assert approved.spend_limit is not None
    assert (approved.spend_limit.period, approved.spend_limit.amount) == ("weekly", "5000")


def test_deny_is_idempotent_on_denied(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    flo = request_of(enterprise, "flo@enterprise.example.com")
    response = requests.with_raw_response.deny(flo.id)
    denied = response.parse()
    assert denied == validate(SpendLimitIncreaseRequest, response.json())
    assert (denied.status, denied.spend_summary) == ("denied", None)
    assert denied.resolved_by is not None and denied.resolved_by.type == "scoped_api_key_actor"
    (sent,) = enterprise.sent("POST", f"spend_limit_increase_requests/{flo.id}/deny")
    assert sent.sent_json() == {}
    again = requests.deny(flo.id, suppress_notification=True)
    assert again == denied


def test_resolved_requests_refuse_further_resolution(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    approved = request_of(enterprise, seeded("approved")[0])
    denied = request_of(enterprise, seeded("denied")[0])
    each_raises(
        anthropic.BadRequestError,
        [
            lambda: requests.approve(approved.id, amount="1"),
            lambda: requests.approve(denied.id, amount="1"),
            lambda: requests.deny(approved.id),
        ],
        400,
        "invalid_request_error",
    )


@pytest.mark.parametrize("amount", ["-1", "1.5", "01", ""], ids=repr)
def test_approve_with_a_malformed_amount_is_a_400(enterprise: Org, amount: str) -> None:
    pending = request_of(enterprise, seeded("pending")[0])
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.organization.spend_limits.increase_requests.approve(
            pending.id, amount=amount
        )
    check_error(info.value, 400, "invalid_request_error")
    assert (
        enterprise.client.organization.spend_limits.increase_requests.retrieve(pending.id).status
        == "pending"
    )


def test_removing_a_member_drops_their_pending_request(enterprise: Org) -> None:
    pending = request_of(enterprise, "dan@enterprise.example.com")
    enterprise.client.organization.users.remove(pending.actor.user_id)  # type: ignore[union-attr]
    assert pending.id not in {r.id for r in all_requests(enterprise)}
    with pytest.raises(anthropic.NotFoundError) as info:
        enterprise.client.organization.spend_limits.increase_requests.retrieve(pending.id)
    check_error(info.value, 404, "not_found_error")


def test_unknown_request_is_a_404(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    each_raises(
        anthropic.NotFoundError,
        [
            lambda: requests.retrieve(UNKNOWN_REQUEST),
            lambda: requests.approve(UNKNOWN_REQUEST, amount="1"),
            lambda: requests.deny(UNKNOWN_REQUEST),
        ],
        404,
        "not_found_error",
    )


@pytest.mark.parametrize(
    "filters",
    [{"limit": 0}, {"limit": 1001}, {"status": ["open"]}],
    ids=["limit-0", "limit-1001", "unknown-status"],
)
def test_invalid_filters_are_400s(enterprise: Org, filters: dict[str, object]) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.organization.spend_limits.increase_requests.list(**filters)  # type: ignore[arg-type]
    check_error(info.value, 400, "invalid_request_error")


def test_console_organizations_have_no_increase_requests(console: Org) -> None:
    requests = console.client.organization.spend_limits.increase_requests
    each_raises(
        anthropic.OrganizationTypeNotSupportedError,
        [
            lambda: requests.list(),
            lambda: requests.retrieve(UNKNOWN_REQUEST),
            lambda: requests.approve(UNKNOWN_REQUEST, amount="1"),
            lambda: requests.deny(UNKNOWN_REQUEST),
        ],
        400,
        "invalid_request_error",
        "organization_type_not_supported",
    )


def test_setting_a_limit_does_not_resolve_a_pending_request(enterprise: Org) -> None:
    eli = request_of(enterprise, "eli@enterprise.example.com")
    enterprise.client.beta.organization.spend_limits.set(
        amount="99999",
        scope={"type": "user", "user_id": eli.actor.user_id},  # type: ignore[union-attr]
    )
    after = enterprise.client.organization.spend_limits.increase_requests.retrieve(eli.id)
    assert after.status == "pending"
    assert after.spend_summary is not None
    assert after.spend_summary.amount == "99999"


def test_approve_without_an_amount_is_a_400(enterprise: Org) -> None:
    pending = request_of(enterprise, seeded("pending")[0])
    for body in ({}, {"amount": None}):
        with pytest.raises(anthropic.BadRequestError) as info:
            enterprise.client.post(
                f"/v1/organizations/spend_limit_increase_requests/{pending.id}/approve",
                cast_to=object,
                body=body,
            )
        check_error(info.value, 400, "invalid_request_error")


def test_more_than_100_actor_ids_is_a_400(enterprise: Org) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.organization.spend_limits.increase_requests.list(
            actor_ids=["user_000000000000000000000000"] * 101
        )
    check_error(info.value, 400, "invalid_request_error")
