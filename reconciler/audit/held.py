"""Which workspaces the policy holds to US-only inference, and how their live settings differ.

A workspace is *held* when its resolved desired ``data_residency.allowed_inference_geos``
is exactly ``[us]`` — by its own entry or by a workspace rule, resolved against the live
workspace list exactly as ``plan`` resolves it (rules match desired names and tags, the
default workspace is never governed).  A held workspace the policy would create has no
usage yet.

Audit only needs residency, so it resolves a *residency view* of the policy: the same
policy without spend limits (whose amounts would need the billing currency, and so a
read of the spend limits that audit otherwise has no use for).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from reconciler.desired import Desired
from reconciler.live import LiveWorkspace, Snapshot
from reconciler.policy import Policy
from reconciler.usage import US

__all__ = ["HeldWorkspace", "held_workspaces", "residency_view"]

ALLOWED = "data_residency.allowed_inference_geos"
DEFAULT = "data_residency.default_inference_geo"


@dataclass(frozen=True)
class HeldWorkspace:
    address: str
    name: str
    workspace_id: str | None  # None: the policy would create it (no usage yet)
    source: str  # provenance of allowed_inference_geos: [us]
    live_residency: dict[str, Any] | None = None
    drift: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def residency_view(policy: Policy) -> Policy:
    """``policy`` without any spend limit (entries, rules and scopes alike)."""
    return dataclasses.replace(
        policy,
        org_limits=None,
        seat_tiers={},
        groups={},
        users={},
        user_rules=(),
        workspaces={
            name: dataclasses.replace(entry, limits={}) for name, entry in policy.workspaces.items()
        },
        workspace_rules=tuple(
            dataclasses.replace(rule, limits={}) for rule in policy.workspace_rules
        ),
    )


def _drift(live: LiveWorkspace) -> tuple[dict[str, Any], ...]:
    residency = live.data_residency
    out = []
    if residency.get("allowed_inference_geos") != [US]:
        out.append(
            {"field": ALLOWED, "live": residency.get("allowed_inference_geos"), "wanted": [US]}
        )
    if residency.get("default_inference_geo") != US:
        out.append({"field": DEFAULT, "live": residency.get("default_inference_geo"), "wanted": US})
    return tuple(out)


def held_workspaces(desired: Desired, snapshot: Snapshot) -> list[HeldWorkspace]:
    """Every workspace held to ``allowed_inference_geos: [us]``, by address."""
    by_id = {w.id: w for w in snapshot.workspaces or []}
    held = []
    for wanted in sorted(desired.workspaces.values(), key=lambda d: d.address):
        allowed = wanted.fields.get(ALLOWED)
        if allowed is None or allowed.value != [US]:
            continue
        if wanted.archived is not None and wanted.archived.value:
            continue
        live = by_id.get(wanted.live_id) if wanted.live_id else None
        if live is not None and (live.is_default or live.archived):
            continue  # never governed: the plan blocks it; no usage can be held to it
        held.append(
            HeldWorkspace(
                address=wanted.address,
                name=wanted.name,
                workspace_id=live.id if live else None,
                source=str(allowed.source),
                live_residency=dict(live.data_residency) if live else None,
                drift=_drift(live) if live else (),
            )
        )
    return held
