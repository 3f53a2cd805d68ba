"""API objects → the live model: one set of converters, used by the snapshot reader and by
apply's re-read of what it touches, so both see an object the same way."""

from __future__ import annotations

import math
from typing import Any, cast

from reconciler.adminapi.models import SCOPE_ID_FIELDS, SpendLimit, SpendSummary, User, Workspace
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
    "raw_parts",
    "row_parts",
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


def _same(strings: dict[str, str] | None, value: str | None) -> str | None:
    """One shared string object per distinct value when ``strings`` is given: periods,
    amounts and currencies repeat across 50,000 rows."""
    if strings is None or value is None:
        return value
    return strings.setdefault(value, value)


def live_override(row: SpendSummary, strings: dict[str, str] | None = None) -> LiveLimit:
    """The member's own ``user`` row, as the effective report shows it."""
    return LiveLimit(
        id=row.spend_limit_id,
        scope_type="user",
        scope_id=row.user_id,
        period=_same(strings, row.period) or row.period,
        amount=_same(strings, row.amount),
        currency=_same(strings, row.currency),
    )


def live_effective(row: SpendSummary, strings: dict[str, str] | None = None) -> Effective:
    """One effective-report row as the live model holds it."""
    source = row.source
    # A member's own override names the member: keep one string for both.
    source_id = row.user_id if source.target == row.user_id else source.target
    return Effective(
        user_id=row.user_id,
        period=_same(strings, row.period) or row.period,
        amount=_same(strings, row.amount),
        source_type=_same(strings, source.type) or source.type,
        source_id=_same(strings, source_id) if source.type != "user" else source_id,
        spend_limit_id=row.spend_limit_id,
        spend=_same(strings, row.period_to_date_spend) or row.period_to_date_spend,
    )


# One effective-report row in the live model: (user id, email, name, currency, the row,
# the member's own override or None).
Parts = tuple[str, "str | None", "str | None", "str | None", Effective, "LiveLimit | None"]


def row_parts(row: SpendSummary, strings: dict[str, str]) -> Parts:
    """A checked effective-report row in the live model's parts."""
    actor = row.actor
    override = live_override(row, strings) if row.source.type == "user" else None
    return (
        row.user_id,
        actor.email_address if actor is not None else None,
        actor.name if actor is not None else None,
        row.currency,
        live_effective(row, strings),
        override,
    )


def raw_parts(data: Any, strings: dict[str, str]) -> Parts:
    """``row_parts(SpendSummary.from_api(data))``, without building the API objects when
    the row has the documented shape (every field of its documented type): a 50,000-member
    pass spent a third of its time on them.  Any other row goes through
    ``SpendSummary.from_api``, so both paths accept, and refuse, exactly the same rows."""
    fast = _documented_parts(data, strings) if type(data) is dict else None
    return fast if fast is not None else row_parts(SpendSummary.from_api(data), strings)


def _documented_parts(data: dict[str, Any], strings: dict[str, str]) -> Parts | None:
    """The parts of a row of exactly the documented shape, else ``None``."""
    scope, actor, source = data.get("scope"), data.get("actor"), data.get("source")
    if not (type(scope) is dict and type(actor) is dict and type(source) is dict):
        return None
    user_id, kind = scope.get("user_id"), source.get("type")
    id_field = SCOPE_ID_FIELDS.get(kind, "") if type(kind) is str else ""
    target = source.get(id_field) if id_field else None
    period, amount = data.get("period"), data.get("amount")
    limit_id, spend = data.get("spend_limit_id"), data.get("period_to_date_spend")
    currency, email, name = data.get("currency"), actor.get("email_address"), actor.get("name")
    if not (
        type(user_id) is str
        and user_id
        and type(actor.get("type")) is str
        and actor["type"]
        and type(period) is str
        and period
        and (amount is None or type(amount) is str)
        and id_field != ""
        and (id_field is None or (type(target) is str and target))
        and (limit_id is None or type(limit_id) is str)
        and type(spend) is str
        and (currency is None or type(currency) is str)
        and (email is None or type(email) is str)
        and (name is None or type(name) is str)
    ):
        return None
    same = strings.setdefault
    kind = cast(str, kind)  # a key of SCOPE_ID_FIELDS
    period = same(period, period)
    amount = amount if amount is None else same(amount, amount)
    own = kind == "user"
    source_id = user_id if target == user_id else target
    effective = Effective(
        user_id=user_id,
        period=period,
        amount=amount,
        source_type=same(kind, kind),
        source_id=source_id if own or source_id is None else same(source_id, source_id),
        spend_limit_id=limit_id,
        spend=same(spend, spend),
    )
    override = None
    if own:
        override = LiveLimit(
            id=limit_id,
            scope_type="user",
            scope_id=user_id,
            period=period,
            amount=amount,
            currency=currency if currency is None else same(currency, currency),
        )
    return user_id, email, name, currency, effective, override


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
