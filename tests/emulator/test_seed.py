"""Seeds (SPEC §8): the examples, deterministic ids, ``generate:``, and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import group
from reconciler.emulator import SeedError, load_seed, seed_from_text
from reconciler.emulator.effective import resolve
from tests.emulator.conftest import SEEDS

MINIMAL = """\
organization: {id: 0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e, name: Tiny, kind: enterprise}
admin_keys: [{key: sk-ant-api01-tiny, scopes: [read:members]}]
users: [{email: a@tiny.example}, {email: b@tiny.example, role: owner}]
"""


@pytest.mark.parametrize("name", ["console", "enterprise", "enterprise-50k", "console-100"])
def test_example_seeds_load(name: str) -> None:
    store = load_seed(SEEDS / f"{name}.yaml").build()
    assert store.users


def test_ids_are_the_same_on_every_build() -> None:
    seed = load_seed(SEEDS / "enterprise.yaml")
    first, second = seed.build(), seed.build()
    assert list(first.users) == list(second.users)
    assert list(first.limits) == list(second.limits)
    assert list(first.requests) == list(second.requests)
    again = load_seed(SEEDS / "enterprise.yaml").build()
    assert list(again.groups) == list(first.groups)
    for user_id in first.users:
        assert user_id.startswith("user_") and len(user_id) == 29


def test_defaults_fill_in() -> None:
    store = seed_from_text(MINIMAL).build()
    alice = store.user_with_email("a@tiny.example")
    assert alice is not None
    assert (alice.name, alice.role, alice.seat_tier) == ("A", "user", "enterprise_standard")
    assert store.org.currency == "USD" and store.org.spend_limits_api is True


def test_generate_users_overrides_and_workspaces() -> None:
    text = MINIMAL + "generate: {users: 60, user_overrides: 55}\n"
    store = seed_from_text(text).build()
    assert len(store.users) == 62
    first = store.user_with_email("user00001@example.com")
    second = store.user_with_email("user00002@example.com")
    fiftieth = store.user_with_email("user00050@example.com")
    sixtieth = store.user_with_email("user00060@example.com")
    assert first and second and fiftieth and sixtieth
    assert (first.seat_tier, second.seat_tier) == ("enterprise_standard", "enterprise_premium")
    assert (first.name, first.role) == ("User 00001", "user")
    amounts = {
        user.email: getattr(resolve(store, user, "monthly"), "amount", None)
        for user in (first, second, fiftieth, sixtieth)
    }
    assert amounts == {
        "user00001@example.com": "10100",
        "user00002@example.com": "10200",
        "user00050@example.com": "10000",
        "user00060@example.com": None,
    }
    console = seed_from_text(
        "organization: {name: C, kind: console}\n"
        "admin_keys: [{key: sk-ant-admin01-c}]\n"
        "generate: {workspaces: 3, usage_days: 30}\n"
    ).build()
    names = sorted(w.name for w in console.workspaces.values() if not w.is_default)
    assert names == ["ws-001", "ws-002", "ws-003"]
    assert console.usage_days == 30


def test_usage_and_prices_are_kept() -> None:
    text = (
        "organization: {name: C, kind: console}\n"
        "admin_keys: [{key: sk-ant-admin01-c}]\n"
        "workspaces: [{name: claims}]\n"
        "usage:\n"
        "  - {date: 2026-11-01, workspace: claims, model: claude-opus-4-6,\n"
        "     inference_geo: global, service_tier: standard,\n"
        "     input_tokens: 1200000, output_tokens: 300000}\n"
        "prices: {claude-opus-4-6: {input: '5.00', output: 25}}\n"
    )
    store = seed_from_text(text).build()
    (event,) = store.usage
    (claims,) = [w for w in store.workspaces.values() if w.name == "claims"]
    assert event.at == 1_793_534_400  # 2026-11-01T12:00:00Z
    assert (event.workspace_id, event.inference_geo, event.uncached_input_tokens) == (
        claims.id,
        "global",
        1_200_000,
    )
    assert store.prices == {"claude-opus-4-6": {"input": "5.00", "output": "25"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            MINIMAL.replace("{email: a@tiny.example}", "{emial: a@tiny.example}"),
            "<seed>:3:10: users[0].emial: unknown key 'emial'",
            id="unknown-key",
        ),
        pytest.param(
            MINIMAL + "colour: red\n",
            "<seed>:4:1: colour: unknown key 'colour'",
            id="unknown-top-level-key",
        ),
        pytest.param(MINIMAL + "users: []\n", "duplicate key 'users'", id="duplicate-key"),
        pytest.param(
            MINIMAL.replace("admin_keys: [{key: sk-ant-api01-tiny, scopes: [read:members]}]\n", ""),
            "(top level): 'admin_keys' is a required key",
            id="no-keys",
        ),
        pytest.param(
            MINIMAL + "rbac_groups: [{name: g, members: [c@tiny.example]}]\n",
            "<seed>:4:35: rbac_groups[0].members[0]: c@tiny.example is not a member",
            id="unknown-member",
        ),
        pytest.param(
            MINIMAL + "spend_limits: [{scope: {type: user, email: z@tiny.example}, amount: '1'}]\n",
            "spend_limits[0].scope.email: z@tiny.example is not a member",
            id="unknown-limit-email",
        ),
        pytest.param(
            MINIMAL + "rbac_groups: [{name: g}, {name: g}]\n",
            "rbac_groups[1].name: there is already a group named 'g'",
            id="duplicate-group",
        ),
        pytest.param(
            MINIMAL.replace("sk-ant-api01-tiny", "sk-ant-admin01-tiny"),
            "enterprise org keys start with sk-ant-api01-",
            id="key-prefix-vs-kind",
        ),
        pytest.param(
            MINIMAL.replace("a@tiny.example}", "a@tiny.example, role: developer}"),
            "users[0].role: 'developer' is not a role in enterprise orgs",
            id="console-role",
        ),
        pytest.param(
            MINIMAL + "users: []\n".replace("users: []", "workspaces: [{name: w}]"),
            "workspaces[0]: workspaces exist only in Console orgs",
            id="enterprise-workspace",
        ),
        pytest.param(
            MINIMAL + "generate: {users: 2, user_overrides: 3}\n",
            "generate.user_overrides: cannot be more than the generated users",
            id="too-many-overrides",
        ),
        pytest.param(
            MINIMAL + "spend_limits: [{scope: {type: organization}, amount: '007'}]\n",
            "spend_limits[0].amount: '007' does not match",
            id="leading-zeros",
        ),
        pytest.param(
            MINIMAL
            + "spend_limits: [{scope: {type: organization}, amount: '1'},\n"
            + "               {scope: {type: organization}, period: monthly, amount: '2'}]\n",
            "spend_limits[1]: a second spend limit for the same scope and period",
            id="duplicate-limit",
        ),
        pytest.param(
            MINIMAL + "spend_limits: [{scope: {type: seat_tier}, amount: '1'}]\n",
            "a seat_tier scope needs exactly one of seat_tier",
            id="scope-without-target",
        ),
        pytest.param(
            MINIMAL + "increase_requests: [{email: a@tiny.example}, {email: a@tiny.example}]\n",
            "increase_requests[1]: a@tiny.example already has a pending request",
            id="two-pending",
        ),
        pytest.param("organization: [\n", "not valid YAML", id="broken-yaml"),
    ],
)
def test_seed_errors_are_located(text: str, message: str) -> None:
    with pytest.raises(SeedError) as info:
        seed_from_text(text).build()
    assert message in str(info.value)


def test_json_seeds_are_read_as_json(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(
        '{"organization": {"name": "J", "kind": "console"},'
        ' "admin_keys": [{"key": "sk-ant-admin01-j"}], "workspaces": [{"name": "w", "x": 1}]}'
    )
    with pytest.raises(SeedError, match=r"workspaces\[0\]\.x: unknown key 'x'"):
        load_seed(path)


def test_the_command_reports_seed_errors_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL + "rbac_groups: [{name: g, members: [c@tiny.example]}]\n")
    result = CliRunner().invoke(group, ["emulator", "--seed", str(bad), "--port", "0"])
    assert result.exit_code == 1
    assert "c@tiny.example is not a member" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(group, ["emulator", "--seed", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_non_loopback_hosts_are_refused(host: str) -> None:
    result = CliRunner().invoke(
        group, ["emulator", "--seed", str(SEEDS / "console.yaml"), "--host", host]
    )
    assert result.exit_code == 64  # a usage error
    assert "loopback" in result.output or "not an IP address" in result.output


def test_seed_or_state_is_required() -> None:
    result = CliRunner().invoke(group, ["emulator"])
    assert result.exit_code == 64 and "--seed is required" in result.output
