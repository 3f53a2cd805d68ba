"""Workspaces (Console): which live workspace each entry names, which workspaces rules
govern, and the fields, residency and limits the policy wants for each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler import addresses
from reconciler.desired import Desired, DesiredWorkspace, Value
from reconciler.live import RESIDENCY_DEFAULTS, LiveWorkspace
from reconciler.policy.amounts import Amount
from reconciler.policy.model import Field, WorkspaceEntry, WorkspaceRule
from reconciler.policy.resolve.context import Context
from reconciler.policy.semantics import problem, warning

MAX_TAGS = 50


@dataclass
class Candidate:
    """A workspace the policy may govern: declared, or live and open to rules."""

    address: str
    name: str  # desired name
    live: LiveWorkspace | None
    entry: WorkspaceEntry | None


@dataclass(frozen=True)
class Named:
    """What a declared entry names: ``skip`` it (a problem or warning is recorded, or there
    is nothing to do), or the ``live`` workspace (``None``: it is to be created)."""

    skip: bool = False
    live: LiveWorkspace | None = None


SKIP = Named(skip=True)
NEW = Named()


@dataclass
class _LiveIndex:
    by_id: dict[str, LiveWorkspace]
    active: dict[str, list[LiveWorkspace]] = field(default_factory=dict)  # by name
    archived: dict[str, list[LiveWorkspace]] = field(default_factory=dict)  # by name


def workspaces(ctx: Context, desired: Desired) -> None:
    """Resolve every declared entry to its live workspace, then govern each candidate
    (declared, or live and not claimed by an entry)."""
    live = [w for w in ctx.snapshot.workspaces or [] if not w.is_default]
    index = _LiveIndex(by_id={w.id: w for w in ctx.snapshot.workspaces or []})
    for w in live:
        (index.archived if w.archived else index.active).setdefault(w.name, []).append(w)
    claimed: dict[str, str] = {}  # live id → declared name
    candidates = [
        candidate
        for name, entry in ctx.policy.workspaces.items()
        if (candidate := _declared(ctx, desired, name, entry, index, claimed)) is not None
    ]
    for w in live:
        if not w.archived and w.id not in claimed:
            candidates.append(Candidate(addresses.workspace(w.name), w.name, w, None))
    for candidate in candidates:
        resolve_workspace(ctx, desired, candidate)


def _declared(
    ctx: Context,
    desired: Desired,
    name: str,
    entry: WorkspaceEntry,
    index: _LiveIndex,
    claimed: dict[str, str],
) -> Candidate | None:
    """The candidate a declared entry makes (``None``: skipped, or only archived)."""
    found = named_workspace(ctx, name, entry, index)
    if found.skip:
        return None
    if found.live is not None:
        other = claimed.get(found.live.id)
        if other is not None:
            ctx.problems.append(
                problem(
                    entry.at,
                    f"workspaces `{other}` and `{name}` both resolve to workspace "
                    f"`{found.live.id}`",
                    entry.path,
                    "declare each workspace once",
                )
            )
            return None
        claimed[found.live.id] = name
    address = addresses.workspace(name)
    if entry.archived is None or not entry.archived.value:
        return Candidate(address, name, found.live, entry)
    if found.live is not None:
        desired.workspaces[address] = DesiredWorkspace(
            address=address,
            name=name,
            live_id=found.live.id,
            archived=Value(True, entry.archived.source()),
            declared=entry.source(),
        )
    return None


def named_workspace(ctx: Context, name: str, entry: WorkspaceEntry, index: _LiveIndex) -> Named:
    """The live workspace an entry names: by its ``id:`` pin, else by its name."""
    if entry.id is not None:
        return _by_id(ctx, name, entry, index)
    archiving = entry.archived is not None and entry.archived.value
    same = index.active.get(name, [])
    if len(same) > 1:
        ids = ", ".join(w.id for w in same)
        ctx.problems.append(
            problem(
                entry.at,
                f"workspace name `{name}` is ambiguous: {len(same)} active workspaces have it "
                f"({ids})",
                entry.path,
                "pin the one you mean with `id: wrkspc_…`",
            )
        )
        return SKIP
    if same:
        return Named(live=same[0])
    if archiving:
        return SKIP if name in index.archived else _nothing_to_archive(ctx, name, entry)
    return NEW


def _by_id(ctx: Context, name: str, entry: WorkspaceEntry, index: _LiveIndex) -> Named:
    assert entry.id is not None
    archiving = entry.archived is not None and entry.archived.value
    pin = entry.id
    found = index.by_id.get(pin.value)
    if found is None:
        if archiving:
            return _nothing_to_archive(ctx, name, entry)
        ctx.problems.append(
            problem(
                pin.mark,
                f"no workspace has id `{pin.value}`",
                pin.path,
                "correct the id, or remove it to create the workspace",
            )
        )
        return SKIP
    if found.is_default:
        ctx.problems.append(problem(pin.mark, "the default workspace cannot be managed", pin.path))
        return SKIP
    if found.archived:
        if not archiving:  # archiving an archived workspace: nothing to do
            ctx.problems.append(
                problem(
                    pin.mark,
                    f"workspace `{found.id}` ({found.name}) is archived, and archiving is "
                    "irreversible",
                    pin.path,
                    "remove the id to create a new workspace, or remove the entry",
                )
            )
        return SKIP
    return Named(live=found)


def _nothing_to_archive(ctx: Context, name: str, entry: WorkspaceEntry) -> Named:
    assert entry.archived is not None
    ctx.warnings.append(
        warning(
            entry.archived.at,
            f"workspace `{name}` does not exist: `archived: true` does nothing",
            entry.archived.path,
        )
    )
    return SKIP


# --------------------------------------------------------------------------- one workspace


@dataclass
class _Fields:
    """The desired fields of one workspace and the policy field that set each."""

    values: dict[str, Value] = field(default_factory=dict)
    origin: dict[str, Field[Any]] = field(default_factory=dict)

    def take(self, path: str, found: Field[Any], rule: WorkspaceRule | None) -> None:
        self.values[path] = Value(found.value, found.source(rule.label if rule else None))
        self.origin[path] = found

    def take_unset(self, path: str, found: Field[Any], rule: WorkspaceRule) -> None:
        if path not in self.values:
            self.take(path, found, rule)


def resolve_workspace(ctx: Context, desired: Desired, candidate: Candidate) -> None:
    """The desired state of a workspace an entry declares or rules match: its fields (the
    entry first, then the first rule to set each) and its limits."""
    entry = candidate.entry
    live_tags = dict(candidate.live.tags) if candidate.live else {}
    declared_tags = {k: f.value for k, f in entry.tags.items()} if entry else {}
    match_tags = {**live_tags, **declared_tags}
    rules = [r for r in ctx.policy.workspace_rules if r.matches(candidate.name, match_tags)]
    if entry is None and not rules:
        return  # not governed: no entry, no rule
    if entry is None and candidate.address in desired.workspaces:
        _name_taken(ctx, candidate, rules[0])
        return
    fields = _desired_fields(desired, candidate, rules)
    check_residency(ctx, candidate, fields.values, fields.origin)
    check_tag_count(ctx, candidate, fields.values, fields.origin)
    desired.workspaces[candidate.address] = DesiredWorkspace(
        address=candidate.address,
        name=candidate.name,
        live_id=candidate.live.id if candidate.live else None,
        fields=fields.values,
        declared=entry.source() if entry else None,
    )
    _workspace_limits(ctx, desired, candidate, rules)


def _name_taken(ctx: Context, candidate: Candidate, rule: WorkspaceRule) -> None:
    ctx.problems.append(
        problem(
            rule.at,
            f"{rule.label} matches workspace `{candidate.name}` "
            f"({candidate.live.id if candidate.live else 'new'}), whose name another governed "
            "workspace also has",
            rule.path,
            "rename one of them, or declare this one with an `id:` pin",
        )
    )


def _desired_fields(desired: Desired, candidate: Candidate, rules: list[WorkspaceRule]) -> _Fields:
    fields = _Fields()
    entry = candidate.entry
    if entry is not None:
        fields.take("name", Field(candidate.name, entry.at, entry.at, entry.path), None)
        for key, found in entry.residency.items():
            fields.take(f"data_residency.{key}", found, None)
        for key, tag in entry.tags.items():
            fields.take(f"tags.{key}", tag, None)
    for rule in rules:
        for key, found in rule.residency.items():
            fields.take_unset(f"data_residency.{key}", found, rule)
        for key, tag in rule.tags.items():
            fields.take_unset(f"tags.{key}", tag, rule)
    if candidate.live is not None and desired.mode("workspace_tags") == "authoritative":
        mode = desired.management["workspace_tags"]
        for key in candidate.live.tags:
            fields.values.setdefault(f"tags.{key}", Value(None, mode.source))
    return fields


def _workspace_limits(
    ctx: Context, desired: Desired, candidate: Candidate, rules: list[WorkspaceRule]
) -> None:
    live_id = candidate.live.id if candidate.live else None
    scope = {"type": "workspace", "name": candidate.name, "id": live_id}
    periods: dict[str, tuple[Amount, str | None]] = {}
    if candidate.entry is not None:
        periods.update((p, (a, None)) for p, a in candidate.entry.limits.items())
    for rule in rules:
        for period, amount in rule.limits.items():
            periods.setdefault(period, (amount, rule.label))
    for period, (amount, label) in periods.items():
        ctx.add_limit(desired, scope, candidate.name, amount, period, label)


def check_residency(
    ctx: Context, candidate: Candidate, fields: dict[str, Value], origin: dict[str, Field[Any]]
) -> None:
    """The resulting residency (live values where the policy sets nothing) must be one
    the API accepts: the default geo inside the allowed ones unless ``unrestricted``."""
    base = dict(RESIDENCY_DEFAULTS)
    if candidate.live is not None:
        base.update({k: v for k, v in candidate.live.data_residency.items() if v is not None})
    allowed_f = fields.get("data_residency.allowed_inference_geos")
    default_f = fields.get("data_residency.default_inference_geo")
    allowed = allowed_f.value if allowed_f else base["allowed_inference_geos"]
    default = default_f.value if default_f else base["default_inference_geo"]
    if allowed == "unrestricted" or not isinstance(allowed, list) or default in allowed:
        return
    listed = ", ".join(sorted(set(allowed)))
    first = sorted(set(allowed))[0]
    what = f"workspace `{candidate.name}`"
    if allowed_f is not None:
        culprit = origin["data_residency.allowed_inference_geos"]
        source = (
            "its live default" if default_f is None else f"the default set at {default_f.source}"
        )
        message = (
            f"{what}: allowed_inference_geos [{listed}] would exclude default_inference_geo "
            f"`{default}` ({source})"
        )
        hint = f"also set default_inference_geo: {first}"
    else:
        culprit = origin["data_residency.default_inference_geo"]
        message = (
            f"{what}: default_inference_geo `{default}` is outside its live "
            f"allowed_inference_geos [{listed}]"
        )
        hint = f"also set allowed_inference_geos, or set default_inference_geo: {first}"
    ctx.problems.append(problem(culprit.at, message, culprit.path, hint))


def check_tag_count(
    ctx: Context, candidate: Candidate, fields: dict[str, Value], origin: dict[str, Field[Any]]
) -> None:
    """Live tags, plus declared and rule-set ones, minus removed ones: at most 50."""
    tags = set(candidate.live.tags) if candidate.live else set()
    for path, value in fields.items():
        if path.startswith("tags."):
            (tags.add if value.value is not None else tags.discard)(path[5:])
    if len(tags) <= MAX_TAGS:
        return
    added = [origin[p] for p in fields if p.startswith("tags.") and p in origin]
    if not added:
        return  # only live tags: not this policy's doing
    culprit = added[-1]
    ctx.problems.append(
        problem(
            culprit.at,
            f"workspace `{candidate.name}` would have {len(tags)} tags; at most {MAX_TAGS} are "
            "allowed",
            culprit.path,
            "remove some tags, or set management.workspace_tags: authoritative",
        )
    )
