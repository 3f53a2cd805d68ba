"""Spend limit increase requests (admin-api.md §12, decision 38) and RBAC groups (§10)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import ORG, Api, error_of

REQUESTS = f"{ORG}/spend_limit_increase_requests"


def requests(api: Api, **params: Any) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = api.get(REQUESTS, params=params).json()["data"]
    return data


def by_email(api: Api, email: str) -> dict[str, Any]:
    return next(r for r in requests(api) if r["actor"]["email_address"] == email)


def test_list_most_recent_first_with_live_summary_while_pending(enterprise: Api) -> None:
    rows = requests(enterprise)
    assert [(r["actor"]["email_address"], r["status"]) for r in rows] == [
        ("erin@globex.example", "denied"),
        ("bob@globex.example", "pending"),
    ]
    pending = rows[1]
    assert pending["resolved_at"] is None and pending["resolved_by"] is None
    assert pending["spend_summary"]["amount"] == "75000"
    assert pending["spend_summary"]["period_to_date_spend"] == "61000"
    assert rows[0]["spend_summary"] is None
    assert [r["status"] for r in requests(enterprise, **{"status[]": "pending"})] == ["pending"]
    bob = pending["actor"]["user_id"]
    assert [r["id"] for r in requests(enterprise, **{"actor_ids[]": bob})] == [pending["id"]]


def test_approve_writes_the_user_row(enterprise: Api) -> None:
    bob = by_email(enterprise, "bob@globex.example")
    response = enterprise.post(
        f"{REQUESTS}/{bob['id']}/approve", json={"amount": "90000", "suppress_notification": True}
    )
    approved = response.json()
    assert approved["status"] == "approved" and approved["resolved_at"]
    assert approved["resolved_by"]["type"] == "scoped_api_key_actor"
    assert approved["resolved_by"]["scoped_api_key_id"].startswith("apikey_")
    assert approved["spend_summary"] is None
    limit = approved["spend_limit"]
    assert (limit["amount"], limit["period"], limit["scope"]["user_id"]) == (
        "90000",
        "monthly",
        bob["actor"]["user_id"],
    )
    assert enterprise.get(f"{ORG}/spend_limits/{limit['id']}").json()["amount"] == "90000"
    again = enterprise.post(f"{REQUESTS}/{bob['id']}/approve", json={"amount": "1"})
    assert error_of(again) == (400, "invalid_request_error", None)
    assert error_of(enterprise.post(f"{REQUESTS}/{bob['id']}/deny", json={}))[0] == 400


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"amount": None},
        {"amount": 5},
        {"amount": "05"},
        {"amount": "1", "period": "hourly"},
        {"amount": "1", "suppress_notification": "yes"},
        {"amount": "1", "note": "x"},
    ],
    ids=["missing", "null", "number", "leading-zero", "bad-period", "bad-flag", "unknown-field"],
)
def test_approve_validation(enterprise: Api, body: dict[str, Any]) -> None:
    bob = by_email(enterprise, "bob@globex.example")
    assert error_of(enterprise.post(f"{REQUESTS}/{bob['id']}/approve", json=body))[0] == 400


def test_deny_is_idempotent_on_denied(enterprise: Api) -> None:
    bob = by_email(enterprise, "bob@globex.example")
    denied = enterprise.post(f"{REQUESTS}/{bob['id']}/deny", json={}).json()
    assert denied["status"] == "denied" and denied["spend_summary"] is None
    assert enterprise.post(f"{REQUESTS}/{bob['id']}/deny").json() == denied
    erin = by_email(enterprise, "erin@globex.example")
    assert enterprise.get(f"{REQUESTS}/{erin['id']}").json()["status"] == "denied"


def test_unknown_request_is_404(enterprise: Api) -> None:
    assert error_of(enterprise.get(f"{REQUESTS}/slir_nope"))[0] == 404
    assert (
        error_of(enterprise.post(f"{REQUESTS}/slir_nope/approve", json={"amount": "1"}))[0] == 404
    )


def test_console_orgs_have_no_increase_requests_or_groups(console: Api) -> None:
    for path in (REQUESTS, f"{ORG}/rbac_groups"):
        assert error_of(console.get(path))[2] == "organization_type_not_supported"


def test_rbac_groups_by_ascending_id_with_members(enterprise: Api) -> None:
    first = enterprise.get(f"{ORG}/rbac_groups", params={"limit": 1}).json()
    second = enterprise.get(
        f"{ORG}/rbac_groups", params={"limit": 1, "page": first["next_page"]}
    ).json()
    assert second["next_page"] is None
    groups = first["data"] + second["data"]
    assert [g["id"] for g in groups] == sorted(g["id"] for g in groups)
    assert {g["name"] for g in groups} == {"research", "platform"}
    research = next(g for g in groups if g["name"] == "research")
    assert research["source_type"] == "direct" and research["role_ids"] == []
    assert enterprise.get(f"{ORG}/rbac_groups/{research['id']}").json() == research
    members = enterprise.get(f"{ORG}/rbac_groups/{research['id']}/members").json()
    assert [m["email"] for m in members["data"]] == [
        "alice@globex.example",
        "dan@globex.example",
        "erin@globex.example",
    ]
    assert members["data"][0]["type"] == "rbac_group_member"
    assert error_of(enterprise.get(f"{ORG}/rbac_groups/rbac_group_nope"))[0] == 404
