"""Typed views of the Admin API's objects, parsed tolerantly.

Contract for every ``from_api``:

* unknown fields are ignored; unknown enum values (a new geo, role, period or scope type)
  are kept verbatim — never mapped to a known value, never an error — so a newer server
  cannot crash the client nor be silently mistaken for something it is not;
* a missing or mistyped *identifying* field (an id, a workspace name, a user email, a
  spend limit's period) is a :class:`~reconciler.errors.TransportError`: the answer is
  unusable and guessing would produce a wrong plan;
* optional fields default to ``None`` (or an empty mapping).

Amounts stay minor-unit strings exactly as sent (``None`` = no numeric cap).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from reconciler.errors import TransportError

__all__ = [
    "Actor",
    "Organization",
    "RbacGroup",
    "RbacGroupMember",
    "Scope",
    "SpendLimit",
    "SpendSummary",
    "User",
    "Workspace",
]

# The field that identifies the target of each known scope type (admin-api §11.2).
SCOPE_ID_FIELDS: Mapping[str, str | None] = {
    "user": "user_id",
    "seat_tier": "seat_tier",
    "rbac_group": "rbac_group_id",
    "organization_service": "service",
    "workspace": "workspace_id",
    "organization": None,
    "usage_tier": None,
}


_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


def _malformed(what: str, key: str) -> TransportError:
    return TransportError(f"malformed response: {what} without a usable {key!r}")


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if type(value) is dict:  # the JSON decoder's type: skip the slower ABC check
        return value
    if not isinstance(value, Mapping):
        raise TransportError(f"malformed response: expected a {what} object")
    return value


def _req_str(d: Mapping[str, Any], key: str, what: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value:
        raise _malformed(what, key)
    return value


def _opt_str(d: Mapping[str, Any], key: str) -> str | None:
    value = d.get(key)
    return value if isinstance(value, str) else None


def _amount(d: Mapping[str, Any], what: str) -> str | None:
    value = d.get("amount")
    if value is None:
        return None
    # The API sends strings; a bare integer from an older or looser server is the same
    # number, but anything else (a float, "12.5" for a cap) is not an amount we can trust.
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _malformed(what, "amount")
    return str(value)


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str

    @classmethod
    def from_api(cls, data: Any) -> Organization:
        d = _obj(data, "organization")
        return cls(id=_req_str(d, "id", "organization"), name=_opt_str(d, "name") or "")


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str
    data_residency: dict[str, Any]  # as sent: workspace_geo, allowed_inference_geos, …
    tags: dict[str, Any]
    archived_at: str | None = None
    created_at: str | None = None
    display_color: str | None = None
    external_key_id: str | None = None
    user_profile_id: str | None = None
    compartment_id: str | None = None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @classmethod
    def from_api(cls, data: Any) -> Workspace:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, "workspace")
        residency = d.get("data_residency")
        tags = d.get("tags")
        return cls(
            id=_req_str(d, "id", "workspace"),
            name=_req_str(d, "name", "workspace"),
            data_residency=dict(residency) if isinstance(residency, Mapping) else {},
            tags=dict(tags) if isinstance(tags, Mapping) else {},
            archived_at=_opt_str(d, "archived_at"),
            created_at=_opt_str(d, "created_at"),
            display_color=_opt_str(d, "display_color"),
            external_key_id=_opt_str(d, "external_key_id"),
            user_profile_id=_opt_str(d, "user_profile_id"),
            compartment_id=_opt_str(d, "compartment_id"),
        )


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str | None = None
    role: str | None = None
    added_at: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> User:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, "user")
        return cls(
            id=_req_str(d, "id", "user"),
            email=_req_str(d, "email", "user"),
            name=_opt_str(d, "name"),
            role=_opt_str(d, "role"),
            added_at=_opt_str(d, "added_at"),
        )


@dataclass(frozen=True, slots=True)
class Scope:
    """A spend-limit scope.  ``target`` is the seat tier, group id, user id, workspace id
    or service; for an unknown scope type, a canonical ``key=value,…`` rendering of its
    other fields (so two different targets of a new type never collide)."""

    type: str
    target: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)  # everything but "type"

    @classmethod
    def from_api(cls, data: Any, what: str = "scope") -> Scope:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, what)
        kind = _req_str(d, "type", what)
        if kind in SCOPE_ID_FIELDS:
            # A known type keeps only its documented field: to_api() must never send
            # back a field the server would refuse.
            id_field = SCOPE_ID_FIELDS[kind]
            if id_field is None:
                return cls(type=kind, target=None, fields=_NO_FIELDS)
            target = _req_str(d, id_field, f"{kind} {what}")
            return cls(type=kind, target=target, fields={id_field: target})
        rest = {k: v for k, v in d.items() if k != "type"}
        rendered = ",".join(f"{k}={rest[k]}" for k in sorted(rest)) or None
        return cls(type=kind, target=rendered, fields=rest)

    def to_api(self) -> dict[str, Any]:
        return {"type": self.type, **self.fields}


@dataclass(frozen=True, slots=True)
class SpendLimit:
    id: str
    scope: Scope
    period: str
    amount: str | None
    currency: str | None = None
    is_enabled: bool = True
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> SpendLimit:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, "spend limit")
        enabled = d.get("is_enabled")
        return cls(
            id=_req_str(d, "id", "spend limit"),
            scope=Scope.from_api(d.get("scope"), "spend limit scope"),
            period=_req_str(d, "period", "spend limit"),
            amount=_amount(d, "spend limit"),
            currency=_opt_str(d, "currency"),
            is_enabled=enabled if isinstance(enabled, bool) else True,
            created_at=_opt_str(d, "created_at"),
            updated_at=_opt_str(d, "updated_at"),
        )


@dataclass(frozen=True, slots=True)
class Actor:
    type: str
    user_id: str | None = None
    name: str | None = None
    email_address: str | None = None
    deleted: bool = False
    scoped_api_key_id: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> Actor:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, "actor")
        return cls(
            type=_req_str(d, "type", "actor"),
            user_id=_opt_str(d, "user_id"),
            name=_opt_str(d, "name"),
            email_address=_opt_str(d, "email_address"),
            deleted=d.get("deleted") is True,
            scoped_api_key_id=_opt_str(d, "scoped_api_key_id"),
        )


@dataclass(frozen=True, slots=True)
class SpendSummary:
    """One effective-report row: a member's resolved cap for one period."""

    user_id: str
    period: str
    amount: str | None  # None: no limit applies for this period
    source: Scope  # where the cap came from; type "user" = the member's own override
    spend_limit_id: str | None
    period_to_date_spend: str
    currency: str | None = None
    actor: Actor | None = None

    @property
    def email(self) -> str | None:
        return self.actor.email_address if self.actor else None

    @property
    def is_override(self) -> bool:
        return self.source.type == "user"

    @classmethod
    def from_api(cls, data: Any) -> SpendSummary:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, "effective spend limit")
        scope = _obj(d.get("scope"), "effective spend limit scope")
        actor = Actor.from_api(d["actor"]) if isinstance(d.get("actor"), Mapping) else None
        user_id = _opt_str(scope, "user_id") or (actor.user_id if actor else None)
        if not user_id:
            raise _malformed("effective spend limit", "scope.user_id")
        spend = d.get("period_to_date_spend")
        return cls(
            user_id=user_id,
            period=_req_str(d, "period", "effective spend limit"),
            amount=_amount(d, "effective spend limit"),
            source=Scope.from_api(d.get("source"), "effective spend limit source"),
            spend_limit_id=_opt_str(d, "spend_limit_id"),
            period_to_date_spend=str(spend) if isinstance(spend, (str, int)) else "0",
            currency=_opt_str(d, "currency"),
            actor=actor,
        )


@dataclass(frozen=True, slots=True)
class RbacGroup:
    id: str
    name: str
    source_type: str | None = None
    role_ids: tuple[str, ...] | None = None  # None: temporarily unavailable (≠ empty)

    @classmethod
    def from_api(cls, data: Any) -> RbacGroup:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, "RBAC group")
        roles = d.get("role_ids")
        return cls(
            id=_req_str(d, "id", "RBAC group"),
            name=_req_str(d, "name", "RBAC group"),
            source_type=_opt_str(d, "source_type"),
            role_ids=tuple(r for r in roles if isinstance(r, str))
            if isinstance(roles, list)
            else None,
        )


@dataclass(frozen=True, slots=True)
class RbacGroupMember:
    rbac_group_id: str
    user_id: str
    email: str | None = None

    @classmethod
    def from_api(cls, data: Any, group_id: str) -> RbacGroupMember:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        d = _obj(data, "RBAC group member")
        return cls(
            rbac_group_id=_opt_str(d, "rbac_group_id") or group_id,
            user_id=_req_str(d, "user_id", "RBAC group member"),
            email=_opt_str(d, "email"),
        )
