"""Effective spend limits: which configured row caps a member, per period.

Resolution (admin-api.md §11.3, decision 35), for one member and one period: the
member's own ``user`` row (its ``null`` amount is an explicit no-limit, and stops the
search); else the most restrictive (lowest) of the member's RBAC-group rows; else their
seat tier's row; else the organization row; else no row at all.  Non-``user`` rows with
a ``null`` amount are skipped.

Each lookup is a dictionary probe, so a report page costs O(members on the page):
about 5 ms of the emulator's CPU per 1,000 members, and as much again to encode the page
as JSON (``benchmarks/bench_emulator_listing.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.emulator import render
from reconciler.emulator.model import PERIODS, SpendLimit, User
from reconciler.emulator.pagination import start_after
from reconciler.emulator.store import Store


def resolve(store: Store, user: User, period: str) -> SpendLimit | None:
    """The row that caps ``user`` for ``period``, or None when nothing does."""
    own = store.limit_at("user", user.id, period)
    if own is not None:
        return own
    best: SpendLimit | None = None
    for group_id in store.groups_of(user.id):
        row = store.limit_at("rbac_group", group_id, period)
        if row is None or row.amount is None:
            continue
        if best is None or (int(row.amount), row.id) < (int(best.amount or 0), best.id):
            best = row
    if best is not None:
        return best
    if user.seat_tier is not None:
        row = store.limit_at("seat_tier", user.seat_tier, period)
        if row is not None and row.amount is not None:
            return row
    row = store.limit_at("organization", None, period)
    if row is not None and row.amount is not None:
        return row
    return None


def summary(store: Store, user: User, period: str) -> dict[str, Any] | None:
    """The member's SpendSummary row for ``period``, or None when no row resolves."""
    row = resolve(store, user, period)
    if row is None:
        return None
    return {
        "scope": {"type": "user", "user_id": user.id},
        "actor": render.user_actor(store, user.id, user),
        "amount": row.amount,
        "currency": store.org.currency,
        "period": period,
        "period_to_date_spend": store.spend.get((user.id, period), "0"),
        "source": render.scope(row.scope_type, row.target),
        "spend_limit_id": row.id,
    }


def member_rows(store: Store, user: User, periods: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    for period in periods:
        row = summary(store, user, period)
        if row is not None:
            rows.append(row)
    return rows


def report_page(
    store: Store,
    periods: Sequence[str],
    user_ids: Sequence[str],
    limit: int,
    after: Any | None,
) -> tuple[list[dict[str, Any]], Any | None]:
    """Rows of up to ``limit`` members, in users-list order, and the key to resume after.

    Only members who resolve at least one row count toward ``limit``; a member's rows
    never split across pages.  The key is ``None`` when no later member has a row, so
    a cursor never leads to an empty page.
    """
    # A period no row caps resolves nothing for anyone: skip it (at 50,000 members,
    # resolving three periods where only one has rows tripled the work per page).
    wanted = [p for p in PERIODS if (p in periods or not periods) and store.has_limits(p)]
    members, keys = _members(store, user_ids)
    index = 0 if after is None else start_after(keys, after)
    rows: list[dict[str, Any]] = []
    taken = 0
    last_key: Any = None
    while index < len(members) and taken < limit:
        found = member_rows(store, members[index], wanted)
        if found:
            rows.extend(found)
            taken += 1
            last_key = keys[index]
        index += 1
    more = any(
        resolve(store, members[i], period) is not None
        for i in range(index, len(members))
        for period in wanted
    )
    return rows, (last_key if more else None)


def _members(store: Store, user_ids: Sequence[str]) -> tuple[Sequence[User], Sequence[Any]]:
    if not user_ids:
        ordered = store.users_in_order()
        return ordered.items, ordered.keys
    chosen = {store.users[i].id: store.users[i] for i in user_ids if i in store.users}
    members = sorted(chosen.values(), key=lambda u: -u.seq)
    return members, [-u.seq for u in members]
