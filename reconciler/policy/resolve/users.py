"""Member limits (Enterprise): declared members' rows, then user rules for everyone else."""

from __future__ import annotations

import difflib
from typing import Any

from reconciler import addresses
from reconciler.desired import Desired, DesiredLimit, Source, Value
from reconciler.live import LiveMember
from reconciler.policy.located import Mark
from reconciler.policy.model import UserRule
from reconciler.policy.resolve.context import Context
from reconciler.policy.resolve.organization import find_group
from reconciler.policy.semantics import problem, warning

_HINT_MEMBERS = 2000  # "did you mean" among members only for organizations up to this size

# A user rule ready to match: the rule, its group's member ids (None: no group filter),
# and its desired value and source per period.
CompiledRule = tuple[UserRule, "frozenset[str] | None", dict[str, tuple[Any, Source]]]


def users(ctx: Context, desired: Desired) -> None:
    """Declared members' limits (unknown members are problems, or warnings when skipped),
    then the user rules."""
    p = ctx.policy
    members = ctx.snapshot.members
    for lower, entry in p.users.items():
        member = members.get(lower) if members is not None else None
        if members is not None and member is None:
            unknown_user(ctx, entry.name or lower, entry.at, entry.path, members)
            continue
        scope = {"type": "user", "email": lower, "id": member.id if member else None}
        for period, amount in entry.periods.items():
            ctx.add_limit(desired, scope, lower, amount, period)
    if p.user_rules and members:
        user_rules(ctx, desired, members)


def unknown_user(
    ctx: Context, email: str, mark: Mark, path: str, members: dict[str, LiveMember]
) -> None:
    """A declared email that is no member: a problem with a "did you mean", or a warning."""
    if ctx.skip_unknown_users:
        ctx.warnings.append(
            warning(
                mark,
                f"`{email}` is not a member of the organization; its limits are skipped",
                path,
            )
        )
        return
    hint = "check the spelling, or plan with --skip-unknown-users to leave it out"
    if len(members) <= _HINT_MEMBERS:
        close = difflib.get_close_matches(email.lower(), list(members), n=1, cutoff=0.8)
        if close:
            hint = f"did you mean `{members[close[0]].email}`?"
    ctx.problems.append(problem(mark, f"`{email}` is not a member of the organization", path, hint))


def _compile(ctx: Context) -> list[CompiledRule]:
    compiled: list[CompiledRule] = []
    for rule in ctx.policy.user_rules:
        group_ids: frozenset[str] | None = None
        if rule.group is not None:
            found = find_group(ctx, rule.group.value, rule.group.mark, rule.group.path)
            if not found.usable:
                continue
            group_ids = (found.group.member_ids if found.group else None) or frozenset()
        values = {
            period: (ctx.desired_amount(amount), amount.at.source(rule.label))
            for period, amount in rule.periods.items()
        }
        compiled.append((rule, group_ids, values))
    return compiled


def user_rules(ctx: Context, desired: Desired, members: dict[str, LiveMember]) -> None:
    """Every member a rule matches gets, per period its entry does not declare, the value
    of the first matching rule that sets that period."""
    compiled = _compile(ctx)
    if not compiled:
        return
    declared = ctx.policy.users
    periods = [p for p in addresses.PERIODS if any(p in v for _, _, v in compiled)]
    limits = desired.limits
    for lower, member in members.items():
        entry = declared.get(lower)
        # A declared entry decides its own periods; of the rest, the first matching rule
        # that sets a period decides it, and no rule is tried once all are decided.
        open_periods = periods if entry is None else [p for p in periods if p not in entry.periods]
        if not open_periods:
            continue
        decided = _first_matches(compiled, lower, member, open_periods)
        if not decided:
            continue
        scope = {"type": "user", "email": lower, "id": member.id}
        for period in open_periods:
            found = decided.get(period)
            if found is None:
                continue
            address = addresses.spend_limit("user", lower, period)
            limits[address] = DesiredLimit(address, scope, period, Value(*found))


def _first_matches(
    compiled: list[CompiledRule],
    lower: str,
    member: LiveMember,
    open_periods: list[str],
) -> dict[str, Any]:
    """Per open period, the value of the first matching rule that sets it."""
    decided: dict[str, Any] = {}
    for rule, ids, values in compiled:
        if not _user_matches(rule, ids, lower, member):
            continue
        for period in open_periods:
            if period in values and period not in decided:
                decided[period] = values[period]
        if len(decided) == len(open_periods):
            break
    return decided


def _user_matches(
    rule: UserRule, group_ids: frozenset[str] | None, lower: str, member: LiveMember
) -> bool:
    if rule.email is not None and not rule.email.value.matches(lower):
        return False
    return group_ids is None or member.id in group_ids
