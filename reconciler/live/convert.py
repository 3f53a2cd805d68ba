"""API objects → the live model: one set of converters, used by the snapshot reader and by
apply's re-read of what it touches, so both see an object the same way."""

from __future__ import annotations

import math

from reconciler.adminapi.models import SpendLimit, SpendSummary, User, Workspace
from reconciler.adminapi.pacing import parse_rfc3339
from reconciler.live.model import Effective, LiveLimit, LiveMember, LiveWorkspace

__all__ = [
    "DEFAULT_WORKSPACE_NAME",
    "live_effective",
    "live_limit",
    "live_member",
    "live_override",
    "live_workspace",
    "mark_default",
]

DEFAULT_WORKSPACE_NAME = "Default"


def live_workspace(ws: Workspace) -> LiveWorkspace:
    """An API workspace as the live model holds it."""
    return LiveWorkspace(
        id=ws.id,
        name=ws.name,
        data_residency=ws.data_residency,
        tags=ws.tags,
        archived=ws.archived,
        created_at=ws.created_at,
    )


def live_limit(row: SpendLimit) -> LiveLimit:
    """A configured spend-limit row as the live model holds it."""
    return LiveLimit(
        id=row.id,
        scope_type=row.scope.type,
        scope_id=row.scope.target,
        period=row.period,
        amount=row.amount,
        currency=row.currency,
        updated_at=row.updated_at,
    )


def live_override(row: SpendSummary) -> LiveLimit:
    """The member's own ``user`` row, as the effective report shows it."""
    return LiveLimit(
        id=row.spend_limit_id,
        scope_type="user",
        scope_id=row.user_id,
        period=row.period,
        amount=row.amount,
        currency=row.currency,
    )


def live_effective(row: SpendSummary) -> Effective:
    """One effective-report row as the live model holds it."""
    return Effective(
        user_id=row.user_id,
        period=row.period,
        amount=row.amount,
        source_type=row.source.type,
        source_id=row.source.target,
        spend_limit_id=row.spend_limit_id,
        spend=row.period_to_date_spend,
    )


def live_member(user: User) -> LiveMember:
    return LiveMember(id=user.id, email=user.email, name=user.name, role=user.role)


def mark_default(workspaces: list[LiveWorkspace]) -> list[LiveWorkspace]:
    """Flag the default workspace: the oldest (earliest ``created_at``; on a tie, last in
    the newest-first listing) active workspace named exactly ``Default``.  It exists from
    the organization's creation and cannot be renamed or archived, so a hand-made namesake
    is always younger."""
    best: int | None = None
    best_key: tuple[float, int] | None = None
    for index, ws in enumerate(workspaces):
        if ws.name != DEFAULT_WORKSPACE_NAME or ws.archived:
            continue
        created = parse_rfc3339(ws.created_at) if ws.created_at else None
        # Oldest first; unknown creation times after known ones; later in the list = older.
        key = (created if created is not None else math.inf, -index)
        if best_key is None or key < best_key:
            best, best_key = index, key
    if best is None:
        return workspaces
    out = list(workspaces)
    ws = out[best]
    out[best] = LiveWorkspace(
        id=ws.id,
        name=ws.name,
        data_residency=ws.data_residency,
        tags=ws.tags,
        archived=ws.archived,
        is_default=True,
        created_at=ws.created_at,
    )
    return out
