"""Resolution: policy + live inventory → the desired value of every managed field.

A pure function (no I/O).  It applies precedence — an explicit entry beats any rule; among
rules the first match in order wins, per field — and records the :class:`Source` of each
value (``rule`` set when a rule decided it).  Amounts become minor-unit strings in the
organization's currency; ``unlimited`` becomes ``None`` and ``inherit`` :data:`INHERIT`.

It does not plan: it never compares with live spend limits and never decides deletions
(authoritative user overrides are the planner's job).  It does read the live inventory
to find what rules match and which ids names resolve to, and reports — located at the
policy line responsible — what cannot be resolved: a currency mismatch, unknown members
and groups, ambiguous workspace names, residency that would be invalid once applied.
(That the key belongs to the policy's organization was checked by the reader, before
anything was read.)

One module per subject, sharing a small :class:`~.context.Context`: :mod:`.organization`
(currency, settings, organization / seat-tier / group limits), :mod:`.users` (member
limits and user rules), :mod:`.workspaces` (entries, rules, residency, workspace limits).

Collections the snapshot did not read (``None``) are treated as unknown, not as empty:
no error is raised for names that cannot be checked, and ids stay ``None``.
"""

from __future__ import annotations

from reconciler.desired import Desired
from reconciler.errors import PolicyError
from reconciler.gcpause import paused
from reconciler.live import Snapshot
from reconciler.policy.model import Policy
from reconciler.policy.resolve.context import DEFAULT_SOURCE, Context
from reconciler.policy.resolve.organization import (
    MANAGEMENT_DEFAULTS,
    SAFETY_DEFAULTS,
    choose_currency,
    scope_limits,
    settings,
)
from reconciler.policy.resolve.users import users
from reconciler.policy.resolve.workspaces import MAX_TAGS, workspaces

__all__ = ["DEFAULT_SOURCE", "MANAGEMENT_DEFAULTS", "MAX_TAGS", "SAFETY_DEFAULTS", "resolve"]


def resolve(policy: Policy, snapshot: Snapshot, *, skip_unknown_users: bool = False) -> Desired:
    """The desired state of every managed address; raises :class:`PolicyError` with every
    problem found.  ``skip_unknown_users`` turns unknown member emails into warnings (their
    rows are dropped)."""
    with paused():
        return _resolve(Context(policy, snapshot, skip_unknown_users))


def _resolve(ctx: Context) -> Desired:
    ctx.currency = choose_currency(ctx)
    desired = Desired(org=ctx.policy.organization, currency=ctx.currency)
    settings(ctx, desired)
    if ctx.policy.kind == "console":
        workspaces(ctx, desired)
    scope_limits(ctx, desired)
    if ctx.policy.kind == "enterprise":
        users(ctx, desired)
    if ctx.problems:
        raise PolicyError(ctx.problems)
    desired.warnings.extend(ctx.policy.warnings)
    desired.warnings.extend(ctx.warnings)
    return desired
