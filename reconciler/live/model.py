"""What the live organization looks like, as read through the Admin API.

The client (``reconciler.adminapi``) produces a :class:`Snapshot`; the policy resolver
and the planner consume it.  Values keep the API's representation: amounts are
minor-unit strings (``None`` = an explicit no-limit), geos and periods are the API's
strings, ids are opaque.

A snapshot only holds what the policy needed (:class:`ReadNeeds`); collections that
were not read are ``None`` rather than empty, so "not read" is never mistaken for
"does not exist".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ReadNeeds:
    """What a run must read, derived from the policy (``reconciler.policy.needs``)."""

    kind: str  # "console" | "enterprise"
    workspaces: bool = False  # Console: list every workspace (incl. archived and default)
    limits: bool = True  # configured spend-limit rows of the non-user scopes
    all_members: bool = False  # a user rule or authoritative users: every member is needed
    emails: frozenset[str] = frozenset()  # declared member emails (lower-cased)
    periods: frozenset[str] = frozenset()  # user-override periods the policy touches
    user_overrides: bool = False  # Enterprise: read live user overrides (for declared or all)
    groups: bool = False  # RBAC groups are referenced by name
    group_members: frozenset[str] = frozenset()  # group names whose membership rules need
    spend: bool = False  # spend so far (money-aware warnings, explain)


# What the API gives a workspace created without ``data_residency`` (each sub-field
# defaults on its own): the desired side of a create is filled in from this.
RESIDENCY_DEFAULTS: dict[str, Any] = {
    "workspace_geo": "us",
    "allowed_inference_geos": "unrestricted",
    "default_inference_geo": "global",
}


@dataclass(frozen=True, slots=True)
class LiveWorkspace:
    id: str
    name: str
    data_residency: dict[str, Any]  # workspace_geo, allowed_inference_geos, default_inference_geo
    tags: dict[str, str]
    archived: bool
    is_default: bool = False
    created_at: str | None = None


@dataclass(frozen=True, slots=True)
class LiveMember:
    id: str
    email: str  # as the API returned it
    name: str | None = None
    role: str | None = None

    @property
    def key(self) -> str:
        return self.email.lower()


@dataclass(frozen=True, slots=True)
class LiveGroup:
    id: str
    name: str
    member_ids: frozenset[str] | None = None  # None: membership not read


@dataclass(frozen=True, slots=True)
class LiveLimit:
    """One configured spend-limit row.

    ``scope_type`` is the API's (``organization``, ``seat_tier``, ``rbac_group``,
    ``workspace``, ``user``, ``usage_tier``, ``organization_service`` or an unknown future
    type); ``scope_id`` is the seat tier, group id, workspace id, user id or service.
    """

    id: str | None
    scope_type: str
    scope_id: str | None
    period: str
    amount: str | None
    currency: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class Effective:
    """One effective-report row: a member's resolved cap for a period."""

    user_id: str
    period: str
    amount: str | None  # None: no limit applies
    source_type: str  # scope type the cap came from ("user" = own override)
    source_id: str | None
    spend_limit_id: str | None
    spend: str  # period-to-date spend, minor units, may have up to 3 decimals


@dataclass
class Snapshot:
    org_id: str
    org_name: str
    kind: str  # "console" | "enterprise"
    currency: str | None = None  # from any spend-limit row; None when no row exists
    workspaces: list[LiveWorkspace] | None = None
    members: dict[str, LiveMember] | None = None  # by lower-cased email
    groups: list[LiveGroup] | None = None
    # Every configured row read, user overrides included (also those learnt from the
    # effective report, so nothing downstream has to look for them twice).
    limits: list[LiveLimit] = field(default_factory=list)
    effective: dict[tuple[str, str], Effective] | None = None  # (user_id, period)
    requests_sent: int = 0  # requests the read cost (retries included)

    def member_by_id(self) -> dict[str, LiveMember]:
        return {m.id: m for m in (self.members or {}).values()}
