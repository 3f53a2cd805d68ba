"""Reading the live organization with the fewest requests (SPEC §9, admin-api §15).

:func:`read_snapshot` reads only what :class:`~reconciler.live.ReadNeeds` asks for, reads
nothing twice, and runs independent reads concurrently on a small thread pool (still
paced by the client's shared buckets).  Strategies and their cost, in requests (``N`` =
members, ``W`` = workspaces, ``O`` = user overrides, ``D`` = declared emails; ``⌈x⌉``
pages of 1000 unless stated):

Always: ``GET /me`` once, *before* anything else, so a key for another organization is
refused (``declared_org_id``) before any of that organization's data is read.

Console
  * workspaces: ``GET /workspaces?limit=1000&include_archived=true&include_default=true``
    — ``⌈W⌉`` (1 for any org within the 100-active-workspace cap and few archived).
  * limits: ``GET /spend_limits?limit=1000&scope_type[]=organization&…=workspace&…=usage_tier``
    with the beta header — 1.
  * The default workspace is recognised without an extra request: the *oldest*
    (earliest ``created_at``; on a tie, last in the newest-first listing) active workspace
    named exactly ``Default``.  The default workspace exists from the organization's
    creation and cannot be renamed or archived, so a hand-made namesake is always younger.

Enterprise
  * limits: ``GET /spend_limits?limit=1000&scope_type[]=organization&…=seat_tier&
    …=rbac_group&…=organization_service`` — 1.  (Also read when only needed to choose the
    member strategy below.)
  * every member (``needs.all_members``), overrides or spend wanted, and an
    ``organization`` row with an amount exists for one of the periods: one pass over
    ``GET /spend_limits/effective?limit=1000&period[]=…`` (all needed periods in one pass:
    pages are per *member*) — ``⌈N⌉``; it yields every member's id and email, every user
    override of those periods (``source.type == "user"``) and spend so far.  If a row
    lacks an email, ``GET /users`` is paged as well to name those members.
  * every member otherwise: ``GET /users?limit=1000`` — ``⌈N⌉``; plus, when overrides or
    spend are wanted, the effective report (spend wanted) or ``GET /spend_limits?
    scope_type[]=user`` (overrides only: ``⌈O⌉ ≤`` effective pages), concurrently.
  * declared emails only: one email → ``GET /users?email=…`` (1).  More → the first page
    of ``GET /users?limit=1000``; if the organization fits on it, done (1); otherwise the
    emails not yet found are looked up one by one when there are at most
    :data:`LOOKUP_MAX` of them (``1 + D'``), else the listing continues (``⌈N⌉``).
    Then, for overrides or spend, ``GET /spend_limits/effective`` with ``user_ids[]``
    batches of 100 and ``limit=100`` — ``⌈D/100⌉`` (or one full pass when that is fewer
    pages, known once all members were listed).
  * groups (``needs.groups`` or ``needs.group_members``): ``GET /rbac_groups?limit=1000``
    — 1; members only of the groups named in ``needs.group_members`` — 1 each.

Returned emails are compared case-insensitively here (the API's ``email`` filter also
matches ``+tag`` variants).  Currency comes from any spend-limit or effective row.
``Snapshot.requests`` is what the read cost, counted by the client.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar, cast

from reconciler.adminapi.client import (
    CONSOLE_LIMIT_SCOPES,
    ENTERPRISE_LIMIT_SCOPES,
    MAX_PAGE,
    MAX_USER_IDS,
    PERIODS,
    AdminClient,
)
from reconciler.adminapi.models import (
    SCOPE_ID_FIELDS,
    SpendLimit,
    SpendSummary,
    User,
    Workspace,
)
from reconciler.adminapi.pacing import parse_rfc3339
from reconciler.errors import ApiError, ReconcilerError
from reconciler.gcpause import paused
from reconciler.live import (
    Effective,
    LiveGroup,
    LiveLimit,
    LiveMember,
    LiveWorkspace,
    ReadNeeds,
    Snapshot,
)

__all__ = [
    "DEFAULT_WORKSPACE_NAME",
    "LOOKUP_MAX",
    "detect_org_kind",
    "live_effective",
    "live_limit",
    "live_member",
    "live_override",
    "live_workspace",
    "mark_default",
    "read_snapshot",
]

log = logging.getLogger("reconciler.adminapi.snapshot")

# Declared emails still missing after the first page of /users that we look up one by one
# rather than listing on: past this, a large org's remaining pages are likely cheaper.
LOOKUP_MAX = 20
DEFAULT_WORKSPACE_NAME = "Default"
READ_WORKERS = 4

T = TypeVar("T")


def detect_org_kind(client: AdminClient) -> str:
    """The organization kind, from the key prefix or (for other credentials) one probe:
    ``GET /workspaces?limit=1`` answers 200 for Console and 400
    ``organization_type_not_supported`` for Enterprise (admin-api §15)."""
    if client.org_kind is not None:
        return client.org_kind
    try:
        next(iter(client.list_workspaces(False, False, limit=1)), None)
    except ApiError as e:
        if e.status == 400 and e.error_code == "organization_type_not_supported":
            return "enterprise"
        raise
    return "console"


def read_snapshot(
    client: AdminClient,
    needs: ReadNeeds,
    *,
    declared_org_id: str | None = None,
    max_workers: int = READ_WORKERS,
) -> Snapshot:
    """Read what ``needs`` asks for; refuse another organization or kind first."""
    # Tens of thousands of parsed rows, no cycles; but the HTTP client's leftovers are,
    # so nothing is frozen here (see reconciler.gcpause).
    with paused(freeze=False):
        return _read(client, needs, declared_org_id, max_workers)


def _read(
    client: AdminClient, needs: ReadNeeds, declared_org_id: str | None, max_workers: int
) -> Snapshot:
    before = client.requests.total
    kind = detect_org_kind(client)
    if needs.kind and needs.kind != kind:
        raise ReconcilerError(
            f"the policy describes a {needs.kind} organization but the API key belongs to a "
            f"{kind} organization; refusing to read or change it"
        )
    org = client.me()
    if declared_org_id is not None and declared_org_id.lower() != org.id.lower():
        raise ReconcilerError(
            f"the policy is for organization {declared_org_id} but the API key belongs to "
            f"organization {org.id} ({org.name}); refusing to read or change another "
            "organization"
        )
    snap = Snapshot(org_id=org.id, org_name=org.name, kind=kind)
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="claude-policy-read")
    try:
        reader = _Reader(client, needs, snap, pool)
        if kind == "console":
            reader.console()
        else:
            reader.enterprise()
    finally:
        # On an error, stop what has not started; let requests in flight finish.
        pool.shutdown(wait=True, cancel_futures=True)
    snap.currency = snap.currency or next((x.currency for x in snap.limits if x.currency), None)
    snap.requests = client.requests.total - before
    return snap


# --------------------------------------------------------------------------- converters
# API objects → the shared live model; public so apply's re-read uses the very same ones.


def live_workspace(ws: Workspace) -> LiveWorkspace:
    return LiveWorkspace(
        id=ws.id,
        name=ws.name,
        data_residency=ws.data_residency,
        tags=ws.tags,
        archived=ws.archived,
        created_at=ws.created_at,
    )


def live_limit(row: SpendLimit) -> LiveLimit:
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
_Parts = tuple[str, "str | None", "str | None", "str | None", Effective, "LiveLimit | None"]


def _parts(row: SpendSummary, strings: dict[str, str]) -> _Parts:
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


def _raw_parts(data: Any, strings: dict[str, str]) -> _Parts:
    """``_parts(SpendSummary.from_api(data))``, without building the API objects when the
    row has the documented shape (every field of its documented type): a 50,000-member
    pass spent a third of its time on them.  Any other row goes through
    ``SpendSummary.from_api``, so both paths accept, and refuse, exactly the same rows."""
    if type(data) is dict:
        scope, actor, source = data.get("scope"), data.get("actor"), data.get("source")
        if type(scope) is dict and type(actor) is dict and type(source) is dict:
            user_id, kind = scope.get("user_id"), source.get("type")
            id_field = SCOPE_ID_FIELDS.get(kind, "") if type(kind) is str else ""
            target = source.get(id_field) if id_field else None
            period, amount = data.get("period"), data.get("amount")
            limit_id, spend = data.get("spend_limit_id"), data.get("period_to_date_spend")
            currency, email, name = (
                data.get("currency"),
                actor.get("email_address"),
                actor.get("name"),
            )
            if (
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
    return _parts(SpendSummary.from_api(data), strings)


def live_member(user: User) -> LiveMember:
    return LiveMember(id=user.id, email=user.email, name=user.name, role=user.role)


def mark_default(workspaces: list[LiveWorkspace]) -> list[LiveWorkspace]:
    """Flag the default workspace (see the module docstring for the rule)."""
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


# --------------------------------------------------------------------------- the reader


class _Reader:
    """One snapshot read: submits independent reads, merges results on the caller's
    thread (tasks return data; only this object mutates the snapshot)."""

    def __init__(
        self, client: AdminClient, needs: ReadNeeds, snap: Snapshot, pool: ThreadPoolExecutor
    ) -> None:
        self.client = client
        self.needs = needs
        self.snap = snap
        self.pool = pool
        self.effective_rows: dict[tuple[str, str], Effective] | None = None
        self.strings: dict[str, str] = {}  # one object per repeated value (see _same)
        # Periods the policy touches, in canonical order; () = every period.
        self.periods: tuple[str, ...] = tuple(
            [p for p in PERIODS if p in needs.periods]
            + sorted(p for p in needs.periods if p not in PERIODS)
        )
        self.want_rows = needs.user_overrides or needs.spend

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self.pool.submit(fn, *args)

    # ----------------------------------------------------------------- Console

    def console(self) -> None:
        needs = self.needs
        f_ws = self.submit(self.read_workspaces) if needs.workspaces else None
        f_lim = self.submit(self.read_limits, CONSOLE_LIMIT_SCOPES) if needs.limits else None
        # Console members carry no spend limits: membership only.
        if needs.all_members:
            self.members_from_users()
        elif needs.emails:
            self.declared_members()
        if f_ws is not None:
            self.snap.workspaces = f_ws.result()
        if f_lim is not None:
            self.snap.limits.extend(f_lim.result())

    def read_workspaces(self) -> list[LiveWorkspace]:
        listed = [live_workspace(w) for w in self.client.list_workspaces(True, True)]
        return mark_default(listed)

    def read_limits(self, scopes: Sequence[str]) -> list[LiveLimit]:
        return [live_limit(row) for row in self.client.list_spend_limits(scopes)]

    # ----------------------------------------------------------------- Enterprise

    def enterprise(self) -> None:
        needs = self.needs
        decide = needs.all_members and self.want_rows
        f_lim = (
            self.submit(self.read_limits, ENTERPRISE_LIMIT_SCOPES)
            if needs.limits or decide
            else None
        )
        f_grp = self.submit(self.read_groups) if needs.groups or needs.group_members else None
        if needs.all_members:
            limits = f_lim.result() if f_lim is not None else []
            self.snap.limits.extend(limits)
            f_lim = None
            if decide and self.org_row_exists(limits):
                self.members_from_effective()
            else:
                self.members_from_users(rows_alongside=self.want_rows)
        elif needs.emails:
            self.declared_members()
        if f_lim is not None:
            self.snap.limits.extend(f_lim.result())
        if f_grp is not None:
            self.snap.groups = self.read_group_members(f_grp.result())
        if self.effective_rows is not None:
            self.snap.effective = self.effective_rows

    def org_row_exists(self, limits: Iterable[LiveLimit]) -> bool:
        """Whether every member resolves a row for one of our periods (so the effective
        report lists every member)."""
        return any(
            row.scope_type == "organization"
            and row.amount is not None
            and (not self.periods or row.period in self.periods)
            for row in limits
        )

    def take_rows(self, rows: Iterable[SpendSummary]) -> dict[str, tuple[str | None, str | None]]:
        """Record effective rows (overrides also as ``user`` limits); see :meth:`record`."""
        return self.record(_parts(row, self.strings) for row in rows)

    def record(self, rows: Iterable[_Parts]) -> dict[str, tuple[str | None, str | None]]:
        """Record effective rows (overrides also as ``user`` limits).

        Returns, per user id, the member's email and name from a row that names them
        (``(None, None)`` only when none of that member's rows has an email).  Nothing
        else of a parsed row is kept, so a 50,000-member pass never holds more than a
        page of them (they were half the plan's peak memory).
        """
        table = self.effective_rows if self.effective_rows is not None else {}
        self.effective_rows = table
        wanted = set(self.periods)
        named: dict[str, tuple[str | None, str | None]] = {}
        limits = self.snap.limits
        currency = self.snap.currency
        for user_id, email, name, row_currency, effective, override in rows:
            if wanted and effective.period not in wanted:
                continue
            if email is not None:
                named[user_id] = (email, name)
            elif user_id not in named:
                named[user_id] = (None, None)
            table[(user_id, effective.period)] = effective
            if override is not None:
                limits.append(override)
            currency = currency or row_currency
        self.snap.currency = currency
        return named

    def members_from_effective(self) -> None:
        """One pass over the effective report: members, overrides and spend together."""
        rows = self.client.effective_rows(periods=self.periods, limit=MAX_PAGE)
        named = self.record(_raw_parts(row, self.strings) for row in rows)
        members: dict[str, LiveMember] = {}
        for user_id, (email, name) in named.items():
            if email is None:
                # A row that cannot name its member: list members to know every email.
                log.info("effective report rows without an email: listing members as well")
                self.members_from_users()
                return
            # Most addresses are lower-case already: keep the one string for both.
            key = email if email.islower() else email.lower()
            members.setdefault(key, LiveMember(id=user_id, email=email, name=name))
        self.snap.members = members
        self.snap.members_complete = True

    def members_from_users(self, *, rows_alongside: bool = False) -> None:
        """Every member from ``GET /users`` (and their rows concurrently, if wanted)."""
        f_rows: Future[Any] | None = None
        if rows_alongside and self.snap.kind == "enterprise":
            if self.needs.spend:
                f_rows = self.submit(self.read_effective, None)
            else:
                f_rows = self.submit(self.read_user_limits)
        members: dict[str, LiveMember] = {}
        for user in self.client.list_users():
            members.setdefault(user.email.lower(), live_member(user))
        self.snap.members = members
        self.snap.members_complete = True
        if f_rows is not None:
            result = f_rows.result()
            if self.needs.spend:
                self.take_rows(result)
            else:
                self.snap.limits.extend(result)

    def read_effective(self, user_ids: Sequence[str] | None) -> list[SpendSummary]:
        return list(self.client.effective(periods=self.periods, user_ids=user_ids))

    def read_user_limits(self) -> list[LiveLimit]:
        wanted = set(self.periods)
        return [
            live_limit(row)
            for row in self.client.list_spend_limits(["user"])
            if not wanted or row.period in wanted
        ]

    def declared_members(self) -> None:
        """Members for declared emails, then their rows by ``user_ids[]`` batches."""
        wanted = frozenset(e.lower() for e in self.needs.emails)
        members: dict[str, LiveMember] = {}
        complete = False
        if len(wanted) == 1:
            members.update(self.look_up(wanted))
        else:
            pages = self.client.user_pages()
            page = next(pages)
            for user in page.items:
                members.setdefault(user.email.lower(), live_member(user))
            missing = wanted - members.keys()
            if not page.more:
                complete = True
            elif not missing:
                pages.close()
            elif len(missing) <= LOOKUP_MAX:
                pages.close()
                members.update(self.look_up(missing))
            else:
                for page in pages:
                    for user in page.items:
                        members.setdefault(user.email.lower(), live_member(user))
                complete = True
        self.snap.members = members
        self.snap.members_complete = complete
        declared = [members[e].id for e in sorted(wanted) if e in members]
        if not self.want_rows or self.snap.kind != "enterprise" or not declared:
            return
        batches = math.ceil(len(declared) / MAX_USER_IDS)
        if complete and math.ceil(len(members) / MAX_PAGE) < batches:
            # Every member is known and one full pass is fewer requests than the batches.
            mine = set(declared)
            rows = self.client.effective(periods=self.periods, limit=MAX_PAGE)
            self.take_rows(r for r in rows if r.user_id in mine)
        else:
            self.take_rows(self.client.effective(periods=self.periods, user_ids=declared))

    def look_up(self, emails: Iterable[str]) -> dict[str, LiveMember]:
        """One ``GET /users?email=`` per email, concurrently; exact (case-insensitive)
        matches only."""

        def one(email: str) -> LiveMember | None:
            for user in self.client.list_users(email=email):
                if user.email.lower() == email:
                    return live_member(user)
            return None

        futures = {email: self.submit(one, email) for email in sorted(emails)}
        return {e: m for e, f in futures.items() if (m := f.result()) is not None}

    # ----------------------------------------------------------------- groups

    def read_groups(self) -> list[LiveGroup]:
        return [LiveGroup(id=g.id, name=g.name) for g in self.client.list_rbac_groups()]

    def read_group_members(self, groups: list[LiveGroup]) -> list[LiveGroup]:
        names = self.needs.group_members
        futures = {g.id: self.submit(self.member_ids, g.id) for g in groups if g.name in names}
        return [
            LiveGroup(id=g.id, name=g.name, member_ids=futures[g.id].result())
            if g.id in futures
            else g
            for g in groups
        ]

    def member_ids(self, group_id: str) -> frozenset[str]:
        return frozenset(m.user_id for m in self.client.list_group_members(group_id))
