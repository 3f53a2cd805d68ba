"""Workspaces of a Console org (admin-api.md §7, decisions 18–25)."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import render, workspace_rules
from reconciler.emulator.errors import invalid, not_found
from reconciler.emulator.ids import derived_uuid
from reconciler.emulator.inputs import check_fields, optional_string, require, string
from reconciler.emulator.model import Workspace
from reconciler.emulator.pagination import id_page_body, page_by_id
from reconciler.emulator.routing import Call, Endpoint
from reconciler.emulator.store import Store

CONSOLE = ("console",)
MAX_ACTIVE = 100
CREATE_FIELDS = (
    "name",
    "data_residency",
    "display_color",
    "external_key_id",
    "tags",
    "user_profile_id",
)


def find(store: Store, workspace_id: str) -> Workspace:
    workspace = store.workspaces.get(workspace_id)
    if workspace is None:
        raise not_found(f"No workspace with id {workspace_id!r}.")
    return workspace


def list_workspaces(call: Call) -> dict[str, Any]:
    query = call.query
    include_archived = query.boolean("include_archived")
    include_default = query.boolean("include_default")
    ids = query.array("ids", 100)
    limit = query.limit()
    wanted = set(ids)
    items = [
        w
        for w in call.store.workspaces_in_order()
        if (include_archived or w.archived_at is None)
        and (include_default or not w.is_default)
        and (not ids or w.id in wanted)
    ]
    positions = {w.id: i for i, w in enumerate(items)}
    page, more = page_by_id(items, positions, limit, query.one("after_id"), query.one("before_id"))
    return id_page_body([render.workspace(w) for w in page], more)


def get_workspace(call: Call) -> dict[str, Any]:
    return render.workspace(find(call.store, call.params["workspace_id"]))


def check_active_cap(store: Store) -> None:
    if store.active_workspace_count() >= MAX_ACTIVE:
        raise invalid(
            f"The organization already has {MAX_ACTIVE} active workspaces; archive one first."
        )


def check_external_key(store: Store, key_id: str) -> None:
    if not store.org.cmek:
        raise invalid("external_key_id: customer-managed keys are not enabled for this org.")
    if key_id not in store.external_keys:
        raise invalid(f"external_key_id: no external key {key_id!r} in this organization.")


def check_user_profile(store: Store, profile_id: str) -> None:
    if profile_id not in store.user_profiles:
        raise invalid(
            f"user_profile_id: no active user profile {profile_id!r}.", "user_profile_not_found"
        )


def check_key_profile(store: Store, key_id: str | None, profile_id: str | None) -> None:
    """A workspace's external key must be bound to the workspace's user profile."""
    if key_id is None or profile_id is None:
        return
    if store.external_keys[key_id].user_profile_id != profile_id:
        raise invalid(
            f"external key {key_id!r} is not bound to user profile {profile_id!r}.",
            "key_profile_mismatch",
        )


def create_workspace(call: Call) -> dict[str, Any]:
    store, body = call.store, call.body
    check_fields(body, CREATE_FIELDS)
    name = workspace_rules.name(require(body, "name"))
    allowed, default = workspace_rules.residency_for_create(body.get("data_residency"))
    tags = workspace_rules.tags_for_create(body.get("tags"))
    color = body.get("display_color")
    if color is not None:
        color = workspace_rules.display_color(color)
    key_id = optional_string(body.get("external_key_id"), "external_key_id")
    profile_id = optional_string(body.get("user_profile_id"), "user_profile_id")
    check_active_cap(store)
    if key_id is not None:
        check_external_key(store, key_id)
    if profile_id is not None:
        check_user_profile(store, profile_id)
    check_key_profile(store, key_id, profile_id)
    workspace_id = store.new_id("wrkspc_", "workspace")
    workspace = Workspace(
        id=workspace_id,
        name=name,
        display_color=color or store.next_color(workspace_rules.PALETTE),
        created_at=call.now,
        archived_at=None,
        allowed_inference_geos=allowed,
        default_inference_geo=default,
        tags=tags,
        external_key_id=key_id,
        user_profile_id=profile_id,
        compartment_id=derived_uuid(store.org.id, "compartment", workspace_id),
        seq=store.take_seq(),
    )
    store.add_workspace(workspace)
    return render.workspace(workspace)


def _refuse_frozen(workspace: Workspace, action: str) -> None:
    if workspace.is_default:
        raise invalid(f"The default workspace cannot be {action}.")
    if workspace.archived_at is not None:
        raise invalid(f"Workspace {workspace.id!r} is archived and cannot be {action}.")


def update_workspace(call: Call) -> dict[str, Any]:
    store, body = call.store, call.body
    check_fields(body, CREATE_FIELDS)
    name = workspace_rules.name(body["name"]) if "name" in body else None
    color = (
        workspace_rules.display_color(body["display_color"]) if "display_color" in body else None
    )
    residency = workspace_rules.residency_patch(body.get("data_residency"))
    tag_patch = workspace_rules.tags_patch(body.get("tags"))
    key_id = _write_once(body, "external_key_id")
    profile_id = _write_once(body, "user_profile_id")
    workspace = find(store, call.params["workspace_id"])
    _refuse_frozen(workspace, "updated")
    allowed, default = workspace_rules.merged_residency(
        residency, workspace.allowed_inference_geos, workspace.default_inference_geo
    )
    tags = workspace_rules.merged_tags(workspace.tags, tag_patch)
    if key_id is not None and key_id != workspace.external_key_id:
        if workspace.external_key_id is not None:
            raise invalid("external_key_id: an attached external key cannot be replaced.")
        check_external_key(store, key_id)
    if profile_id is not None and profile_id != workspace.user_profile_id:
        check_user_profile(store, profile_id)
        if workspace.user_profile_id is not None:
            raise invalid("user_profile_id: a workspace's user profile cannot be replaced.")
    key_id = key_id or workspace.external_key_id
    profile_id = profile_id or workspace.user_profile_id
    check_key_profile(store, key_id, profile_id)
    workspace.name = name or workspace.name
    workspace.display_color = color or workspace.display_color
    workspace.allowed_inference_geos, workspace.default_inference_geo = allowed, default
    workspace.tags = tags
    workspace.external_key_id, workspace.user_profile_id = key_id, profile_id
    store.changed("workspaces")
    return render.workspace(workspace)


def _write_once(body: dict[str, Any], field: str) -> str | None:
    """A write-once id in an update: a string when sent (``null`` is refused)."""
    return string(body[field], field) if field in body else None


def archive_workspace(call: Call) -> dict[str, Any]:
    check_fields(call.body, ())
    workspace = find(call.store, call.params["workspace_id"])
    _refuse_frozen(workspace, "archived")
    workspace.archived_at = call.now
    call.store.changed("workspaces")
    return render.workspace(workspace)


ENDPOINTS = (
    Endpoint("GET", "/workspaces", list_workspaces, CONSOLE),
    Endpoint("POST", "/workspaces", create_workspace, CONSOLE, body=True),
    Endpoint("GET", "/workspaces/{workspace_id}", get_workspace, CONSOLE),
    Endpoint("POST", "/workspaces/{workspace_id}", update_workspace, CONSOLE, body=True),
    Endpoint("POST", "/workspaces/{workspace_id}/archive", archive_workspace, CONSOLE, body=True),
)
