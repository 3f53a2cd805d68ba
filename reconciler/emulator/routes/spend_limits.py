"""Spend limits: set, retrieve, list, delete and the effective report (admin-api.md §11,
decisions 30–37).

Every endpoint here counts against the spend bucket as well as the Admin bucket.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator import effective, render
from reconciler.emulator.errors import invalid, not_found
from reconciler.emulator.inputs import amount, check_fields, obj, period, require, string
from reconciler.emulator.model import PERIODS, SCOPE_TYPES, SCOPES_BY_KIND, SpendLimit
from reconciler.emulator.pagination import decode_cursor, next_page, page_by_key, query_digest
from reconciler.emulator.routes.workspaces import find as find_workspace
from reconciler.emulator.routing import Call, Endpoint
from reconciler.emulator.store import Store

READS_BETA = "spend-limit-reads-2026-09-26"
# The scopes a Set accepts, and the field that names each one's target.
SETTABLE = {"user": "user_id", "organization": None, "workspace": "workspace_id"}
WRITABLE_BY_KIND = {"enterprise": ("user",), "console": ("organization", "workspace")}


def find(store: Store, limit_id: str) -> SpendLimit:
    limit = store.limits.get(limit_id)
    if limit is None:
        raise not_found(f"No spend limit with id {limit_id!r}.")
    return limit


def _scope(value: Any, kind: str) -> tuple[str, str | None]:
    """(type, target) of a Set's scope: only the scopes this org kind may write."""
    scope = obj(value, "scope")
    if "type" not in scope:
        raise invalid("scope.type: Field required.")
    scope_type = scope["type"]
    if scope_type not in SCOPE_TYPES:
        raise invalid(f"scope.type: {scope_type!r} is not a spend-limit scope type.")
    if scope_type not in WRITABLE_BY_KIND[kind]:
        raise invalid(
            f"scope.type: {scope_type!r} limits cannot be set through the API in this "
            f"organization; it may set {' and '.join(WRITABLE_BY_KIND[kind])} limits."
        )
    field = SETTABLE[scope_type]
    check_fields(scope, ("type",) if field is None else ("type", field), "scope.")
    if field is None:
        return scope_type, None
    if field not in scope:
        raise invalid(f"scope.{field}: Field required.")
    return scope_type, string(scope[field], f"scope.{field}")


def set_limit(call: Call) -> dict[str, Any]:
    store, body = call.store, call.body
    check_fields(body, ("amount", "scope", "period"))
    if "amount" not in body:
        raise invalid("amount: Field required (send null for an explicit no-limit).")
    scope_type, target = _scope(require(body, "scope"), store.kind)
    chosen = "monthly" if body.get("period") is None else period(body["period"], PERIODS)
    if scope_type != "user" and chosen != "monthly":
        raise invalid(f"period: {scope_type} limits are monthly only.")
    value = amount(body["amount"], nullable=scope_type == "user")
    if scope_type == "user" and target not in store.users:
        raise not_found(f"No user with id {target!r}.")
    if scope_type == "workspace":
        assert target is not None
        _check_workspace_limit(store, target, value)
    limit = store.upsert_limit(scope_type, target, chosen, value, call.now)
    return render.spend_limit(store, limit)


def _check_workspace_limit(store: Store, workspace_id: str, value: str | None) -> None:
    workspace = find_workspace(store, workspace_id)
    if workspace.is_default:
        raise invalid("The default workspace cannot have a spend limit.")
    if workspace.archived_at is not None:
        raise invalid(f"Workspace {workspace_id!r} is archived; it cannot get a spend limit.")
    org_row = store.limit_at("organization", None, "monthly")
    ceiling = None if org_row is None else org_row.amount
    if value is not None and ceiling is not None and int(value) > int(ceiling):
        raise invalid(f"amount: {value} is above the organization's monthly limit of {ceiling}.")


def retrieve_limit(call: Call) -> dict[str, Any]:
    return render.spend_limit(call.store, find(call.store, call.params["spend_limit_id"]))


def list_limits(call: Call) -> dict[str, Any]:
    store, query = call.store, call.query
    types = query.array("scope_type", 100, allowed=SCOPE_TYPES)
    for scope_type in types:
        if scope_type not in SCOPES_BY_KIND[store.kind]:
            raise invalid(f"scope_type[]: {scope_type!r} does not apply to this organization.")
    workspace_id = query.one("workspace_id")
    if workspace_id is not None and store.kind != "console":
        raise invalid("workspace_id: only Claude Console organizations can filter by workspace.")
    limit = query.limit()
    digest = query_digest(query.items)
    token = query.one("page")
    after = None if token is None else decode_cursor(token, digest)
    ordered = store.limits_in_order()
    rows, keys = ordered.items, ordered.keys
    if types or workspace_id is not None:
        wanted = set(types)
        kept = [
            i
            for i, row in enumerate(rows)
            if (not wanted or row.scope_type in wanted)
            and (
                workspace_id is None
                or (row.scope_type == "workspace" and row.target == workspace_id)
            )
        ]
        rows, keys = [rows[i] for i in kept], [keys[i] for i in kept]
    page, resume = page_by_key(rows, keys, limit, after)
    return {
        "data": [render.spend_limit(store, row) for row in page],
        "next_page": next_page(resume, digest),
    }


def delete_limit(call: Call) -> dict[str, Any]:
    store = call.store
    limit = find(store, call.params["spend_limit_id"])
    deletable = WRITABLE_BY_KIND[store.kind]
    if limit.scope_type not in deletable:
        raise invalid(
            f"{limit.scope_type} limits cannot be deleted through the API in this organization."
        )
    store.delete_limit(limit.id)
    return {"type": "spend_limit_deleted", "id": limit.id}


def effective_report(call: Call) -> dict[str, Any]:
    store, query = call.store, call.query
    periods = query.array("period", 3, allowed=PERIODS, distinct=True)
    user_ids = query.array("user_ids", 100)
    limit = query.limit()
    digest = query_digest(query.items)
    token = query.one("page")
    after = None if token is None else decode_cursor(token, digest)
    rows, resume = effective.report_page(store, periods, user_ids, limit, after)
    return {"data": rows, "next_page": next_page(resume, digest)}


ENTERPRISE = ("enterprise",)
ENDPOINTS = (
    Endpoint(
        "POST",
        "/spend_limits",
        set_limit,
        scope="write:spend_limits",
        spend=True,
        body=True,
        gate="write",
    ),
    Endpoint(
        "GET",
        "/spend_limits",
        list_limits,
        scope="read:spend_limits",
        spend=True,
        beta=READS_BETA,
        gate="list",
    ),
    Endpoint(
        "GET",
        "/spend_limits/effective",
        effective_report,
        ENTERPRISE,
        scope="read:spend_limits",
        spend=True,
    ),
    Endpoint(
        "GET",
        "/spend_limits/{spend_limit_id}",
        retrieve_limit,
        scope="read:spend_limits",
        spend=True,
        gate="write",
    ),
    Endpoint(
        "DELETE",
        "/spend_limits/{spend_limit_id}",
        delete_limit,
        scope="write:spend_limits",
        spend=True,
        gate="write",
    ),
)
