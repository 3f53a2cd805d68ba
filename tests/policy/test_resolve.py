"""Resolution: precedence, provenance and the checks that need the live inventory.

Snapshots are built directly: resolution is a pure function of the policy and the live
inventory, so no emulator is needed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from reconciler.desired import INHERIT, Desired
from reconciler.errors import PolicyError
from reconciler.live import LiveGroup, Snapshot
from reconciler.policy import DEFAULT_SOURCE, load, resolve

from .builders import (
    CONSOLE_HEAD,
    ENTERPRISE_HEAD,
    console_snapshot,
    enterprise_snapshot,
    member,
    write,
    ws,
)

F = "policies/p.yaml"


@pytest.fixture(autouse=True)
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(text: str, snapshot: Snapshot, **kw: Any) -> Desired:
    write(Path.cwd(), {F: text})
    return resolve(load(["policies"]), snapshot, **kw)


def errors(text: str, snapshot: Snapshot, **kw: Any) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        run(text, snapshot, **kw)
    return [p.render() for p in caught.value.problems]


def fields(desired: Desired, address: str) -> dict[str, tuple[Any, str]]:
    return {k: (v.value, str(v.source)) for k, v in desired.workspaces[address].fields.items()}


def limits(desired: Desired) -> dict[str, tuple[Any, str]]:
    return {a: (lim.amount.value, str(lim.amount.source)) for a, lim in desired.limits.items()}


def console(body: str) -> str:
    return CONSOLE_HEAD + dedent(body)


def enterprise(body: str) -> str:
    return ENTERPRISE_HEAD + dedent(body)


# --------------------------------------------------------------------------- workspaces


@dataclass
class WorkspaceCase:
    name: str
    policy: str
    address: str
    expected: dict[str, tuple[Any, str]]
    snapshot: Callable[[], Snapshot] = console_snapshot
    live_id: object = field(default=...)  # ... = not checked


WORKSPACE_CASES = [
    WorkspaceCase(
        "explicit entry beats any rule, per field",
        console("""\
            workspaces:
              research-sandbox:
                tags: {team: research-2}
            workspace_rules:
              - match: {name: "research-*"}
                tags: {team: ignored, owner: lab}
            """),
        "workspace:research-sandbox",
        {
            "name": ("research-sandbox", f"{F}:3"),
            "tags.team": ("research-2", f"{F}:4"),
            "tags.owner": ("lab", f"{F}:7 (workspace_rules[0])"),
        },
        live_id="wrkspc_research",
    ),
    WorkspaceCase(
        "among rules the first match wins, per field",
        console("""\
            workspace_rules:
              - match: {tags: {regulated: "true"}}
                data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
              - match: {name: "claims-*"}
                data_residency:
                  allowed_inference_geos: [global, us]
                  default_inference_geo: global
                tags: {tier: gold}
            """),
        "workspace:claims-processing",
        {
            "data_residency.allowed_inference_geos": (["us"], f"{F}:4 (workspace_rules[0])"),
            "data_residency.default_inference_geo": ("us", f"{F}:4 (workspace_rules[0])"),
            "tags.tier": ("gold", f"{F}:9 (workspace_rules[1])"),
        },
        live_id="wrkspc_claims",
    ),
    WorkspaceCase(
        "rules govern live workspaces no file names",
        console("""\
            workspace_rules:
              - match: {tags: {team: marketing}}
                tags: {reviewed: "yes"}
            """),
        "workspace:marketing-copy",
        {"tags.reviewed": ("yes", f"{F}:4 (workspace_rules[0])")},
        live_id="wrkspc_marketing",
    ),
    WorkspaceCase(
        "rules match the desired tags: live tags overlaid with declared ones",
        console("""\
            workspaces:
              research-sandbox:
                tags: {regulated: "true"}
            workspace_rules:
              - match: {tags: {regulated: "true", team: research}}
                data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
            """),
        "workspace:research-sandbox",
        {
            "name": ("research-sandbox", f"{F}:3"),
            "tags.regulated": ("true", f"{F}:4"),
            "data_residency.allowed_inference_geos": (["us"], f"{F}:7 (workspace_rules[0])"),
            "data_residency.default_inference_geo": ("us", f"{F}:7 (workspace_rules[0])"),
        },
        live_id="wrkspc_research",
    ),
    WorkspaceCase(
        "tags set by rules never make other rules match",
        console("""\
            workspace_rules:
              - match: {name: "legacy-*"}
                tags: {regulated: "true"}
              - match: {tags: {regulated: "true"}}
                data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
            """),
        "workspace:legacy-prototype",
        {"tags.regulated": ("true", f"{F}:4 (workspace_rules[0])")},
        live_id="wrkspc_legacy",
    ),
    WorkspaceCase(
        "a new workspace is matched by rules too",
        console("""\
            workspaces:
              fraud-detection:
                tags: {regulated: "true"}
            workspace_rules:
              - match: {tags: {regulated: "true"}}
                data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
            """),
        "workspace:fraud-detection",
        {
            "name": ("fraud-detection", f"{F}:3"),
            "tags.regulated": ("true", f"{F}:4"),
            "data_residency.allowed_inference_geos": (["us"], f"{F}:7 (workspace_rules[0])"),
            "data_residency.default_inference_geo": ("us", f"{F}:7 (workspace_rules[0])"),
        },
        live_id=None,
    ),
    WorkspaceCase(
        "an id pin turns a new name into a rename",
        console("""\
            workspaces:
              claims-2026:
                id: wrkspc_claims
            """),
        "workspace:claims-2026",
        {"name": ("claims-2026", f"{F}:3")},
        live_id="wrkspc_claims",
    ),
    WorkspaceCase(
        "a name only an archived workspace has is a create",
        console("""\
            workspaces:
              retired-pilot: {}
            """),
        "workspace:retired-pilot",
        {"name": ("retired-pilot", f"{F}:3")},
        live_id=None,
    ),
    WorkspaceCase(
        "authoritative tags: live keys nothing declares are removed, with the management line",
        console("""\
            management: {workspace_tags: authoritative}
            workspaces:
              marketing-copy:
                tags: {team: marketing}
            """),
        "workspace:marketing-copy",
        {
            "name": ("marketing-copy", f"{F}:4"),
            "tags.team": ("marketing", f"{F}:5"),
            "tags.cost-center": (None, f"{F}:2"),
        },
        live_id="wrkspc_marketing",
    ),
    WorkspaceCase(
        "allowed geos are a sorted list of unique values",
        console("""\
            workspaces:
              marketing-copy:
                data_residency: {allowed_inference_geos: [us, global], default_inference_geo: us}
            """),
        "workspace:marketing-copy",
        {
            "name": ("marketing-copy", f"{F}:3"),
            "data_residency.allowed_inference_geos": (["global", "us"], f"{F}:4"),
            "data_residency.default_inference_geo": ("us", f"{F}:4"),
        },
        live_id="wrkspc_marketing",
    ),
]


@pytest.mark.parametrize("case", WORKSPACE_CASES, ids=[c.name for c in WORKSPACE_CASES])
def test_workspace_resolution(case: WorkspaceCase) -> None:
    desired = run(case.policy, case.snapshot())
    assert fields(desired, case.address) == case.expected
    if case.live_id is not ...:
        assert desired.workspaces[case.address].live_id == case.live_id


def test_rules_never_match_the_default_or_archived_workspaces() -> None:
    desired = run(
        console("""\
            workspace_rules:
              - match: {name: "*"}
                tags: {managed: "yes"}
            """),
        console_snapshot(),
    )
    assert sorted(desired.workspaces) == [
        "workspace:claims-processing",
        "workspace:legacy-prototype",
        "workspace:marketing-copy",
        "workspace:patient-portal",
        "workspace:research-sandbox",
    ]
    assert all(w.declared is None for w in desired.workspaces.values())


def test_undeclared_workspaces_no_rule_matches_are_not_governed() -> None:
    desired = run(console("workspaces:\n  claims-processing: {}\n"), console_snapshot())
    assert list(desired.workspaces) == ["workspace:claims-processing"]
    assert str(desired.workspaces["workspace:claims-processing"].declared) == f"{F}:3"


def test_archiving() -> None:
    desired = run(
        console("""\
            workspaces:
              legacy-prototype: {archived: true}
              retired-pilot: {archived: true}
              never-existed: {archived: true}
            """),
        console_snapshot(),
    )
    legacy = desired.workspaces["workspace:legacy-prototype"]
    assert legacy.live_id == "wrkspc_legacy"
    assert legacy.archived is not None and legacy.archived.value is True
    assert str(legacy.archived.source) == f"{F}:3"
    assert "workspace:retired-pilot" not in desired.workspaces  # already archived
    assert "workspace:never-existed" not in desired.workspaces
    assert [p.render() for p in desired.warnings] == [
        f"{F}:5:19: workspace `never-existed` does not exist: `archived: true` does nothing "
        "(path: workspaces.never-existed.archived)"
    ]
    assert desired.warnings[0].severity == "warning"


def test_workspace_limits_entry_beats_rule_and_scopes_carry_ids() -> None:
    desired = run(
        console("""\
            spend_limits:
              organization: {monthly: 50000}
            workspaces:
              claims-processing:
                spend_limits: {monthly: 2500.50}
              fraud-detection:
                spend_limits: {monthly: inherit}
            workspace_rules:
              - match: {name: "*"}
                spend_limits: {monthly: 100}
            """),
        console_snapshot(),
    )
    assert limits(desired) == {
        "spend_limit:organization:monthly": ("5000000", f"{F}:3"),
        "spend_limit:workspace:claims-processing:monthly": ("250050", f"{F}:6"),
        "spend_limit:workspace:fraud-detection:monthly": (INHERIT, f"{F}:8"),
        "spend_limit:workspace:patient-portal:monthly": ("10000", f"{F}:11 (workspace_rules[0])"),
        "spend_limit:workspace:research-sandbox:monthly": ("10000", f"{F}:11 (workspace_rules[0])"),
        "spend_limit:workspace:marketing-copy:monthly": ("10000", f"{F}:11 (workspace_rules[0])"),
        "spend_limit:workspace:legacy-prototype:monthly": ("10000", f"{F}:11 (workspace_rules[0])"),
    }
    claims = desired.limits["spend_limit:workspace:claims-processing:monthly"]
    assert claims.scope == {"type": "workspace", "name": "claims-processing", "id": "wrkspc_claims"}
    assert claims.period == "monthly"
    fraud = desired.limits["spend_limit:workspace:fraud-detection:monthly"]
    assert fraud.scope == {"type": "workspace", "name": "fraud-detection", "id": None}
    assert desired.limits["spend_limit:organization:monthly"].scope == {"type": "organization"}


RESIDENCY = [
    (
        "a rule restricting allowed while the live default is global",
        console("""\
            workspace_rules:
              - match: {name: "research-*"}
                data_residency: {allowed_inference_geos: [us]}
            """),
        [
            f"{F}:4:22: workspace `research-sandbox`: allowed_inference_geos [us] would exclude "
            "default_inference_geo `global` (its live default) "
            "(path: workspace_rules[0].data_residency.allowed_inference_geos) "
            "hint: also set default_inference_geo: us"
        ],
    ),
    (
        "a declared default outside the live allowed set",
        console("""\
            workspaces:
              patient-portal:
                data_residency: {default_inference_geo: global}
            """),
        [
            f"{F}:4:22: workspace `patient-portal`: default_inference_geo `global` is outside its "
            "live allowed_inference_geos [us] "
            "(path: workspaces.patient-portal.data_residency.default_inference_geo) "
            "hint: also set allowed_inference_geos, or set default_inference_geo: us"
        ],
    ),
    (
        "an entry's default and a rule's allowed that disagree",
        console("""\
            workspaces:
              claims-processing:
                data_residency: {default_inference_geo: global}
            workspace_rules:
              - match: {tags: {regulated: "true"}}
                data_residency: {allowed_inference_geos: [us]}
            """),
        [
            f"{F}:7:22: workspace `claims-processing`: allowed_inference_geos [us] would exclude "
            f"default_inference_geo `global` (the default set at {F}:4) "
            "(path: workspace_rules[0].data_residency.allowed_inference_geos) "
            "hint: also set default_inference_geo: us",
        ],
    ),
    (
        "a new workspace restricted to us keeps the create default global",
        console("""\
            workspaces:
              fraud-detection:
                data_residency: {allowed_inference_geos: [us]}
            """),
        [
            f"{F}:4:22: workspace `fraud-detection`: allowed_inference_geos [us] would exclude "
            "default_inference_geo `global` (its live default) "
            "(path: workspaces.fraud-detection.data_residency.allowed_inference_geos) "
            "hint: also set default_inference_geo: us"
        ],
    ),
]


@pytest.mark.parametrize(("name", "policy", "expected"), RESIDENCY, ids=[r[0] for r in RESIDENCY])
def test_resulting_residency_must_be_valid(name: str, policy: str, expected: list[str]) -> None:
    assert errors(policy, console_snapshot()) == expected


WORKSPACE_ERRORS = [
    (
        "a name two active workspaces have is ambiguous",
        console("workspaces:\n  twin: {}\n"),
        console_snapshot(workspaces=[ws("wrkspc_a", "twin"), ws("wrkspc_b", "twin")]),
        [
            f"{F}:3:3: workspace name `twin` is ambiguous: 2 active workspaces have it "
            "(wrkspc_a, wrkspc_b) (path: workspaces.twin) hint: pin the one you mean with "
            "`id: wrkspc_…`"
        ],
    ),
    (
        "an id pin that matches nothing",
        console("workspaces:\n  claims:\n    id: wrkspc_nope\n"),
        console_snapshot(),
        [
            f"{F}:4:9: no workspace has id `wrkspc_nope` (path: workspaces.claims.id) "
            "hint: correct the id, or remove it to create the workspace"
        ],
    ),
    (
        "an id pin to an archived workspace",
        console("workspaces:\n  pilot:\n    id: wrkspc_retired\n"),
        console_snapshot(),
        [
            f"{F}:4:9: workspace `wrkspc_retired` (retired-pilot) is archived, and archiving is "
            "irreversible (path: workspaces.pilot.id) hint: remove the id to create a new "
            "workspace, or remove the entry"
        ],
    ),
    (
        "two entries resolving to one workspace",
        console("workspaces:\n  claims-processing: {}\n  claims-new: {id: wrkspc_claims}\n"),
        console_snapshot(),
        [
            f"{F}:4:3: workspaces `claims-processing` and `claims-new` both resolve to workspace "
            "`wrkspc_claims` (path: workspaces.claims-new) hint: declare each workspace once"
        ],
    ),
    (
        "two undeclared workspaces with one name matched by a rule",
        console("workspace_rules:\n  - {match: {name: twin}, tags: {a: b}}\n"),
        console_snapshot(workspaces=[ws("wrkspc_a", "twin"), ws("wrkspc_b", "twin")]),
        [
            f"{F}:3:5: workspace_rules[0] matches workspace `twin` (wrkspc_b), whose name "
            "another governed workspace also has (path: workspace_rules[0]) hint: rename one of "
            "them, or declare this one with an `id:` pin"
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "policy", "snapshot", "expected"),
    WORKSPACE_ERRORS,
    ids=[c[0] for c in WORKSPACE_ERRORS],
)
def test_workspace_errors(name: str, policy: str, snapshot: Snapshot, expected: list[str]) -> None:
    assert errors(policy, snapshot) == expected


# --------------------------------------------------------------------------- organization


def test_currency_must_match_the_live_billing_currency() -> None:
    assert errors(console("spend_limits:\n  organization: {monthly: 5}\n"),
                  console_snapshot(currency="EUR")) == [
        f"{F}:1:83: organization.currency is `USD`, but the organization is billed in `EUR` "
        "(path: organization.currency) hint: write currency: EUR"
    ]  # fmt: skip


def test_currency_from_the_live_rows_when_not_declared() -> None:
    text = "organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console}\n"
    text += "spend_limits:\n  organization: {monthly: 5000}\n"
    desired = run(text, console_snapshot(currency="JPY"))
    assert desired.currency == "JPY"
    assert limits(desired) == {"spend_limit:organization:monthly": ("5000", f"{F}:3")}
    # decimals are checked once the currency is known
    bad = text.replace("5000}", "5000.5}")
    assert errors(bad, console_snapshot(currency="JPY")) == [
        f"{F}:3:27: amount `5000.5`: JPY amounts take no decimals, got 5000.5 "
        "(path: spend_limits.organization.monthly)"
    ]


def test_a_live_currency_that_is_not_iso_4217_converts_nothing() -> None:
    text = "organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console}\n"
    body = "spend_limits:\n  organization: {monthly: 5}\n"
    assert errors(text + body, console_snapshot(currency="XXX")) == [
        f"{F}:1:1: the API reports the billing currency as `XXX`, which is not an active "
        "ISO 4217 currency code: amounts cannot be converted (path: organization.currency)"
    ]
    # Without amounts the currency plays no part.
    assert run(text + "workspaces: {w: {}}\n", console_snapshot(currency="XXX")).currency is None


def test_unknown_currency_with_amounts_is_an_error() -> None:
    text = "organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console}\n"
    assert run(text + "workspaces: {w: {}}\n", console_snapshot(currency=None)).currency is None
    body = "spend_limits:\n  organization: {monthly: inherit}\n"
    body += "workspaces:\n  w: {spend_limits: {monthly: 5}}\n"
    found = errors(text + body, console_snapshot(currency=None))
    assert found == [
        f"{F}:1:1: currency unknown: declare organization.currency (path: organization) "
        "hint: no live spend-limit row shows the billing currency, so amounts cannot be converted"
    ]


def test_management_and_safety_defaults_and_declarations() -> None:
    desired = run(console("management: {workspaces: authoritative}\nsafety: {min_existing: 3}\n"),
                  console_snapshot())  # fmt: skip
    assert {k: (v.value, str(v.source)) for k, v in desired.management.items()} == {
        "users": ("additive", str(DEFAULT_SOURCE)),
        "workspaces": ("authoritative", f"{F}:2"),
        "workspace_tags": ("additive", str(DEFAULT_SOURCE)),
    }
    assert {k: v.value for k, v in desired.safety.items()} == {
        "max_change_percent": 30,
        "min_existing": 3,
    }
    assert desired.mode("workspaces") == "authoritative"


# --------------------------------------------------------------------------- users and groups


USERS = enterprise("""\
    spend_limits:
      organization: {monthly: 50000}
      seat_tiers:
        enterprise_premium: {monthly: 500}
      groups:
        research: {monthly: 1500}
      users:
        Alice@Globex.example: {monthly: unlimited}
        bob@globex.example: {monthly: 900, daily: 45.5}
        carol@globex.example: {daily: inherit}
      user_rules:
        - match: {email: "*@CONTRACTORS.globex.example"}
          monthly: 250
          daily: 25
        - match: {group: research}
          monthly: 2000
          weekly: 600
        - match: {email: "*"}
          weekly: 300
    """)


def test_user_entries_and_rules_with_provenance() -> None:
    desired = run(USERS, enterprise_snapshot())
    got = limits(desired)
    assert got["spend_limit:organization:monthly"] == ("5000000", f"{F}:3")
    assert got["spend_limit:seat_tier:enterprise_premium:monthly"] == ("50000", f"{F}:5")
    assert got["spend_limit:group:research:monthly"] == ("150000", f"{F}:7")
    # explicit entries: unlimited → None, inherit → INHERIT, exact decimals
    assert got["spend_limit:user:alice@globex.example:monthly"] == (None, f"{F}:9")
    assert got["spend_limit:user:bob@globex.example:monthly"] == ("90000", f"{F}:10")
    assert got["spend_limit:user:bob@globex.example:daily"] == ("4550", f"{F}:10")
    assert got["spend_limit:user:carol@globex.example:daily"] == (INHERIT, f"{F}:11")
    # rules: email globs are case-insensitive
    assert got["spend_limit:user:ivan@contractors.globex.example:monthly"] == (
        "25000",
        f"{F}:14 (user_rules[0])",
    )
    assert got["spend_limit:user:judy@contractors.globex.example:daily"] == (
        "2500",
        f"{F}:15 (user_rules[0])",
    )
    # an explicit entry beats any rule, per period: alice's monthly is hers, her weekly the
    # research rule's (the first rule that sets weekly and matches her)
    assert got["spend_limit:user:alice@globex.example:weekly"] == (
        "60000",
        f"{F}:18 (user_rules[1])",
    )
    assert got["spend_limit:user:dan@globex.example:monthly"] == (
        "200000",
        f"{F}:17 (user_rules[1])",
    )
    # the catch-all rule reaches everyone else's weekly
    assert got["spend_limit:user:oscar@globex.example:weekly"] == (
        "30000",
        f"{F}:20 (user_rules[2])",
    )
    assert got["spend_limit:user:ivan@contractors.globex.example:weekly"] == (
        "30000",
        f"{F}:20 (user_rules[2])",
    )
    assert "spend_limit:user:oscar@globex.example:monthly" not in got
    assert len([a for a in got if a.endswith(":weekly")]) == 12

    alice = desired.limits["spend_limit:user:alice@globex.example:monthly"]
    assert alice.scope == {"type": "user", "email": "alice@globex.example", "id": "user_alice"}
    research = desired.limits["spend_limit:group:research:monthly"]
    assert research.scope == {"type": "rbac_group", "name": "research", "id": "rbac_group_research"}
    tier = desired.limits["spend_limit:seat_tier:enterprise_premium:monthly"]
    assert tier.scope == {"type": "seat_tier", "seat_tier": "enterprise_premium"}


def test_unknown_users_are_errors_or_with_skip_warnings() -> None:
    text = enterprise("""\
        spend_limits:
          users:
            alcie@globex.example: {monthly: 5}
            bob@globex.example: {monthly: 5}
        """)
    assert errors(text, enterprise_snapshot()) == [
        f"{F}:4:5: `alcie@globex.example` is not a member of the organization "
        "(path: spend_limits.users.alcie@globex.example) hint: did you mean `alice@globex.example`?"
    ]
    desired = run(text, enterprise_snapshot(), skip_unknown_users=True)
    assert list(desired.limits) == ["spend_limit:user:bob@globex.example:monthly"]
    assert [(p.severity, p.render()) for p in desired.warnings] == [
        (
            "warning",
            f"{F}:4:5: `alcie@globex.example` is not a member of the organization; its limits "
            "are skipped (path: spend_limits.users.alcie@globex.example)",
        )
    ]


GROUP_ERRORS = [
    (
        "a group limit naming no group",
        "spend_limits:\n  groups:\n    reserch: {monthly: 5}\n",
        [
            f"{F}:4:5: no RBAC group is named `reserch` (path: spend_limits.groups.reserch) "
            "hint: did you mean `research`?"
        ],
    ),
    (
        "a rule naming no group",
        "spend_limits:\n  user_rules:\n    - {match: {group: Platform}, monthly: 5}\n",
        [
            f"{F}:4:23: no RBAC group is named `Platform` "
            "(path: spend_limits.user_rules[0].match.group) hint: did you mean `platform`?"
        ],
    ),
    (
        "a name two groups have",
        "spend_limits:\n  groups:\n    twins: {monthly: 5}\n",
        [
            f"{F}:4:5: group name `twins` is ambiguous: 2 RBAC groups have it (rbac_group_1, "
            "rbac_group_2) (path: spend_limits.groups.twins) hint: rename one of the groups in "
            "claude.ai"
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "body", "expected"), GROUP_ERRORS, ids=[c[0] for c in GROUP_ERRORS]
)
def test_group_errors(name: str, body: str, expected: list[str]) -> None:
    snapshot = enterprise_snapshot()
    assert snapshot.groups is not None
    snapshot.groups += [LiveGroup("rbac_group_1", "twins"), LiveGroup("rbac_group_2", "twins")]
    assert errors(ENTERPRISE_HEAD + body, snapshot) == expected


def test_collections_not_read_are_unknown_not_empty() -> None:
    snapshot = enterprise_snapshot()
    snapshot.members = None
    snapshot.groups = None
    desired = run(USERS, snapshot)
    bob = desired.limits["spend_limit:user:bob@globex.example:monthly"]
    assert bob.scope == {"type": "user", "email": "bob@globex.example", "id": None}
    assert desired.limits["spend_limit:group:research:monthly"].scope["id"] is None
    assert not [a for a in desired.limits if "contractors" in a]  # rules need the members


def test_resolution_is_pure() -> None:
    snapshot = enterprise_snapshot()
    before = copy.deepcopy(snapshot)
    write(Path.cwd(), {F: USERS})
    policy = load(["policies"])
    first = resolve(policy, snapshot)
    second = resolve(policy, snapshot)
    assert snapshot == before
    assert limits(first) == limits(second)


def test_a_member_added_live_is_capped_by_the_rules() -> None:
    snapshot = enterprise_snapshot()
    assert snapshot.members is not None
    snapshot.members["zed@contractors.globex.example"] = member("zed@contractors.globex.example")
    got = limits(run(USERS, snapshot))
    assert got["spend_limit:user:zed@contractors.globex.example:monthly"][0] == "25000"


def test_tags_added_by_rules_count_towards_the_limit_of_50() -> None:
    live = {f"k{i:02d}": "v" for i in range(49)}
    snapshot = console_snapshot(workspaces=[ws("wrkspc_w", "w", tags=live)])
    ok = console("workspace_rules:\n  - {match: {name: w}, tags: {k00: changed, new: x}}\n")
    assert len(run(ok, snapshot).workspaces["workspace:w"].fields) == 2
    too_many = console("workspace_rules:\n  - {match: {name: w}, tags: {new: x, other: y}}\n")
    assert errors(too_many, snapshot) == [
        f"{F}:3:39: workspace `w` would have 51 tags; at most 50 are allowed "
        "(path: workspace_rules[0].tags.other) hint: remove some tags, or set "
        "management.workspace_tags: authoritative"
    ]


def test_every_amount_the_live_currency_refuses_is_reported() -> None:
    text = "organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console}\n"
    text += "spend_limits:\n  organization: {monthly: 10.5}\n"
    text += "workspaces:\n  claims-processing: {spend_limits: {monthly: 10.5}}\n"
    assert errors(text, console_snapshot(currency="JPY")) == [
        f"{F}:3:27: amount `10.5`: JPY amounts take no decimals, got 10.5 "
        "(path: spend_limits.organization.monthly)",
        f"{F}:5:47: amount `10.5`: JPY amounts take no decimals, got 10.5 "
        "(path: workspaces.claims-processing.spend_limits.monthly)",
    ]
