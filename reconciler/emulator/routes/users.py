"""Organization members (admin-api.md §9, decisions 27–29)."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import render
from reconciler.emulator.errors import ApiError, invalid, not_found
from reconciler.emulator.inputs import check_fields, require, string
from reconciler.emulator.model import ENTERPRISE_ADMIN_ROLES, ROLES_BY_KIND, User
from reconciler.emulator.pagination import id_page_body, page_by_id
from reconciler.emulator.routing import Call, Endpoint
from reconciler.emulator.store import Store

# Roles the API may assign, per org kind (``admin`` is never assignable).
ASSIGNABLE = {
    "console": ("user", "developer", "billing", "claude_code_user"),
    "enterprise": ("user", "managed"),
}


def find(store: Store, user_id: str) -> User:
    user = store.users.get(user_id)
    if user is None:
        raise not_found(f"No user with id {user_id!r}.")
    return user


def list_users(call: Call) -> dict[str, Any]:
    store, query = call.store, call.query
    roles = query.array("roles", 100, allowed=ROLES_BY_KIND[store.kind])
    limit = query.limit()
    email = query.one("email")
    if email is None and not roles:
        ordered = store.users_in_order()
        items, positions = ordered.items, ordered.positions
    else:
        pool = store.users_by_email(email) if email is not None else store.users.values()
        items = sorted((u for u in pool if not roles or u.role in roles), key=lambda u: -u.seq)
        positions = {u.id: i for i, u in enumerate(items)}
    page, more = page_by_id(items, positions, limit, query.one("after_id"), query.one("before_id"))
    return id_page_body([render.user(u) for u in page], more)


def get_user(call: Call) -> dict[str, Any]:
    return render.user(find(call.store, call.params["user_id"]))


def update_role(call: Call) -> dict[str, Any]:
    store = call.store
    check_fields(call.body, ("role",))
    role = string(require(call.body, "role"), "role")
    if role not in ASSIGNABLE[store.kind]:
        raise invalid(
            f"role: {role!r} cannot be assigned through the API; "
            f"choose one of {', '.join(ASSIGNABLE[store.kind])}."
        )
    if role == "managed" and "write:rbac_groups" not in call.key.scopes:
        raise ApiError(
            403,
            "Setting the role managed also needs the scope write:rbac_groups; "
            f"this key has: {', '.join(call.key.scopes) or 'no scopes'}.",
            details={"error_code": "api_key_scope_missing"},
        )
    user = find(store, call.params["user_id"])
    _refuse_protected(store, user, "change the role of")
    if user.role != role:
        user.role = role
        store.changed("users")
    return render.user(user)


def remove_user(call: Call) -> dict[str, Any]:
    store = call.store
    user = find(store, call.params["user_id"])
    if len(store.users) == 1:
        raise invalid(
            "Cannot remove the last member of the organization.", "cannot_remove_last_member"
        )
    _refuse_protected(store, user, "remove")
    store.remove_user(user.id)
    return {"type": "user_deleted", "id": user.id}


def _refuse_protected(store: Store, user: User, action: str) -> None:
    if store.kind == "console" and user.role == "admin":
        raise invalid(f"Cannot {action} an admin through the API.")
    if store.kind == "enterprise" and user.role in ENTERPRISE_ADMIN_ROLES:
        raise invalid(f"Cannot {action} a member with the role {user.role!r} through the API.")


ENDPOINTS = (
    Endpoint("GET", "/users", list_users, scope="read:members"),
    Endpoint("GET", "/users/{user_id}", get_user, scope="read:members"),
    Endpoint("POST", "/users/{user_id}", update_role, scope="write:members", body=True),
    Endpoint("DELETE", "/users/{user_id}", remove_user, scope="write:members"),
)
