"""The loaded policy: every file's content, validated and merged, each value located.

    Policy
    ├── files, digest                       what was read (display paths, sha256)
    ├── organization: OrgDecl               id, kind, currency, where declared
    ├── org_limits: LimitEntry | None       spend_limits.organization
    ├── seat_tiers / groups / users         {name: LimitEntry}  (users by lower-cased email)
    ├── user_rules: (UserRule, …)           in merged order (files sorted, rules in file order)
    ├── workspaces: {name: WorkspaceEntry}
    ├── workspace_rules: (WorkspaceRule, …)
    ├── management / safety                 {key: Field}  (only what files declare)
    └── warnings                            problems that do not stop anything

Every value is a :class:`Field` or an :class:`~reconciler.policy.amounts.Amount`: the
value, ``at`` (the key's mark: provenance) and ``mark`` (the value's mark: problems), and
its dotted ``path``.  Nothing here is mutated after :func:`reconciler.policy.load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from reconciler.desired import OrgDecl, Source
from reconciler.errors import Problem
from reconciler.policy.amounts import Amount
from reconciler.policy.located import Mark, Node
from reconciler.policy.rules import Glob

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Located:
    at: Mark  # the key (or list item) that declares it
    path: str

    def source(self, rule: str | None = None) -> Source:
        return self.at.source(rule)


@dataclass(frozen=True, slots=True)
class Field(Generic[T]):
    value: T
    at: Mark
    mark: Mark
    path: str

    def source(self, rule: str | None = None) -> Source:
        return self.at.source(rule)


@dataclass(frozen=True, slots=True)
class LimitEntry(Located):
    """The declared limits of one scope: ``name`` is the tier, group name or email as
    written (``None`` for the organization); ``periods`` maps period → amount."""

    name: str | None = None
    periods: dict[str, Amount] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WorkspaceEntry(Located):
    """``workspaces.<name>``.  ``residency`` holds ``workspace_geo``,
    ``allowed_inference_geos`` (a sorted list of unique geos, or ``"unrestricted"``) and
    ``default_inference_geo`` as declared; ``limits`` maps period → amount."""

    name: str = ""
    id: Field[str] | None = None
    archived: Field[bool] | None = None
    residency: dict[str, Field[Any]] = field(default_factory=dict)
    tags: dict[str, Field[str]] = field(default_factory=dict)
    limits: dict[str, Amount] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WorkspaceRule(Located):
    """``match`` on the desired name (glob) and/or tags (all equal); sets residency fields,
    tags and the spend limit of every match.  ``index`` counts across the merged policy
    (files in sorted path order, rules in file order), as provenance shows it."""

    index: int = 0
    name: Field[Glob] | None = None
    match_tags: dict[str, Field[str]] = field(default_factory=dict)
    residency: dict[str, Field[Any]] = field(default_factory=dict)
    tags: dict[str, Field[str]] = field(default_factory=dict)
    limits: dict[str, Amount] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"workspace_rules[{self.index}]"

    def matches(self, name: str, tags: Mapping[str, str]) -> bool:
        if self.name is not None and not self.name.value.matches(name):
            return False
        return all(tags.get(k) == f.value for k, f in self.match_tags.items())


@dataclass(frozen=True, slots=True)
class UserRule(Located):
    """``match`` on the member's email (glob, case-insensitive) and/or RBAC group name;
    sets the member's overrides per period."""

    index: int = 0
    email: Field[Glob] | None = None
    group: Field[str] | None = None
    periods: dict[str, Amount] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"user_rules[{self.index}]"


@dataclass
class Policy:
    files: tuple[str, ...]
    digest: str
    organization: OrgDecl
    org: dict[str, Field[str]]  # id, kind, currency as declared
    org_limits: LimitEntry | None = None
    seat_tiers: dict[str, LimitEntry] = field(default_factory=dict)
    groups: dict[str, LimitEntry] = field(default_factory=dict)
    users: dict[str, LimitEntry] = field(default_factory=dict)  # by lower-cased email
    user_rules: tuple[UserRule, ...] = ()
    workspaces: dict[str, WorkspaceEntry] = field(default_factory=dict)
    workspace_rules: tuple[WorkspaceRule, ...] = ()
    management: dict[str, Field[str]] = field(default_factory=dict)
    safety: dict[str, Field[Any]] = field(default_factory=dict)
    documents: tuple[tuple[str, Node | None], ...] = ()  # (display path, located root)
    warnings: tuple[Problem, ...] = ()

    @property
    def kind(self) -> str:
        return self.organization.kind

    def limit_count(self) -> int:
        """Spend limits declared by explicit entries (one per scope and period)."""
        count = len(self.org_limits.periods) if self.org_limits else 0
        for entries in (self.seat_tiers, self.groups, self.users):
            count += sum(len(e.periods) for e in entries.values())
        count += sum(len(w.limits) for w in self.workspaces.values())
        return count

    def summary(self) -> dict[str, int]:
        """Counts of what the policy declares, for ``validate``."""
        return {
            "files": len(self.files),
            "workspaces": len(self.workspaces),
            "spend_limits": self.limit_count(),
            "rules": len(self.user_rules) + len(self.workspace_rules),
            "users": len(self.users),
        }
