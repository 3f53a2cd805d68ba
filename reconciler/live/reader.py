"""Reading the live organization with the fewest requests (SPEC §9, admin-api §15).

:func:`read_snapshot` reads only what :class:`~reconciler.live.ReadNeeds` asks for, reads
nothing twice, and runs independent reads concurrently on a small thread pool (still
paced by the client's shared buckets).  Strategies and their cost, in requests (``N`` =
members, ``W`` = workspaces, ``O`` = user overrides, ``D`` = declared emails; ``⌈x⌉``
pages of 1000 unless stated):

Always: ``GET /me`` once, *before* anything else, so a key for another organization is
refused (:mod:`.organization`) before any of that organization's data is read.

Console
  * workspaces: ``GET /workspaces?limit=1000&include_archived=true&include_default=true``
    — ``⌈W⌉`` (1 for any org within the 100-active-workspace cap and few archived).
  * limits: ``GET /spend_limits?limit=1000&scope_type[]=organization&…=workspace&…=usage_tier``
    with the beta header — 1.
  * The default workspace is recognised without an extra request
    (:func:`~reconciler.live.convert.mark_default`).

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
``Snapshot.requests_sent`` is what the read cost, counted by the client.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from reconciler.addresses import PERIODS
from reconciler.adminapi.client import (
    CONSOLE_LIMIT_SCOPES,
    ENTERPRISE_LIMIT_SCOPES,
    MAX_PAGE,
    MAX_USER_IDS,
    AdminClient,
)
from reconciler.adminapi.models import SpendSummary
from reconciler.errors import ApiError
from reconciler.gcpause import paused
from reconciler.live.convert import (
    Parts,
    live_limit,
    live_member,
    live_workspace,
    mark_default,
    raw_parts,
    row_parts,
)
from reconciler.live.model import (
    Effective,
    LiveGroup,
    LiveLimit,
    LiveMember,
    LiveWorkspace,
    ReadNeeds,
    Snapshot,
)
from reconciler.live.organization import Expected, check_id, check_kind

__all__ = ["LOOKUP_MAX", "detect_org_kind", "read_snapshot"]

log = logging.getLogger("reconciler.live.reader")

# Declared emails still missing after the first page of /users that we look up one by one
# rather than listing on: past this, a large org's remaining pages are likely cheaper.
LOOKUP_MAX = 20
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
    expected: Expected | None = None,
    max_workers: int = READ_WORKERS,
) -> Snapshot:
    """Read what ``needs`` asks for; refuse another organization or kind first
    (:class:`~reconciler.errors.WrongOrganization`, located at the policy's declaration
    when ``expected`` says where it is)."""
    # Tens of thousands of parsed rows, no cycles; but the HTTP client's leftovers are,
    # so nothing is frozen here (see reconciler.gcpause).
    with paused(freeze=False):
        expected = expected or Expected()
        if expected.kind is None and needs.kind:
            expected = replace(expected, kind=needs.kind)
        return _read(client, needs, expected, max_workers)


def _read(client: AdminClient, needs: ReadNeeds, expected: Expected, max_workers: int) -> Snapshot:
    before = client.requests.total
    kind = detect_org_kind(client)
    check_kind(expected, kind)
    org = client.me()
    check_id(expected, org.id, org.name)
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
    snap.requests_sent = client.requests.total - before
    return snap


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
        self.strings: dict[str, str] = {}  # one object per repeated value (live.convert)
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
        """Read what a Console policy needs: workspaces and limits, concurrently."""
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
        """Read what an Enterprise policy needs, choosing the cheapest member strategy."""
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
        return self.record(row_parts(row, self.strings) for row in rows)

    def record(self, rows: Iterable[Parts]) -> dict[str, tuple[str | None, str | None]]:
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
        named = self.record(raw_parts(row, self.strings) for row in rows)
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
        if f_rows is not None:
            result = f_rows.result()
            if self.needs.spend:
                self.take_rows(result)
            else:
                self.snap.limits.extend(result)

    def read_effective(self, user_ids: Sequence[str] | None) -> list[SpendSummary]:
        return list(self.client.effective_limits(periods=self.periods, user_ids=user_ids))

    def read_user_limits(self) -> list[LiveLimit]:
        """The configured ``user`` rows of the periods the policy touches."""
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
        declared = [members[e].id for e in sorted(wanted) if e in members]
        if not self.want_rows or self.snap.kind != "enterprise" or not declared:
            return
        batches = math.ceil(len(declared) / MAX_USER_IDS)
        if complete and math.ceil(len(members) / MAX_PAGE) < batches:
            # Every member is known and one full pass is fewer requests than the batches.
            mine = set(declared)
            rows = self.client.effective_limits(periods=self.periods, limit=MAX_PAGE)
            self.take_rows(r for r in rows if r.user_id in mine)
        else:
            self.take_rows(self.client.effective_limits(periods=self.periods, user_ids=declared))

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
        """Membership of the groups whose rules need it, concurrently."""
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
