"""The planner: desired state vs live snapshot → a :class:`Plan`.

Identity is kept apart from value.  Desired objects are matched to live ones by identity
(a workspace's live id; a spend limit's ``(scope type, target id, period)``); only matched
pairs are compared, field by field, with cheap equality first.  What each org kind may
write comes from :mod:`reconciler.plan.capabilities`; the planner never talks to the API.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from reconciler import __version__
from reconciler import addresses as addr
from reconciler.adminapi.client import MAX_USER_IDS
from reconciler.desired import INHERIT, Desired, DesiredLimit, DesiredWorkspace
from reconciler.gcpause import paused
from reconciler.live import LiveLimit, LiveWorkspace, Snapshot
from reconciler.money import format_minor
from reconciler.plan import represent, sentences
from reconciler.plan.capabilities import (
    CREATABLE_GEOS,
    LIMITS,
    SCOPE_LABELS,
    WORKSPACE_CREATE_ONLY,
    LimitCapability,
)
from reconciler.plan.facts import Estimate, Organization, Safety
from reconciler.plan.model import Action, Change, FieldChange, Plan, fingerprint
from reconciler.plan.spending import spending_facts
from reconciler.ratebudget import DEFAULT_SHARE, apply_seconds

LimitKey = tuple[str, "str | None", str]  # (scope type, target id, period)
Shown = dict[str, Any]  # an object in the API's representation (reconciler.plan.represent)

DEFAULT_EXPIRY = timedelta(hours=24)


@dataclass(frozen=True)
class PlanOptions:
    """How to plan: targeting, the clock, expiry, and the rates the estimate assumes."""

    targets: Sequence[str] = ()
    excludes: Sequence[str] = ()
    now: datetime | None = None
    expires_in: timedelta = DEFAULT_EXPIRY
    admin_rpm: float = 100.0
    spend_rpm: float = 60.0
    api_share: float = DEFAULT_SHARE


@dataclass
class _Comparison:
    """What comparing desired with live found, before selection and ordering."""

    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # addresses with nothing to do
    existing: set[str] = field(default_factory=set)  # managed addresses with a live object


def build_plan(
    desired: Desired,
    snapshot: Snapshot,
    *,
    policy_digest: str,
    options: PlanOptions | None = None,
) -> Plan:
    """Compare ``desired`` with ``snapshot`` and return the ordered plan (pure; no I/O)."""
    with paused():  # one Change per address, no cycles (see reconciler.gcpause)
        return _build(desired, snapshot, policy_digest, options or PlanOptions())


def _build(desired: Desired, snapshot: Snapshot, policy_digest: str, opts: PlanOptions) -> Plan:
    now = (opts.now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    currency = desired.currency or snapshot.currency
    rows = live_limits(snapshot)
    found = _compare(desired, snapshot, rows, currency)
    changes = order(_select(found.changes, opts.targets, opts.excludes), rows)
    unchanged = [a for a in found.unchanged if _wanted(a, opts.targets, opts.excludes)]
    plan = Plan(
        tool_version=__version__,
        created_at=_iso(now),
        expires_at=_iso(now + opts.expires_in),
        organization=_organization(snapshot, currency, rows),
        policy_digest=policy_digest,
        targets=list(opts.targets),
        excludes=list(opts.excludes),
        changes=changes,
        unchanged=len(unchanged),
        unmanaged=_unmanaged(desired, snapshot),
        warnings=[p.render() for p in desired.warnings],
        estimate=estimate(changes, opts.admin_rpm, opts.spend_rpm, opts.api_share),
    )
    _safety(plan, desired, found.existing)
    _money(plan, snapshot)
    return plan


def _compare(
    desired: Desired, snapshot: Snapshot, rows: dict[LimitKey, LiveLimit], currency: str | None
) -> _Comparison:
    """Every desired address against the live object of the same identity."""
    found = _Comparison()
    ws_by_id = {w.id: w for w in snapshot.workspaces or []}
    for wanted in desired.workspaces.values():
        _plan_workspace(wanted, ws_by_id.get(wanted.live_id) if wanted.live_id else None, found)
    context = _LimitContext(
        rows=rows,
        kind=snapshot.kind,
        currency=currency,
        org_monthly=_resulting_org_monthly(desired, rows),
        default_ids={w.id for w in snapshot.workspaces or [] if w.is_default},
        creates={c.address for c in found.changes if c.action is Action.CREATE},
    )
    for wanted_limit in desired.limits.values():
        _plan_limit(wanted_limit, context, found)
    if desired.mode("users") == "authoritative" and snapshot.kind == "enterprise":
        _plan_undeclared_user_rows(desired, snapshot, rows, found)
    return found


def _money(plan: Plan, snapshot: Snapshot) -> None:
    """Enterprise: members blocked at once (a warning) and the monthly headroom."""
    facts = spending_facts(plan.changes, snapshot)
    if facts is None:
        return
    warning = sentences.blocked_members(facts, plan.currency)
    if warning:
        plan.warnings.append(warning)
    if facts.has_headroom or facts.blocked_members:
        plan.money = facts


# --------------------------------------------------------------------------- live index


def live_limits(snapshot: Snapshot) -> dict[LimitKey, LiveLimit]:
    """Every configured row by identity (user overrides included: the reader puts those
    it learns from the effective report into ``snapshot.limits`` too)."""
    return {(r.scope_type, r.scope_id, r.period): r for r in snapshot.limits}


# --------------------------------------------------------------------------- workspaces


def _plan_workspace(wanted: DesiredWorkspace, live: LiveWorkspace | None, out: _Comparison) -> None:
    before = represent.workspace(live) if live else None
    if live is not None:
        out.existing.add(wanted.address)
    common: dict[str, Any] = {
        "address": wanted.address,
        "resource_type": "workspace",
        "id": live.id if live else None,
        "before": before,
        "live_fingerprint": fingerprint(before),
    }
    if live is not None and (live.is_default or live.archived):
        what = "the default workspace" if live.is_default else "an archived workspace"
        reason = f"{what} cannot be changed through the Admin API"
        out.changes.append(Change(action=Action.BLOCKED, after=before, reason=reason, **common))
    elif wanted.archived is not None and wanted.archived.value:
        _plan_archive(wanted, before, common, out)
    else:
        _plan_workspace_fields(wanted, before, common, out)


def _plan_archive(
    wanted: DesiredWorkspace,
    before: dict[str, Any] | None,
    common: dict[str, Any],
    out: _Comparison,
) -> None:
    if before is None:
        out.unchanged.append(wanted.address)  # nothing to archive (resolution warned)
        return
    assert wanted.archived is not None
    out.changes.append(
        Change(
            action=Action.ARCHIVE,
            after=dict(represent.copy_of(before), archived=True),
            fields=[FieldChange("archived", False, True, str(wanted.archived.source))],
            reason="archiving is irreversible and deactivates the workspace's API keys",
            **common,
        )
    )


def _plan_workspace_fields(
    wanted: DesiredWorkspace,
    before: dict[str, Any] | None,
    common: dict[str, Any],
    out: _Comparison,
) -> None:
    after = represent.copy_of(before) if before else represent.new_workspace(wanted.name)
    fields: list[FieldChange] = []
    blocked: list[str] = []
    for path, want in sorted(wanted.fields.items(), key=_field_order):
        current = represent.get_path(before, path) if before else None
        if before is not None and _equal_values(path, current, want.value):
            continue
        if before is None and want.value is None:
            continue  # removing a tag from a workspace that does not exist yet
        represent.set_path(after, path, want.value)
        fields.append(FieldChange(path, current, _as_shown(path, want.value), str(want.source)))
        blocked += _field_blocked(path, want.value, exists=before is not None)
    blocked += _residency_blocked(after["data_residency"])
    if not fields and not blocked:
        out.unchanged.append(wanted.address)
        return
    action = Action.BLOCKED if blocked else (Action.UPDATE if before else Action.CREATE)
    reason = "; ".join(blocked) or None
    out.changes.append(Change(action=action, after=after, fields=fields, reason=reason, **common))


def _field_blocked(path: str, value: Any, *, exists: bool) -> list[str]:
    """Why setting one workspace field cannot be done, if it cannot."""
    if exists and path in WORKSPACE_CREATE_ONLY:
        return [f"{path} is set at creation and can never change"]
    if path == "data_residency.workspace_geo" and value not in CREATABLE_GEOS:
        return [f"the API creates workspaces only with workspace_geo {', '.join(CREATABLE_GEOS)}"]
    return []


def _residency_blocked(residency: dict[str, Any]) -> list[str]:
    allowed = residency["allowed_inference_geos"]
    if allowed == "unrestricted" or residency["default_inference_geo"] in allowed:
        return []
    return [
        "the API would reject this: default_inference_geo "
        f"{residency['default_inference_geo']!r} is not in allowed_inference_geos {allowed}"
    ]


def _field_order(item: tuple[str, Any]) -> tuple[int, str]:
    """Name first, then residency, then tags: the order people read a workspace in."""
    path = item[0]
    return (0 if path == "name" else 1 if path.startswith("data_residency.") else 2, path)


def _equal_values(path: str, current: Any, want: Any) -> bool:
    """Equal as the API sees them (``allowed_inference_geos`` is a set)."""
    if path.endswith("allowed_inference_geos"):
        return bool(represent.normalise_allowed(current) == represent.normalise_allowed(want))
    return bool(current == want)


def _as_shown(path: str, value: Any) -> Any:
    """A desired value in the API's representation (geos as a sorted set)."""
    return represent.normalise_allowed(value) if path.endswith("allowed_inference_geos") else value


# --------------------------------------------------------------------------- spend limits


@dataclass(frozen=True)
class _LimitContext:
    """What every spend-limit comparison needs to know about the organization."""

    rows: dict[LimitKey, LiveLimit]
    kind: str
    currency: str | None
    org_monthly: str | None  # the organization's monthly amount once applied (Console)
    default_ids: set[str]
    creates: set[str]  # workspace addresses this plan creates


def _target_id(wanted: DesiredLimit) -> str | None:
    scope = wanted.scope
    kind = scope["type"]
    if kind == "seat_tier":
        return str(scope["seat_tier"])
    if kind == "organization":
        return None
    found = scope.get("id")
    return str(found) if found is not None else None


def _resulting_org_monthly(desired: Desired, rows: dict[LimitKey, LiveLimit]) -> str | None:
    """The organization's monthly amount once the plan is applied (Console rule 32)."""
    wanted = desired.limits.get(addr.spend_limit("organization", None, "monthly"))
    if wanted is not None and wanted.amount.value is not INHERIT:
        return wanted.amount.value  # type: ignore[no-any-return]
    if wanted is not None:
        return None
    live = rows.get(("organization", None, "monthly"))
    return live.amount if live else None


def _plan_limit(wanted: DesiredLimit, ctx: _LimitContext, out: _Comparison) -> None:
    scope_type = wanted.scope["type"]
    target = _target_id(wanted)
    identified = target is not None or scope_type == "organization"
    live = ctx.rows.get((scope_type, target, wanted.period)) if identified else None
    if live is not None:
        out.existing.add(wanted.address)
    want = wanted.amount.value
    if want is INHERIT:
        if live is not None:
            out.changes.append(_limit_removal(wanted, live, ctx))
        else:
            out.unchanged.append(wanted.address)
    elif live is not None and live.amount == want:
        out.unchanged.append(wanted.address)
    else:
        out.changes.append(_limit_write(wanted, target, live, ctx))


def _limit_removal(wanted: DesiredLimit, live: LiveLimit, ctx: _LimitContext) -> Change:
    """``inherit``: delete the row, or say who must when the API cannot."""
    scope_type = wanted.scope["type"]
    cap = LIMITS.get((ctx.kind, scope_type))
    action = Action.DELETE if cap and cap.writable else Action.MANUAL
    label = SCOPE_LABELS.get(scope_type, scope_type)
    before = represent.limit(live)
    return Change(
        address=wanted.address,
        action=action,
        resource_type="spend_limit",
        id=live.id,
        before=before,
        after=None,
        fields=[FieldChange("amount", live.amount, None, str(wanted.amount.source))],
        live_fingerprint=fingerprint(before),
        reason=None if action is Action.DELETE else _manual(cap, label, "remove"),
    )


def _limit_write(
    wanted: DesiredLimit, target: str | None, live: LiveLimit | None, ctx: _LimitContext
) -> Change:
    """Create or update the row, unless the API cannot (manual) or would refuse (blocked)."""
    scope_type = wanted.scope["type"]
    want = wanted.amount.value
    before = represent.limit(live) if live else None
    depends: list[str] = []
    if scope_type == "workspace" and target is None:
        ws_address = addr.workspace(str(wanted.scope.get("name")))
        depends += [ws_address] if ws_address in ctx.creates else []
    refused = _limit_refusal(wanted, target, ctx)
    action = refused[0] if refused else (Action.UPDATE if live else Action.CREATE)
    return Change(
        address=wanted.address,
        action=action,
        resource_type="spend_limit",
        id=live.id if live else None,
        before=before,
        after={
            "scope": represent.api_scope(scope_type, target),
            "period": wanted.period,
            "amount": want,
            "currency": ctx.currency,
        },
        fields=[
            FieldChange("amount", live.amount if live else None, want, str(wanted.amount.source))
        ],
        live_fingerprint=fingerprint(before),
        reason=refused[1] if refused else None,
        depends_on=depends,
    )


def _limit_refusal(
    wanted: DesiredLimit, target: str | None, ctx: _LimitContext
) -> tuple[Action, str] | None:
    """Why the row cannot be written as declared: (manual or blocked, reason), or None."""
    scope_type, want = wanted.scope["type"], wanted.amount.value
    cap = LIMITS.get((ctx.kind, scope_type))
    label = SCOPE_LABELS.get(scope_type, scope_type)
    if cap is None:
        return Action.BLOCKED, f"a {ctx.kind} organization has no {label} spend limits"
    if not cap.writable:
        return Action.MANUAL, _manual(cap, label, "set")
    if wanted.period not in cap.periods:
        return Action.BLOCKED, f"{label} limits take only a monthly period"
    if want is None and not cap.unlimited:
        return Action.BLOCKED, f"{label} limits need an amount (unlimited is for users)"
    if scope_type == "workspace" and target in ctx.default_ids:
        return Action.BLOCKED, "the default workspace cannot have a spend limit"
    if scope_type == "workspace" and _above(want, ctx.org_monthly):
        return Action.BLOCKED, (
            "the API refuses a workspace limit above the organization's monthly limit "
            f"({format_minor(ctx.org_monthly, ctx.currency)})"
        )
    if scope_type == "user" and target is None:
        return Action.BLOCKED, "no such member in the organization"
    return None


def _manual(cap: LimitCapability | None, label: str, verb: str) -> str:
    if cap is None:
        return f"the Admin API cannot {verb} {label} limits"
    return cap.manual_reason(label, verb)


def _above(amount: str | None, ceiling: str | None) -> bool:
    return amount is not None and ceiling is not None and int(amount) > int(ceiling)


def _plan_undeclared_user_rows(
    desired: Desired, snapshot: Snapshot, rows: dict[LimitKey, LiveLimit], out: _Comparison
) -> None:
    """``management.users: authoritative``: delete overrides no entry or rule declares.

    Only in the periods a policy can declare: a row in a period this version does not know
    could never be declared, so it is left alone rather than deleted."""
    mode = desired.management["users"]
    by_id = snapshot.member_by_id()
    for (scope_type, uid, period), row in rows.items():
        if scope_type != "user" or uid is None or uid not in by_id or period not in addr.PERIODS:
            continue
        address = addr.spend_limit("user", by_id[uid].email, period)
        if address in desired.limits:
            continue
        before = represent.limit(row)
        out.existing.add(address)
        out.changes.append(
            Change(
                address=address,
                action=Action.DELETE,
                resource_type="spend_limit",
                id=row.id,
                before=before,
                after=None,
                fields=[FieldChange("amount", row.amount, None, str(mode.source))],
                live_fingerprint=fingerprint(before),
                reason="no entry or rule declares it (management.users: authoritative)",
            )
        )


# --------------------------------------------------------------------------- selection, order


def _wanted(address: str, targets: Sequence[str], excludes: Sequence[str]) -> bool:
    if targets and not any(fnmatch.fnmatchcase(address, t) for t in targets):
        return False
    return not any(fnmatch.fnmatchcase(address, x) for x in excludes)


def _select(changes: list[Change], targets: Sequence[str], excludes: Sequence[str]) -> list[Change]:
    """Apply ``--target``/``--exclude``; a kept change pulls in the creates it depends on."""
    if not targets and not excludes:
        return changes
    kept = [c for c in changes if _wanted(c.address, targets, excludes)]
    needed = {d for c in kept for d in c.depends_on}
    have = {c.address for c in kept}
    kept += [c for c in changes if c.address in needed and c.address not in have]
    return kept


# Dependency order (SPEC §5), as a table keyed by (phase, what the change writes):
# workspaces first, then the spend limits that name them; deletes and archives last.
# Console: the organization row goes before the workspace rows when the plan raises it
# (so no workspace row is ever above it) and after them when it lowers it.  Deletes run
# from the narrowest scope out.
_RANKS: dict[tuple[str, str], tuple[int, int]] = {
    ("write", "workspace"): (0, 0),
    ("write", "organization:raise"): (1, 0),
    ("write", "spend_limit:workspace"): (2, 0),
    ("write", "organization:lower"): (3, 0),
    ("write", "spend_limit"): (4, 0),  # any other scope
    ("archive", "workspace"): (6, 0),
    ("delete", "spend_limit:user"): (7, 0),
    ("delete", "spend_limit:rbac_group"): (7, 1),
    ("delete", "spend_limit:seat_tier"): (7, 1),
    ("delete", "spend_limit:workspace"): (7, 2),
    ("delete", "spend_limit"): (7, 3),  # the organization and any other scope
}
_PHASES = {Action.DELETE: "delete", Action.ARCHIVE: "archive"}


def order(changes: Iterable[Change], rows: dict[LimitKey, LiveLimit]) -> list[Change]:
    """The changes in dependency order (:data:`_RANKS`), by address within a rank."""
    changes = list(changes)
    org = "organization:raise" if _raises_organization(changes) else "organization:lower"

    def rank(c: Change) -> tuple[int, int, str]:
        """Where a change goes: (rank, rank within it, address)."""
        phase = _PHASES.get(c.action, "write")
        if c.resource_type == "workspace":
            key = "workspace"
        elif phase == "write" and c.address.startswith("spend_limit:organization:"):
            key = org
        else:
            key = f"spend_limit:{(c.before or c.after or {}).get('scope', {}).get('type')}"
        first, second = _RANKS.get((phase, key)) or _RANKS[(phase, "spend_limit")]
        return (first, second, c.address)

    return sorted(changes, key=rank)


def _raises_organization(changes: Sequence[Change]) -> bool:
    """Whether the plan raises (or creates) the organization row; the last such change
    decides, as the organization has one writable row (Console, monthly)."""
    raising = False
    for c in changes:
        if c.address.startswith("spend_limit:organization:") and c.action is not Action.DELETE:
            before = c.before["amount"] if c.before else None
            after = c.after["amount"] if c.after else None
            raising = before is None or (after is not None and int(after) >= int(before))
    return raising


# --------------------------------------------------------------------------- plan-level facts


def _organization(
    snapshot: Snapshot, currency: str | None, rows: dict[LimitKey, LiveLimit]
) -> Organization:
    tier = rows.get(("usage_tier", None, "monthly"))
    return Organization(
        id=snapshot.org_id,
        name=snapshot.org_name,
        kind=snapshot.kind,
        currency=currency,
        usage_tier_limit=tier.amount if tier is not None else None,
        has_usage_tier=tier is not None,
    )


def _unmanaged(desired: Desired, snapshot: Snapshot) -> list[str]:
    if desired.mode("workspaces") != "authoritative" or snapshot.workspaces is None:
        return []
    declared = {
        wanted.live_id
        for wanted in desired.workspaces.values()
        if wanted.declared is not None and wanted.live_id
    }
    return sorted(
        addr.workspace(w.name)
        for w in snapshot.workspaces
        if not w.archived and not w.is_default and w.id not in declared
    )


def estimate(
    changes: Sequence[Change], admin_rpm: float, spend_rpm: float, share: float = DEFAULT_SHARE
) -> Estimate:
    """Requests apply will send and the time the pacing needs for them.

    Apply of a saved plan first re-reads what it touches (``verification_reads``); spend-limit
    requests count in both buckets.  Each bucket sends its usable share of a fresh minute at
    once, then its limit a minute (:func:`reconciler.ratebudget.apply_seconds`).
    """
    writes = [c for c in changes if c.action.applicable]
    reads = verification_reads(writes)
    spend = sum(1 for c in writes if c.resource_type == "spend_limit") + reads["spend"]
    total = len(writes) + reads["total"]
    seconds = apply_seconds(
        {"admin": total, "spend": spend}, {"admin": admin_rpm, "spend": spend_rpm}, share
    )
    return Estimate(
        requests=total,
        writes=len(writes),
        spend_writes=sum(1 for c in writes if c.resource_type == "spend_limit"),
        seconds=round(seconds, 1),
        admin_rpm=admin_rpm,
        spend_rpm=spend_rpm,
    )


def verification_reads(writes: Sequence[Change]) -> dict[str, int]:
    """Requests apply sends to re-read touched objects before writing (``reconciler.apply.
    verify``): ``GET /me``; one workspace listing; one listing of the non-user limits; the
    effective report for touched members in batches of :data:`MAX_USER_IDS`."""
    if not writes:
        return {"total": 0, "spend": 0}
    users = {
        (c.before or c.after or {}).get("scope", {}).get("user_id")
        for c in writes
        if c.resource_type == "spend_limit" and c.address.startswith("spend_limit:user:")
    }
    others = any(
        c.resource_type == "spend_limit" and not c.address.startswith("spend_limit:user:")
        for c in writes
    )
    spend = int(others) + -(-len(users) // MAX_USER_IDS)
    total = 1 + int(any(c.resource_type == "workspace" for c in writes)) + spend
    return {"total": total, "spend": spend}


def _safety(plan: Plan, desired: Desired, existing: set[str]) -> None:
    """Record the max-change-percent rail on the plan (warned here, enforced by apply)."""
    changing = sum(
        1 for c in plan.changes if c.action in (Action.UPDATE, Action.DELETE, Action.ARCHIVE)
    )
    safety = Safety.of(
        existing=len(existing),
        changing=changing,
        max_change_percent=_setting(desired, "max_change_percent", 30),
        min_existing=_setting(desired, "min_existing", 10),
    )
    plan.safety = safety
    if safety.exceeded:
        plan.warnings.append(
            f"this plan changes {changing} of {safety.existing} existing objects "
            f"({safety.percent}%), more than safety.max_change_percent "
            f"({safety.max_change_percent}%): apply will refuse without --force"
        )


def _setting(desired: Desired, key: str, default: int) -> int:
    value = desired.safety.get(key)
    return int(value.value) if value is not None else default


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
