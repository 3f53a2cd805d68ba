"""The objects of an emulated organization, as plain records.

Timestamps are stored already formatted (RFC 3339, microseconds, ``Z``) because they
are only ever shown.  ``seq`` is the order of creation inside the organization: lists
that the API orders "newest first" sort on it, never on a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["console", "enterprise"]
Allowed = list[str] | str  # a list of geos, or "unrestricted"

PERIODS = ("daily", "weekly", "monthly")
SCOPE_TYPES = (
    "organization",
    "seat_tier",
    "rbac_group",
    "organization_service",
    "user",
    "workspace",
    "usage_tier",
)
# The field that names a scope's target, for the scope types that have one.
SCOPE_TARGET_FIELD = {
    "user": "user_id",
    "seat_tier": "seat_tier",
    "rbac_group": "rbac_group_id",
    "organization_service": "service",
    "workspace": "workspace_id",
}
SCOPES_BY_KIND: dict[str, tuple[str, ...]] = {
    "enterprise": ("organization", "seat_tier", "rbac_group", "organization_service", "user"),
    "console": ("organization", "workspace", "usage_tier"),
}
ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    "console": ("user", "developer", "billing", "admin", "claude_code_user"),
    "enterprise": ("user", "managed", "owner", "membership_admin", "primary_owner"),
}
ENTERPRISE_ADMIN_ROLES = ("owner", "primary_owner", "membership_admin")


@dataclass(slots=True)
class Organization:
    id: str
    name: str
    kind: Kind
    currency: str
    extra_usage_enabled: bool = True
    spend_limits_api: bool = True
    cmek: bool = False
    created_at: str = ""


@dataclass(slots=True)
class ApiKey:
    key: str
    id: str  # ``apikey_…``: how the key appears as an actor
    scopes: tuple[str, ...]
    revoked: bool = False


@dataclass(slots=True)
class User:
    id: str
    email: str
    name: str
    role: str
    seat_tier: str | None
    added_at: str
    seq: int


@dataclass(slots=True)
class Workspace:
    id: str
    name: str
    display_color: str
    created_at: str
    archived_at: str | None
    allowed_inference_geos: Allowed
    default_inference_geo: str
    tags: dict[str, str]
    external_key_id: str | None
    user_profile_id: str | None
    compartment_id: str
    seq: int
    is_default: bool = False
    workspace_geo: str = "us"


@dataclass(slots=True)
class SpendLimit:
    id: str
    scope_type: str
    target: str | None  # user id, seat tier, group id, service or workspace id
    period: str
    amount: str | None
    created_at: str
    updated_at: str
    seq: int

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.scope_type, self.target, self.period)


@dataclass(slots=True)
class RbacGroup:
    id: str
    name: str
    source_type: str
    role_ids: list[str] | None
    created_at: str
    updated_at: str
    seq: int
    # user id → (position in the group, membership created_at), in membership order
    members: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass(slots=True)
class IncreaseRequest:
    id: str
    user_id: str
    period: str
    status: str
    created_at: str
    resolved_at: str | None
    resolved_by: dict[str, Any] | None
    seq: int


@dataclass(slots=True)
class ExternalKey:
    id: str
    user_profile_id: str | None = None


@dataclass(slots=True)
class UsageEvent:
    """Messages usage at one moment, for one combination of the report's dimensions.

    ``at`` is Unix seconds (UTC).  ``workspace_id`` is always the real id (the reports
    show null for the default workspace); ``inference_geo`` is the effective geo
    (``not_available`` for models without geo support); ``api_key_id`` is None for
    Workbench usage.  Token counts follow the usage report's names.
    """

    at: int
    workspace_id: str
    model: str
    inference_geo: str
    service_tier: str = "standard"
    context_window: str = "0-200k"
    speed: str = "standard"
    api_key_id: str | None = None
    account_id: str | None = None
    service_account_id: str | None = None
    uncached_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_5m_input_tokens: int = 0
    cache_creation_1h_input_tokens: int = 0
    output_tokens: int = 0
    web_search_requests: int = 0
    requests: int = 1  # API requests the event stands for (the analytics reports count them)
