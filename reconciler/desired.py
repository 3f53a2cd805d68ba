"""The desired state: what the policy wants at every managed address, and why.

Produced by ``reconciler.policy.resolve`` from the policy and the live inventory;
consumed by the planner.  Every value carries its :class:`Source` so that plans and
``explain`` can say which file, line and rule decided it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import Problem


@dataclass(frozen=True, slots=True)
class Source:
    """Where a desired value was declared: ``file:line`` and, for rules, which rule."""

    file: str
    line: int
    column: int = 1
    rule: str | None = None  # e.g. "user_rules[0]", "workspace_rules[2]"

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}"
        return f"{text} ({self.rule})" if self.rule else text


class _Inherit:
    """The row must not exist: the scope inherits (``inherit`` in a policy)."""

    _instance: _Inherit | None = None

    def __new__(cls) -> _Inherit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INHERIT"


INHERIT: Any = _Inherit()


@dataclass(frozen=True, slots=True)
class Value:
    value: Any
    source: Source


@dataclass(slots=True)
class DesiredWorkspace:
    """A workspace the policy governs, by explicit entry or by a rule.

    ``fields`` maps dotted paths to desired values:
    ``name``, ``data_residency.workspace_geo``, ``data_residency.allowed_inference_geos``
    (a sorted list or the string ``"unrestricted"``), ``data_residency.default_inference_geo``,
    ``tags.<key>`` (a string, or ``None`` to remove the key).
    """

    address: str
    name: str
    live_id: str | None  # the live workspace this resolves to; None → create
    fields: dict[str, Value] = field(default_factory=dict)
    archived: Value | None = None  # Value(True, …) when `archived: true` is declared
    declared: Source | None = None  # the explicit entry, None when only rules apply


@dataclass(slots=True)
class DesiredLimit:
    """A spend-limit row at one scope and period.

    ``scope`` names its target the way the policy does: ``{"type": "organization"}``,
    ``{"type": "seat_tier", "seat_tier": t}``, ``{"type": "rbac_group", "name": n, "id": gid}``,
    ``{"type": "workspace", "name": n, "id": wid-or-None}``,
    ``{"type": "user", "email": e, "id": uid}``.
    ``amount.value`` is a minor-unit string, ``None`` (explicit no-limit) or :data:`INHERIT`.
    """

    address: str
    scope: dict[str, Any]
    period: str
    amount: Value


@dataclass(frozen=True)
class OrgDecl:
    id: str
    kind: str
    currency: str | None
    source: Source


@dataclass
class Desired:
    org: OrgDecl
    currency: str | None  # the currency amounts were converted with
    workspaces: dict[str, DesiredWorkspace] = field(default_factory=dict)
    limits: dict[str, DesiredLimit] = field(default_factory=dict)
    management: dict[str, Value] = field(default_factory=dict)  # users, workspaces, workspace_tags
    safety: dict[str, Value] = field(default_factory=dict)  # max_change_percent, min_existing
    warnings: list[Problem] = field(default_factory=list)

    def mode(self, key: str) -> str:
        v = self.management.get(key)
        return str(v.value) if v else "additive"
