"""``drift``, ``import`` and ``explain`` end to end against the emulator process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS
from tests.support.cli import CONSOLE_KEY, ENTERPRISE_KEY, invoke
from tests.support.emulator import Emulator
from tests.support.orgs import FAST_EMULATOR

SCALE = FAST_EMULATOR
ENTERPRISE_POLICY = str(REPO / "examples" / "enterprise")
CONSOLE_POLICY = str(REPO / "policies")


@pytest.fixture
def console(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator(SEEDS / "console.yaml", *SCALE)


@pytest.fixture
def enterprise(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator(SEEDS / "enterprise.yaml", *SCALE)


def apply(emu: Emulator, key: str, policy: str) -> None:
    result = invoke(["apply", "--policies", policy, "--auto-approve"], url=emu.url, key=key)
    assert result.code == 0, result.out + result.err


# --------------------------------------------------------------------------- drift


def test_drift_exit_codes_and_groups(enterprise: Emulator, tmp_path: Path) -> None:
    before = invoke(["drift", ENTERPRISE_POLICY], url=enterprise.url, key=ENTERPRISE_KEY)
    assert before.code == 2 and "Fixable (apply would fix it):" in before.out
    apply(enterprise, ENTERPRISE_KEY, ENTERPRISE_POLICY)
    clean = invoke(["drift", ENTERPRISE_POLICY], url=enterprise.url, key=ENTERPRISE_KEY)
    assert clean.code == 0, clean.out + clean.err
    assert clean.out.endswith("In sync: the organization matches the policy.\n")

    # Out-of-band edits: a seat-tier cap changed in claude.ai (verify-only) and a
    # contractor's override lowered by hand.
    tier = {
        "scope": {"type": "seat_tier", "seat_tier": "enterprise_standard"},
        "period": "monthly",
        "amount": "12000",
    }
    assert enterprise.control("POST", "spend_limits", json=tier).status_code == 200
    user = {
        "scope": {"type": "user", "email": "judy@contractors.globex.example"},
        "period": "monthly",
        "amount": "100",
    }
    assert enterprise.control("POST", "spend_limits", json=user).status_code == 200

    json_out, md_out = tmp_path / "drift.json", tmp_path / "drift.md"
    drift = invoke(
        [
            "drift",
            ENTERPRISE_POLICY,
            "--format",
            "json",
            "--json-out",
            str(json_out),
            "--markdown-out",
            str(md_out),
        ],
        url=enterprise.url,
        key=ENTERPRISE_KEY,
    )
    assert drift.code == 2, drift.err
    doc = drift.json()
    assert doc == json.loads(json_out.read_text())
    assert doc["summary"] == {
        "fixable": 1,
        "manual": 1,
        "blocked": 0,
        "acknowledged": 0,
        "expired_acknowledgements": 0,
    }
    assert [c["address"] for c in doc["fixable"]] == [
        "spend_limit:user:judy@contractors.globex.example:monthly"
    ]
    assert [c["address"] for c in doc["manual"]] == [
        "spend_limit:seat_tier:enterprise_standard:monthly"
    ]
    assert "| 1 | 1 | 0 | 0 |" in md_out.read_text()

    ack = tmp_path / "ack.yaml"
    ack.write_text(
        "acknowledgements:\n"
        '  - address: "spend_limit:seat_tier:*"\n'
        '    reason: "tier caps move to claude.ai next quarter"\n'
        "    expires: 2999-01-31\n"
        '  - {address: "spend_limit:user:judy*", reason: "old", expires: 2020-01-01}\n'
    )
    acked = invoke(
        ["drift", ENTERPRISE_POLICY, "--ack", str(ack), "--format", "json"],
        url=enterprise.url,
        key=ENTERPRISE_KEY,
    )
    assert acked.code == 2  # the expired acknowledgement no longer silences judy's drift
    summary = acked.json()["summary"]
    assert (summary["manual"], summary["fixable"], summary["acknowledged"]) == (0, 1, 1)
    assert summary["expired_acknowledgements"] == 1


def test_drift_sees_workspaces_made_by_hand(console: Emulator) -> None:
    apply(console, CONSOLE_KEY, CONSOLE_POLICY)
    assert invoke(["drift", CONSOLE_POLICY], url=console.url, key=CONSOLE_KEY).code == 0
    made = {"name": "claims-backfill", "tags": {"regulated": "true"}}
    assert console.control("POST", "workspaces", json=made).status_code == 200
    drift = invoke(["drift", CONSOLE_POLICY, "--format", "json"], url=console.url, key=CONSOLE_KEY)
    assert drift.code == 2
    (change,) = drift.json()["fixable"]
    assert change["address"] == "workspace:claims-backfill"
    assert {f["path"] for f in change["fields"]} == {
        "data_residency.allowed_inference_geos",
        "data_residency.default_inference_geo",
    }


def test_drift_error_exit_1(console: Emulator, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("acknowledgements: nope\n")
    result = invoke(["drift", CONSOLE_POLICY, "--ack", str(bad)], url=console.url, key=CONSOLE_KEY)
    assert result.code == 1
    assert "must be a list" in result.err


# --------------------------------------------------------------------------- import


@pytest.mark.parametrize(
    ("seed", "key", "files"),
    [
        (
            "console.yaml",
            CONSOLE_KEY,
            ["organization.yaml", "spend_limits.yaml", "workspaces.yaml"],
        ),
        ("enterprise.yaml", ENTERPRISE_KEY, ["organization.yaml", "spend_limits.yaml"]),
    ],
)
def test_import_round_trips(
    start_emulator: Callable[..., Emulator], tmp_path: Path, seed: str, key: str, files: list[str]
) -> None:
    emu = start_emulator(SEEDS / seed, *SCALE)
    out = tmp_path / "imported"
    result = invoke(["import", "--out", str(out)], url=emu.url, key=key)
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == sorted(files)
    assert invoke(["validate", str(out)]).code == 0
    plan = invoke(["plan", str(out), "--detailed-exitcode"], url=emu.url, key=key)
    assert plan.code == 0, plan.out + plan.err
    assert "No changes." in plan.out
    again = invoke(["import", "--out", str(out)], url=emu.url, key=key)
    assert again.code == 1 and "refusing to overwrite" in again.err
    single = invoke(["import"], url=emu.url, key=key)
    assert single.code == 0 and single.out.count("\norganization:\n") == 1
    one = tmp_path / "one" / "policy.yaml"
    one.parent.mkdir()
    one.write_text(single.out)
    assert invoke(["plan", str(one.parent), "--detailed-exitcode"], url=emu.url, key=key).code == 0


def test_import_marks_verify_only_and_unlimited(enterprise: Emulator) -> None:
    text = invoke(["import"], url=enterprise.url, key=ENTERPRISE_KEY).out
    assert "alice@globex.example: {monthly: unlimited}" in text
    assert "seat_tiers:  # verify-only" in text
    assert "users: additive" in text


# --------------------------------------------------------------------------- explain


def test_explain_member_against_the_effective_report(enterprise: Emulator) -> None:
    result = invoke(
        ["explain", "bob@globex.example", ENTERPRISE_POLICY, "--format", "json"],
        url=enterprise.url,
        key=ENTERPRISE_KEY,
    )
    assert result.code == 0, result.err
    doc = result.json()
    monthly = next(e for e in doc["entries"] if e["address"].endswith(":monthly"))
    assert monthly["desired"]["amount"] == "90000"
    assert monthly["desired"]["source"].endswith("users.yaml:9")
    assert monthly["live"]["amount"] == "75000"
    assert monthly["action"] == "update"
    (eff,) = doc["effective"]
    assert eff["amount"] == "75000" and eff["source"]["type"] == "user"
    assert eff["spend"] == "61000"
    assert eff["agrees_with_policy"] is False  # the policy's $900 is not applied yet

    text = invoke(
        ["explain", "ivan@contractors.globex.example", ENTERPRISE_POLICY],
        url=enterprise.url,
        key=ENTERPRISE_KEY,
    ).out
    assert "rules.yaml:10 (user_rules[0])" in text
    assert "spent so far $150.00" in text


def test_explain_workspace_and_address(console: Emulator) -> None:
    text = invoke(
        ["explain", "claims-processing", CONSOLE_POLICY], url=console.url, key=CONSOLE_KEY
    )
    assert text.code == 0, text.err
    assert "(workspace_rules[0])" in text.out
    assert "spend_limit:workspace:claims-processing:monthly" in text.out
    bad = invoke(["explain", "spend_limit:bogus:x"], url=console.url, key=CONSOLE_KEY)
    assert bad.code == 64
