"""Loading: merging files, the Policy model, semantic checks, every problem at once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest

from reconciler.errors import PolicyError
from reconciler.policy import Policy, check, load

from .builders import CONSOLE_HEAD, CONSOLE_ORG, ENTERPRISE_HEAD, ENTERPRISE_ORG, write


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def problems(root: Path, files: dict[str, str]) -> list[str]:
    write(root, files)
    result = check(["policies"])
    assert result.policy is None
    return [p.render() for p in result.errors]


def test_sections_merge_across_files(cwd: Path) -> None:
    write(
        cwd,
        {
            "policies/org.yaml": ENTERPRISE_HEAD
            + "spend_limits:\n  organization: {monthly: 50000}\n",
            "policies/tiers.yaml": (
                "spend_limits:\n  seat_tiers:\n    enterprise_standard: {monthly: 100}\n"
            ),
            "policies/users.yaml": """\
                spend_limits:
                  users:
                    Ana@Example.com: {monthly: 800.10, daily: unlimited}
                  user_rules:
                    - match: {group: research}
                      weekly: inherit
                """,
            "policies/z-rules.yaml": """\
                spend_limits:
                  user_rules:
                    - match: {email: "*@contractors.example.com"}
                      monthly: 100
                management: {users: authoritative}
                safety: {max_change_percent: 20}
                """,
        },
    )
    policy = load(["policies"])
    assert isinstance(policy, Policy)
    assert policy.files == (
        "policies/org.yaml",
        "policies/tiers.yaml",
        "policies/users.yaml",
        "policies/z-rules.yaml",
    )
    org = policy.organization
    assert (org.id, org.kind, org.currency) == (ENTERPRISE_ORG, "enterprise", "USD")
    assert str(org.source) == "policies/org.yaml:1"
    assert policy.org_limits is not None
    assert policy.org_limits.periods["monthly"].major == Decimal("50000")
    assert list(policy.seat_tiers) == ["enterprise_standard"]
    ana = policy.users["ana@example.com"]
    assert ana.name == "Ana@Example.com"
    assert ana.periods["monthly"].major == Decimal("800.10")
    assert ana.periods["daily"].kind == "unlimited"
    assert str(ana.periods["monthly"].at) == "policies/users.yaml:3:23"
    assert [r.label for r in policy.user_rules] == ["user_rules[0]", "user_rules[1]"]
    assert policy.user_rules[0].group is not None
    assert policy.user_rules[0].periods["weekly"].kind == "inherit"
    assert policy.user_rules[1].email is not None
    assert policy.user_rules[1].email.value.matches("ivan@contractors.example.com")
    assert policy.management["users"].value == "authoritative"
    assert policy.safety["max_change_percent"].value == 20
    assert policy.summary() == {
        "files": 4,
        "workspaces": 0,
        "spend_limits": 4,
        "rules": 2,
        "users": 1,
    }


def test_console_model(cwd: Path) -> None:
    write(
        cwd,
        {
            "policies/p.yaml": CONSOLE_HEAD
            + dedent("""\
                workspaces:
                  claims:
                    id: wrkspc_01
                    data_residency: {allowed_inference_geos: [us, global, us], workspace_geo: us}
                    tags: {team: claims}
                    spend_limits: {monthly: 2000}
                  old: {archived: true}
                workspace_rules:
                  - match: {name: "prod-*", tags: {regulated: "true"}}
                    data_residency: {allowed_inference_geos: unrestricted}
                """)
        },
    )
    # duplicates in the list are the schema's to report; here the list is normalised
    result = check(["policies"])
    assert [p.message for p in result.errors] == ["`us` is listed twice"]
    Path("policies/p.yaml").write_text(
        Path("policies/p.yaml").read_text().replace("[us, global, us]", "[us, global]")
    )
    policy = load(["policies"])
    claims = policy.workspaces["claims"]
    assert claims.id is not None and claims.id.value == "wrkspc_01"
    assert claims.residency["allowed_inference_geos"].value == ["global", "us"]
    assert claims.tags["team"].value == "claims"
    assert claims.limits["monthly"].major == Decimal("2000")
    assert policy.workspaces["old"].archived is not None
    rule = policy.workspace_rules[0]
    assert rule.label == "workspace_rules[0]"
    assert rule.matches("prod-eu", {"regulated": "true"})
    assert not rule.matches("prod-eu", {"regulated": "false"})
    assert not rule.matches("Prod-eu", {"regulated": "true"})  # names are case-sensitive
    assert rule.residency["allowed_inference_geos"].value == "unrestricted"


def test_an_org_id_check_happens_before_any_request(cwd: Path) -> None:
    write(cwd, {"policies/p.yaml": CONSOLE_HEAD})
    assert load(["policies"]).organization.id == CONSOLE_ORG


def test_every_problem_is_reported_at_once(cwd: Path) -> None:
    found = problems(
        cwd,
        {
            "policies/a.yaml": CONSOLE_HEAD
            + dedent("""\
                workspaces:
                  claims:
                    data_residency: {allowed_inference_geos: [us], default_inference_geo: global}
                    tags: {regulated: true, anthropic-x: "1"}
                  toolongtoolongtoolongtoolongtoolongtoolong: {}
                """),
            "policies/b.yaml": """\
                workspaces:
                  claims: {}
                spend_limits:
                  organization: {monthly: 12.345}
                  users:
                    ana@example.com: {monthly: 5}
                """,
        },
    )
    assert found == [
        "policies/a.yaml:4:75: default_inference_geo `global` is not in allowed_inference_geos "
        "[us] (path: workspaces.claims.data_residency.default_inference_geo) hint: set "
        "default_inference_geo: us, or add `global` to allowed_inference_geos",
        "policies/a.yaml:5:23: expected text, got true/false (true) "
        '(path: workspaces.claims.tags.regulated) hint: quote it: "true"',
        "policies/a.yaml:5:29: tag key `anthropic-x` is reserved: keys may not start with "
        "`anthropic` (path: workspaces.claims.tags.anthropic-x)",
        "policies/a.yaml:6:3: workspace name `toolongtoolongtoolongtoolongtoolongtoolong` is "
        "longer than 40 characters (42) "
        "(path: workspaces.toolongtoolongtoolongtoolongtoolongtoolong)",
        "policies/b.yaml:2:3: workspace `claims` is defined twice (first at "
        "policies/a.yaml:3:3) (path: workspaces.claims) hint: define each resource or setting "
        "once; sections may be split across files, their entries may not",
        "policies/b.yaml:4:27: amount `12.345`: USD amounts take at most 2 decimal places, got "
        "12.345 (path: spend_limits.organization.monthly)",
        "policies/b.yaml:5:3: `spend_limits.users` is for Enterprise organizations; this policy "
        "declares a Console organization (path: spend_limits.users) hint: remove it, or correct "
        "organization.kind",
    ]


def test_load_raises_policy_error_with_every_problem(cwd: Path) -> None:
    write(cwd, {"policies/p.yaml": "organization: {id: x, kind: y}\n"})
    with pytest.raises(PolicyError) as caught:
        load(["policies"])
    assert len(caught.value.problems) == 2
    assert str(caught.value).endswith("2 problems found.")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "user rule email glob without @",
            ENTERPRISE_HEAD
            + "spend_limits:\n  user_rules:\n    - {match: {email: example.com}, monthly: 1}\n",
            [
                "policies/p.yaml:4:23: email pattern `example.com` has no `@` and matches no "
                "address (path: spend_limits.user_rules[0].match.email) "
                "hint: did you mean `*@example.com`?"
            ],
        ),
        (
            "unlimited on a workspace",
            CONSOLE_HEAD + "workspaces:\n  w: {spend_limits: {monthly: unlimited}}\n",
            [
                "policies/p.yaml:3:31: `unlimited` is only for Enterprise user limits "
                "(path: workspaces.w.spend_limits.monthly) hint: give an amount, or `inherit` to "
                "remove the limit"
            ],
        ),
        (
            "workspace limit in a rule must be monthly in Console",
            CONSOLE_HEAD
            + "workspace_rules:\n  - {match: {name: '*'}, spend_limits: {weekly: 5}}\n",
            [
                "policies/p.yaml:3:41: Console workspace limits are monthly only "
                "(path: workspace_rules[0].spend_limits.weekly) hint: replace `weekly` with "
                "`monthly`"
            ],
        ),
        (
            "a rule's own residency must be consistent",
            CONSOLE_HEAD + "workspace_rules:\n  - match: {name: '*'}\n    data_residency:\n"
            "      allowed_inference_geos: [global]\n      default_inference_geo: us\n",
            [
                "policies/p.yaml:6:30: default_inference_geo `us` is not in "
                "allowed_inference_geos [global] "
                "(path: workspace_rules[0].data_residency.default_inference_geo) hint: set "
                "default_inference_geo: global, or add `us` to allowed_inference_geos"
            ],
        ),
        (
            "tag keys and values",
            CONSOLE_HEAD + "workspaces:\n  w:\n    tags: {'': x, ANTHROPIC_env: y}\n",
            [
                "policies/p.yaml:4:12: tag key must not be empty (path: workspaces.w.tags.)",
                "policies/p.yaml:4:19: tag key `ANTHROPIC_env` is reserved: keys may not start "
                "with `anthropic` (path: workspaces.w.tags.ANTHROPIC_env)",
            ],
        ),
    ],
)
def test_semantic_checks(cwd: Path, name: str, text: str, expected: list[str]) -> None:
    assert problems(cwd, {"policies/p.yaml": text}) == expected, name


def test_warnings_do_not_fail_loading(cwd: Path) -> None:
    write(
        cwd,
        {
            "policies/p.yaml": ENTERPRISE_HEAD
            + "spend_limits:\n  seat_tiers:\n    enterprise_premum: {monthly: 5}\n"
        },
    )
    result = check(["policies"])
    assert result.policy is not None
    assert [p.render() for p in result.warnings] == [
        "policies/p.yaml:4:5: unknown seat tier `enterprise_premum` (known: "
        "`enterprise_standard`, `enterprise_premium`) "
        "(path: spend_limits.seat_tiers.enterprise_premum) hint: did you mean "
        "`enterprise_premium`?"
    ]
    assert [w.severity for w in result.policy.warnings] == ["warning"]


def test_no_files(cwd: Path) -> None:
    (cwd / "policies").mkdir()
    result = check(["policies"])
    assert [p.render() for p in result.errors] == [
        "policies:1:1: no policy files (*.yaml, *.yml) found"
    ]


def test_unexpected_internal_failures_become_located_problems(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconciler.policy import loader

    def explode(*args: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(loader.schema, "check", explode)
    write(cwd, {"policies/p.yaml": CONSOLE_HEAD})
    result = check(["policies"])
    assert [p.render() for p in result.errors] == [
        "policies/p.yaml:1:1: cannot process this file: RuntimeError: boom"
    ]
