"""Located, schema-checked files → one merged :class:`~reconciler.policy.model.Policy`.

Files are taken in order.  A top-level section may be split across files, but each single
resource or setting is defined once: ``organization``; ``spend_limits.organization``; each
seat tier, group, user (emails compared case-insensitively) and workspace; each key of
``management`` and ``safety``.  A second definition is a problem located there that names
the first.  ``version`` may appear in every file.  Rules are concatenated in file order.

Values of the wrong type were reported by the schema; the builder skips them quietly, so
that every remaining problem is still found and none is reported twice.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from dataclasses import dataclass, field
from typing import Any

from reconciler.addresses import PERIODS
from reconciler.desired import OrgDecl
from reconciler.errors import Problem
from reconciler.policy import amounts, semantics
from reconciler.policy.amounts import Amount
from reconciler.policy.located import Mapping, Mark, Node, Scalar, Sequence, join_path
from reconciler.policy.model import (
    Field,
    LimitEntry,
    Policy,
    UserRule,
    WorkspaceEntry,
    WorkspaceRule,
)
from reconciler.policy.rules import Glob

GEOS = ("us", "global")


@dataclass
class Parts:
    """What the builder collected; :meth:`policy` assembles it once nothing is wrong."""

    org: dict[str, Field[str]] = field(default_factory=dict)
    org_at: Mark | None = None
    org_limits: LimitEntry | None = None
    seat_tiers: dict[str, LimitEntry] = field(default_factory=dict)
    groups: dict[str, LimitEntry] = field(default_factory=dict)
    users: dict[str, LimitEntry] = field(default_factory=dict)
    user_rules: list[UserRule] = field(default_factory=list)
    workspaces: dict[str, WorkspaceEntry] = field(default_factory=dict)
    workspace_rules: list[WorkspaceRule] = field(default_factory=list)
    management: dict[str, Field[str]] = field(default_factory=dict)
    safety: dict[str, Field[Any]] = field(default_factory=dict)


class Builder:
    def __init__(self, currency: str | None) -> None:
        self.currency = currency  # declared currency (checked amounts' decimals), if any
        self.parts = Parts()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.defined: dict[str, Mark] = {}
        self.sections: list[tuple[str, Mark]] = []  # (section path, key mark) for kind checks
        self.amounts: list[tuple[str, str, Amount]] = []  # (scope, period, amount)

    # ------------------------------------------------------------------ helpers

    def define(self, ident: str, what: str, mark: Mark, path: str) -> bool:
        """Register one resource or setting; False (with a problem) when already defined."""
        first = self.defined.get(ident)
        if first is None:
            self.defined[ident] = mark
            return True
        self.problems.append(
            semantics.problem(
                mark,
                f"{what} is defined twice (first at {first})",
                path,
                "define each resource or setting once; sections may be split across files, "
                "their entries may not",
            )
        )
        return False

    def add(self, found: Problem | None) -> None:
        if found is not None:
            (self.warnings if found.severity == "warning" else self.problems).append(found)

    def periods(self, node: Node | None, path: str, scope: str) -> dict[str, Amount]:
        """A per-period amounts mapping: each period known, each amount readable."""
        out: dict[str, Amount] = {}
        if not isinstance(node, Mapping):
            return out
        for period, key, value in node.items():
            if period not in PERIODS:
                continue  # the schema reports unknown keys
            amount = amounts.read(key, value, join_path(path, period), self.currency)
            if isinstance(amount, Problem):
                self.problems.append(amount)
                continue
            out[period] = amount
            self.amounts.append((scope, period, amount))
        return out

    @staticmethod
    def text(node: Node | None) -> Scalar | None:
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return node
        return None

    def field(self, parent: Mapping, key: str, path: str) -> Field[str] | None:
        """A located field of the policy."""
        value = self.text(parent.get(key))
        if value is None:
            return None
        at = parent.key_mark(key)
        assert at is not None
        return Field(value.value, at, value.mark, join_path(path, key))

    # ------------------------------------------------------------------ files

    def add_file(self, root: Node | None, offsets: dict[str, int]) -> None:
        """Take one policy file's document into the policy being built."""
        if root is None:
            return  # an empty file contributes nothing
        if not isinstance(root, Mapping):
            return  # the schema reports it
        for name, key, value in root.items():
            handler = getattr(self, f"on_{name}", None)
            if handler is not None:
                handler(key, value, offsets)

    def on_organization(self, key: Scalar, node: Node, offsets: dict[str, int]) -> None:
        """Read the ``organization`` section."""
        if not self.define("organization", "`organization`", key.mark, "organization"):
            return
        self.parts.org_at = key.mark
        if isinstance(node, Mapping):
            for name in ("id", "kind", "currency"):
                found = self.field(node, name, "organization")
                if found is not None:
                    self.parts.org[name] = found
            if "currency" in self.parts.org:
                self.add(semantics.currency(self.parts.org["currency"]))

    def on_management(self, key: Scalar, node: Node, offsets: dict[str, int]) -> None:
        self.settings(node, "management", self.parts.management, str)

    def on_safety(self, key: Scalar, node: Node, offsets: dict[str, int]) -> None:
        self.settings(node, "safety", self.parts.safety, (int, float))

    def settings(self, node: Node, section: str, into: dict[str, Any], types: Any) -> None:
        """The ``management`` and ``safety`` settings."""
        if not isinstance(node, Mapping):
            return
        for name, key, value in node.items():
            path = join_path(section, name)
            self.sections.append((path, key.mark))
            if not self.define(path, f"`{path}`", key.mark, path):
                continue
            if (
                isinstance(value, Scalar)
                and isinstance(value.value, types)
                and not isinstance(value.value, bool)
            ):
                into[name] = Field(value.value, key.mark, value.mark, path)

    # ------------------------------------------------------------------ spend limits

    def on_spend_limits(self, key: Scalar, node: Node, offsets: dict[str, int]) -> None:
        """Read the ``spend_limits`` section."""
        if not isinstance(node, Mapping):
            return
        for name, skey, value in node.items():
            path = join_path("spend_limits", name)
            self.sections.append((path, skey.mark))
            if name == "organization":
                if self.define(path, "`spend_limits.organization`", skey.mark, path):
                    periods = self.periods(value, path, "organization")
                    self.parts.org_limits = LimitEntry(skey.mark, path, None, periods)
            elif name in ("seat_tiers", "groups"):
                self.named_limits(name, value, path)
            elif name == "users":
                self.users(value, path)
            elif name == "user_rules" and isinstance(value, Sequence):
                for i, item in enumerate(value.items):
                    index = offsets.get("user_rules", 0) + i
                    self.user_rule(item, index, f"spend_limits.user_rules[{index}]")

    def named_limits(self, section: str, node: Node, path: str) -> None:
        """Limits keyed by a name (seat tiers, groups)."""
        if not isinstance(node, Mapping):
            return
        scope, noun = ("seat_tier", "seat tier") if section == "seat_tiers" else ("group", "group")
        into = self.parts.seat_tiers if section == "seat_tiers" else self.parts.groups
        for name, key, value in node.items():
            entry_path = join_path(path, name)
            if scope == "seat_tier":
                self.add(semantics.seat_tier(key, entry_path))
            if not self.define(f"{path}.{name}", f"{noun} `{name}`", key.mark, entry_path):
                continue
            into[name] = LimitEntry(
                key.mark, entry_path, name, self.periods(value, entry_path, scope)
            )

    def users(self, node: Node, path: str) -> None:
        """Member limits, keyed by lower-cased email; duplicates are problems."""
        if not isinstance(node, Mapping):
            return
        into = self.parts.users
        for email, key, value in node.items():
            entry_path = join_path(path, email)
            bad = semantics.email(key, entry_path)
            if bad is not None:
                self.problems.append(bad)
                continue
            lower = email.lower()
            if not self.define(f"{path}.{lower}", f"user `{lower}`", key.mark, entry_path):
                continue
            into[lower] = LimitEntry(
                key.mark, entry_path, email, self.periods(value, entry_path, "user")
            )

    def user_rule(self, node: Node, index: int, path: str) -> None:
        """One entry of ``user_rules``."""
        if not isinstance(node, Mapping):
            return
        match = node.get("match")
        email: Field[Glob] | None = None
        group: Field[str] | None = None
        if isinstance(match, Mapping):
            match_path = join_path(path, "match")
            pattern = self.text(match.get("email"))
            if pattern is not None and pattern.text:
                bad = semantics.email_glob(pattern, join_path(match_path, "email"))
                if bad is not None:
                    self.problems.append(bad)
                at = match.key_mark("email")
                assert at is not None
                glob = Glob(pattern.text, case_sensitive=False)
                email = Field(glob, at, pattern.mark, join_path(match_path, "email"))
            found = self.field(match, "group", match_path)
            if found is not None and found.value:
                group = found
        periods = self.periods(node, path, "user_rule")
        if not any(p in node.entries for p in PERIODS):
            self.problems.append(
                semantics.problem(
                    node.mark,
                    "this rule sets no limit",
                    path,
                    "give daily, weekly or monthly (an amount, `unlimited` or `inherit`)",
                )
            )
        if match is None or (email is None and group is None):
            return  # the schema reports the missing or empty match
        self.parts.user_rules.append(UserRule(node.mark, path, index, email, group, periods))

    # ------------------------------------------------------------------ workspaces

    def on_workspaces(self, key: Scalar, node: Node, offsets: dict[str, int]) -> None:
        """Read the ``workspaces`` section."""
        self.sections.append(("workspaces", key.mark))
        if not isinstance(node, Mapping):
            return
        for name, wkey, value in node.items():
            path = join_path("workspaces", name)
            bad = semantics.workspace_name(wkey, path)
            if bad is not None:
                self.problems.append(bad)
                continue
            if not self.define(path, f"workspace `{name}`", wkey.mark, path):
                continue
            entry = self.workspace(name, wkey, value, path)
            if entry is not None:
                self.parts.workspaces[name] = entry

    def workspace(self, name: str, key: Scalar, node: Node, path: str) -> WorkspaceEntry | None:
        """One declared workspace."""
        if not isinstance(node, Mapping):
            return None
        pin = self.field(node, "id", path)
        archived: Field[bool] | None = None
        flag = node.get("archived")
        if isinstance(flag, Scalar) and isinstance(flag.value, bool):
            at = node.key_mark("archived")
            assert at is not None
            archived = Field(flag.value, at, flag.mark, join_path(path, "archived"))
            others = [k for k in node.entries if k not in ("archived", "id")]
            if flag.value and others:
                listed = ", ".join(f"`{k}`" for k in others)
                self.problems.append(
                    semantics.problem(
                        at,
                        f"an archived workspace takes no other settings (found {listed})",
                        archived.path,
                        "remove them: archiving is irreversible",
                    )
                )
        residency = self.residency(node.get("data_residency"), join_path(path, "data_residency"))
        tags = self.tags(node.get("tags"), join_path(path, "tags"))
        limits = self.periods(
            node.get("spend_limits"), join_path(path, "spend_limits"), "workspace"
        )
        return WorkspaceEntry(key.mark, path, name, pin, archived, residency, tags, limits)

    def on_workspace_rules(self, key: Scalar, node: Node, offsets: dict[str, int]) -> None:
        """Read the ``workspace_rules`` section."""
        self.sections.append(("workspace_rules", key.mark))
        if not isinstance(node, Sequence):
            return
        for i, item in enumerate(node.items):
            index = offsets.get("workspace_rules", 0) + i
            self.workspace_rule(item, index, f"workspace_rules[{index}]")

    def workspace_rule(self, node: Node, index: int, path: str) -> None:
        """One entry of ``workspace_rules``."""
        if not isinstance(node, Mapping):
            return
        name, match_tags = self.rule_match(node.get("match"), join_path(path, "match"))
        residency = self.residency(node.get("data_residency"), join_path(path, "data_residency"))
        tags = self.tags(node.get("tags"), join_path(path, "tags"))
        limits = self.periods(
            node.get("spend_limits"), join_path(path, "spend_limits"), "workspace_rule"
        )
        if not any(k in node.entries for k in ("data_residency", "tags", "spend_limits")):
            self.problems.append(
                semantics.problem(
                    node.mark,
                    "this rule sets nothing",
                    path,
                    "give data_residency, tags or spend_limits",
                )
            )
        if name is None and not match_tags:
            return  # the schema reports the missing or empty match
        self.parts.workspace_rules.append(
            WorkspaceRule(node.mark, path, index, name, match_tags, residency, tags, limits)
        )

    def rule_match(
        self, match: Node | None, match_path: str
    ) -> tuple[Field[Glob] | None, dict[str, Field[str]]]:
        """A workspace rule's ``match``: its name glob and the tags it requires."""
        name: Field[Glob] | None = None
        match_tags: dict[str, Field[str]] = {}
        if not isinstance(match, Mapping):
            return name, match_tags
        pattern = self.field(match, "name", match_path)
        if pattern is not None and pattern.value:
            glob = Glob(pattern.value, case_sensitive=True)
            name = Field(glob, pattern.at, pattern.mark, pattern.path)
        wanted = match.get("tags")
        if isinstance(wanted, Mapping):
            tags_path = join_path(match_path, "tags")
            for tag, tkey, tvalue in wanted.items():
                text = self.text(tvalue)
                if text is not None:
                    match_tags[tag] = Field(
                        text.value, tkey.mark, text.mark, join_path(tags_path, tag)
                    )
        return name, match_tags

    def residency(self, node: Node | None, path: str) -> dict[str, Field[Any]]:
        """The located ``data_residency`` fields of an entry or a rule."""
        out: dict[str, Field[Any]] = {}
        if not isinstance(node, Mapping):
            return out
        for name, key, value in node.items():
            fpath = join_path(path, name)
            if name in ("workspace_geo", "default_inference_geo"):
                text = self.text(value)
                if text is not None and text.value in GEOS:
                    out[name] = Field(text.value, key.mark, value.mark, fpath)
            elif name == "allowed_inference_geos":
                allowed = _allowed(value)
                if allowed is not None:
                    out[name] = Field(allowed, key.mark, value.mark, fpath)
        self.add(semantics.residency(out, path))
        return out

    def tags(self, node: Node | None, path: str) -> dict[str, Field[str]]:
        """A workspace's tags (``null`` removes one)."""
        out: dict[str, Field[str]] = {}
        if not isinstance(node, Mapping):
            return out
        for tag, key, value in node.items():
            tpath = join_path(path, tag)
            bad = semantics.tag_key(key, tpath)
            if bad is not None:
                self.problems.append(bad)
                continue
            text = self.text(value)
            if text is not None:
                out[tag] = Field(text.value, key.mark, text.mark, tpath)
        return out

    # ------------------------------------------------------------------ the whole policy

    def finish(self, files: Seq[str], *, complete: bool = True) -> None:
        """Checks that need every file: the organization, and what its kind allows.

        ``complete`` is false when some file could not be read or parsed: a missing
        organization is then not reported (it may be in that file)."""
        org = self.parts.org
        if self.parts.org_at is None and complete and files:
            where = Mark(files[0], 1, 1)
            self.problems.append(
                semantics.problem(
                    where,
                    "no policy file declares `organization`",
                    "organization",
                    "add `organization: {id: <uuid>, kind: console|enterprise}` to one file",
                )
            )
        kind = org["kind"].value if "kind" in org else None
        if kind in ("console", "enterprise"):
            self.problems.extend(semantics.kind_sections(kind, self.sections))
        self.problems.extend(semantics.kind_amounts(kind, self.amounts))

    def policy(self, files: tuple[str, ...], digest: str, documents: Any) -> Policy:
        """The finished :class:`Policy` (only when no problem was found)."""
        p = self.parts
        assert p.org_at is not None and "id" in p.org and "kind" in p.org
        currency = p.org.get("currency")
        decl = OrgDecl(
            id=p.org["id"].value,
            kind=p.org["kind"].value,
            currency=currency.value if currency else None,
            source=p.org_at.source(),
        )
        return Policy(
            files=files,
            digest=digest,
            organization=decl,
            org=dict(p.org),
            org_limits=p.org_limits,
            seat_tiers=p.seat_tiers,
            groups=p.groups,
            users=p.users,
            user_rules=tuple(p.user_rules),
            workspaces=p.workspaces,
            workspace_rules=tuple(p.workspace_rules),
            management=p.management,
            safety=p.safety,
            documents=tuple(documents),
            warnings=tuple(self.warnings),
        )


def _allowed(node: Node) -> list[str] | str | None:
    """``unrestricted`` or a sorted list of unique geos; None when malformed (schema reports)."""
    if isinstance(node, Scalar):
        return "unrestricted" if node.value == "unrestricted" else None
    if not isinstance(node, Sequence) or not node.items:
        return None
    geos = []
    for item in node.items:
        if not (isinstance(item, Scalar) and item.value in GEOS):
            return None
        geos.append(str(item.value))
    return sorted(set(geos))
