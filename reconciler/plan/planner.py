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
from reconciler.desired import INHERIT, Desired, DesiredLimit, DesiredWorkspace
from reconciler.gcpause import paused
from reconciler.live import LiveLimit, LiveWorkspace, Snapshot
from reconciler.money import format_minor
from reconciler.plan import represent
from reconciler.plan.capabilities import (
    CREATABLE_GEOS,
    LIMITS,
    SCOPE_LABELS,
    WORKSPACE_CREATE_ONLY,
    LimitCapability,
)
from reconciler.plan.model import Action, Change, FieldChange, Plan, fingerprint
from reconciler.plan.spending import notes as spending_notes
from reconciler.plan.spending import spending_facts
from reconciler.ratebudget import DEFAULT_SHARE, apply_seconds

LimitKey = tuple[str, "str | None", str]  # (scope type, target id, period)

DEFAULT_EXPIRY = timedelta(hours=24)


@dataclass
class PlanOptions:
    targets: Sequence[str] = ()
    excludes: Sequence[str] = ()
    now: datetime | None = None
    expires_in: timedelta = DEFAULT_EXPIRY
    admin_rpm: float = 100.0
    spend_rpm: float = 60.0
    api_share: float = DEFAULT_SHARE


@dataclass
class _Result:
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
    result = _Result()

    ws_by_id = {w.id: w for w in snapshot.workspaces or []}
    for dw in desired.workspaces.values():
        _plan_workspace(dw, ws_by_id.get(dw.live_id) if dw.live_id else None, result)

    org_monthly = _resulting_org_monthly(desired, rows)
    default_ids = {w.id for w in snapshot.workspaces or [] if w.is_default}
    creates = {c.address for c in result.changes if c.action is Action.CREATE}
    for dl in desired.limits.values():
        _plan_limit(dl, rows, snapshot.kind, currency, org_monthly, default_ids, creates, result)

    if desired.mode("users") == "authoritative" and snapshot.kind == "enterprise":
        _plan_undeclared_user_rows(desired, snapshot, rows, result)

    changes = _select(result.changes, opts.targets, opts.excludes)
    unchanged = [a for a in result.unchanged if _wanted(a, opts.targets, opts.excludes)]
    changes = order(changes, rows)

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
    _safety(plan, desired, result.existing)
    facts = spending_facts(changes, snapshot)
    if facts is not None:
        warnings, lines = spending_notes(facts, currency)
        plan.warnings.extend(warnings)
        if lines:
            plan.extras["money"] = facts.to_json()
            plan.extras.setdefault("notes", []).extend(lines)
        elif facts.blocked_members:
            plan.extras["money"] = facts.to_json()
    return plan


# --------------------------------------------------------------------------- live index


def live_limits(snapshot: Snapshot) -> dict[LimitKey, LiveLimit]:
    """Every configured row by identity (user overrides included: the reader puts those
    it learns from the effective report into ``snapshot.limits`` too)."""
    return {(r.scope_type, r.scope_id, r.period): r for r in snapshot.limits}


# --------------------------------------------------------------------------- workspaces


def _plan_workspace(dw: DesiredWorkspace, live: LiveWorkspace | None, out: _Result) -> None:
    before = represent.workspace(live) if live else None
    if live is not None:
        out.existing.add(dw.address)
    common: dict[str, Any] = {
        "address": dw.address,
        "resource_type": "workspace",
        "id": live.id if live else None,
        "before": before,
        "live_fingerprint": fingerprint(before),
    }

    if live is not None and (live.is_default or live.archived):
        what = "the default workspace" if live.is_default else "an archived workspace"
        out.changes.append(
            Change(
                action=Action.BLOCKED,
                after=before,
                reason=f"{what} cannot be changed through the Admin API",
                **common,
            )
        )
        return

    if dw.archived is not None and dw.archived.value:
        if live is None:
            out.unchanged.append(dw.address)  # nothing to archive (resolution warned)
            return
        after = dict(represent.copy_of(before or {}), archived=True)
        out.changes.append(
            Change(
                action=Action.ARCHIVE,
                after=after,
                fields=[FieldChange("archived", False, True, str(dw.archived.source))],
                reason="archiving is irreversible and deactivates the workspace's API keys",
                **common,
            )
        )
        return

    after = represent.copy_of(before) if before else represent.new_workspace(dw.name)
    fields: list[FieldChange] = []
    blocked: list[str] = []
    for path, want in sorted(dw.fields.items(), key=_field_order):
        current = represent.get_path(before, path) if before else None
        if before is not None and _same(path, current, want.value):
            continue
        if before is None and want.value is None:
            continue  # removing a tag from a workspace that does not exist yet
        represent.set_path(after, path, want.value)
        fields.append(FieldChange(path, current, _shown(path, want.value), str(want.source)))
        if before is not None and path in WORKSPACE_CREATE_ONLY:
            blocked.append(f"{path} is set at creation and can never change")
        elif path == "data_residency.workspace_geo" and want.value not in CREATABLE_GEOS:
            geos = ", ".join(CREATABLE_GEOS)
            blocked.append(f"the API creates workspaces only with workspace_geo {geos}")

    residency = after["data_residency"]
    allowed = residency["allowed_inference_geos"]
    if allowed != "unrestricted" and residency["default_inference_geo"] not in allowed:
        blocked.append(
            "the API would reject this: default_inference_geo "
            f"{residency['default_inference_geo']!r} is not in allowed_inference_geos {allowed}"
        )

    if not fields and not blocked:
        out.unchanged.append(dw.address)
        return
    action = Action.BLOCKED if blocked else (Action.UPDATE if live else Action.CREATE)
    out.changes.append(
        Change(
            action=action,
            after=after,
            fields=fields,
            reason="; ".join(blocked) or None,
            **common,
        )
    )


def _field_order(item: tuple[str, Any]) -> tuple[int, str]:
    """Name first, then residency, then tags: the order people read a workspace in."""
    path = item[0]
    return (0 if path == "name" else 1 if path.startswith("data_residency.") else 2, path)


def _same(path: str, current: Any, want: Any) -> bool:
    if path.endswith("allowed_inference_geos"):
        return bool(represent.normalise_allowed(current) == represent.normalise_allowed(want))
    return bool(current == want)


def _shown(path: str, value: Any) -> Any:
    return represent.normalise_allowed(value) if path.endswith("allowed_inference_geos") else value


# --------------------------------------------------------------------------- spend limits


def _target_id(dl: DesiredLimit) -> str | None:
    scope = dl.scope
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


def _plan_limit(
    dl: DesiredLimit,
    rows: dict[LimitKey, LiveLimit],
    kind: str,
    currency: str | None,
    org_monthly: str | None,
    default_ids: set[str],
    creates: set[str],
    out: _Result,
) -> None:
    scope_type = dl.scope["type"]
    target = _target_id(dl)
    identified = target is not None or scope_type == "organization"
    live = rows.get((scope_type, target, dl.period)) if identified else None
    before = represent.limit(live) if live else None
    if live is not None:
        out.existing.add(dl.address)
    want = dl.amount.value
    source = str(dl.amount.source)
    cap = LIMITS.get((kind, scope_type))
    label = SCOPE_LABELS.get(scope_type, scope_type)

    depends: list[str] = []
    if scope_type == "workspace" and target is None:
        ws_address = addr.workspace(str(dl.scope.get("name")))
        if ws_address in creates:
            depends.append(ws_address)

    if want is INHERIT:
        if live is None:
            out.unchanged.append(dl.address)
            return
        action = Action.DELETE if cap and cap.writable else Action.MANUAL
        why = None if action is Action.DELETE else _manual(cap, label, "remove")
        out.changes.append(
            Change(
                address=dl.address,
                action=action,
                resource_type="spend_limit",
                id=live.id,
                before=before,
                after=None,
                fields=[FieldChange("amount", live.amount, None, source)],
                live_fingerprint=fingerprint(before),
                reason=why,
            )
        )
        return

    if live is not None and live.amount == want:
        out.unchanged.append(dl.address)
        return

    after = {
        "scope": represent.api_scope(scope_type, target),
        "period": dl.period,
        "amount": want,
        "currency": currency,
    }
    action = Action.UPDATE if live else Action.CREATE
    reason: str | None = None
    if cap is None:
        action, reason = Action.BLOCKED, f"a {kind} organization has no {label} spend limits"
    elif not cap.writable:
        action, reason = Action.MANUAL, _manual(cap, label, "set")
    elif dl.period not in cap.periods:
        action, reason = Action.BLOCKED, f"{label} limits take only a monthly period"
    elif want is None and not cap.unlimited:
        action, reason = Action.BLOCKED, f"{label} limits need an amount (unlimited is for users)"
    elif scope_type == "workspace" and target in default_ids:
        action, reason = Action.BLOCKED, "the default workspace cannot have a spend limit"
    elif scope_type == "workspace" and _above(want, org_monthly):
        action = Action.BLOCKED
        reason = (
            "the API refuses a workspace limit above the organization's monthly limit "
            f"({format_minor(org_monthly, currency)})"
        )
    elif scope_type == "user" and target is None:
        action, reason = Action.BLOCKED, "no such member in the organization"

    out.changes.append(
        Change(
            address=dl.address,
            action=action,
            resource_type="spend_limit",
            id=live.id if live else None,
            before=before,
            after=after,
            fields=[FieldChange("amount", live.amount if live else None, want, source)],
            live_fingerprint=fingerprint(before),
            reason=reason,
            depends_on=depends,
        )
    )


def _manual(cap: LimitCapability | None, label: str, verb: str) -> str:
    if cap is None:
        return f"the Admin API cannot {verb} {label} limits"
    return cap.manual_reason(label, verb)


def _above(amount: str | None, ceiling: str | None) -> bool:
    return amount is not None and ceiling is not None and int(amount) > int(ceiling)


def _plan_undeclared_user_rows(
    desired: Desired, snapshot: Snapshot, rows: dict[LimitKey, LiveLimit], out: _Result
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


def order(changes: Iterable[Change], rows: dict[LimitKey, LiveLimit]) -> list[Change]:
    """Dependency order (SPEC §5): workspaces first; Console organization row before workspace
    rows when raising and after them when lowering; archives, then deletes, last."""
    org_rank = 3
    for c in changes:
        if c.address.startswith("spend_limit:organization:") and c.action is not Action.DELETE:
            before = c.before["amount"] if c.before else None
            after = c.after["amount"] if c.after else None
            raising = before is None or (after is not None and int(after) >= int(before))
            org_rank = 1 if raising else 3

    def rank(c: Change) -> tuple[int, int, str]:
        if c.action is Action.DELETE:
            scope_order = {"user": 0, "rbac_group": 1, "seat_tier": 1, "workspace": 2}
            scope = (c.before or {}).get("scope", {}).get("type", "organization")
            return (7, scope_order.get(scope, 3), c.address)
        if c.action is Action.ARCHIVE:
            return (6, 0, c.address)
        if c.resource_type == "workspace":
            return (0, 0, c.address)
        if c.address.startswith("spend_limit:organization:"):
            return (org_rank, 0, c.address)
        if c.address.startswith("spend_limit:workspace:"):
            return (2, 0, c.address)
        return (4, 0, c.address)

    return sorted(changes, key=rank)


# --------------------------------------------------------------------------- plan-level facts


def _organization(
    snapshot: Snapshot, currency: str | None, rows: dict[LimitKey, LiveLimit]
) -> dict[str, Any]:
    org: dict[str, Any] = {
        "id": snapshot.org_id,
        "name": snapshot.org_name,
        "kind": snapshot.kind,
        "currency": currency,
    }
    tier = rows.get(("usage_tier", None, "monthly"))
    if tier is not None:
        org["usage_tier_limit"] = tier.amount
    return org


def _unmanaged(desired: Desired, snapshot: Snapshot) -> list[str]:
    if desired.mode("workspaces") != "authoritative" or snapshot.workspaces is None:
        return []
    declared = {
        dw.live_id for dw in desired.workspaces.values() if dw.declared is not None and dw.live_id
    }
    return sorted(
        addr.workspace(w.name)
        for w in snapshot.workspaces
        if not w.archived and not w.is_default and w.id not in declared
    )


def estimate(
    changes: Sequence[Change], admin_rpm: float, spend_rpm: float, share: float = DEFAULT_SHARE
) -> dict[str, Any]:
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
    return {
        "requests": total,
        "writes": len(writes),
        "spend_writes": sum(1 for c in writes if c.resource_type == "spend_limit"),
        "seconds": round(seconds, 1),
        "admin_rpm": admin_rpm,
        "spend_rpm": spend_rpm,
    }


def verification_reads(writes: Sequence[Change]) -> dict[str, int]:
    """Requests apply sends to re-read touched objects before writing (``reconciler.apply.
    verify``): ``GET /me``; one workspace listing; one listing of the non-user limits; the
    effective report for touched members in batches of 100."""
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
    spend = int(others) + -(-len(users) // 100)
    total = 1 + int(any(c.resource_type == "workspace" for c in writes)) + spend
    return {"total": total, "spend": spend}


def _safety(plan: Plan, desired: Desired, existing: set[str]) -> None:
    """Record the max-change-percent rail on the plan (warned here, enforced by apply)."""
    max_pct = _setting(desired, "max_change_percent", 30)
    min_existing = _setting(desired, "min_existing", 10)
    changing = sum(
        1 for c in plan.changes if c.action in (Action.UPDATE, Action.DELETE, Action.ARCHIVE)
    )
    count = len(existing)
    pct = round(100.0 * changing / count, 1) if count else 0.0
    exceeded = count >= min_existing and pct > max_pct
    plan.extras["safety"] = {
        "existing": count,
        "changing": changing,
        "percent": pct,
        "max_change_percent": max_pct,
        "min_existing": min_existing,
        "exceeded": exceeded,
    }
    if exceeded:
        plan.warnings.append(
            f"this plan changes {changing} of {count} existing objects ({pct}%), more than "
            f"safety.max_change_percent ({max_pct}%): apply will refuse without --force"
        )


def _setting(desired: Desired, key: str, default: int) -> int:
    value = desired.safety.get(key)
    return int(value.value) if value is not None else default


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
