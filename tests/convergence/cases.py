"""Generated (seed, policy) pairs for the convergence properties, and what each may touch.

A :class:`Case` is an emulator seed and a policy document, both plain data, valid by
construction (the policy only names members, groups and workspaces the seed has, sets
residency as consistent pairs, keeps workspace caps under the organization's), so that
every plan is one apply can carry out.  What a case *may* change is worked out here from
the seed and the policy alone — never from the tool's own resolution — by
:func:`console_selection` and :func:`enterprise_selection`.

Console cases cover: live workspaces with tags and residency (some archived), explicit
entries by name and by id pin (renames), new workspaces (with ``workspace_geo``),
archives, workspace rules on name globs and tags (residency, tags, spend limits),
``management.workspaces`` / ``workspace_tags`` additive or authoritative, organization and
workspace caps, ``inherit``.

Enterprise cases cover: members in two domains with seat tiers, RBAC groups, live
overrides per period (amounts, explicit no-limit), organization and seat-tier rows,
explicit entries (amounts, ``unlimited``, ``inherit``, emails in any case), user rules on
email globs and groups, ``management.users`` additive or authoritative.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

CONSOLE_ORG = "8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37"
ENTERPRISE_ORG = "5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10"
CONSOLE_KEY = "sk-ant-admin01-convergence-console-key"
ENTERPRISE_KEY = "sk-ant-api01-convergence-enterprise-key"
PERIODS = ("daily", "weekly", "monthly")

LIVE_NAMES = ("alpha", "beta", "gamma", "delta", "echo")
NEW_NAMES = ("new-one", "new-two")
RESIDENCIES: tuple[dict[str, Any], ...] = (
    {"allowed_inference_geos": "unrestricted", "default_inference_geo": "global"},
    {"allowed_inference_geos": "unrestricted", "default_inference_geo": "us"},
    {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
    {"allowed_inference_geos": ["global", "us"], "default_inference_geo": "global"},
    {"allowed_inference_geos": ["global"], "default_inference_geo": "global"},
)
TAG_VALUES = {"team": ("claims", "risk"), "regulated": ("true", "false"), "env": ("prod", "dev")}
NAME_GLOBS = ("*", "a*", "*a", "*e*", "new-*", "renamed-*")
WORKSPACE_CAPS = ("10000", "50000", "100000")  # cents, all under the organization's
ORG_CAP = "1000000"  # $10,000.00

MEMBERS = (
    "ana@example.com",
    "ben@example.com",
    "cai@contractors.example.com",
    "dee@example.com",
    "eli@contractors.example.com",
    "fay@example.com",
)
GROUPS = ("research", "platform")
EMAIL_GLOBS = ("*@*", "*@contractors.example.com", "*@example.com", "a*@*", "*e*@*")
LIVE_AMOUNTS: tuple[str | None, ...] = ("0", "500", "5000", "25000", None)
DOLLARS = (0, 5, 50, 250)


@dataclass
class Case:
    kind: str
    key: str
    seed: dict[str, Any]
    policy: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        import json

        return (
            f"Case({self.kind})\nseed = {json.dumps(self.seed, indent=1)}\n"
            f"policy = {json.dumps(self.policy, indent=1)}"
        )


def _ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}_conv{n:02d}AbCdEfGhIjKlMnOpQrStUv" for n in range(count)]


# --------------------------------------------------------------------------- Console

tags_strategy = st.dictionaries(
    st.sampled_from(sorted(TAG_VALUES)),
    st.sampled_from(("claims", "risk", "true", "false", "prod", "dev")),
    max_size=2,
)


@st.composite
def console_cases(draw: st.DrawFn) -> Case:
    names = draw(st.lists(st.sampled_from(LIVE_NAMES), unique=True, max_size=4))
    ids = _ids("wrkspc", len(names) + 1)
    live: list[dict[str, Any]] = []
    for name, wid in zip(names, ids, strict=False):
        live.append(
            {
                "id": wid,
                "name": name,
                "data_residency": {"workspace_geo": "us", **draw(st.sampled_from(RESIDENCIES))},
                "tags": draw(tags_strategy),
            }
        )
    spare = [n for n in LIVE_NAMES if n not in names]
    archived: list[dict[str, Any]] = []
    if spare and draw(st.booleans()):
        archived.append({"id": ids[-1], "name": spare[0], "archived": True})
    org_row = draw(st.booleans())
    limits: list[dict[str, Any]] = []
    if org_row:
        limits.append({"scope": {"type": "organization"}, "period": "monthly", "amount": ORG_CAP})
    for ws in live:
        if draw(st.booleans()):
            limits.append(
                {
                    "scope": {"type": "workspace", "workspace_id": ws["id"]},
                    "period": "monthly",
                    "amount": draw(st.sampled_from(WORKSPACE_CAPS)),
                }
            )
    seed = {
        "organization": {
            "id": CONSOLE_ORG,
            "name": "Convergence Console",
            "kind": "console",
            "currency": "USD",
        },
        "admin_keys": [{"key": CONSOLE_KEY}],
        "users": [{"email": "admin@example.com", "name": "Admin", "role": "admin"}],
        "workspaces": [*live, *archived],
        "spend_limits": limits,
    }

    workspaces: dict[str, Any] = {}
    for ws in live:
        how = draw(st.sampled_from(("skip", "name", "pin", "rename", "archive")))
        if how == "skip":
            continue
        if how == "archive":
            workspaces[ws["name"]] = {"archived": True}
            continue
        entry: dict[str, Any] = {}
        name = ws["name"]
        if how in ("pin", "rename"):
            entry["id"] = ws["id"]
            if how == "rename":
                name = f"renamed-{ws['name']}"
        entry.update(_console_fields(draw, new=False))
        workspaces[name] = entry
    for name in draw(st.lists(st.sampled_from(NEW_NAMES), unique=True, max_size=2)):
        workspaces[name] = _console_fields(draw, new=True)

    rules = []
    for _ in range(draw(st.integers(0, 2))):
        match: dict[str, Any] = {}
        if draw(st.booleans()):
            match["name"] = draw(st.sampled_from(NAME_GLOBS))
        if not match or draw(st.booleans()):
            match["tags"] = {"regulated": "true"}
        rule: dict[str, Any] = {"match": match}
        rule.update(_console_rule_fields(draw))
        rules.append(rule)

    policy: dict[str, Any] = {
        "version": 1,
        "organization": {"id": CONSOLE_ORG, "kind": "console", "currency": "USD"},
        "management": {
            "workspaces": draw(st.sampled_from(("additive", "authoritative"))),
            "workspace_tags": draw(st.sampled_from(("additive", "authoritative"))),
        },
        "safety": {"max_change_percent": 100},
    }
    org_policy = draw(st.sampled_from((None, 10000, 20000)))
    if org_policy is not None:
        policy["spend_limits"] = {"organization": {"monthly": org_policy}}
    if workspaces:
        policy["workspaces"] = workspaces
    if rules:
        policy["workspace_rules"] = rules
    return Case("console", CONSOLE_KEY, seed, policy)


def _console_fields(draw: st.DrawFn, *, new: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        residency = dict(draw(st.sampled_from(RESIDENCIES)))
        if new and draw(st.booleans()):
            residency["workspace_geo"] = "us"
        fields["data_residency"] = residency
    tags = draw(tags_strategy)
    if tags:
        fields["tags"] = tags
    cap = draw(st.sampled_from((None, 100, 500, "inherit") if not new else (None, 100, 500)))
    if cap is not None:
        fields["spend_limits"] = {"monthly": cap}
    return fields


def _console_rule_fields(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    while not fields:
        if draw(st.booleans()):
            fields["data_residency"] = dict(draw(st.sampled_from(RESIDENCIES)))
        if draw(st.booleans()):
            fields["tags"] = {"env": draw(st.sampled_from(("prod", "dev")))}
        if draw(st.booleans()):
            fields["spend_limits"] = {"monthly": draw(st.sampled_from((50, 200)))}
    return fields


@dataclass
class ConsoleSelection:
    workspace_ids: set[str]  # live workspaces the policy governs (entry or rule)
    new_names: set[str]  # names the policy may create
    archivable: set[str]  # live ids declared `archived: true`
    org_row: bool  # the organization row is declared


def console_selection(case: Case) -> ConsoleSelection:
    """What the policy selects, from the seed and the policy only (SPEC §3)."""
    policy = case.policy
    active = [w for w in case.seed["workspaces"] if not w.get("archived")]
    by_name = {w["name"]: w for w in active}
    by_id = {w["id"]: w for w in active}
    ids: set[str] = set()
    archivable: set[str] = set()
    new_names: set[str] = set()
    for name, entry in (policy.get("workspaces") or {}).items():
        target = by_id.get(entry["id"]) if "id" in entry else by_name.get(name)
        if target is None:
            if not entry.get("archived"):
                new_names.add(name)
            continue
        ids.add(target["id"])
        if entry.get("archived"):
            archivable.add(target["id"])
    declared = set(ids)
    for ws in active:
        if ws["id"] in declared:
            continue
        for rule in policy.get("workspace_rules") or []:
            match = rule["match"]
            if "name" in match and not fnmatch.fnmatchcase(ws["name"], match["name"]):
                continue
            if any(ws["tags"].get(k) != v for k, v in (match.get("tags") or {}).items()):
                continue
            ids.add(ws["id"])
    org = "organization" in (policy.get("spend_limits") or {})
    return ConsoleSelection(ids, new_names, archivable, org)


# --------------------------------------------------------------------------- Enterprise


@st.composite
def enterprise_cases(draw: st.DrawFn) -> Case:
    members = list(draw(st.lists(st.sampled_from(MEMBERS), unique=True, min_size=1)))
    members.sort()
    user_ids = dict(zip(members, _ids("user", len(members)), strict=True))
    users = [
        {
            "id": user_ids[email],
            "email": email,
            "name": email.split("@")[0].title(),
            "role": "user",
            "seat_tier": draw(st.sampled_from(("enterprise_standard", "enterprise_premium"))),
        }
        for email in members
    ]
    groups = []
    for name in draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=2)):
        groups.append(
            {"name": name, "members": draw(st.lists(st.sampled_from(members), unique=True))}
        )
    limits: list[dict[str, Any]] = []
    for period in PERIODS:
        if draw(st.booleans()):
            limits.append({"scope": {"type": "organization"}, "period": period, "amount": "900000"})
    if draw(st.booleans()):
        limits.append(
            {
                "scope": {"type": "seat_tier", "seat_tier": "enterprise_standard"},
                "period": "monthly",
                "amount": "20000",
            }
        )
    for email in members:
        for period in PERIODS:
            if draw(st.integers(0, 3)) == 0:
                limits.append(
                    {
                        "scope": {"type": "user", "email": email},
                        "period": period,
                        "amount": draw(st.sampled_from(LIVE_AMOUNTS)),
                    }
                )
    seed = {
        "organization": {
            "id": ENTERPRISE_ORG,
            "name": "Convergence Enterprise",
            "kind": "enterprise",
            "currency": "USD",
            "extra_usage_enabled": True,
            "spend_limits_api": True,
        },
        "admin_keys": [
            {
                "key": ENTERPRISE_KEY,
                "scopes": [
                    "read:spend_limits",
                    "write:spend_limits",
                    "read:members",
                    "read:rbac_groups",
                ],
            }
        ],
        "users": users,
        "rbac_groups": groups,
        "spend_limits": limits,
    }

    entries: dict[str, Any] = {}
    for email in draw(st.lists(st.sampled_from(members), unique=True)):
        periods = draw(
            st.dictionaries(
                st.sampled_from(PERIODS),
                st.sampled_from((*DOLLARS, "unlimited", "inherit")),
                min_size=1,
            )
        )
        spelled = draw(st.sampled_from((email, email.upper(), email.title())))
        entries[spelled] = periods
    rules = []
    for _ in range(draw(st.integers(0, 3))):
        match: dict[str, Any] = {}
        if not groups or draw(st.booleans()):
            match["email"] = draw(st.sampled_from(EMAIL_GLOBS))
        if groups and (not match or draw(st.booleans())):
            match["group"] = draw(st.sampled_from([g["name"] for g in groups]))
        rule: dict[str, Any] = {"match": match}
        rule.update(
            draw(
                st.dictionaries(
                    st.sampled_from(PERIODS),
                    st.sampled_from((*DOLLARS, "unlimited")),
                    min_size=1,
                )
            )
        )
        rules.append(rule)
    spend_limits: dict[str, Any] = {}
    if entries:
        spend_limits["users"] = entries
    if rules:
        spend_limits["user_rules"] = rules
    if draw(st.booleans()):  # verify-only: at most a manual change, never a write
        spend_limits["organization"] = {"monthly": draw(st.sampled_from((9000, 5000)))}
    policy: dict[str, Any] = {
        "version": 1,
        "organization": {"id": ENTERPRISE_ORG, "kind": "enterprise", "currency": "USD"},
        "management": {"users": draw(st.sampled_from(("additive", "authoritative")))},
        "safety": {"max_change_percent": 100},
    }
    if spend_limits:
        policy["spend_limits"] = spend_limits
    return Case("enterprise", ENTERPRISE_KEY, seed, policy)


def enterprise_selection(case: Case) -> set[tuple[str, str]] | None:
    """The (member email, period) user rows the policy selects; None = every user row
    (``management.users: authoritative``)."""
    policy = case.policy
    if policy["management"]["users"] == "authoritative":
        return None
    limits = policy.get("spend_limits") or {}
    selected: set[tuple[str, str]] = set()
    for email, periods in (limits.get("users") or {}).items():
        selected |= {(email.lower(), p) for p in periods}
    groups = {g["name"]: set(g["members"]) for g in case.seed["rbac_groups"]}
    for rule in limits.get("user_rules") or []:
        match = rule["match"]
        for user in case.seed["users"]:
            email = user["email"]
            if "email" in match and not fnmatch.fnmatchcase(email, match["email"].lower()):
                continue
            if "group" in match and email not in groups.get(match["group"], set()):
                continue
            selected |= {(email, p) for p in PERIODS if p in rule}
    return selected
