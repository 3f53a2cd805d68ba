"""Resolution: policy + live inventory → the desired value of every managed field.

A pure function (no I/O).  It applies precedence — an explicit entry beats any rule; among
rules the first match in order wins, per field — and records the :class:`Source` of each
value (``rule`` set when a rule decided it).  Amounts become minor-unit strings in the
organization's currency; ``unlimited`` becomes ``None`` and ``inherit`` :data:`INHERIT`.

It does not plan: it never compares with live spend limits and never decides deletions
(authoritative user overrides are the planner's job).  It does read the live inventory
to find what rules match and which ids names resolve to, and reports — located at the
policy line responsible — what cannot be resolved: another organization, a currency
mismatch, unknown members and groups, ambiguous workspace names, residency that would be
invalid once applied.

Collections the snapshot did not read (``None``) are treated as unknown, not as empty:
no error is raised for names that cannot be checked, and ids stay ``None``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reconciler import addresses
from reconciler.desired import (
    INHERIT,
    Desired,
    DesiredLimit,
    DesiredWorkspace,
    Source,
    Value,
)
from reconciler.errors import PolicyError, Problem
from reconciler.gcpause import paused
from reconciler.live import RESIDENCY_DEFAULTS, LiveGroup, LiveMember, LiveWorkspace, Snapshot
from reconciler.policy import amounts as amount_values
from reconciler.policy.amounts import AMOUNT, UNLIMITED, Amount
from reconciler.policy.located import Mark
from reconciler.policy.model import Field, Policy, UserRule, WorkspaceEntry, WorkspaceRule
from reconciler.policy.semantics import KIND_NAMES, problem, warning

DEFAULT_SOURCE = Source("(default)", 0, 0)
MANAGEMENT_DEFAULTS = {"users": "additive", "workspaces": "additive", "workspace_tags": "additive"}
SAFETY_DEFAULTS = {"max_change_percent": 30, "min_existing": 10}
_ARTICLE = {"console": "a", "enterprise": "an"}
MAX_TAGS = 50
_HINT_MEMBERS = 2000  # "did you mean" among members only for organizations up to this size


def resolve(policy: Policy, snapshot: Snapshot, *, skip_unknown_users: bool = False) -> Desired:
    """The desired state of every managed address; raises :class:`PolicyError` with every
    problem found.  ``skip_unknown_users`` turns unknown member emails into warnings (their
    rows are dropped)."""
    with paused():
        return _Resolver(policy, snapshot, skip_unknown_users).run()


@dataclass
class _Candidate:
    """A workspace the policy may govern: declared, or live and open to rules."""

    address: str
    name: str  # desired name
    live: LiveWorkspace | None
    entry: WorkspaceEntry | None


class _Resolver:
    def __init__(self, policy: Policy, snapshot: Snapshot, skip_unknown_users: bool) -> None:
        self.policy = policy
        self.snapshot = snapshot
        self.skip_unknown_users = skip_unknown_users
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.currency: str | None = None
        self.values: dict[str, str] = {}  # amount text → minor units, converted once each

    # ------------------------------------------------------------------ driver

    def run(self) -> Desired:
        self.check_organization()
        if self.problems:
            raise PolicyError(self.problems)
        self.currency = self.choose_currency()
        desired = Desired(org=self.policy.organization, currency=self.currency)
        self.settings(desired)
        if self.policy.kind == "console":
            self.workspaces(desired)
        self.scope_limits(desired)
        if self.policy.kind == "enterprise":
            self.users(desired)
        if self.problems:
            raise PolicyError(self.problems)
        desired.warnings.extend(self.policy.warnings)
        desired.warnings.extend(self.warnings)
        return desired

    def check_organization(self) -> None:
        org = self.policy.org
        snap = self.snapshot
        declared = self.policy.organization
        if declared.id.lower() != snap.org_id.lower():
            named = f" ({snap.org_name})" if snap.org_name else ""
            self.problems.append(
                problem(
                    org["id"].mark,
                    f"this policy is for organization `{declared.id}`, but the API key belongs "
                    f"to organization `{snap.org_id}`{named}",
                    "organization.id",
                    "use that organization's admin key, or correct organization.id",
                )
            )
        if declared.kind != snap.kind:
            kind = KIND_NAMES.get(snap.kind, snap.kind)
            self.problems.append(
                problem(
                    org["kind"].mark,
                    f"organization.kind is `{declared.kind}`, but organization `{snap.org_id}` "
                    f"is {_ARTICLE.get(snap.kind, 'a')} {kind} organization",
                    "organization.kind",
                    f"write kind: {snap.kind}",
                )
            )

    def choose_currency(self) -> str | None:
        declared = self.policy.org.get("currency")
        live = self.snapshot.currency
        if declared is not None and live is not None and declared.value != live.upper():
            self.problems.append(
                problem(
                    declared.mark,
                    f"organization.currency is `{declared.value}`, but the organization is "
                    f"billed in `{live.upper()}`",
                    "organization.currency",
                    f"write currency: {live.upper()}",
                )
            )
        currency = declared.value if declared is not None else (live.upper() if live else None)
        if currency is None and any(a.kind == AMOUNT for a in self.all_amounts()):
            at = self.policy.organization.source
            self.problems.append(
                Problem(
                    at.file,
                    at.line,
                    at.column,
                    "currency unknown: declare organization.currency",
                    "organization",
                    "no live spend-limit row shows the billing currency, so amounts cannot be "
                    "converted",
                )
            )
        return currency

    def all_amounts(self) -> Iterable[Amount]:
        p = self.policy
        entries = [p.org_limits] if p.org_limits else []
        for group in (p.seat_tiers, p.groups, p.users):
            entries.extend(group.values())
        for entry in entries:
            yield from entry.periods.values()
        for w in p.workspaces.values():
            yield from w.limits.values()
        for wr in p.workspace_rules:
            yield from wr.limits.values()
        for ur in p.user_rules:
            yield from ur.periods.values()

    def value(self, amount: Amount) -> Any:
        """The desired amount: minor-unit string, ``None`` (unlimited) or INHERIT.

        Conversions are cached by text (50,000 users share a handful of caps); a failed
        one is reported at every place it is written."""
        if amount.kind == UNLIMITED:
            return None
        if amount.kind != AMOUNT:
            return INHERIT
        if self.currency is None:
            return None  # reported once by choose_currency
        cached = self.values.get(amount.text)
        if cached is not None:
            return cached
        converted = amount_values.minor(amount, self.currency)
        if isinstance(converted, Problem):
            self.problems.append(converted)
            return None
        self.values[amount.text] = converted
        return converted

    def settings(self, desired: Desired) -> None:
        for name, default in MANAGEMENT_DEFAULTS.items():
            declared = self.policy.management.get(name)
            desired.management[name] = (
                Value(declared.value, declared.source())
                if declared
                else Value(default, DEFAULT_SOURCE)
            )
        for name, default_number in SAFETY_DEFAULTS.items():
            found = self.policy.safety.get(name)
            desired.safety[name] = (
                Value(found.value, found.source())
                if found
                else Value(default_number, DEFAULT_SOURCE)
            )

    def limit(
        self,
        desired: Desired,
        scope: dict[str, Any],
        name: str | None,
        amount: Amount,
        period: str,
        rule: str | None = None,
    ) -> None:
        kind = "group" if scope["type"] == "rbac_group" else scope["type"]
        address = addresses.spend_limit(kind, name, period)
        desired.limits[address] = DesiredLimit(
            address, scope, period, Value(self.value(amount), amount.at.source(rule))
        )

    # ------------------------------------------------------------------ scope limits

    def scope_limits(self, desired: Desired) -> None:
        p = self.policy
        if p.org_limits is not None:
            for period, amount in p.org_limits.periods.items():
                self.limit(desired, {"type": "organization"}, None, amount, period)
        for tier, entry in p.seat_tiers.items():
            for period, amount in entry.periods.items():
                self.limit(desired, {"type": "seat_tier", "seat_tier": tier}, tier, amount, period)
        for name, entry in p.groups.items():
            ok, group = self.group(name, entry.at, entry.path)
            if not ok:
                continue
            scope = {"type": "rbac_group", "name": name, "id": group.id if group else None}
            for period, amount in entry.periods.items():
                self.limit(desired, scope, name, amount, period)

    def group(self, name: str, mark: Mark, path: str) -> tuple[bool, LiveGroup | None]:
        """``(True, the live group called name)``, ``(True, None)`` when groups were not
        read, ``(False, None)`` (with a problem) when no group or several have that name."""
        groups = self.snapshot.groups
        if groups is None:
            return True, None
        found = [g for g in groups if g.name == name]
        if len(found) == 1:
            return True, found[0]
        if not found:
            close = difflib.get_close_matches(name, [g.name for g in groups], n=1, cutoff=0.6)
            self.problems.append(
                problem(
                    mark,
                    f"no RBAC group is named `{name}`",
                    path,
                    f"did you mean `{close[0]}`?" if close else "group names are case-sensitive",
                )
            )
        else:
            ids = ", ".join(g.id for g in found)
            self.problems.append(
                problem(
                    mark,
                    f"group name `{name}` is ambiguous: {len(found)} RBAC groups have it ({ids})",
                    path,
                    "rename one of the groups in claude.ai",
                )
            )
        return False, None

    # ------------------------------------------------------------------ users

    def users(self, desired: Desired) -> None:
        p = self.policy
        members = self.snapshot.members
        for lower, entry in p.users.items():
            member = members.get(lower) if members is not None else None
            if members is not None and member is None:
                self.unknown_user(entry.name or lower, entry.at, entry.path, members)
                continue
            scope = {"type": "user", "email": lower, "id": member.id if member else None}
            for period, amount in entry.periods.items():
                self.limit(desired, scope, lower, amount, period)
        if p.user_rules and members:
            self.user_rules(desired, members)

    def unknown_user(
        self, email: str, mark: Mark, path: str, members: dict[str, LiveMember]
    ) -> None:
        if self.skip_unknown_users:
            self.warnings.append(
                warning(
                    mark,
                    f"`{email}` is not a member of the organization; its limits are skipped",
                    path,
                )
            )
            return
        hint = "check the spelling, or plan with --skip-unknown-users to leave it out"
        if len(members) <= _HINT_MEMBERS:
            close = difflib.get_close_matches(email.lower(), list(members), n=1, cutoff=0.8)
            if close:
                hint = f"did you mean `{members[close[0]].email}`?"
        self.problems.append(
            problem(mark, f"`{email}` is not a member of the organization", path, hint)
        )

    def user_rules(self, desired: Desired, members: dict[str, LiveMember]) -> None:
        compiled = []
        for rule in self.policy.user_rules:
            group_ids: frozenset[str] | None = None
            if rule.group is not None:
                ok, group = self.group(rule.group.value, rule.group.mark, rule.group.path)
                if not ok:
                    continue
                group_ids = (group.member_ids if group else None) or frozenset()
            values = {
                period: (self.value(amount), amount.at.source(rule.label))
                for period, amount in rule.periods.items()
            }
            compiled.append((rule, group_ids, values))
        if not compiled:
            return
        declared = self.policy.users
        periods = [p for p in addresses.PERIODS if any(p in v for _, _, v in compiled)]
        limits = desired.limits
        for lower, member in members.items():
            entry = declared.get(lower)
            # A declared entry decides its own periods; of the rest, the first matching
            # rule that sets a period decides it, and no rule is tried once all are.
            open_periods = (
                periods if entry is None else [p for p in periods if p not in entry.periods]
            )
            if not open_periods:
                continue
            decided: dict[str, Any] = {}
            for rule, ids, values in compiled:
                if not _user_matches(rule, ids, lower, member):
                    continue
                for period in open_periods:
                    if period in values and period not in decided:
                        decided[period] = values[period]
                if len(decided) == len(open_periods):
                    break
            if not decided:
                continue
            scope = {"type": "user", "email": lower, "id": member.id}
            for period in open_periods:
                found = decided.get(period)
                if found is not None:
                    address = f"spend_limit:user:{lower}:{period}"
                    limits[address] = DesiredLimit(address, scope, period, Value(*found))

    # ------------------------------------------------------------------ workspaces

    def workspaces(self, desired: Desired) -> None:
        live = [w for w in self.snapshot.workspaces or [] if not w.is_default]
        by_id = {w.id: w for w in self.snapshot.workspaces or []}
        active: dict[str, list[LiveWorkspace]] = {}
        archived: dict[str, list[LiveWorkspace]] = {}
        for w in live:
            (archived if w.archived else active).setdefault(w.name, []).append(w)

        candidates: list[_Candidate] = []
        claimed: dict[str, str] = {}  # live id → declared name
        for name, entry in self.policy.workspaces.items():
            found = self.declared_workspace(name, entry, by_id, active, archived)
            if found is False:
                continue
            live_ws = found if isinstance(found, LiveWorkspace) else None
            if live_ws is not None:
                other = claimed.get(live_ws.id)
                if other is not None:
                    self.problems.append(
                        problem(
                            entry.at,
                            f"workspaces `{other}` and `{name}` both resolve to workspace "
                            f"`{live_ws.id}`",
                            entry.path,
                            "declare each workspace once",
                        )
                    )
                    continue
                claimed[live_ws.id] = name
            if entry.archived is not None and entry.archived.value:
                if live_ws is not None:
                    desired.workspaces[addresses.workspace(name)] = DesiredWorkspace(
                        address=addresses.workspace(name),
                        name=name,
                        live_id=live_ws.id,
                        archived=Value(True, entry.archived.source()),
                        declared=entry.source(),
                    )
                continue
            candidates.append(_Candidate(addresses.workspace(name), name, live_ws, entry))
        for w in live:
            if not w.archived and w.id not in claimed:
                candidates.append(_Candidate(addresses.workspace(w.name), w.name, w, None))

        for cand in candidates:
            self.govern(desired, cand)

    def declared_workspace(
        self,
        name: str,
        entry: WorkspaceEntry,
        by_id: dict[str, LiveWorkspace],
        active: dict[str, list[LiveWorkspace]],
        archived: dict[str, list[LiveWorkspace]],
    ) -> LiveWorkspace | bool | None:
        """The live workspace an entry resolves to: the workspace, ``None`` (create or
        nothing to do) or ``False`` (with a problem or warning recorded: skip it)."""
        archiving = entry.archived is not None and entry.archived.value
        if entry.id is not None:
            found = by_id.get(entry.id.value)
            if found is None:
                if archiving:
                    return self.nothing_to_archive(name, entry)
                self.problems.append(
                    problem(
                        entry.id.mark,
                        f"no workspace has id `{entry.id.value}`",
                        entry.id.path,
                        "correct the id, or remove it to create the workspace",
                    )
                )
                return False
            if found.is_default:
                self.problems.append(
                    problem(entry.id.mark, "the default workspace cannot be managed", entry.id.path)
                )
                return False
            if found.archived:
                if archiving:
                    return False  # already archived: nothing to do
                self.problems.append(
                    problem(
                        entry.id.mark,
                        f"workspace `{found.id}` ({found.name}) is archived, and archiving is "
                        "irreversible",
                        entry.id.path,
                        "remove the id to create a new workspace, or remove the entry",
                    )
                )
                return False
            return found
        same = active.get(name, [])
        if len(same) > 1:
            ids = ", ".join(w.id for w in same)
            self.problems.append(
                problem(
                    entry.at,
                    f"workspace name `{name}` is ambiguous: {len(same)} active workspaces have it "
                    f"({ids})",
                    entry.path,
                    "pin the one you mean with `id: wrkspc_…`",
                )
            )
            return False
        if same:
            return same[0]
        if archiving:
            if name in archived:
                return False  # already archived: nothing to do
            return self.nothing_to_archive(name, entry)
        return None

    def nothing_to_archive(self, name: str, entry: WorkspaceEntry) -> bool:
        assert entry.archived is not None
        self.warnings.append(
            warning(
                entry.archived.at,
                f"workspace `{name}` does not exist: `archived: true` does nothing",
                entry.archived.path,
            )
        )
        return False

    def govern(self, desired: Desired, cand: _Candidate) -> None:
        entry = cand.entry
        live_tags = dict(cand.live.tags) if cand.live else {}
        declared_tags = {k: f.value for k, f in entry.tags.items()} if entry else {}
        match_tags = {**live_tags, **declared_tags}
        rules = [r for r in self.policy.workspace_rules if r.matches(cand.name, match_tags)]
        if entry is None and not rules:
            return  # not governed: no entry, no rule
        if entry is None and cand.address in desired.workspaces:
            rule = rules[0]
            self.problems.append(
                problem(
                    rule.at,
                    f"{rule.label} matches workspace `{cand.name}` "
                    f"({cand.live.id if cand.live else 'new'}), whose name another governed "
                    "workspace also has",
                    rule.path,
                    "rename one of them, or declare this one with an `id:` pin",
                )
            )
            return

        fields: dict[str, Value] = {}
        origin: dict[str, Field[Any]] = {}  # path → the policy field that set it

        def take(path: str, found: Field[Any], rule: WorkspaceRule | None) -> None:
            fields[path] = Value(found.value, found.source(rule.label if rule else None))
            origin[path] = found

        if entry is not None:
            take("name", Field(cand.name, entry.at, entry.at, entry.path), None)
            for key, found in entry.residency.items():
                take(f"data_residency.{key}", found, None)
            for key, tag in entry.tags.items():
                take(f"tags.{key}", tag, None)
        for rule in rules:
            for key, found in rule.residency.items():
                if f"data_residency.{key}" not in fields:
                    take(f"data_residency.{key}", found, rule)
            for key, tag in rule.tags.items():
                if f"tags.{key}" not in fields:
                    take(f"tags.{key}", tag, rule)
        if cand.live is not None and desired.mode("workspace_tags") == "authoritative":
            mode = desired.management["workspace_tags"]
            for key in cand.live.tags:
                fields.setdefault(f"tags.{key}", Value(None, mode.source))

        self.check_residency(cand, fields, origin, rules)
        self.check_tag_count(cand, fields, origin)
        desired.workspaces[cand.address] = DesiredWorkspace(
            address=cand.address,
            name=cand.name,
            live_id=cand.live.id if cand.live else None,
            fields=fields,
            declared=entry.source() if entry else None,
        )

        scope = {"type": "workspace", "name": cand.name, "id": cand.live.id if cand.live else None}
        periods: dict[str, tuple[Amount, str | None]] = {}
        if entry is not None:
            periods.update((p, (a, None)) for p, a in entry.limits.items())
        for rule in rules:
            for period, amount in rule.limits.items():
                periods.setdefault(period, (amount, rule.label))
        for period, (amount, label) in periods.items():
            self.limit(desired, scope, cand.name, amount, period, label)

    def check_residency(
        self,
        cand: _Candidate,
        fields: dict[str, Value],
        origin: dict[str, Field[Any]],
        rules: list[WorkspaceRule],
    ) -> None:
        """The resulting residency (live values where the policy sets nothing) must be one
        the API accepts: the default geo inside the allowed ones unless ``unrestricted``."""
        base = dict(RESIDENCY_DEFAULTS)
        if cand.live is not None:
            base.update({k: v for k, v in cand.live.data_residency.items() if v is not None})
        allowed_f = fields.get("data_residency.allowed_inference_geos")
        default_f = fields.get("data_residency.default_inference_geo")
        allowed = allowed_f.value if allowed_f else base["allowed_inference_geos"]
        default = default_f.value if default_f else base["default_inference_geo"]
        if allowed == "unrestricted" or not isinstance(allowed, list) or default in allowed:
            return
        listed = ", ".join(sorted(set(allowed)))
        what = f"workspace `{cand.name}`"
        if allowed_f is not None:
            culprit = origin["data_residency.allowed_inference_geos"]
            source = "its live default" if default_f is None else "the default set at "
            if default_f is not None:
                source += str(default_f.source)
            message = (
                f"{what}: allowed_inference_geos [{listed}] would exclude default_inference_geo "
                f"`{default}` ({source})"
            )
            hint = f"also set default_inference_geo: {sorted(set(allowed))[0]}"
        else:
            assert default_f is not None
            culprit = origin["data_residency.default_inference_geo"]
            message = (
                f"{what}: default_inference_geo `{default}` is outside its live "
                f"allowed_inference_geos [{listed}]"
            )
            first = sorted(set(allowed))[0]
            hint = f"also set allowed_inference_geos, or set default_inference_geo: {first}"
        self.problems.append(problem(culprit.at, message, culprit.path, hint))

    def check_tag_count(
        self, cand: _Candidate, fields: dict[str, Value], origin: dict[str, Field[Any]]
    ) -> None:
        """Live tags, plus declared and rule-set ones, minus removed ones: at most 50."""
        tags = set(cand.live.tags) if cand.live else set()
        for path, value in fields.items():
            if path.startswith("tags."):
                (tags.add if value.value is not None else tags.discard)(path[5:])
        if len(tags) <= MAX_TAGS:
            return
        added = [origin[p] for p in fields if p.startswith("tags.") and p in origin]
        culprit = added[-1] if added else None
        if culprit is None:
            return  # only live tags: not this policy's doing
        self.problems.append(
            problem(
                culprit.at,
                f"workspace `{cand.name}` would have {len(tags)} tags; at most {MAX_TAGS} are "
                "allowed",
                culprit.path,
                "remove some tags, or set management.workspace_tags: authoritative",
            )
        )


def _user_matches(
    rule: UserRule, group_ids: frozenset[str] | None, lower: str, member: LiveMember
) -> bool:
    if rule.email is not None and not rule.email.value.matches(lower):
        return False
    return group_ids is None or member.id in group_ids
