"""The core pipelines the commands run, as plain functions over plain data.

    load policy → read what it needs → resolve desired state → plan
                                                              → residency cost (usage reads)
    load policy → read workspaces → resolve residency → usage & cost reports → audit
    plan → drift report (acknowledgements honoured)
    read everything → import files
    a reviewed plan → apply (refusals first, then the writes)

No printing and no click here: the CLI wires these to options and renderers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reconciler.acks import Ack
from reconciler.adminapi import ADMIN, SPEND, AdminClient
from reconciler.apply import ApplyOptions, ApplyReport, apply_plan
from reconciler.audit import AuditReport, Findings, collect, held_workspaces, residency_view
from reconciler.desired import Desired
from reconciler.drift import DriftReport, detect
from reconciler.errors import ReconcilerError, RequestError
from reconciler.importer import ImportedFiles, import_needs, render_import
from reconciler.live import ReadNeeds, Snapshot
from reconciler.live.organization import Expected, Where
from reconciler.live.reader import detect_org_kind, read_snapshot
from reconciler.plan import residency_cost
from reconciler.plan.model import Plan
from reconciler.plan.planner import PlanOptions, build_plan
from reconciler.policy import Policy, load, needs, resolve
from reconciler.usage import DEFAULT_DAYS, UsageWindow, global_token_cents, usage_window

# The usage report grouped as audit needs it (usage-cost-api §8.3); cost as §8.5.
AUDIT_USAGE_GROUPS = ("workspace_id", "model", "inference_geo", "service_tier")
COST_GROUPS = ("workspace_id", "description")


@dataclass
class PlanRun:
    policy: Policy
    snapshot: Snapshot
    desired: Desired
    plan: Plan


def plan_policy(
    paths: Sequence[str | Path],
    client: AdminClient,
    *,
    skip_unknown_users: bool = False,
    options: PlanOptions | None = None,
    more_needs: Callable[[ReadNeeds], ReadNeeds] | None = None,
    usage_days: int | None = None,
) -> PlanRun:
    """Load the policy, read the live organization (only what the policy needs), resolve
    and plan.  Raises ``PolicyError`` for policy problems (before any request is sent),
    ``ApiError``/``ConfigError`` for the API, never prints.

    With ``usage_days``, a plan that moves live workspaces to US-only inference also
    carries their estimated monthly cost increase from that many days of the cost report
    (:func:`add_residency_cost`); no usage is read otherwise."""
    policy = load(paths)
    wanted = needs(policy)
    if more_needs is not None:
        wanted = more_needs(wanted)
    snapshot = read_snapshot(client, wanted, expected=expected_organization(policy))
    desired = resolve(policy, snapshot, skip_unknown_users=skip_unknown_users)
    # The estimate assumes the client's own pacing; the caller's options stay as given.
    opts = replace(
        options or PlanOptions(),
        admin_rpm=client.pacer.limit(ADMIN),
        spend_rpm=client.pacer.limit(SPEND),
        api_share=client.pacer.share,
    )
    plan = build_plan(desired, snapshot, policy_digest=policy.digest, options=opts)
    if usage_days is not None and snapshot.kind == "console":
        add_residency_cost(plan, client, usage_days, now=opts.now)
    return PlanRun(policy, snapshot, desired, plan)


def add_residency_cost(
    plan: Plan, client: AdminClient, usage_days: int, *, now: datetime | None = None
) -> None:
    """Estimate what the plan's moves to US-only inference add a month (SPEC §5).

    One cost-report query over the last ``usage_days`` whole days (31 days a request),
    only when the plan has such a move.  The estimate informs; it does not decide: if
    the report cannot be read the plan says so in a warning and stands."""
    moves = residency_cost.residency_moves(plan.changes)
    if not moves:
        return
    window = usage_window(usage_days, now)
    try:
        cents = global_token_cents(
            client.cost_report(
                window.starting_at,
                window.ending_at,
                group_by=COST_GROUPS,
            )
        )
    except RequestError as e:
        plan.warnings.append(
            f"residency cost not estimated: the cost report could not be read ({e})"
        )
        return
    residency_cost.add_to_plan(plan, residency_cost.residency_cost(moves, cents, window))


def audit_policy(
    paths: Sequence[str | Path],
    client: AdminClient,
    *,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> AuditReport:
    """Audit the last ``days`` whole days of usage against the policy's residency rules.

    Reads: ``GET /me``, one workspace listing, then — only when a live workspace is held
    to US-only inference — one usage-report query grouped by workspace, model, geo and
    service tier, and one cost-report query grouped by workspace and description, each
    31 days a request.  No spend limits, no per-workspace queries.  Console only: an
    Enterprise policy is refused before any request."""
    policy = _console_only(load(paths))
    wanted = ReadNeeds(kind="console", workspaces=True, limits=False)
    snapshot = read_snapshot(client, wanted, expected=expected_organization(policy))
    desired = resolve(residency_view(policy), snapshot)
    held = held_workspaces(desired, snapshot)
    window = usage_window(days, now)
    ids = {ws.workspace_id for ws in held if ws.workspace_id}
    findings = _usage_findings(client, window, ids)
    notes = []
    if held and not ids:
        notes.append("no workspace held to US-only inference exists yet: nothing was read")
    return AuditReport(
        organization={"id": snapshot.org_id, "name": snapshot.org_name, "kind": snapshot.kind},
        policy_digest=policy.digest,
        window=window,
        held=held,
        findings=findings,
        checked_at=now or datetime.now(timezone.utc),
        warnings=[p.render() for p in desired.warnings],
        notes=notes,
    )


def _usage_findings(client: AdminClient, window: UsageWindow, ids: set[str]) -> Findings:
    """Usage and cost of the held workspaces over ``window`` (nothing is read without any)."""
    if not ids:
        return collect((), (), ids)
    usage = client.usage_report(window.starting_at, window.ending_at, group_by=AUDIT_USAGE_GROUPS)
    cost = client.cost_report(window.starting_at, window.ending_at, group_by=COST_GROUPS)
    return collect(list(usage), list(cost), ids)


def drift_policy(
    paths: Sequence[str | Path],
    client: AdminClient,
    acks: list[Ack],
    *,
    skip_unknown_users: bool = False,
    now: datetime | None = None,
) -> DriftReport:
    """Plan without applying and read every difference as drift (SPEC §7)."""
    run = plan_policy(paths, client, skip_unknown_users=skip_unknown_users)
    return detect(run.plan, acks, now=now)


def import_organization(client: AdminClient, now: datetime | None = None) -> ImportedFiles:
    """The live organization as policy files (everything an import writes is read)."""
    snapshot = read_snapshot(client, import_needs(detect_org_kind(client)))
    return render_import(snapshot, now=now)


def apply_reviewed(plan: Plan, client: AdminClient, options: ApplyOptions) -> ApplyReport:
    """Apply a plan that was shown (or saved and reviewed): every refusal first, then the
    writes (:func:`reconciler.apply.apply_plan`)."""
    return apply_plan(plan, client, options)


def _console_only(policy: Policy) -> Policy:
    if policy.kind != "console":
        raise ReconcilerError(
            "audit reads the Usage & Cost reports, which only Claude Console organizations "
            f"have; this policy describes {_article(policy.kind)} {policy.kind} organization "
            "(its workspaces and residency are not managed through the Admin API)"
        )
    return policy


def _article(kind: str) -> str:
    return "an" if kind[:1] in "aeiou" else "a"


def expected_organization(policy: Policy) -> Expected:
    """What the policy declares about its organization, and where (for the one check that
    the key belongs to it, made by the reader before anything else is read)."""
    marks = {key: policy.org[key].mark for key in ("id", "kind") if key in policy.org}
    return Expected(
        org_id=policy.organization.id,
        kind=policy.organization.kind,
        id_at=_where(marks.get("id")),
        kind_at=_where(marks.get("kind")),
    )


def _where(mark: Any) -> Where | None:
    return None if mark is None else (mark.file, mark.line, mark.column)
