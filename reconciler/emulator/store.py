"""One organization's state, its indexes, and the low-level mutations that keep them
consistent.

The store knows nothing of HTTP or of which caller may do what: the API's rules live in
the modules named for each family (``users``, ``workspaces``, ``spend_limits``, …) and
call these methods once a request has passed them.  Every mutation bumps ``mutations``
so the server knows when to persist.

Orders (admin-api.md §14.17): users, workspaces, Console spend limits and increase
requests are newest first (highest ``seq`` first); Enterprise spend limits by scope type
in the documented order, then ascending id; RBAC groups by ascending id.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.ids import derived_id
from reconciler.emulator.model import (
    ApiKey,
    ExternalKey,
    IncreaseRequest,
    Organization,
    RbacGroup,
    SpendLimit,
    UsageEvent,
    User,
    Workspace,
)

ENTERPRISE_TYPE_ORDER = {
    "organization": 0,
    "seat_tier": 1,
    "rbac_group": 2,
    "organization_service": 3,
    "user": 4,
}

# The parts of the state that change independently; a state file re-serializes only
# the parts marked dirty since it last wrote.
SECTIONS = ("users", "groups", "workspaces", "limits", "requests", "spend", "usage")

LimitKey = tuple[str, "str | None", str]
SortKey = Any  # an int (``-seq``) or a tuple; what an opaque cursor remembers


def normalize_email(email: str) -> str:
    """Lower-case, with any ``+tag`` dropped from the local part (decision 27)."""
    local, at, domain = email.strip().lower().partition("@")
    return local.split("+", 1)[0] + at + domain


@dataclass(frozen=True)
class Ordered:
    """A list in API order with each item's sort key (ascending) and position by id."""

    items: list[Any]
    keys: list[SortKey]
    positions: dict[str, int]


class Store:
    """The state of one emulated organization."""

    def __init__(self, org: Organization) -> None:
        self.org = org
        self.keys: dict[str, ApiKey] = {}
        self.users: dict[str, User] = {}
        self.workspaces: dict[str, Workspace] = {}
        self.groups: dict[str, RbacGroup] = {}
        self.limits: dict[str, SpendLimit] = {}
        self.requests: dict[str, IncreaseRequest] = {}
        self.spend: dict[tuple[str, str], str] = {}  # (user id, period) → minor units
        self.external_keys: dict[str, ExternalKey] = {}
        self.user_profiles: set[str] = set()
        self.usage: list[UsageEvent] = []  # oldest first (ascending ``at``)
        self.prices: dict[str, dict[str, str]] = {}
        self.usage_days = 0
        self.next_seq = 1
        self.palette_next = 0
        self.runtime_ids = 0
        self.mutations = 0
        self.dirty: set[str] = set(SECTIONS)
        self._limits_by_key: dict[LimitKey, SpendLimit] = {}
        # Rows per period, so the effective report skips a period nothing caps.
        self._rows_per_period: Counter[str] = Counter()
        self._users_by_email: dict[str, list[User]] = {}
        self._groups_of_user: dict[str, set[str]] = {}
        self._user_order: Ordered | None = None
        self._limit_order: Ordered | None = None
        self._usage_times: list[int] | None = None

    # -- identity ---------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return self.org.kind

    def take_seq(self) -> int:
        seq = self.next_seq
        self.next_seq += 1
        return seq

    def new_id(self, prefix: str, kind: str) -> str:
        """A reproducible id for an object created at run time (through the API)."""
        self.runtime_ids += 1
        return derived_id(prefix, self.org.id, kind, "runtime", self.runtime_ids)

    def changed(self, *sections: str) -> None:
        """Record a mutation of the named sections (see :data:`SECTIONS`)."""
        self.mutations += 1
        self.dirty.update(sections)

    # -- users ------------------------------------------------------------------------

    def add_user(self, user: User) -> None:
        self.users[user.id] = user
        self._users_by_email.setdefault(normalize_email(user.email), []).append(user)
        self._user_order = None
        self.changed("users")

    def users_by_email(self, email: str) -> list[User]:
        return self._users_by_email.get(normalize_email(email), [])

    def user_with_email(self, email: str) -> User | None:
        """The member whose address equals ``email`` (case-insensitive, exact)."""
        wanted = email.strip().lower()
        for user in self.users_by_email(email):
            if user.email.lower() == wanted:
                return user
        return None

    def users_in_order(self) -> Ordered:
        """Members, most recently added first."""
        if self._user_order is None:
            items = sorted(self.users.values(), key=lambda u: -u.seq)
            self._user_order = Ordered(
                items, [-u.seq for u in items], {u.id: i for i, u in enumerate(items)}
            )
        return self._user_order

    def remove_user(self, user_id: str) -> None:
        """Remove a member with everything that belongs to them (decision 29)."""
        user = self.users.pop(user_id)
        same = self._users_by_email.get(normalize_email(user.email), [])
        same[:] = [u for u in same if u.id != user_id]
        for limit in [lim for lim in self.limits.values() if lim.scope_type == "user"]:
            if limit.target == user_id:
                self.delete_limit(limit.id)
        for request in list(self.requests.values()):
            if request.user_id == user_id and request.status == "pending":
                del self.requests[request.id]
        for group_id in self._groups_of_user.pop(user_id, set()):
            self.groups[group_id].members.pop(user_id, None)
        for period_key in [k for k in self.spend if k[0] == user_id]:
            del self.spend[period_key]
        self._user_order = None
        self.changed("users", "limits", "requests", "groups", "spend")

    # -- RBAC groups ------------------------------------------------------------------

    def add_group(self, group: RbacGroup) -> None:
        self.groups[group.id] = group
        for user_id in group.members:
            self._groups_of_user.setdefault(user_id, set()).add(group.id)
        self.changed("groups")

    def groups_of(self, user_id: str) -> set[str]:
        return self._groups_of_user.get(user_id, set())

    def groups_in_order(self) -> list[RbacGroup]:
        return sorted(self.groups.values(), key=lambda g: g.id)

    # -- workspaces -------------------------------------------------------------------

    def add_workspace(self, workspace: Workspace) -> None:
        self.workspaces[workspace.id] = workspace
        self.changed("workspaces")

    def workspaces_in_order(self) -> list[Workspace]:
        """Newest first; the default workspace (the oldest) last."""
        return sorted(self.workspaces.values(), key=lambda w: -w.seq)

    def active_workspace_count(self) -> int:
        return sum(
            1 for w in self.workspaces.values() if w.archived_at is None and not w.is_default
        )

    def next_color(self, palette: tuple[str, ...]) -> str:
        color = palette[self.palette_next % len(palette)]
        self.palette_next += 1
        return color

    # -- spend limits -----------------------------------------------------------------

    def has_limits(self, period: str) -> bool:
        """Whether any row, at any scope, exists for ``period``."""
        return self._rows_per_period[period] > 0

    def limit_at(self, scope_type: str, target: str | None, period: str) -> SpendLimit | None:
        return self._limits_by_key.get((scope_type, target, period))

    def put_limit(self, limit: SpendLimit) -> None:
        """Insert a row, or replace the row with the same id (an upsert in place)."""
        old = self.limits.get(limit.id)
        if old is not None:
            self._limits_by_key.pop(old.key, None)
            self._rows_per_period[old.period] -= 1
        self.limits[limit.id] = limit
        self._limits_by_key[limit.key] = limit
        self._rows_per_period[limit.period] += 1
        self._limit_order = None
        self.changed("limits")

    def upsert_limit(
        self, scope_type: str, target: str | None, period: str, amount: str | None, now: str
    ) -> SpendLimit:
        """Set the row for (scope, period): overwritten in place (same id) or created."""
        existing = self.limit_at(scope_type, target, period)
        if existing is not None:
            existing.amount = amount
            existing.updated_at = now
            self.changed("limits")
            return existing
        limit = SpendLimit(
            id=self.new_id("spl_", "spend_limit"),
            scope_type=scope_type,
            target=target,
            period=period,
            amount=amount,
            created_at=now,
            updated_at=now,
            seq=self.take_seq(),
        )
        self.put_limit(limit)
        return limit

    def delete_limit(self, limit_id: str) -> SpendLimit:
        limit = self.limits.pop(limit_id)
        self._limits_by_key.pop(limit.key, None)
        self._rows_per_period[limit.period] -= 1
        self._limit_order = None
        self.changed("limits")
        return limit

    def limits_in_order(self) -> Ordered:
        """Console: newest first.  Enterprise: by scope type, then ascending id."""
        if self._limit_order is None:
            rows = list(self.limits.values())
            keys: list[SortKey]
            if self.kind == "console":
                rows.sort(key=lambda r: -r.seq)
                keys = [-r.seq for r in rows]
            else:
                rows.sort(key=lambda r: (ENTERPRISE_TYPE_ORDER.get(r.scope_type, 9), r.id))
                keys = [(ENTERPRISE_TYPE_ORDER.get(r.scope_type, 9), r.id) for r in rows]
            self._limit_order = Ordered(rows, keys, {r.id: i for i, r in enumerate(rows)})
        return self._limit_order

    # -- increase requests ------------------------------------------------------------

    def add_request(self, request: IncreaseRequest) -> None:
        self.requests[request.id] = request
        self.changed("requests")

    def requests_in_order(self) -> list[IncreaseRequest]:
        return sorted(self.requests.values(), key=lambda r: -r.seq)

    def pending_request_of(self, user_id: str) -> IncreaseRequest | None:
        for request in self.requests.values():
            if request.user_id == user_id and request.status == "pending":
                return request
        return None

    # -- spend ------------------------------------------------------------------------

    def set_spend(self, user_id: str, period: str, amount: str) -> None:
        self.spend[(user_id, period)] = amount
        self.changed("spend")

    # -- usage ------------------------------------------------------------------------

    def add_usage(self, events: Iterable[UsageEvent]) -> None:
        """Record usage events (kept in time order; equal times keep insertion order)."""
        self.usage.extend(events)
        self.usage.sort(key=lambda e: e.at)
        self._usage_times = None
        self.changed("usage")

    def usage_between(self, start: int, end: int) -> list[UsageEvent]:
        """Events with ``start <= at < end``, oldest first."""
        if self._usage_times is None:
            self._usage_times = [e.at for e in self.usage]
        times = self._usage_times
        return self.usage[bisect_left(times, start) : bisect_left(times, end)]

    def default_workspace_id(self) -> str | None:
        return next((w.id for w in self.workspaces.values() if w.is_default), None)
