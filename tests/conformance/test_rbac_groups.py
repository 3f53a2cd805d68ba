"""RBAC groups and their members (admin-api.md §10) — Enterprise organizations."""

from __future__ import annotations

import math
from itertools import pairwise

import anthropic
import pytest
from anthropic.types.organization.rbac_group import RBACGroup
from anthropic.types.organization.rbac_groups.rbac_group_member import RBACGroupMember

from tests.conformance import seed_data
from tests.conformance.harness import Org, check_error, each_raises
from tests.conformance.shapes import cursor_page, validate

UNKNOWN_GROUP = "rbac_group_000000000000000000000000"


def all_groups(org: Org) -> list[RBACGroup]:
    return org.client.organization.rbac_groups.list(limit=1000).data


def group_named(org: Org, name: str) -> RBACGroup:
    (group,) = [g for g in all_groups(org) if g.name == name]
    return group


def test_list_is_typed_exact_and_by_ascending_id(enterprise: Org) -> None:
    response = enterprise.client.organization.rbac_groups.with_raw_response.list(limit=1000)
    page = response.parse()
    items, body = cursor_page(RBACGroup, response.json())
    assert page.data == items
    assert body["next_page"] is None
    assert sorted(g.name for g in items) == sorted(seed_data.group_names())
    ids = [g.id for g in items]
    assert ids == sorted(ids)
    assert all(g.source_type in ("direct", "scim") for g in items)


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_auto_pagination_walks_every_page_once(enterprise: Org, limit: int) -> None:
    expected = [g.id for g in all_groups(enterprise)]
    walked = enterprise.client.organization.rbac_groups.list(limit=limit)
    assert [g.id for g in walked] == expected
    pages = enterprise.sent("GET", "rbac_groups")[1:]
    assert len(pages) == math.ceil(len(expected) / limit)
    assert enterprise.route_count("GET /v1/organizations/rbac_groups") == 1 + len(pages)
    for previous, following in pairwise(pages):
        assert ("page", previous.json()["next_page"]) in following.query
        assert ("limit", str(limit)) in following.query
    assert pages[-1].json()["next_page"] is None


def test_default_page_size_is_20(enterprise: Org) -> None:
    # Five groups are seeded: the default page holds them all and ends the list.
    response = enterprise.client.organization.rbac_groups.with_raw_response.list()
    items, body = cursor_page(RBACGroup, response.json())
    assert len(items) == len(seed_data.group_names())
    assert body["next_page"] is None
    assert not any(k == "limit" for k, _ in enterprise.sent("GET", "rbac_groups")[0].query)


def test_retrieve_every_group(enterprise: Org) -> None:
    for listed in all_groups(enterprise):
        response = enterprise.client.organization.rbac_groups.with_raw_response.retrieve(listed.id)
        group = response.parse()
        assert group == validate(RBACGroup, response.json())
        assert group == listed


@pytest.mark.parametrize("limit", [1, 2, 1000])
def test_members_walk_every_page_once(enterprise: Org, limit: int) -> None:
    research = group_named(enterprise, "research")
    walked = list(enterprise.client.organization.rbac_groups.members.list(research.id, limit=limit))
    assert sorted(m.email for m in walked) == sorted(seed_data.group_members("research"))
    assert len({m.user_id for m in walked}) == len(walked)
    assert all(isinstance(m, RBACGroupMember) for m in walked)
    assert {m.rbac_group_id for m in walked} == {research.id}
    pages = enterprise.sent("GET", f"rbac_groups/{research.id}/members")
    assert len(pages) == math.ceil(len(walked) / limit)
    for page in pages:
        cursor_page(RBACGroupMember, page.json())
    users = {u.email: u.id for u in enterprise.client.organization.users.list(limit=1000).data}
    assert all(users[m.email] == m.user_id for m in walked)


def test_empty_group_has_one_empty_last_page(enterprise: Org) -> None:
    legal = group_named(enterprise, "legal")
    response = enterprise.client.organization.rbac_groups.members.with_raw_response.list(legal.id)
    items, body = cursor_page(RBACGroupMember, response.json())
    assert items == []
    assert body["next_page"] is None
    assert list(response.parse()) == []


def test_removed_member_leaves_their_groups(enterprise: Org) -> None:
    research = group_named(enterprise, "research")
    members = list(enterprise.client.organization.rbac_groups.members.list(research.id))
    enterprise.client.organization.users.remove(members[0].user_id)
    after = list(enterprise.client.organization.rbac_groups.members.list(research.id))
    assert [m.user_id for m in after] == [m.user_id for m in members[1:]]


def test_unknown_group_is_a_404(enterprise: Org) -> None:
    groups = enterprise.client.organization.rbac_groups
    each_raises(
        anthropic.NotFoundError,
        [
            lambda: groups.retrieve(UNKNOWN_GROUP),
            lambda: groups.members.list(UNKNOWN_GROUP),
        ],
        404,
        "not_found_error",
    )


@pytest.mark.parametrize("page", ["garbage", "page_" + "A" * 20])
def test_foreign_cursor_is_a_400(enterprise: Org, page: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.organization.rbac_groups.list(page=page)
    check_error(info.value, 400, "invalid_request_error")


@pytest.mark.parametrize("limit", [0, 1001])
def test_limit_out_of_range_is_a_400(enterprise: Org, limit: int) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.organization.rbac_groups.list(limit=limit)
    check_error(info.value, 400, "invalid_request_error")


def test_console_organizations_have_no_rbac_groups(console: Org) -> None:
    groups = console.client.organization.rbac_groups
    each_raises(
        anthropic.OrganizationTypeNotSupportedError,
        [
            lambda: groups.list(),
            lambda: groups.retrieve(UNKNOWN_GROUP),
            lambda: groups.members.list(UNKNOWN_GROUP),
        ],
        400,
        "invalid_request_error",
        "organization_type_not_supported",
    )
