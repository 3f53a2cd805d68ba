"""What the live read must fetch for a policy (:class:`~reconciler.live.ReadNeeds`).

Console: every workspace and the configured limits.  Enterprise: the configured limits
of the non-user scopes always; members only as far as the policy needs them — every
member when a user rule must see them all or ``management.users`` is authoritative,
otherwise just the declared emails; the periods user entries and rules touch; RBAC groups
when any group is named, and the membership of the groups user rules match on; spend so
far when user limits are declared (money-aware warnings).
"""

from __future__ import annotations

from reconciler.addresses import PERIODS
from reconciler.live import ReadNeeds
from reconciler.policy.model import Policy


def needs(policy: Policy) -> ReadNeeds:
    """What the live read must fetch for this policy, and no more."""
    if policy.kind == "console":
        return ReadNeeds(kind="console", workspaces=True, limits=True)
    authoritative = (
        policy.management.get("users") is not None
        and policy.management["users"].value == "authoritative"
    )
    periods = {p for entry in policy.users.values() for p in entry.periods}
    periods |= {p for rule in policy.user_rules for p in rule.periods}
    group_members = frozenset(rule.group.value for rule in policy.user_rules if rule.group)
    user_limits = bool(policy.users) or bool(policy.user_rules)
    return ReadNeeds(
        kind="enterprise",
        workspaces=False,
        limits=True,
        all_members=bool(policy.user_rules) or authoritative,
        emails=frozenset(policy.users),
        # Authoritative users: overrides of *every* period are deleted unless declared, so
        # all periods are read (an empty set reads them all).
        periods=frozenset() if authoritative else frozenset(p for p in PERIODS if p in periods),
        user_overrides=user_limits or authoritative,
        groups=bool(policy.groups) or bool(group_members),
        group_members=group_members,
        spend=user_limits,
    )
