"""RBAC groups and their members, read-only (admin-api.md §10; Enterprise orgs)."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import render
from reconciler.emulator.errors import not_found
from reconciler.emulator.model import RbacGroup
from reconciler.emulator.pagination import decode_cursor, next_page, page_by_key, query_digest
from reconciler.emulator.routing import Call, Endpoint

ENTERPRISE = ("enterprise",)


def _find(call: Call) -> RbacGroup:
    group = call.store.groups.get(call.params["rbac_group_id"])
    if group is None:
        raise not_found(f"No RBAC group with id {call.params['rbac_group_id']!r}.")
    return group


def list_groups(call: Call) -> dict[str, Any]:
    limit = call.query.limit()
    digest = query_digest(call.query.items)
    token = call.query.one("page")
    after = None if token is None else decode_cursor(token, digest)
    groups = call.store.groups_in_order()
    page, resume = page_by_key(groups, [g.id for g in groups], limit, after)
    return {"data": [render.rbac_group(g) for g in page], "next_page": next_page(resume, digest)}


def get_group(call: Call) -> dict[str, Any]:
    return render.rbac_group(_find(call))


def list_members(call: Call) -> dict[str, Any]:
    limit = call.query.limit()
    digest = query_digest(call.query.items)
    token = call.query.one("page")
    after = None if token is None else decode_cursor(token, digest)
    group = _find(call)
    members = sorted(group.members, key=lambda user_id: group.members[user_id][0])
    keys = [group.members[user_id][0] for user_id in members]
    page, resume = page_by_key(members, keys, limit, after)
    return {
        "data": [render.rbac_group_member(call.store, group, user_id) for user_id in page],
        "next_page": next_page(resume, digest),
    }


ENDPOINTS = (
    Endpoint("GET", "/rbac_groups", list_groups, ENTERPRISE, scope="read:rbac_groups"),
    Endpoint(
        "GET", "/rbac_groups/{rbac_group_id}", get_group, ENTERPRISE, scope="read:rbac_groups"
    ),
    Endpoint(
        "GET",
        "/rbac_groups/{rbac_group_id}/members",
        list_members,
        ENTERPRISE,
        scope="read:rbac_groups",
    ),
)
