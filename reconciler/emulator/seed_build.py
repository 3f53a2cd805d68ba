"""Turning seed entries into organization state.

Used twice: by the seed loader for a whole file, and by the control endpoints for one
entry at a time (``POST /_emulator/users`` takes "a seed user entry").  Entries have
already passed the JSON Schema; what is checked here needs the organization: the org
kind, unknown emails and names, duplicates, and the API's own workspace rules.  Every
problem is a :class:`SeedError` whose message says where (``FILE:LINE:COL: path: …``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from reconciler.emulator import workspace_rules
from reconciler.emulator.documents import Locator
from reconciler.emulator.errors import ApiError
from reconciler.emulator.ids import derived_id, derived_uuid
from reconciler.emulator.model import (
    ROLES_BY_KIND,
    SCOPES_BY_KIND,
    IncreaseRequest,
    RbacGroup,
    SpendLimit,
    User,
    Workspace,
)
from reconciler.emulator.store import Store

Path = Sequence[Any]
DEFAULT_SEAT_TIER = "enterprise_standard"
MAX_ACTIVE_WORKSPACES = 100
# Besides its type, the keys a seed scope may carry, by scope type.
SCOPE_KEYS = {
    "organization": (),
    "usage_tier": (),
    "seat_tier": ("seat_tier",),
    "organization_service": ("service",),
    "user": ("email", "user_id"),
    "rbac_group": ("name", "rbac_group_id"),
    "workspace": ("name", "workspace_id"),
}


class SeedError(Exception):
    """A seed (or a control-endpoint body) that cannot become organization state."""


def spend_text(value: Any) -> str | None:
    """A spend amount as the API shows it, in plain digits: ``12050.5`` stays
    ``"12050.5"``, ``1e5`` is ``"100000"``; None when it has more than 3 decimals."""
    if isinstance(value, str):
        text = value
    else:
        text = format(Decimal(repr(value) if isinstance(value, float) else value), "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > 3:
        return None
    return f"{whole}.{fraction}" if fraction else whole


def default_name(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


class Builder:
    """Adds checked seed entries to ``store``; ``data``/``locator`` place the messages."""

    def __init__(self, store: Store, data: Any, locator: Locator) -> None:
        self.store = store
        self.data = data
        self.locator = locator

    @property
    def org_id(self) -> str:
        return self.store.org.id

    def error(self, path: Path, message: str) -> SeedError:
        """The located error to raise for a problem at ``path``."""
        return SeedError(f"{self.locator.where(self.data, path)}: {message}")

    # -- members ----------------------------------------------------------------------

    def user(self, entry: dict[str, Any], path: Path, seq: int, added_at: str) -> User:
        store = self.store
        email = entry["email"]
        if store.user_with_email(email) is not None:
            raise self.error([*path, "email"], f"{email} is already a member")
        role = entry.get("role", "user")
        if role not in ROLES_BY_KIND[store.kind]:
            raise self.error(
                [*path, "role"],
                f"{role!r} is not a role in {store.kind} orgs "
                f"(one of {', '.join(ROLES_BY_KIND[store.kind])})",
            )
        seat_tier = entry.get("seat_tier")
        if store.kind == "console" and seat_tier is not None:
            raise self.error([*path, "seat_tier"], "seat tiers exist only in Enterprise orgs")
        if store.kind == "enterprise" and seat_tier is None:
            seat_tier = DEFAULT_SEAT_TIER
        user_id = entry.get("id") or derived_id("user_", self.org_id, "user", email.lower())
        if user_id in store.users:
            raise self.error([*path, "id"], f"user id {user_id} is used twice")
        user = User(
            id=user_id,
            email=email,
            name=entry.get("name", default_name(email)),
            role=role,
            seat_tier=seat_tier,
            added_at=added_at,
            seq=seq,
        )
        store.add_user(user)
        return user

    def member(self, ref: str, path: Path) -> User:
        """A member named by email or by user id."""
        user = self.store.users.get(ref) or self.store.user_with_email(ref)
        if user is None:
            raise self.error(path, f"{ref} is not a member of the organization")
        return user

    # -- RBAC groups ------------------------------------------------------------------

    def group(self, entry: dict[str, Any], path: Path, seq: int, created_at: str) -> RbacGroup:
        store = self.store
        if store.kind != "enterprise":
            raise self.error(path, "RBAC groups exist only in Enterprise orgs")
        name = entry["name"]
        if any(g.name == name for g in store.groups.values()):
            raise self.error([*path, "name"], f"there is already a group named {name!r}")
        group_id = entry.get("id") or derived_id("rbac_group_", self.org_id, "rbac_group", name)
        if group_id in store.groups:
            raise self.error([*path, "id"], f"group id {group_id} is used twice")
        group = RbacGroup(
            id=group_id,
            name=name,
            source_type=entry.get("source_type", "direct"),
            role_ids=entry.get("role_ids", []),
            created_at=created_at,
            updated_at=created_at,
            seq=seq,
        )
        for index, ref in enumerate(entry.get("members", [])):
            user = self.member(ref, [*path, "members", index])
            if user.id in group.members:
                raise self.error([*path, "members", index], f"{ref} is listed twice")
            group.members[user.id] = (index, created_at)
        store.add_group(group)
        return group

    # -- workspaces -------------------------------------------------------------------

    def workspace(self, entry: dict[str, Any], path: Path, seq: int, created_at: str) -> Workspace:
        store = self.store
        if store.kind != "console":
            raise self.error(path, "workspaces exist only in Console orgs")
        try:
            name = workspace_rules.name(entry["name"])
            allowed, default = workspace_rules.residency_for_create(entry.get("data_residency"))
            tags = workspace_rules.tags_for_create(entry.get("tags"))
        except ApiError as e:
            raise self.error(path, e.message) from None
        archived = entry.get("archived", False)
        same_name = [w for w in store.workspaces.values() if w.name == name]
        if not archived:
            if any(w.archived_at is None for w in same_name):
                raise self.error(
                    [*path, "name"], f"there is already an active workspace named {name!r}"
                )
            if store.active_workspace_count() >= MAX_ACTIVE_WORKSPACES:
                raise self.error(path, f"more than {MAX_ACTIVE_WORKSPACES} active workspaces")
        key_id, profile_id = entry.get("external_key_id"), entry.get("user_profile_id")
        if key_id is not None and (not store.org.cmek or key_id not in store.external_keys):
            raise self.error(
                [*path, "external_key_id"],
                "needs organization.cmek: true and the id listed in external_keys",
            )
        if profile_id is not None and profile_id not in store.user_profiles:
            raise self.error([*path, "user_profile_id"], "not listed in user_profiles")
        workspace_id = entry.get("id") or derived_id(
            "wrkspc_", self.org_id, "workspace", name, len(same_name)
        )
        if workspace_id in store.workspaces:
            raise self.error([*path, "id"], f"workspace id {workspace_id} is used twice")
        color = entry.get("display_color") or store.next_color(workspace_rules.PALETTE)
        workspace = Workspace(
            id=workspace_id,
            name=name,
            display_color=color,
            created_at=created_at,
            archived_at=created_at if archived else None,
            allowed_inference_geos=allowed,
            default_inference_geo=default,
            tags=tags,
            external_key_id=key_id,
            user_profile_id=profile_id,
            compartment_id=derived_uuid(self.org_id, "compartment", workspace_id),
            seq=seq,
        )
        store.add_workspace(workspace)
        return workspace

    def workspace_named(self, name: str, path: Path) -> Workspace:
        matches = [w for w in self.store.workspaces.values() if w.name == name]
        active = [w for w in matches if w.archived_at is None and not w.is_default]
        if len(active) == 1:
            return active[0]
        if active:
            raise self.error(path, f"{len(active)} active workspaces are named {name!r}")
        if matches:
            raise self.error(path, f"workspace {name!r} is archived or the default workspace")
        raise self.error(path, f"no workspace named {name!r}")

    # -- spend limits -----------------------------------------------------------------

    def scope(self, scope: dict[str, Any], path: Path) -> tuple[str, str | None]:
        """(type, target id) of a seed scope, its target found by name, email or id."""
        store = self.store
        scope_type = scope["type"]
        if scope_type not in SCOPES_BY_KIND[store.kind]:
            raise self.error(
                [*path, "type"],
                f"{scope_type} limits do not exist in {store.kind} orgs "
                f"(they have {', '.join(SCOPES_BY_KIND[store.kind])})",
            )
        accepted = SCOPE_KEYS[scope_type]
        extra = sorted(set(scope) - {"type", *accepted})
        if extra:
            raise self.error([*path, extra[0]], f"a {scope_type} scope does not take {extra[0]!r}")
        given = [k for k in accepted if k in scope]
        if accepted and len(given) != 1:
            raise self.error(
                path, f"a {scope_type} scope needs exactly one of {', '.join(accepted)}"
            )
        if not accepted:
            return scope_type, None
        key = given[0]
        value = scope[key]
        where = [*path, key]
        if scope_type == "user":
            return scope_type, self.member(value, where).id
        if scope_type == "rbac_group":
            return scope_type, self._group_target(key, value, where)
        if scope_type == "workspace":
            return scope_type, self._workspace_target(key, value, where)
        return scope_type, str(value)

    def _group_target(self, key: str, value: str, path: Path) -> str:
        if key == "rbac_group_id":
            if value not in self.store.groups:
                raise self.error(path, f"no RBAC group with id {value}")
            return value
        named = [g for g in self.store.groups.values() if g.name == value]
        if len(named) != 1:
            raise self.error(path, f"{len(named) or 'no'} RBAC groups are named {value!r}")
        return named[0].id

    def _workspace_target(self, key: str, value: str, path: Path) -> str:
        if key == "name":
            return self.workspace_named(value, path).id
        workspace = self.store.workspaces.get(value)
        if workspace is None:
            raise self.error(path, f"no workspace with id {value}")
        if workspace.is_default or workspace.archived_at is not None:
            raise self.error(path, f"workspace {value} is archived or the default workspace")
        return value

    def limit_key(self, entry: dict[str, Any], path: Path) -> tuple[str, str | None, str]:
        scope_type, target = self.scope(entry["scope"], [*path, "scope"])
        period = entry.get("period", "monthly")
        if self.store.kind == "console" and period != "monthly":
            raise self.error([*path, "period"], "Console spend limits are monthly only")
        return scope_type, target, period

    def spend_limit(
        self, entry: dict[str, Any], path: Path, seq: int, now: str, upsert: bool
    ) -> SpendLimit:
        """Add the row (or, with ``upsert``, overwrite the row for the same scope and period).

        ``usage_tier`` rows keep the org's creation time as ``created_at``/``updated_at``.
        """
        store = self.store
        scope_type, target, period = self.limit_key(entry, path)
        amount = entry["amount"]
        amount = None if amount is None else str(amount)
        stamp = store.org.created_at if scope_type == "usage_tier" else now
        existing = store.limit_at(scope_type, target, period)
        if existing is not None:
            if not upsert:
                raise self.error(path, "a second spend limit for the same scope and period")
            existing.amount, existing.updated_at = amount, stamp
            store.changed("limits")
            return existing
        if entry.get("id"):
            limit_id = entry["id"]
        elif upsert:
            # Made at run time (an out-of-band edit): a fresh id, as the API gives a row
            # created again after a delete — never the id of a row that once existed.
            limit_id = store.new_id("spl_", "spend_limit")
        else:
            limit_id = derived_id("spl_", self.org_id, "spend_limit", scope_type, target, period)
        if limit_id in store.limits:
            raise self.error([*path, "id"], f"spend limit id {limit_id} is used twice")
        limit = SpendLimit(
            id=limit_id,
            scope_type=scope_type,
            target=target,
            period=period,
            amount=amount,
            created_at=stamp,
            updated_at=stamp,
            seq=0 if scope_type == "usage_tier" else seq,
        )
        store.put_limit(limit)
        return limit

    # -- spend and increase requests --------------------------------------------------

    def spend(self, email: str, period: str, amount: Any, path: Path) -> User:
        """Set a member's spend so far this period."""
        if self.store.kind != "enterprise":
            raise self.error(path, "member spend is reported only in Enterprise orgs")
        user = self.member(email, path)
        text = spend_text(amount)
        if text is None:
            raise self.error(path, f"{amount!r}: spend has at most 3 decimals")
        self.store.set_spend(user.id, period, text)
        return user

    def increase_request(
        self, entry: dict[str, Any], path: Path, seq: int, created_at: str, fallback_id: str
    ) -> IncreaseRequest:
        """Add a request; ``fallback_id`` is its id unless the entry gives one."""
        store = self.store
        if store.kind != "enterprise":
            raise self.error(path, "spend limit increase requests exist only in Enterprise orgs")
        refs = [k for k in ("email", "user_id") if k in entry]
        if len(refs) != 1:
            raise self.error(path, "name the requester with exactly one of email, user_id")
        user = self.member(entry[refs[0]], [*path, refs[0]])
        status = entry.get("status", "pending")
        if status == "pending" and store.pending_request_of(user.id) is not None:
            raise self.error(path, f"{user.email} already has a pending request")
        request_id = entry.get("id") or fallback_id
        if request_id in store.requests:
            raise self.error([*path, "id"], f"increase request id {request_id} is used twice")
        resolver = next((k for k in store.keys.values() if not k.revoked), None)
        resolved = status != "pending"
        request = IncreaseRequest(
            id=request_id,
            user_id=user.id,
            period=entry.get("period", "monthly"),
            status=status,
            created_at=created_at,
            resolved_at=created_at if resolved else None,
            resolved_by=(
                {"type": "scoped_api_key_actor", "scoped_api_key_id": resolver.id}
                if resolved and resolver is not None
                else None
            ),
            seq=seq,
        )
        store.add_request(request)
        return request
