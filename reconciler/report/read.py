"""The report's reads, with the fewest requests (SPEC §7d, §9; usage-cost-api §8).

Console — ``GET /me``, one workspace listing (to name workspaces and resolve which ones
the policy holds to US-only inference), then, concurrently, one usage-report query
(``1d`` buckets grouped by ``workspace_id``, ``model``, ``inference_geo`` and
``service_tier``) and one cost-report query (grouped by ``workspace_id`` and
``description``) over the window: one request each per 31 days.  No spend limits.

Enterprise — the read ``plan`` makes when it needs every member and their spend:
``GET /me``, one listing of the non-user spend limits, and one pass over the effective
report at ``limit=1000`` (``GET /users`` as well only when no organization row makes
every member appear there).  ``GET /rbac_groups`` once, only when some member's cap
comes from a group, to print the group's name rather than its id.

The policy is loaded (and the window checked) before the first request.  Nothing here
prints or imports click.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from reconciler.adminapi import AdminClient
from reconciler.audit.held import held_workspaces, residency_view
from reconciler.errors import ApiError, UsageError
from reconciler.live import Effective, ReadNeeds, Snapshot
from reconciler.live.reader import read_snapshot
from reconciler.policy import Policy, load, resolve
from reconciler.report.model import ConsoleReads, EnterpriseReads, Report, build_report
from reconciler.report.window import ReportWindow, days_window, month_window
from reconciler.workflow import expected_organization

__all__ = ["COST_GROUPS", "USAGE_GROUPS", "report_policy", "report_window"]

USAGE_GROUPS = ("workspace_id", "model", "inference_geo", "service_tier")
COST_GROUPS = ("workspace_id", "description")


def report_window(month: str | None, days: int | None, now: datetime | None = None) -> ReportWindow:
    """The Console window: ``--days N``, ``--month YYYY-MM``, or the last complete month."""
    if month is not None and days is not None:
        raise UsageError("--month and --days cannot be combined: choose one window")
    if days is not None:
        return days_window(days, now)
    return month_window(month, now)


def report_policy(
    paths: Sequence[str | Path],
    client: AdminClient,
    *,
    month: str | None = None,
    days: int | None = None,
    now: datetime | None = None,
) -> Report:
    """Load the policy, read what its organization's report needs, build the report.

    Raises ``PolicyError`` (before any request), ``UsageError`` for a window that cannot
    be reported (or any window for an Enterprise organization, whose report is each
    member's current period), ``ApiError`` / ``ConfigError`` for the API."""
    policy = load(paths)
    now = now or datetime.now(timezone.utc)
    before = client.requests.total
    if policy.kind == "console":
        read = _console(policy, client, report_window(month, days, now))
    elif month is not None or days is not None:
        raise UsageError(
            "--month and --days choose the usage window of a Console report; an Enterprise "
            "report shows each member's spend in the current period"
        )
    else:
        read = _enterprise(policy, client)
    snapshot = read.snapshot
    return build_report(
        organization={"id": snapshot.org_id, "name": snapshot.org_name, "kind": snapshot.kind},
        policy_digest=policy.digest,
        now=now,
        console=read.console,
        enterprise=read.enterprise,
        requests=client.requests.total - before,
        warnings=read.warnings,
        notes=read.notes,
    )


@dataclass
class _Read:
    """What the reads of one kind of organization gave, for :func:`build_report`."""

    snapshot: Snapshot
    console: ConsoleReads | None = None
    enterprise: EnterpriseReads | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _console(policy: Policy, client: AdminClient, window: ReportWindow) -> _Read:
    wanted = ReadNeeds(kind="console", workspaces=True, limits=False)
    snapshot = read_snapshot(client, wanted, expected=expected_organization(policy))
    desired = resolve(residency_view(policy), snapshot)
    held = held_workspaces(desired, snapshot)
    start, end = window.starting_at, window.ending_at
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="claude-policy-report") as pool:
        usage = pool.submit(lambda: list(client.usage_report(start, end, group_by=USAGE_GROUPS)))
        cost = pool.submit(lambda: list(client.cost_report(start, end, group_by=COST_GROUPS)))
        reads = ConsoleReads(
            window=window,
            workspaces=snapshot.workspaces or [],
            held=held,
            usage=usage.result(),
            cost=cost.result(),
        )
    return _Read(snapshot, console=reads, warnings=[p.render() for p in desired.warnings])


def _enterprise(policy: Policy, client: AdminClient) -> _Read:
    wanted = ReadNeeds(
        kind="enterprise", limits=True, all_members=True, user_overrides=True, spend=True
    )
    snapshot = read_snapshot(client, wanted, expected=expected_organization(policy))
    effective = snapshot.effective or {}
    read = _Read(snapshot)
    if not effective:
        read.notes.append(
            "no member has a spend limit in any period: there is no cap to report against"
        )
    read.enterprise = EnterpriseReads(
        currency=snapshot.currency or policy.organization.currency,
        members=snapshot.members or {},
        members_complete=wanted.all_members,  # the reader lists every member when asked to
        effective=effective,
        group_names=_group_names(client, effective.values(), read.warnings),
    )
    return read


def _group_names(
    client: AdminClient, effective: Iterable[Effective], warnings: list[str]
) -> dict[str, str]:
    """The names of the groups caps come from (one listing, only when some cap does);
    without the right to list groups, a warning and the ids instead."""
    if not any(e.source_type == "rbac_group" for e in effective):
        return {}
    try:
        return {g.id: g.name for g in client.list_rbac_groups()}
    except ApiError as e:
        if e.status not in (401, 403):
            raise
        warnings.append(f"group names could not be read, ids are shown instead ({e})")
        return {}
