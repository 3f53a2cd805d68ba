"""Residency cost in plans: which changes are moves to US-only inference, the formula with
hand-computed figures, the one cost read (and none without a move), and the renderings."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from reconciler.plan.model import Action, Change, Plan
from reconciler.plan.planner import PlanOptions
from reconciler.plan.render import render_markdown, render_text
from reconciler.plan.residency_cost import monthly_increase, residency_moves
from reconciler.schemas import load as load_schema
from reconciler.usage import plain
from reconciler.workflow import plan_policy
from tests.adminapi.fakes import CONSOLE_KEY, ORG_ID, make_client
from tests.audit.fakes import ReportsApi, cost_row, workspace

NOW = datetime(2026, 11, 3, 15, 0, tzinfo=timezone.utc)
OPUS = "claude-opus-4-6"


def test_the_formula_by_hand() -> None:
    # 0.10 × 12,345.6789 ¢ = 1,234.56789 ¢; × 30.4375 = 37,577.160151875 ¢ (1,234.56789 × 30
    # = 37,037.0367 plus 1,234.56789 × 0.4375 = 540.123451875); ÷ 30 days = 1,252.5720050625 ¢
    # = $12.525720050625 a month.
    assert monthly_increase(Decimal("12345.6789"), 30) == Decimal("12.525720050625")
    # 0.10 × 1,334.75 ¢ = 133.475 ¢; × 30.4375 = 4,062.6453125 ¢; ÷ 7 = 580.37790178… ¢.
    week = monthly_increase(Decimal("1334.75"), 7)
    assert abs(week - Decimal("5.8037790178")) < Decimal("1e-10")
    assert monthly_increase(Decimal(0), 30) == 0


def ws_change(action: Action, before: dict[str, Any] | None, after: dict[str, Any]) -> Change:
    def obj(residency: dict[str, Any] | None) -> dict[str, Any] | None:
        if residency is None:
            return None
        return {"name": "w", "data_residency": {"workspace_geo": "us", **residency}, "tags": {}}

    return Change(
        address="workspace:w",
        action=action,
        resource_type="workspace",
        id=None if before is None else "wrkspc_w",
        before=obj(before),
        after=obj(after),
    )


UNRESTRICTED = {"allowed_inference_geos": "unrestricted", "default_inference_geo": "global"}
US_ONLY = {"allowed_inference_geos": ["us"], "default_inference_geo": "us"}
BOTH_US = {"allowed_inference_geos": ["global", "us"], "default_inference_geo": "us"}
BOTH_GLOBAL = {"allowed_inference_geos": ["global", "us"], "default_inference_geo": "global"}


@pytest.mark.parametrize(
    ("action", "before", "after", "moves"),
    [
        (Action.UPDATE, UNRESTRICTED, US_ONLY, ("allowed_inference_geos", "default_inference_geo")),
        (Action.UPDATE, BOTH_GLOBAL, BOTH_US, ("default_inference_geo",)),
        (Action.UPDATE, BOTH_US, US_ONLY, ("allowed_inference_geos",)),
        (Action.UPDATE, US_ONLY, US_ONLY, None),  # e.g. a tag change: no move
        (Action.UPDATE, US_ONLY, UNRESTRICTED, None),  # away from US-only costs less
        (Action.CREATE, None, US_ONLY, None),  # no usage yet
        (Action.BLOCKED, UNRESTRICTED, US_ONLY, None),  # never applied
    ],
)
def test_which_changes_move_a_workspace_to_us_only(
    action: Action,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    moves: tuple[str, ...] | None,
) -> None:
    found = residency_moves([ws_change(action, before, after)])
    assert (found[0].fields if found else None) == moves


# --------------------------------------------------------------------------- through plan_policy

HEAD = f"version: 1\norganization: {{id: {ORG_ID}, kind: console, currency: USD}}\n"
MOVES = (
    HEAD
    + """workspaces:
  marketing:
    data_residency: {default_inference_geo: us}
workspace_rules:
  - match: {tags: {regulated: "true"}}
    data_residency: {allowed_inference_geos: [us], default_inference_geo: us}
"""
)


def org() -> ReportsApi:
    api = ReportsApi(kind="console")
    api.workspaces = [
        workspace("wrkspc_portal", "portal", tags={"regulated": "true"}),
        workspace("wrkspc_claims", "claims", tags={"regulated": "true"}),
        workspace("wrkspc_mkt", "marketing", ["global", "us"], "global"),
        workspace("wrkspc_sbx", "sandbox"),
        {**workspace("wrkspc_default", "Default"), "_default": True},
    ]
    api.cost = [
        cost_row("2026-10-05", "wrkspc_portal", OPUS, "global", "12000"),
        cost_row("2026-10-20", "wrkspc_portal", OPUS, "global", "345.6789"),
        cost_row("2026-10-20", "wrkspc_portal", OPUS, "us", "5000"),  # already US: no premium
        cost_row("2026-10-20", "wrkspc_portal", "claude-sonnet-4-5", "not_available", "700"),
        cost_row("2026-10-20", "wrkspc_portal", None, None, "900", cost_type="web_search"),
        cost_row("2026-10-21", "wrkspc_mkt", OPUS, "global", "1334.75"),
        cost_row("2026-10-21", "wrkspc_sbx", OPUS, "global", "99999"),  # not moved
        cost_row("2026-10-21", None, OPUS, "global", "99999"),  # the default workspace
    ]
    return api


def plan(api: ReportsApi, tmp_path: Path, text: str, usage_days: int | None = 30) -> dict[str, Any]:
    root = tmp_path / "policies"
    root.mkdir(exist_ok=True)
    (root / "p.yaml").write_text(text)
    client = make_client(api, key=CONSOLE_KEY)
    run = plan_policy([root], client, options=PlanOptions(now=NOW), usage_days=usage_days)
    return run.plan.to_document()


def test_a_plan_with_moves_reads_the_cost_report_once(tmp_path: Path) -> None:
    api = org()
    doc = plan(api, tmp_path, MOVES)
    assert api.calls == Counter(
        {"GET /me": 1, "GET /workspaces": 1, "GET /spend_limits": 1, "GET /cost_report": 1}
    )
    (cost,) = [r.url.params for r in api.requests if r.url.path.endswith("/cost_report")]
    assert (cost["starting_at"], cost["ending_at"], cost["limit"]) == (
        "2026-10-04T00:00:00Z",
        "2026-11-03T00:00:00Z",
        "31",
    )
    assert cost.get_list("group_by[]") == ["workspace_id", "description"]
    # portal: C = 12,000 + 345.6789 = 12,345.6789 ¢ → $12.5257… → $12.53 (see the formula test).
    # claims: no usage → $0.00.  marketing (default only): C = 1,334.75 ¢ → 0.10 × 1,334.75
    # × 30.4375 ÷ 30 = 135.4215104… ¢ → $1.35.  Total: $12.5257… + $1.3542… = $13.88.
    assert doc["residency_cost"] == {
        "currency": "USD",
        "usage_days": 30,
        "window": {
            "days": 30,
            "starting_at": "2026-10-04T00:00:00Z",
            "ending_at": "2026-11-03T00:00:00Z",
        },
        "estimate": True,
        "formula": "0.10 × global_cost_cents × 30.4375 ÷ usage_days ÷ 100",
        "workspaces": {
            "workspace:claims": {
                "workspace_id": "wrkspc_claims",
                "moves": ["allowed_inference_geos", "default_inference_geo"],
                "global_cost_cents": "0",
                "monthly_increase": "0.00",
            },
            "workspace:marketing": {
                "workspace_id": "wrkspc_mkt",
                "moves": ["default_inference_geo"],
                "global_cost_cents": "1334.75",
                "monthly_increase": "1.35",
            },
            "workspace:portal": {
                "workspace_id": "wrkspc_portal",
                "moves": ["allowed_inference_geos", "default_inference_geo"],
                "global_cost_cents": "12345.6789",
                "monthly_increase": "12.53",
            },
        },
        "total_monthly_increase": "13.88",
    }
    assert doc["notes"] == [
        "Residency cost (estimate, USD): moving 3 workspace(s) to US-only inference adds "
        "≈ $13.88/month — 10% of $136.80 of global token usage in the last 30 day(s), scaled "
        "to 30.4375 days."
    ]
    assert any("explicitly are refused" in w and "workspace:portal" in w for w in doc["warnings"])
    assert Plan.from_document(doc).to_document() == doc  # the typed figures round-trip


def test_usage_days_sets_the_window_and_scales_the_estimate(tmp_path: Path) -> None:
    api = org()
    api.cost.append(cost_row("2026-10-30", "wrkspc_mkt", OPUS, "global", "1334.75"))
    doc = plan(api, tmp_path, MOVES, usage_days=7)
    (cost,) = [r.url.params for r in api.requests if r.url.path.endswith("/cost_report")]
    assert (cost["starting_at"], cost["ending_at"]) == (
        "2026-10-27T00:00:00Z",
        "2026-11-03T00:00:00Z",
    )
    figures = doc["residency_cost"]
    assert figures["usage_days"] == 7
    # Only the 2026-10-30 row is in the window: 0.10 × 1,334.75 × 30.4375 ÷ 7 = 580.3779… ¢.
    assert figures["workspaces"]["workspace:marketing"]["monthly_increase"] == "5.80"
    assert figures["workspaces"]["workspace:portal"]["global_cost_cents"] == "0"
    assert figures["total_monthly_increase"] == "5.80"


def test_no_move_no_usage_read(tmp_path: Path) -> None:
    api = org()
    text = HEAD + "workspaces:\n  sandbox:\n    tags: {team: research}\n"
    doc = plan(api, tmp_path, text)
    assert [c["address"] for c in doc["changes"]] == ["workspace:sandbox"]
    assert "GET /cost_report" not in api.calls and "GET /usage_report/messages" not in api.calls
    assert "residency_cost" not in doc and "notes" not in doc


def test_without_usage_days_nothing_is_read(tmp_path: Path) -> None:
    api = org()
    doc = plan(api, tmp_path, MOVES, usage_days=None)
    assert "GET /cost_report" not in api.calls and "residency_cost" not in doc


def test_an_unreadable_cost_report_is_a_warning_and_the_plan_stands(tmp_path: Path) -> None:
    api = org()
    api.report_status = 403
    doc = plan(api, tmp_path, MOVES)
    assert doc["summary"]["update"] == 3 and "residency_cost" not in doc
    assert any(w.startswith("residency cost not estimated:") for w in doc["warnings"])


def test_the_renderings_show_the_cost_on_the_change_and_the_total(tmp_path: Path) -> None:
    doc = plan(org(), tmp_path, MOVES)
    text = render_text(Plan.from_document(doc))
    block = text.split("  ~ workspace:portal (wrkspc_portal) will be updated in place\n")[1]
    assert block.split("\n\n")[0].splitlines()[-1] == (
        "      US-only inference: ≈ +$12.53/month (estimate, USD; $123.46 of global token "
        "usage in the last 30 day(s))"
    )
    assert "adds ≈ $13.88/month" in text
    md = render_markdown(Plan.from_document(doc))
    assert "_US-only inference: ≈ +$1.35/month (estimate, USD; $13.35 of global" in md
    assert "adds ≈ $13.88/month" in md


def test_the_figures_follow_the_plan_schema(tmp_path: Path) -> None:
    api = org()
    api.cost.append(cost_row("2026-10-21", "wrkspc_portal", OPUS, "global", "0.0000001"))
    doc = plan(api, tmp_path, MOVES)
    portal = doc["residency_cost"]["workspaces"]["workspace:portal"]
    assert portal["global_cost_cents"] == "12345.6789001"  # positional, never 1E-7
    assert list(Draft202012Validator(load_schema("plan")).iter_errors(doc)) == []
    assert plain(Decimal("1E-7")) == "0.0000001"
