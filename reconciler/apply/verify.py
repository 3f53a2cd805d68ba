"""Before writing: re-read every object the plan touches and compare fingerprints.

The objects are re-read in bulk, with the fewest requests: Console workspaces in one
listing and Console limits in one listing; Enterprise user overrides through the
effective report in batches of 100 members.  The current state goes through the same
representation functions the planner used, so an unchanged object has the same fingerprint.
"""

from __future__ import annotations

from typing import Any

from reconciler.adminapi import AdminClient
from reconciler.adminapi.snapshot import live_limit, live_override, live_workspace, mark_default
from reconciler.live import LiveLimit
from reconciler.plan import represent
from reconciler.plan.model import Action, fingerprint

Moved = list[tuple[str, list[tuple[str, Any, Any]]]]


def stale_objects(doc: dict[str, Any], client: AdminClient) -> Moved:
    """Every touched object whose fingerprint moved since the plan, with what changed."""
    touched = [c for c in doc["changes"] if Action(c["action"]).applicable]
    current = current_state(touched, client)
    moved: Moved = []
    for change in touched:
        now = current.get(change["address"])
        if fingerprint(now) != change["live_fingerprint"]:
            moved.append((change["address"], field_differences(change["before"], now)))
    return moved


def current_state(changes: list[dict[str, Any]], client: AdminClient) -> dict[str, Any]:
    """Address → the object's managed representation now (``None``: it does not exist)."""
    out: dict[str, Any] = {}
    workspaces = [c for c in changes if c["resource_type"] == "workspace"]
    limits = [c for c in changes if c["resource_type"] == "spend_limit"]
    if workspaces:
        out.update(_workspaces_now(workspaces, client))
    users = [c for c in limits if _scope_of(c).get("type") == "user"]
    others = [c for c in limits if _scope_of(c).get("type") != "user"]
    if others:
        out.update(_limits_now(others, client))
    if users:
        out.update(_overrides_now(users, client))
    return out


def _scope_of(change: dict[str, Any]) -> dict[str, Any]:
    side = change["before"] or change["after"] or {}
    scope: dict[str, Any] = side.get("scope") or {}
    return scope


def _workspaces_now(changes: list[dict[str, Any]], client: AdminClient) -> dict[str, Any]:
    live = mark_default([live_workspace(w) for w in client.list_workspaces()])
    by_id = {w.id: w for w in live}
    active_by_name = {w.name: w for w in live if not w.archived and not w.is_default}
    out: dict[str, Any] = {}
    for change in changes:
        ws = (
            by_id.get(change["id"]) if change["id"] else active_by_name.get(change["after"]["name"])
        )
        if ws is None:
            out[change["address"]] = None
            continue
        shown = represent.workspace(ws)
        if ws.archived:
            shown["archived"] = True  # archived since the plan: never silently "the same"
        out[change["address"]] = shown
    return out


def _limits_now(changes: list[dict[str, Any]], client: AdminClient) -> dict[str, Any]:
    types = sorted({_scope_of(c)["type"] for c in changes})
    rows = {_key(r): r for r in (live_limit(x) for x in client.list_spend_limits(types))}
    return {c["address"]: _row_now(c, rows) for c in changes}


def _overrides_now(changes: list[dict[str, Any]], client: AdminClient) -> dict[str, Any]:
    ids = sorted({_scope_of(c)["user_id"] for c in changes if _scope_of(c).get("user_id")})
    periods = sorted({(c["before"] or c["after"])["period"] for c in changes})
    rows: dict[tuple[str, str | None, str], LiveLimit] = {}
    for summary in client.effective(periods=periods, user_ids=ids):
        if summary.source.type == "user":
            row = live_override(summary)
            rows[_key(row)] = row
    return {c["address"]: _row_now(c, rows) for c in changes}


def _key(row: LiveLimit) -> tuple[str, str | None, str]:
    return (row.scope_type, row.scope_id, row.period)


def _row_now(change: dict[str, Any], rows: dict[tuple[str, str | None, str], LiveLimit]) -> Any:
    side = change["before"] or change["after"]
    scope = side["scope"]
    target = next((v for k, v in scope.items() if k != "type"), None)
    if scope["type"] == "workspace" and target is None:
        return None  # a limit on a workspace this plan creates: no row can exist yet
    row = rows.get((scope["type"], target, side["period"]))
    return represent.limit(row) if row else None


def field_differences(then: Any, now: Any) -> list[tuple[str, Any, Any]]:
    """Dotted paths whose values differ between the plan-time and the current object."""
    if then is None or now is None:
        return [("(object)", _summary(then), _summary(now))]
    flat_then, flat_now = _flatten(then), _flatten(now)
    return [
        (path, flat_then.get(path), flat_now.get(path))
        for path in sorted(set(flat_then) | set(flat_now))
        if flat_then.get(path) != flat_now.get(path)
    ]


def _summary(obj: Any) -> Any:
    if obj is None:
        return None
    if "amount" in obj:
        return f"amount {obj['amount']}"
    return f"workspace {obj.get('name')!r}"


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and key != "scope":
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out
