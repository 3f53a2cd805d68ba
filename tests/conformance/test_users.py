"""Users (admin-api.md §9): list, get, update role, remove — both organization kinds."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Literal

import anthropic
import pytest
from anthropic.types.organization import CannotRemoveLastMemberError
from anthropic.types.organization.organization_user import OrganizationUser
from anthropic.types.organization.user_remove_response import UserRemoveResponse

from tests.conformance import seed_data
from tests.conformance.conftest import MEMBERS_WRITER_KEY
from tests.conformance.harness import Org, check_error, each_raises
from tests.conformance.shapes import id_page, validate

UNKNOWN_USER = "user_000000000000000000000000"
Role = Literal["billing", "claude_code_user", "developer", "managed", "user"]
# A plain member to change, and a role each kind may assign through the API.
CHANGEABLE: dict[str, tuple[str, Role]] = {
    "console": ("cy@console.example.com", "developer"),
    "enterprise": ("dan@enterprise.example.com", "managed"),
}
REMOVABLE = {"console": "fay@console.example.com", "enterprise": "hal@enterprise.example.com"}
# Members the API refuses to change or remove (Console admins; Enterprise admin roles).
PROTECTED = {
    "console": "ada@console.example.com",
    "enterprise": "bo@enterprise.example.com",
}
FOREIGN_ROLE = {"console": "owner", "enterprise": "developer"}


def all_users(org: Org) -> list[OrganizationUser]:
    return org.client.organization.users.list(limit=1000).data


def user_id(org: Org, email: str) -> str:
    for user in all_users(org):
        if user.email == email:
            return user.id
    raise AssertionError(f"{email} is not a member")


def test_list_is_typed_exact_and_most_recently_added_first(org: Org) -> None:
    response = org.client.organization.users.with_raw_response.list(limit=1000)
    page = response.parse()
    items, body = id_page(OrganizationUser, response.json())
    assert page.data == items
    assert body["has_more"] is False
    assert [u.email for u in page.data] == list(reversed(seed_data.emails(org.kind)))
    added = [u.added_at for u in page.data]
    assert added == sorted(added, reverse=True)
    assert {u.role for u in page.data} <= set(seed_user_roles(org.kind))


def seed_user_roles(kind: str) -> list[str]:
    return [user["role"] for user in seed_data.load(kind)["users"]]


def test_default_page_size_is_20(org: Org) -> None:
    for i in range(25 - len(seed_data.emails(org.kind))):
        entry = {
            "email": f"extra{i:02d}@{org.kind}.example.com",
            "name": f"Extra {i}",
            "role": "user",
        }
        org.control("POST", "/_emulator/users", json=entry)
    response = org.client.organization.users.with_raw_response.list()
    items, body = id_page(OrganizationUser, response.json())
    assert len(items) == 20
    assert body["has_more"] is True
    assert len(list(response.parse())) == 25


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_auto_pagination_walks_every_page_once(org: Org, limit: int) -> None:
    expected = [u.id for u in all_users(org)]
    walked = [u.id for u in org.client.organization.users.list(limit=limit)]
    assert walked == expected
    pages = org.sent("GET", "users")[1:]
    assert len(pages) == math.ceil(len(expected) / limit)
    assert org.route_count("GET /v1/organizations/users") == 1 + len(pages)
    for previous, following in pairwise(pages):
        assert ("after_id", previous.json()["last_id"]) in following.query
        assert ("limit", str(limit)) in following.query
    assert [p.json()["has_more"] for p in pages] == [True] * (len(pages) - 1) + [False]


def test_backwards_pagination_follows_first_id(org: Org) -> None:
    expected = [u.id for u in all_users(org)]
    walked = [u.id for u in org.client.organization.users.list(before_id=expected[-1], limit=2)]
    backwards: list[str] = []
    end = len(expected) - 1
    while end > 0:
        backwards += expected[max(0, end - 2) : end]
        end = max(0, end - 2)
    assert walked == backwards
    pages = org.sent("GET", "users")[1:]
    for previous, following in pairwise(pages):
        assert ("before_id", previous.json()["first_id"]) in following.query


def test_email_filter_is_case_insensitive_and_ignores_plus_tags(org: Org) -> None:
    email = seed_data.emails(org.kind)[2]
    local, domain = email.split("@")
    page = org.client.organization.users.list(email=f"{local.upper()}+tag@{domain}")
    assert [u.email for u in page.data] == [email]


def test_roles_filter_is_ored_and_paginates(org: Org) -> None:
    roles = sorted(set(seed_user_roles(org.kind)))[:2]
    expected = {
        user["email"] for user in seed_data.load(org.kind)["users"] if user["role"] in roles
    }
    walked = list(org.client.organization.users.list(roles=roles, limit=1))
    assert sorted(u.email for u in walked) == sorted(expected)
    assert all(("roles[]", role) in org.sent("GET", "users")[0].query for role in roles)


def test_retrieve_every_member(org: Org) -> None:
    for listed in all_users(org):
        response = org.client.organization.users.with_raw_response.retrieve(listed.id)
        user = response.parse()
        assert user == validate(OrganizationUser, response.json())
        assert user == listed


def test_update_role(org: Org) -> None:
    email, role = CHANGEABLE[org.kind]
    uid = user_id(org, email)
    response = org.client.organization.users.with_raw_response.update(uid, role=role)
    updated = response.parse()
    assert updated == validate(OrganizationUser, response.json())
    assert (updated.id, updated.email, updated.role) == (uid, email, role)
    assert org.client.organization.users.retrieve(uid).role == role
    assert org.sent("POST", f"users/{uid}")[0].sent_json() == {"role": role}


def test_remove_member(org: Org) -> None:
    uid = user_id(org, REMOVABLE[org.kind])
    response = org.client.organization.users.with_raw_response.remove(uid)
    removed = response.parse()
    assert removed == validate(UserRemoveResponse, response.json())
    assert (removed.type, removed.id) == ("user_deleted", uid)
    with pytest.raises(anthropic.NotFoundError) as info:
        org.client.organization.users.retrieve(uid)
    check_error(info.value, 404, "not_found_error")
    assert uid not in {u.id for u in all_users(org)}


def test_unknown_member_is_a_404_for_every_operation(org: Org) -> None:
    users = org.client.organization.users
    each_raises(
        anthropic.NotFoundError,
        [
            lambda: users.retrieve(UNKNOWN_USER),
            lambda: users.update(UNKNOWN_USER, role="user"),
            lambda: users.remove(UNKNOWN_USER),
        ],
        404,
        "not_found_error",
    )


def test_protected_members_cannot_be_changed_or_removed(org: Org) -> None:
    uid = user_id(org, PROTECTED[org.kind])
    _, role = CHANGEABLE[org.kind]
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.update(uid, role=role)
    check_error(info.value, 400, "invalid_request_error")
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.remove(uid)
    check_error(info.value, 400, "invalid_request_error")


def test_role_of_the_other_kind_is_a_400(org: Org) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.list(roles=[FOREIGN_ROLE[org.kind]])
    check_error(info.value, 400, "invalid_request_error")
    email, _ = CHANGEABLE[org.kind]
    other: Role = "managed" if org.kind == "console" else "developer"
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.update(user_id(org, email), role=other)
    check_error(info.value, 400, "invalid_request_error")


@pytest.mark.parametrize("limit", [0, 1001, -1, "abc", "2.5"])
def test_limit_out_of_range_is_a_400(org: Org, limit: int | str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.list(extra_query={"limit": limit})
    check_error(info.value, 400, "invalid_request_error")


def test_bad_id_cursors_are_400s(org: Org) -> None:
    first = all_users(org)[0].id
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.list(after_id=first, before_id=first)
    check_error(info.value, 400, "invalid_request_error")
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.list(after_id=UNKNOWN_USER)
    check_error(info.value, 400, "invalid_request_error")


def test_same_role_again_is_a_no_op(org: Org) -> None:
    email, role = CHANGEABLE[org.kind]
    uid = user_id(org, email)
    first = org.client.organization.users.update(uid, role=role)
    assert org.client.organization.users.update(uid, role=role) == first


def test_no_match_is_an_empty_page(org: Org) -> None:
    response = org.client.organization.users.with_raw_response.list(email="nobody@nowhere.test")
    items, body = id_page(OrganizationUser, response.json())
    assert items == []
    assert body == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    assert list(response.parse()) == []


def test_managed_role_also_needs_write_rbac_groups(enterprise: Org) -> None:
    client = enterprise.sdk(MEMBERS_WRITER_KEY)
    uid = user_id(enterprise, "hal@enterprise.example.com")
    assert client.organization.users.update(uid, role="user").role == "user"
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        client.organization.users.update(uid, role="managed")
    body = check_error(info.value, 403, "permission_error", "api_key_scope_missing")
    assert "write:rbac_groups" in body["error"]["message"]


def test_last_member_cannot_be_removed(org: Org) -> None:
    last = REMOVABLE[org.kind]
    for email in seed_data.emails(org.kind):
        if email != last:
            org.control("DELETE", f"/_emulator/users/{email}")
    (only,) = all_users(org)
    with pytest.raises(anthropic.BadRequestError) as info:
        org.client.organization.users.remove(only.id)
    assert isinstance(info.value, CannotRemoveLastMemberError)
    check_error(info.value, 400, "invalid_request_error", "cannot_remove_last_member")


def test_removing_a_member_removes_what_belongs_to_them(enterprise: Org) -> None:
    """Decision 29: their user rows and pending requests go; reports forget them."""
    uid = user_id(enterprise, "eli@enterprise.example.com")
    limits = enterprise.client.beta.organization.spend_limits
    overrides = [
        row.id
        for row in limits.list(limit=1000, scope_type=["user"])
        if row.scope.type == "user" and row.scope.user_id == uid
    ]
    assert len(overrides) == 2
    enterprise.client.organization.users.remove(uid)
    for row_id in overrides:
        with pytest.raises(anthropic.NotFoundError):
            limits.retrieve(row_id)
    effective = enterprise.client.organization.spend_limits.effective.list(limit=1000)
    assert uid not in {row.scope.user_id for row in effective.data}  # type: ignore[union-attr]
    requests = enterprise.client.organization.spend_limits.increase_requests.list(limit=1000)
    assert uid not in {r.actor.user_id for r in requests.data}  # type: ignore[union-attr]


def test_requests_of_former_members_leave_the_list(enterprise: Org) -> None:
    uid = user_id(enterprise, "hal@enterprise.example.com")
    requests = enterprise.client.organization.spend_limits.increase_requests
    assert uid in {r.actor.user_id for r in requests.list(limit=1000).data}  # type: ignore[union-attr]
    enterprise.client.organization.users.remove(uid)
    assert uid not in {r.actor.user_id for r in requests.list(limit=1000).data}  # type: ignore[union-attr]
