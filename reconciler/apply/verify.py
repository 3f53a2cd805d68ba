"""Before writing: re-read every object the plan touches and compare fingerprints.

The objects are re-read in bulk, with the fewest requests: Console workspaces in one
listing and Console limits in one listing; Enterprise user overrides through the
effective report in batches of 100 members.  The current state goes through the same
representation functions the planner used, so an unchanged object has the same fingerprint.

An object can also become impossible to write without its own fingerprint moving: the
member a cap is for has left the organization, or the workspace a limit is for has been
archived.  Those count as changes since the plan too, so apply refuses up front instead
of failing half-way.

Differences are returned as a person reads them — ``(field, value at plan time, value
now)`` with amounts in the plan's currency — for :func:`reconciler.apply.checks.refuse_moved`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler import addresses
from reconciler.adminapi import AdminClient
from reconciler.live import LiveLimit, LiveWorkspace
from reconciler.live.convert import live_limit, live_override, live_workspace, mark_default
from reconciler.plan import represent
from reconciler.plan.differences import Difference, field_differences
from reconciler.plan.model import Action, Change, Plan, fingerprint

__all__ = ["Current", "Stale", "as_planned", "current_state", "field_differences", "stale_objects"]
LimitKey = tuple[str, "str | None", str]


@dataclass(frozen=True)
class Stale:
    """An object that changed since the plan."""

    address: str
    differences: list[Difference]
    as_planned: bool = False  # it now holds exactly what the plan would write


# A few members to confirm one by one (an email look-up each); more: one paged listing.
MAX_MEMBER_LOOKUPS = 10


@dataclass
class Current:
    """What the touched objects look like now."""

    objects: dict[str, Any] = field(default_factory=dict)  # address → representation | None
    # Address → why it can no longer be written as planned, whatever its fingerprint.
    lost: dict[str, Difference] = field(default_factory=dict)


def stale_objects(plan: Plan, client: AdminClient) -> list[Stale]:
    """Every touched object that changed since the plan, with what changed."""
    touched = plan.applicable()
    current = current_state(touched, client)
    stale: list[Stale] = []
    for change in touched:
        address = change.address
        now = current.objects.get(address)
        differences: list[Difference] = []
        if address in current.lost:
            differences.append(current.lost[address])
        if fingerprint(now) != change.live_fingerprint:
            differences += field_differences(change.before, now, plan.currency)
        if differences:
            planned = address not in current.lost and as_planned(change, now)
            stale.append(Stale(address, differences, planned))
    return stale


def as_planned(change: Change, now: Any) -> bool:
    """Does the object already hold what the change would write (an earlier apply of
    this very plan, or someone doing the same by hand)?"""
    after = change.after
    if after is None or now is None:
        return after is None and now is None
    if change.resource_type == "spend_limit":
        return bool(now.get("amount") == after.get("amount"))
    return bool(now == after)


def current_state(changes: list[Change], client: AdminClient) -> Current:
    """The touched objects now (``None``: it does not exist), read in bulk."""
    out = Current()
    workspace_changes = [c for c in changes if c.resource_type == "workspace"]
    limits = [c for c in changes if c.resource_type == "spend_limit"]
    users = [c for c in limits if c.scope_type == "user"]
    others = [c for c in limits if c.scope_type != "user"]
    on_workspaces = [c for c in others if c.scope_type == "workspace"]
    live: list[LiveWorkspace] = []
    if workspace_changes or on_workspaces:
        live = mark_default([live_workspace(w) for w in client.list_workspaces()])
    if workspace_changes:
        out.objects.update(_workspaces_now(workspace_changes, live))
    if others:
        # A limit on a workspace this plan creates names no id yet: if a workspace of that
        # name exists now (made since the plan), its row is the one to compare.
        made = {w.name: w.id for w in live if not w.archived and not w.is_default}
        _limits_now(others, client, made, out)
    existing = [c for c in on_workspaces if c.scope.get("workspace_id")]
    if existing:
        out.lost.update(_workspaces_gone(existing, live))
    if users:
        _overrides_now(users, client, out)
    return out


def _workspaces_now(changes: list[Change], live: list[LiveWorkspace]) -> dict[str, Any]:
    by_id = {w.id: w for w in live}
    active_by_name = {w.name: w for w in live if not w.archived and not w.is_default}
    out: dict[str, Any] = {}
    for change in changes:
        if change.id:
            ws = by_id.get(change.id)
        else:
            ws = active_by_name.get((change.after or {}).get("name", ""))
        if ws is None:
            out[change.address] = None
            continue
        shown = represent.workspace(ws)
        if ws.archived:
            shown["archived"] = True  # archived since the plan: never silently "the same"
        out[change.address] = shown
    return out


def _workspaces_gone(changes: list[Change], live: list[LiveWorkspace]) -> dict[str, Difference]:
    """Limits on workspaces that were archived (or vanished) since the plan."""
    by_id = {w.id: w for w in live}
    out: dict[str, Difference] = {}
    for change in changes:
        ws = by_id.get(change.scope["workspace_id"])
        if ws is None:
            out[change.address] = ("workspace", "active", "no longer exists")
        elif ws.archived:
            out[change.address] = ("workspace", "active", "archived")
    return out


def _limits_now(
    changes: list[Change], client: AdminClient, workspace_ids: dict[str, str], out: Current
) -> None:
    types = sorted({str(c.scope_type) for c in changes})
    rows = {_key(r): r for r in (live_limit(x) for x in client.list_spend_limits(types))}
    for change in changes:
        if change.scope_type == "workspace" and not change.scope.get("workspace_id"):
            name = addresses.parse(change.address).name or ""
            target = workspace_ids.get(name)
            period = (change.after or {}).get("period", "")
            row = rows.get(("workspace", target, period)) if target else None
        else:
            row = _row_now(change, rows)
        _record(change, row, out)


def _record(change: Change, row: LiveLimit | None, out: Current) -> None:
    """The row now; a row deleted and made again since the plan has a new id, and the
    plan deletes by id: that is a change too (the delete would miss it)."""
    out.objects[change.address] = represent.limit(row) if row else None
    planned_id = change.id
    deletes = change.action is Action.DELETE
    if deletes and row is not None and planned_id and row.id and row.id != planned_id:
        out.lost[change.address] = ("id", planned_id, f"{row.id} (the row was replaced)")


def _overrides_now(changes: list[Change], client: AdminClient, out: Current) -> None:
    """User overrides now, from the effective report for just those members (every period,
    so that every member who resolves any cap shows up); members who do not show up at all
    are confirmed to still belong to the organization."""
    ids = sorted({c.scope["user_id"] for c in changes if c.scope.get("user_id")})
    rows: dict[LimitKey, LiveLimit] = {}
    seen: set[str] = set()
    for summary in client.effective_limits(user_ids=ids):
        seen.add(summary.user_id)
        if summary.source.type == "user":
            row = live_override(summary)
            rows[_key(row)] = row
    for change in changes:
        _record(change, _row_now(change, rows), out)
    unseen = {
        c.scope.get("user_id", ""): addresses.parse(c.address).name or ""
        for c in changes
        if c.scope.get("user_id") not in seen
    }
    gone = _former_members(unseen, client)
    for change in changes:
        email = unseen.get(change.scope.get("user_id", ""))
        if email is not None and change.scope["user_id"] in gone:
            out.lost[change.address] = ("member", email, "no longer in the organization")


def _former_members(unseen: dict[str, str], client: AdminClient) -> set[str]:
    """Which of ``unseen`` (user id → email) are no longer members."""
    if not unseen:
        return set()
    if len(unseen) <= MAX_MEMBER_LOOKUPS:
        present = {
            user.id
            for email in sorted(set(unseen.values()))
            for user in client.list_users(email=email, limit=100)
            if user.email.lower() == email
        }
    else:
        present = {user.id for user in client.list_users()}
    return set(unseen) - present


def _key(row: LiveLimit) -> LimitKey:
    return (row.scope_type, row.scope_id, row.period)


def _row_now(change: Change, rows: dict[LimitKey, LiveLimit]) -> LiveLimit | None:
    side = change.before or change.after or {}
    scope = side["scope"]
    target = next((v for k, v in scope.items() if k != "type"), None)
    return rows.get((scope["type"], target, side["period"]))
