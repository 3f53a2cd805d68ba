"""``audit`` and the plan's residency cost end to end: the real CLI against the emulator
process over a socket, with a seed whose usage and prices make every figure computable by
hand.

Usage rows use dates relative to the emulator's today and sit well inside the windows
read (days −20 … −11 and −5 … −3 of a 30- or 7-day window ending today), so the figures
hold even if the emulator and the command see different dates around midnight.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, SEEDS
from tests.support.cli import CONSOLE_KEY, Result, invoke
from tests.support.emulator import Emulator
from tests.support.orgs import FAST_EMULATOR

ORG = "0b5c7e3a-2f41-4d8e-9c6a-1e7f3b2d4a90"
SONNET, OPUS = "claude-sonnet-4-6", "claude-opus-4-6"

SEED: dict[str, Any] = {
    "organization": {"id": ORG, "name": "Residency Co", "kind": "console", "currency": "USD"},
    "admin_keys": [{"key": CONSOLE_KEY}],
    "workspaces": [
        {
            "name": "claims",
            "data_residency": {"allowed_inference_geos": "unrestricted",
                               "default_inference_geo": "global"},
            "tags": {"regulated": "true"},
        },
        {
            "name": "portal",
            "data_residency": {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
            "tags": {"regulated": "true"},
        },
        {
            "name": "marketing",
            "data_residency": {"allowed_inference_geos": ["global", "us"],
                               "default_inference_geo": "global"},
        },
        {"name": "sandbox"},
    ],
    "usage": [
        # claims (held by the rule): global — 600 ¢ a day standard, 300 ¢ batch; 10 days.
        {"date": -20, "days": 10, "workspace": "claims", "model": SONNET,
         "inference_geo": "global", "input_tokens": 1_000_000, "output_tokens": 200_000},
        {"date": -20, "days": 10, "workspace": "claims", "model": SONNET,
         "inference_geo": "global", "service_tier": "batch", "input_tokens": 2_000_000,
         "output_tokens": 0},
        # claims: an older model that cannot be pinned (not_available): a warning.
        {"date": -15, "days": 5, "workspace": "claims", "model": "claude-haiku-4-5",
         "input_tokens": 100_000, "output_tokens": 0},
        # portal (held, compliant): us usage, and a 4.5 model (a warning, never a violation).
        {"date": -20, "days": 10, "workspace": "portal", "model": SONNET,
         "inference_geo": "us", "input_tokens": 500_000, "output_tokens": 100_000},
        {"date": -20, "days": 3, "workspace": "portal", "model": "claude-sonnet-4-5",
         "input_tokens": 10_000, "output_tokens": 0},
        # marketing (default moved to us, allowed still [global, us]): 240 ¢ a day, 10 days,
        # and 300 ¢ a day on days −5 … −3.
        {"date": -20, "days": 10, "workspace": "marketing", "model": SONNET,
         "inference_geo": "global", "input_tokens": 300_000, "output_tokens": 100_000},
        {"date": -5, "days": 3, "workspace": "marketing", "model": SONNET,
         "inference_geo": "global", "input_tokens": 1_000_000, "output_tokens": 0},
        # Not held, and the default workspace: never findings, never priced.
        {"date": -20, "days": 10, "workspace": "sandbox", "model": OPUS,
         "inference_geo": "global", "input_tokens": 7_000_000, "output_tokens": 0},
        {"date": -20, "days": 10, "model": OPUS, "inference_geo": "global",
         "input_tokens": 9_000_000, "output_tokens": 0},
    ],
    "prices": {
        SONNET: {"input": "3", "output": "15"},
        OPUS: {"input": "5", "output": "25"},
        "claude-sonnet-4-5": {"input": "3", "output": "15"},
        "claude-haiku-4-5": {"input": "1", "output": "5"},
    },
}  # fmt: skip

HEAD = f"version: 1\norganization: {{id: {ORG}, kind: console, currency: USD}}\n"
RULE = """workspace_rules:
  - match: {tags: {regulated: "true"}}
    data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
"""
MARKETING = """workspaces:
  marketing:
    data_residency: {default_inference_geo: us}
"""


@pytest.fixture
def emu(start_emulator: Callable[..., Emulator], tmp_path: Path) -> Emulator:
    seed = tmp_path / "seed.yaml"
    seed.write_text(yaml.safe_dump(SEED, sort_keys=False))
    return start_emulator(seed, *FAST_EMULATOR)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def policy(tmp_path: Path, *parts: str) -> str:
    root = tmp_path / "policies"
    root.mkdir(exist_ok=True)
    (root / "policy.yaml").write_text(HEAD + "".join(parts))
    return "policies"


def audit(emu: Emulator, *args: str) -> Result:
    return invoke(["audit", *args], url=emu.url, key=CONSOLE_KEY)


def routes(emu: Emulator) -> dict[str, int]:
    return dict(emu.stats()["by_route"])


def test_audit_finds_exactly_the_global_usage_of_held_workspaces(
    emu: Emulator, tmp_path: Path
) -> None:
    paths = policy(tmp_path, RULE)
    result = audit(emu, paths, "--format", "json", "--markdown-out", "audit.md")
    assert result.code == 2, result.err
    doc = json.loads(result.out)
    assert doc["compliant"] is False
    (violation,) = doc["violations"]
    assert violation["address"] == "workspace:claims"
    assert violation["source"] == "policies/policy.yaml:5 (workspace_rules[0])"
    assert len(violation["usage"]) == 10
    assert {u["model"] for u in violation["usage"]} == {SONNET}
    assert all(u["service_tiers"] == ["batch", "standard"] for u in violation["usage"])
    # Per day: 1,000,000 + 200,000 + 2,000,000 tokens; 600 ¢ standard + 300 ¢ batch.
    assert all(u["tokens"]["total_tokens"] == 3_200_000 for u in violation["usage"])
    assert all(float(u["cost_cents"]) == 900 for u in violation["usage"])
    assert violation["tokens"] == 32_000_000 and float(violation["cost_cents"]) == 9000
    # Warnings: the models that cannot be pinned, in both held workspaces; never violations.
    assert {(u["address"], u["model"], u["tokens"], u["days"]) for u in doc["unpinnable"]} == {
        ("workspace:claims", "claude-haiku-4-5", 500_000, 5),
        ("workspace:portal", "claude-sonnet-4-5", 30_000, 3),
    }
    statuses = {w["address"]: w["status"] for w in doc["workspaces"]}
    assert statuses == {"workspace:claims": "violation", "workspace:portal": "warning"}
    portal = next(w for w in doc["workspaces"] if w["address"] == "workspace:portal")
    assert portal["tokens"] == {"us": 6_000_000, "global": 0, "not_available": 30_000}
    assert [d["field"] for d in doc["config_drift"]] == [
        "data_residency.allowed_inference_geos",
        "data_residency.default_inference_geo",
    ]
    md = (tmp_path / "audit.md").read_text()
    assert md.startswith("### 🚨 claude-policy audit — Residency Co (console)")
    assert "| 2 | 1 | 32,000,000 | $90.00 | 2 | 2 |" in md
    # The fewest requests: /me, one workspace listing, one usage and one cost query.
    assert routes(emu) == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/workspaces": 1,
        "GET /v1/organizations/usage_report/messages": 1,
        "GET /v1/organizations/cost_report": 1,
    }


def test_audit_of_compliant_workspaces_exits_0_with_warnings(emu: Emulator, tmp_path: Path) -> None:
    paths = policy(
        tmp_path,
        "workspaces:\n  portal:\n    data_residency: "
        "{allowed_inference_geos: [us], default_inference_geo: us}\n",
    )
    result = audit(emu, paths, "--json-out", "audit.json")
    assert result.code == 0, result.err + result.out
    assert "  portal" not in result.out
    assert "  ! workspace:portal: claude-sonnet-4-5: 30,000 tokens" in result.out
    assert result.out.splitlines()[-1].startswith(
        "Compliant: no global inference in the 1 workspace(s) held to US-only inference"
    )
    doc = json.loads((tmp_path / "audit.json").read_text())
    assert doc["violations"] == [] and doc["config_drift"] == []
    assert doc["window"]["days"] == 30


def test_audit_errors_exit_1(emu: Emulator, tmp_path: Path) -> None:
    text = f"version: 1\norganization: {{id: {ORG}, kind: enterprise, currency: USD}}\n"
    (tmp_path / "ent").mkdir()
    (tmp_path / "ent" / "p.yaml").write_text(text)
    result = audit(emu, "ent")
    assert result.code == 1 and result.out == ""
    assert "only Claude Console organizations" in result.err
    assert routes(emu) == {}  # refused before any request

    other = HEAD.replace(ORG, "11111111-2222-4333-8444-555555555555") + RULE
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "p.yaml").write_text(other)
    result = audit(emu, "other")
    assert result.code == 1 and "another organization" in result.err
    assert "usage_report" not in json.dumps(routes(emu))


def plan(emu: Emulator, paths: str, *args: str) -> dict[str, Any]:
    result = invoke(["plan", paths, "--format", "json", *args], url=emu.url, key=CONSOLE_KEY)
    assert result.code == 0, result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def test_plan_residency_cost_matches_the_hand_computation(emu: Emulator, tmp_path: Path) -> None:
    paths = policy(tmp_path, RULE, MARKETING)
    doc = plan(emu, paths)
    figures = doc["residency_cost"]
    # claims: C = 10 × (600 + 300) = 9,000 ¢ → 0.10 × 9,000 × 30.4375 ÷ 30 = 913.125 ¢.
    # marketing: C = 10 × 240 + 3 × 300 = 3,300 ¢ → 0.10 × 3,300 × 30.4375 ÷ 30 = 334.8125 ¢.
    # Total 1,247.9375 ¢ = $12.479375.  (portal is already US-only: no move, no cost.)
    expected = {"workspace:claims": 9.13125, "workspace:marketing": 3.348125}
    assert set(figures["workspaces"]) == set(expected)
    for address, usd in expected.items():
        assert abs(float(figures["workspaces"][address]["monthly_increase"]) - usd) <= 0.01
    assert float(figures["workspaces"]["workspace:claims"]["global_cost_cents"]) == 9000
    assert float(figures["workspaces"]["workspace:marketing"]["global_cost_cents"]) == 3300
    assert abs(float(figures["total_monthly_increase"]) - 12.479375) <= 0.01
    assert (figures["currency"], figures["usage_days"]) == ("USD", 30)
    assert routes(emu)["GET /v1/organizations/cost_report"] == 1
    assert "GET /v1/organizations/usage_report/messages" not in routes(emu)

    text = invoke(["plan", paths], url=emu.url, key=CONSOLE_KEY).out
    assert "US-only inference: ≈ +$9.13/month (estimate, USD; $90.00 of global" in text
    assert "adds ≈ $12.48/month" in text


def test_plan_usage_days_narrows_the_window(emu: Emulator, tmp_path: Path) -> None:
    paths = policy(tmp_path, RULE, MARKETING)
    figures = plan(emu, paths, "--usage-days", "7")["residency_cost"]
    # Only marketing's days −5 … −3 are in the last 7 days: C = 900 ¢ →
    # 0.10 × 900 × 30.4375 ÷ 7 = 391.339… ¢.
    assert float(figures["workspaces"]["workspace:claims"]["global_cost_cents"]) == 0
    assert abs(float(figures["total_monthly_increase"]) - 3.91339) <= 0.01


def test_plan_without_a_residency_move_reads_no_usage(emu: Emulator, tmp_path: Path) -> None:
    paths = policy(tmp_path, "workspaces:\n  sandbox:\n    tags: {team: research}\n")
    doc = plan(emu, paths)
    assert "residency_cost" not in doc
    assert routes(emu) == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/workspaces": 1,
        "GET /v1/organizations/spend_limits": 1,
    }


# --------------------------------------------------------------------------- the sample org

PRICE_TYPES = {  # usage row count → (price key, default as a multiple of the input price)
    "input_tokens": ("input", Decimal(1)),
    "output_tokens": ("output", None),
    "cache_read_input_tokens": ("cache_read", Decimal("0.1")),
    "cache_creation_5m_input_tokens": ("cache_write_5m", Decimal("1.25")),
    "cache_creation_1h_input_tokens": ("cache_write_1h", Decimal(2)),
}


def global_cents(seed: dict[str, Any], workspace: str) -> Decimal:
    """By hand, from the seed: tokens × list price per million, halved for batch, for every
    global row of ``workspace``, times the days it repeats (all inside a 30-day window)."""
    total = Decimal(0)
    for row in seed["usage"]:
        if row.get("workspace") != workspace or row.get("inference_geo") != "global":
            continue
        prices = seed["prices"][row["model"]]
        day = Decimal(0)
        for count, (key, multiple) in PRICE_TYPES.items():
            price = Decimal(prices[key]) if key in prices else Decimal(prices["input"]) * multiple
            day += Decimal(row.get(count, 0)) * price / 1_000_000 * 100
        if row.get("service_tier") == "batch":
            day /= 2
        total += day * row.get("days", 1)
    return total


def test_the_sample_org_plan_and_audit(start_emulator: Callable[..., Emulator]) -> None:
    seed = yaml.safe_load((SEEDS / "console.yaml").read_text())
    cents = global_cents(seed, "claims-processing")
    assert cents > 0
    emu = start_emulator(SEEDS / "console.yaml", *FAST_EMULATOR)
    policies = str(REPO / "policies")

    doc = plan(emu, policies)
    claims = doc["residency_cost"]["workspaces"]["workspace:claims-processing"]
    expected = Decimal("0.10") * cents * Decimal("30.4375") / 30 / 100
    assert abs(Decimal(claims["monthly_increase"]) - expected) <= Decimal("0.01")
    assert abs(Decimal(claims["global_cost_cents"]) - cents) < Decimal("0.01")

    emu.control("POST", "reset")
    result = audit(emu, policies, "--format", "json")
    assert result.code == 2, result.err
    report = json.loads(result.out)
    assert [v["address"] for v in report["violations"]] == ["workspace:claims-processing"]
    assert abs(Decimal(report["summary"]["global_cost_cents"]) - cents) < Decimal("0.01")
    assert [u["model"] for u in report["unpinnable"]] == ["claude-haiku-4-5"]
    assert sum(routes(emu).values()) == 4
