"""``audit_policy`` against a fake Console organization: who is held, what is found, the
reads it sends, and the document and renderings it produces."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from reconciler.audit.render import render_json, render_markdown, render_text
from reconciler.errors import PolicyError, ReconcilerError
from reconciler.workflow import audit_policy
from tests.adminapi.fakes import CONSOLE_KEY, ORG_ID, make_client
from tests.audit.fakes import ReportsApi, cost_row, usage_row, workspace

NOW = datetime(2026, 11, 3, 15, 0, tzinfo=timezone.utc)  # window 2026-10-04 .. 2026-11-03
OPUS, SONNET_45, HAIKU_45 = "claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5"

POLICY = f"""version: 1
organization: {{id: {ORG_ID}, kind: console}}
workspaces:
  claims:
    data_residency: {{allowed_inference_geos: [us], default_inference_geo: us}}
    spend_limits: {{monthly: 100}}
  brand-new:
    data_residency: {{allowed_inference_geos: [us], default_inference_geo: us}}
  marketing:
    data_residency: {{allowed_inference_geos: [global, us], default_inference_geo: us}}
workspace_rules:
  - match: {{tags: {{regulated: "true"}}}}
    data_residency: {{allowed_inference_geos: [us], default_inference_geo: us}}
    spend_limits: {{monthly: 500}}
"""


def org() -> ReportsApi:
    api = ReportsApi(kind="console")
    api.workspaces = [
        workspace("wrkspc_claims", "claims", ["us"], "us"),
        workspace("wrkspc_portal", "portal", tags={"regulated": "true"}),
        workspace("wrkspc_mkt", "marketing", ["global", "us"], "global"),
        workspace("wrkspc_sbx", "sandbox"),
        workspace(
            "wrkspc_old",
            "old-regulated",
            tags={"regulated": "true"},
            archived_at="2026-06-01T00:00:00Z",
        ),
        {**workspace("wrkspc_default", "Default"), "_default": True},
    ]
    api.usage = [
        # claims: compliant us usage, and an older model that cannot be pinned.
        usage_row("2026-10-10", "wrkspc_claims", OPUS, "us", input=1000, output=500),
        usage_row("2026-10-10", "wrkspc_claims", SONNET_45, "not_available", input=300),
        usage_row("2026-10-12", "wrkspc_claims", SONNET_45, "not_available", output=200),
        # portal (held by the rule): global usage on two days — the violation.
        usage_row(
            "2026-10-05",
            "wrkspc_portal",
            OPUS,
            "global",
            input=1_000_000,
            output=200_000,
            cache_read=50_000,
            cache_5m=7,
            cache_1h=3,
        ),
        usage_row("2026-10-05", "wrkspc_portal", OPUS, "global", output=10, tier="batch"),
        usage_row("2026-10-06", "wrkspc_portal", OPUS, "global", input=40),
        usage_row("2026-10-06", "wrkspc_portal", HAIKU_45, "global", input=9),  # guard
        usage_row("2026-10-06", "wrkspc_portal", OPUS, "global"),  # no tokens: nothing
        usage_row("2026-10-07", "wrkspc_portal", OPUS, "mars", input=11),  # unknown geo
        # not held, or never governed: ignored whatever the geo.
        usage_row("2026-10-05", "wrkspc_mkt", OPUS, "global", input=77),
        usage_row("2026-10-05", "wrkspc_sbx", OPUS, "global", input=88),
        usage_row("2026-10-05", "wrkspc_old", OPUS, "global", input=99),
        usage_row("2026-10-05", None, OPUS, "global", input=66),
    ]
    api.cost = [
        cost_row("2026-10-05", "wrkspc_portal", OPUS, "global", "1234.5"),
        cost_row("2026-10-05", "wrkspc_portal", OPUS, "global", "0.123456"),
        cost_row("2026-10-06", "wrkspc_portal", OPUS, "global", "100.25"),
        cost_row("2026-10-06", "wrkspc_portal", HAIKU_45, "global", "3"),
        cost_row("2026-10-06", "wrkspc_portal", OPUS, "global", "0"),
        cost_row("2026-10-05", "wrkspc_portal", None, None, "40", cost_type="web_search"),
        cost_row("2026-10-10", "wrkspc_claims", OPUS, "us", "12"),
        cost_row("2026-10-10", "wrkspc_claims", SONNET_45, "not_available", "4.5"),
        cost_row("2026-10-05", "wrkspc_sbx", OPUS, "global", "999"),
        cost_row("2026-10-05", None, OPUS, "global", "999"),
    ]
    return api


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # provenance paths are relative to the current directory


def write(tmp_path: Path, text: str = POLICY) -> Path:
    root = tmp_path / "policies"
    root.mkdir()
    (root / "policy.yaml").write_text(text)
    return root


def run(api: ReportsApi, root: Path, days: int = 30) -> dict[str, Any]:
    client = make_client(api, key=CONSOLE_KEY)
    report = audit_policy([root], client, days=days, now=NOW)
    doc = report.to_document()
    assert report.violated is (not doc["compliant"])
    return doc


def test_reads_four_requests_and_no_spend_limits(tmp_path: Path) -> None:
    api = org()
    run(api, write(tmp_path))
    assert api.calls == Counter(
        {
            "GET /me": 1,
            "GET /workspaces": 1,
            "GET /usage_report/messages": 1,
            "GET /cost_report": 1,
        }
    )
    usage = next(r for r in api.requests if "usage_report" in r.url.path).url.params
    assert usage.get_list("group_by[]") == [
        "workspace_id",
        "model",
        "inference_geo",
        "service_tier",
    ]
    assert (usage["starting_at"], usage["ending_at"], usage["limit"]) == (
        "2026-10-04T00:00:00Z",
        "2026-11-03T00:00:00Z",
        "31",
    )
    cost = next(r for r in api.requests if "cost_report" in r.url.path).url.params
    assert cost.get_list("group_by[]") == ["workspace_id", "description"]
    assert cost["limit"] == "31"


def test_violations_are_exactly_the_global_usage_of_held_workspaces(tmp_path: Path) -> None:
    doc = run(org(), write(tmp_path))
    assert doc["compliant"] is False
    (violation,) = doc["violations"]
    assert violation["address"] == "workspace:portal"
    assert violation["source"] == "policies/policy.yaml:13 (workspace_rules[0])"
    usage = violation["usage"]
    assert [(u["date"], u["model"]) for u in usage] == [("2026-10-05", OPUS), ("2026-10-06", OPUS)]
    first = usage[0]
    assert first["tokens"] == {
        "uncached_input_tokens": 1_000_000,
        "cache_read_input_tokens": 50_000,
        "cache_creation_input_tokens": 10,
        "output_tokens": 200_010,
        "total_tokens": 1_250_020,
    }
    assert first["service_tiers"] == ["batch", "standard"]
    assert first["cost_cents"] == "1234.623456"
    assert usage[1]["tokens"]["total_tokens"] == 40 and usage[1]["cost_cents"] == "100.25"
    assert violation["tokens"] == 1_250_060
    assert violation["cost_cents"] == "1334.873456"
    assert doc["summary"] == {
        "held": 3,
        "violations": 1,
        "violation_rows": 2,
        "global_tokens": 1_250_060,
        "global_cost_cents": "1334.873456",
        "unpinnable": 2,
        "config_drift": 2,
    }


def test_unpinnable_models_are_warnings_never_violations(tmp_path: Path) -> None:
    doc = run(org(), write(tmp_path))
    assert doc["unpinnable"] == [
        {
            "address": "workspace:claims",
            "workspace_id": "wrkspc_claims",
            "model": SONNET_45,
            "tokens": 500,
            "cost_cents": "4.5",
            "days": 2,
            "first_date": "2026-10-10",
            "last_date": "2026-10-12",
        },
        {
            "address": "workspace:portal",
            "workspace_id": "wrkspc_portal",
            "model": HAIKU_45,  # a "global" row on a 4.5 model: the guard keeps it a warning
            "tokens": 9,
            "cost_cents": "3",
            "days": 1,
            "first_date": "2026-10-06",
            "last_date": "2026-10-06",
        },
    ]
    statuses = {w["address"]: w["status"] for w in doc["workspaces"]}
    assert statuses == {
        "workspace:brand-new": "not_created",
        "workspace:claims": "warning",
        "workspace:portal": "violation",
    }
    claims = next(w for w in doc["workspaces"] if w["address"] == "workspace:claims")
    assert claims["tokens"] == {"us": 1500, "global": 0, "not_available": 500}
    assert any("'mars'" in w and "workspace:portal" in w for w in doc["warnings"])


def test_config_drift_is_noted_for_held_workspaces_only(tmp_path: Path) -> None:
    doc = run(org(), write(tmp_path))
    assert doc["config_drift"] == [
        {
            "address": "workspace:portal",
            "workspace_id": "wrkspc_portal",
            "field": "data_residency.allowed_inference_geos",
            "live": "unrestricted",
            "wanted": ["us"],
        },
        {
            "address": "workspace:portal",
            "workspace_id": "wrkspc_portal",
            "field": "data_residency.default_inference_geo",
            "live": "global",
            "wanted": "us",
        },
    ]


def test_a_clean_organization_is_compliant(tmp_path: Path) -> None:
    api = org()
    api.usage = [u for u in api.usage if u["workspace_id"] != "wrkspc_portal"]
    api.cost = [c for c in api.cost if c["workspace_id"] != "wrkspc_portal"]
    doc = run(api, write(tmp_path))
    assert doc["compliant"] is True and doc["violations"] == []
    assert render_text(doc).splitlines()[-1].startswith("Compliant: no global inference in the 3")


def test_nothing_held_reads_no_usage(tmp_path: Path) -> None:
    api = org()
    text = f"version: 1\norganization: {{id: {ORG_ID}, kind: console}}\n"
    doc = run(api, write(tmp_path, text))
    assert api.calls == Counter({"GET /me": 1, "GET /workspaces": 1})
    assert doc["compliant"] is True and doc["summary"]["held"] == 0
    assert "Nothing to audit" in render_text(doc)


def test_only_workspaces_to_be_created_reads_no_usage(tmp_path: Path) -> None:
    api = org()
    text = POLICY.split("  claims:")[0] + (
        "  brand-new:\n    data_residency: {allowed_inference_geos: [us], "
        "default_inference_geo: us}\n"
    )
    doc = run(api, write(tmp_path, text))
    assert api.calls == Counter({"GET /me": 1, "GET /workspaces": 1})
    assert [w["status"] for w in doc["workspaces"]] == ["not_created"]
    assert doc["notes"] == ["no workspace held to US-only inference exists yet: nothing was read"]


def test_an_enterprise_policy_is_refused_before_any_request(tmp_path: Path) -> None:
    api = org()
    text = f"version: 1\norganization: {{id: {ORG_ID}, kind: enterprise, currency: USD}}\n"
    with pytest.raises(ReconcilerError, match="only Claude Console organizations"):
        run(api, write(tmp_path, text))
    assert api.total == 0


def test_resolution_problems_stop_the_audit_like_plan(tmp_path: Path) -> None:
    text = (
        f"version: 1\norganization: {{id: {ORG_ID}, kind: console}}\n"
        "workspace_rules:\n  - match: {name: sandbox}\n"
        "    data_residency: {allowed_inference_geos: [us]}\n"
    )
    with pytest.raises(PolicyError, match="also set default_inference_geo: us"):
        run(org(), write(tmp_path, text))


def test_renderings(tmp_path: Path) -> None:
    doc = run(org(), write(tmp_path))
    text = render_text(doc)
    assert "Window: 2026-10-04 through 2026-11-02 (the last 30 whole days, UTC)" in text
    assert (
        "  x workspace:portal (wrkspc_portal): 1,250,060 tokens, $13.35    "
        "# policies/policy.yaml:13 (workspace_rules[0])"
    ) in text
    assert "2026-10-05  claude-opus-4-6" in text and "batch, standard" in text
    assert "  ! workspace:claims: claude-sonnet-4-5: 500 tokens, $0.04 on 2 day(s)" in text
    drift = '  ~ workspace:portal: data_residency.allowed_inference_geos: "unrestricted" → ["us"]'
    assert drift in text
    assert text.splitlines()[-1] == (
        "Violations: 1 of 3 workspace(s) held to US-only inference ran 1,250,060 tokens "
        "($13.35) on global inference in the last 30 day(s); 2 warning(s) (models that cannot "
        "be pinned), 2 setting(s) drifted."
    )
    md = render_markdown(doc)
    assert md.startswith("### 🚨 claude-policy audit — Acme (console)")
    assert "| 3 | 1 | 1,250,060 | $13.35 | 2 | 2 |" in md
    assert "| `workspace:portal` | 2026-10-05 | `claude-opus-4-6` | 1,250,020 | $12.35 |" in md

    assert json.loads(render_json(doc)) == doc


def test_markdown_stays_under_the_comment_limit(tmp_path: Path) -> None:
    api = org()
    api.usage += [
        usage_row(f"2026-10-{d:02d}", "wrkspc_portal", f"claude-opus-{m}", "global", input=1)
        for d in range(4, 32)
        for m in range(5, 60)
    ]
    doc = run(api, write(tmp_path))
    md = render_markdown(doc, limit=20_000)
    assert len(md) <= 20_000
    assert "more row(s) not shown here (comment size limit)" in md
    assert "Configuration drift: 2" in md  # the sections after the rows survive
