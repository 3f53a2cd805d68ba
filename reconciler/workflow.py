"""The core pipelines the commands run, as plain functions over plain data.

    load policy → read what it needs → resolve desired state → plan

No printing and no click here: the CLI wires these to options and renderers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.adminapi import ADMIN, SPEND, AdminClient, read_snapshot
from reconciler.desired import Desired
from reconciler.live import ReadNeeds, Snapshot
from reconciler.plan.model import Plan
from reconciler.plan.planner import PlanOptions, build_plan
from reconciler.policy import Policy, load, needs, resolve


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
) -> PlanRun:
    """Load the policy, read the live organization (only what the policy needs), resolve
    and plan.  Raises ``PolicyError`` for policy problems (before any request is sent),
    ``ApiError``/``ConfigError`` for the API, never prints."""
    policy = load(paths)
    wanted = needs(policy)
    if more_needs is not None:
        wanted = more_needs(wanted)
    snapshot = read_snapshot(client, wanted, declared_org_id=policy.organization.id)
    desired = resolve(policy, snapshot, skip_unknown_users=skip_unknown_users)
    opts = options or PlanOptions()
    opts.admin_rpm = client.pacer.limit(ADMIN)
    opts.spend_rpm = client.pacer.limit(SPEND)
    plan = build_plan(desired, snapshot, policy_digest=policy.digest, options=opts)
    return PlanRun(policy, snapshot, desired, plan)
