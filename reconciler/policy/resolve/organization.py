"""The organization-wide part of resolution: the currency, management modes, safety
settings and the organization, seat-tier and group limits."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.desired import Desired, Value
from reconciler.errors import Problem
from reconciler.live import LiveGroup
from reconciler.money import is_currency
from reconciler.policy.amounts import AMOUNT, Amount
from reconciler.policy.located import Mark, shown
from reconciler.policy.resolve.context import DEFAULT_SOURCE, Context
from reconciler.policy.semantics import problem

MANAGEMENT_DEFAULTS = {"users": "additive", "workspaces": "additive", "workspace_tags": "additive"}
SAFETY_DEFAULTS = {"max_change_percent": 30, "min_existing": 10}


def choose_currency(ctx: Context) -> str | None:
    """The declared currency, which must match the live billing one; else the live one.
    Amounts with no currency to convert them with are a problem."""
    declared = ctx.policy.org.get("currency")
    live = ctx.snapshot.currency
    if live is not None and not is_currency(live.upper()):
        _unknown_live_currency(ctx, live)
        return None
    if declared is not None and live is not None and declared.value != live.upper():
        ctx.problems.append(
            problem(
                declared.mark,
                f"organization.currency is `{declared.value}`, but the organization is "
                f"billed in `{live.upper()}`",
                "organization.currency",
                f"write currency: {live.upper()}",
            )
        )
    currency = declared.value if declared is not None else (live.upper() if live else None)
    if currency is None and any(a.kind == AMOUNT for a in all_amounts(ctx)):
        at = ctx.policy.organization.source
        ctx.problems.append(
            Problem(
                at.file,
                at.line,
                at.column,
                "currency unknown: declare organization.currency",
                "organization",
                "no live spend-limit row shows the billing currency, so amounts cannot be "
                "converted",
            )
        )
    return currency


def _unknown_live_currency(ctx: Context, live: str) -> None:
    """Never convert amounts by a guessed exponent: say what the API said."""
    declared = ctx.policy.org.get("currency")
    if declared is None and not any(a.kind == AMOUNT for a in all_amounts(ctx)):
        return
    at = declared.mark if declared is not None else ctx.policy.organization.source
    ctx.problems.append(
        Problem(
            at.file,
            at.line,
            at.column,
            f"the API reports the billing currency as `{shown(live)}`, which is not "
            "an active ISO 4217 currency code: amounts cannot be converted",
            "organization.currency",
        )
    )


def all_amounts(ctx: Context) -> Iterable[Amount]:
    """Every amount the policy writes, wherever it is written."""
    p = ctx.policy
    entries = [p.org_limits] if p.org_limits else []
    for group in (p.seat_tiers, p.groups, p.users):
        entries.extend(group.values())
    for entry in entries:
        yield from entry.periods.values()
    for w in p.workspaces.values():
        yield from w.limits.values()
    for wr in p.workspace_rules:
        yield from wr.limits.values()
    for ur in p.user_rules:
        yield from ur.periods.values()


def settings(ctx: Context, desired: Desired) -> None:
    """Management modes and safety settings, declared or defaulted."""
    for name, default in MANAGEMENT_DEFAULTS.items():
        declared = ctx.policy.management.get(name)
        desired.management[name] = (
            Value(declared.value, declared.source()) if declared else Value(default, DEFAULT_SOURCE)
        )
    for name, default_number in SAFETY_DEFAULTS.items():
        found = ctx.policy.safety.get(name)
        desired.safety[name] = (
            Value(found.value, found.source()) if found else Value(default_number, DEFAULT_SOURCE)
        )


def scope_limits(ctx: Context, desired: Desired) -> None:
    """The organization, seat-tier and group limits."""
    p = ctx.policy
    if p.org_limits is not None:
        for period, amount in p.org_limits.periods.items():
            ctx.add_limit(desired, {"type": "organization"}, None, amount, period)
    for tier, entry in p.seat_tiers.items():
        for period, amount in entry.periods.items():
            ctx.add_limit(desired, {"type": "seat_tier", "seat_tier": tier}, tier, amount, period)
    for name, entry in p.groups.items():
        found = find_group(ctx, name, entry.at, entry.path)
        if not found.usable:
            continue
        group_id = found.group.id if found.group else None
        scope = {"type": "rbac_group", "name": name, "id": group_id}
        for period, amount in entry.periods.items():
            ctx.add_limit(desired, scope, name, amount, period)


@dataclass(frozen=True)
class GroupLookup:
    """A group named in the policy: ``usable`` unless the name matched no group or several
    (a problem is then recorded); ``group`` is ``None`` when groups were not read."""

    usable: bool
    group: LiveGroup | None = None


def find_group(ctx: Context, name: str, mark: Mark, path: str) -> GroupLookup:
    """The live RBAC group called ``name`` (exactly one must have the name)."""
    groups = ctx.snapshot.groups
    if groups is None:
        return GroupLookup(usable=True)
    found = [g for g in groups if g.name == name]
    if len(found) == 1:
        return GroupLookup(usable=True, group=found[0])
    if not found:
        close = difflib.get_close_matches(name, [g.name for g in groups], n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else "group names are case-sensitive"
        ctx.problems.append(problem(mark, f"no RBAC group is named `{name}`", path, hint))
    else:
        ids = ", ".join(g.id for g in found)
        ctx.problems.append(
            problem(
                mark,
                f"group name `{name}` is ambiguous: {len(found)} RBAC groups have it ({ids})",
                path,
                "rename one of the groups in claude.ai",
            )
        )
    return GroupLookup(usable=False)
