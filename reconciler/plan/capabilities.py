"""What each organization kind lets the Admin API write — as data, consulted by the planner.

SPEC §2: Console orgs write workspaces and their residency and tags, and the
``organization`` and ``workspace`` spend limits (monthly, with an amount).  Enterprise orgs
write only ``user`` overrides (any period, ``null`` = explicit no-limit); their
organization, seat-tier and group limits are verify-only (set in claude.ai).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.addresses import PERIODS


@dataclass(frozen=True)
class LimitCapability:
    writable: bool  # apply may set and delete the row
    periods: frozenset[str]  # periods the API accepts
    unlimited: bool  # a null amount (explicit no-limit) is accepted
    where: str  # where a person changes it when the API cannot

    def manual_reason(self, label: str, verb: str) -> str:
        return f"verify-only: the Admin API cannot {verb} {label} limits; change it in {self.where}"


_MONTHLY = frozenset({"monthly"})
_ALL = frozenset(PERIODS)

LIMITS: dict[tuple[str, str], LimitCapability] = {
    ("console", "organization"): LimitCapability(True, _MONTHLY, False, "the Console"),
    ("console", "workspace"): LimitCapability(True, _MONTHLY, False, "the Console"),
    ("enterprise", "user"): LimitCapability(True, _ALL, True, "claude.ai"),
    ("enterprise", "organization"): LimitCapability(False, _ALL, False, "claude.ai"),
    ("enterprise", "seat_tier"): LimitCapability(False, _ALL, False, "claude.ai"),
    ("enterprise", "rbac_group"): LimitCapability(False, _ALL, False, "claude.ai"),
}

SCOPE_LABELS = {
    "organization": "organization",
    "seat_tier": "seat-tier",
    "rbac_group": "group",
    "workspace": "workspace",
    "user": "user",
}

# Workspace fields (Console only): which can be written after creation.
WORKSPACE_CREATE_ONLY = frozenset({"data_residency.workspace_geo"})
# The only storage geo the API offers today (admin-api: `workspace_geo` response is "us").
CREATABLE_GEOS = ("us",)
