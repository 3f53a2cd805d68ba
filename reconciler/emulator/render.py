"""The API's JSON shapes for each object (admin-api.md §6–12): every field, always."""

from __future__ import annotations

from typing import Any

from reconciler.emulator.model import (
    SCOPE_TARGET_FIELD,
    IncreaseRequest,
    RbacGroup,
    SpendLimit,
    User,
    Workspace,
)
from reconciler.emulator.store import Store


def organization(store: Store) -> dict[str, Any]:
    return {"id": store.org.id, "type": "organization", "name": store.org.name}


def user(u: User) -> dict[str, Any]:
    return {
        "type": "user",
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "added_at": u.added_at,
    }


def user_actor(store: Store, user_id: str, u: User | None = None) -> dict[str, Any]:
    """A ``user_actor``; name and address are null once the member has left.

    ``u`` is the member when the caller already holds it (saves a lookup per row)."""
    u = u or store.users.get(user_id)
    return {
        "type": "user_actor",
        "user_id": user_id,
        "name": u.name if u else None,
        "email_address": u.email if u else None,
        "deleted": u is None,
    }


def workspace(w: Workspace) -> dict[str, Any]:
    allowed = w.allowed_inference_geos
    return {
        "type": "workspace",
        "id": w.id,
        "name": w.name,
        "display_color": w.display_color,
        "created_at": w.created_at,
        "archived_at": w.archived_at,
        "data_residency": {
            "workspace_geo": w.workspace_geo,
            "allowed_inference_geos": allowed if isinstance(allowed, str) else list(allowed),
            "default_inference_geo": w.default_inference_geo,
        },
        "tags": dict(w.tags),
        "external_key_id": w.external_key_id,
        "user_profile_id": w.user_profile_id,
        "compartment_id": w.compartment_id,
    }


def scope(scope_type: str, target: str | None) -> dict[str, Any]:
    field = SCOPE_TARGET_FIELD.get(scope_type)
    return {"type": scope_type} if field is None else {"type": scope_type, field: target}


def is_enabled(store: Store, limit: SpendLimit) -> bool:
    """False only on the Enterprise organization row while extra usage is off (rule 36)."""
    return not (
        store.kind == "enterprise"
        and limit.scope_type == "organization"
        and not store.org.extra_usage_enabled
    )


def spend_limit(store: Store, limit: SpendLimit) -> dict[str, Any]:
    return {
        "type": "spend_limit",
        "id": limit.id,
        "amount": limit.amount,
        "currency": store.org.currency,
        "period": limit.period,
        "scope": scope(limit.scope_type, limit.target),
        "is_enabled": is_enabled(store, limit),
        "created_at": limit.created_at,
        "updated_at": limit.updated_at,
    }


def rbac_group(g: RbacGroup) -> dict[str, Any]:
    return {
        "type": "rbac_group",
        "id": g.id,
        "name": g.name,
        "role_ids": None if g.role_ids is None else list(g.role_ids),
        "source_type": g.source_type,
        "created_at": g.created_at,
        "updated_at": g.updated_at,
    }


def rbac_group_member(store: Store, g: RbacGroup, user_id: str) -> dict[str, Any]:
    return {
        "type": "rbac_group_member",
        "rbac_group_id": g.id,
        "user_id": user_id,
        "email": store.users[user_id].email,
        "created_at": g.members[user_id][1],
    }


def increase_request(
    store: Store, r: IncreaseRequest, summary: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "type": "spend_limit_increase_request",
        "id": r.id,
        "actor": user_actor(store, r.user_id),
        "created_at": r.created_at,
        "period": r.period,
        "status": r.status,
        "resolved_at": r.resolved_at,
        "resolved_by": r.resolved_by,
        "spend_summary": summary,
    }
