"""Console figures from hand-made report rows: the join, exact totals, the US-only
premium, the default workspace, held workspaces' global share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reconciler.adminapi.reports import Bucket, CostResult, UsageResult
from reconciler.audit.held import HeldWorkspace
from reconciler.live import LiveWorkspace
from reconciler.report import days_window
from reconciler.report.console import build_console, premium_of
from tests.report.builders import NOW

SONNET, HAIKU = "claude-sonnet-4-6", "claude-haiku-4-5"
WINDOW = days_window(3, NOW)  # 2026-11-29, 2026-11-30, 2026-12-01
WORKSPACES = [
    LiveWorkspace("wrkspc_a", "alpha", {}, {}, archived=False),
    LiveWorkspace("wrkspc_b", "beta", {}, {}, archived=False),
    LiveWorkspace("wrkspc_d", "Default", {}, {}, archived=False, is_default=True),
]
HELD = [
    HeldWorkspace("workspace:alpha", "alpha", "wrkspc_a", "p.yaml:3"),
    HeldWorkspace("workspace:new", "new", None, "p.yaml:9"),
]


def usage(day: str, *rows: UsageResult) -> Bucket[UsageResult]:
    return Bucket(f"{day}T00:00:00Z", None, rows)


def cost(day: str, *rows: CostResult) -> Bucket[CostResult]:
    return Bucket(f"{day}T00:00:00Z", None, rows)


def u(ws: str | None, model: str, geo: str, **counts: int) -> UsageResult:
    return UsageResult(workspace_id=ws, model=model, inference_geo=geo, **counts)


def c(ws: str | None, amount: str, model: str | None = None, geo: str | None = None) -> CostResult:
    kind = "tokens" if model else "web_search"
    return CostResult(Decimal(amount), "USD", ws, "d", kind, model, None, None, None, geo)


def figures() -> dict[str, Any]:
    usage_buckets = [
        usage(
            "2026-11-29",
            u("wrkspc_a", SONNET, "global", uncached_input_tokens=1000, output_tokens=100),
            u("wrkspc_a", SONNET, "us", uncached_input_tokens=3000),
            u(None, HAIKU, "not_available", uncached_input_tokens=50),
        ),
        usage("2026-11-30"),  # an empty day
        usage(
            "2026-12-01",
            u(
                "wrkspc_b",
                SONNET,
                "us",
                cache_read_input_tokens=700,
                cache_creation_1h_input_tokens=9,
            ),
            u("wrkspc_b", SONNET, "global", service_tier="priority", output_tokens=40),
        ),
        # Outside the window asked for: never counted.
        usage("2026-12-02", u("wrkspc_a", SONNET, "global", uncached_input_tokens=999_999)),
    ]
    cost_buckets = [
        cost(
            "2026-11-29",
            c("wrkspc_a", "12.345678", SONNET, "global"),
            c("wrkspc_a", "33.000001", SONNET, "us"),
            c(None, "0.05", HAIKU, "not_available"),
        ),
        cost("2026-11-30", c("wrkspc_b", "4", None, None)),  # web search, no model or geo
        cost("2026-12-01", c("wrkspc_b", "1.1", SONNET, "us"), c("wrkspc_b", "0")),
        cost("2026-12-02", c("wrkspc_a", "1000", SONNET, "global")),
    ]
    return build_console(WINDOW, WORKSPACES, HELD, usage_buckets, cost_buckets).to_json()


def test_totals_are_the_cost_rows_summed_exactly() -> None:
    doc = figures()
    t = doc["totals"]
    # 12.345678 + 33.000001 + 0.05 + 4 + 1.1 (the row outside the window left out).
    assert t["cost_cents"] == "50.495679"
    assert t["token_cost_cents"] == "46.495679" and t["other_cost_cents"] == "4"
    assert t["tokens"]["total_tokens"] == 1000 + 100 + 3000 + 50 + 700 + 9 + 40
    assert sum(Decimal(r["cost_cents"]) for r in doc["rows"]) == Decimal("50.495679")


def test_the_premium_is_a_tenth_of_the_global_price_on_us_rows_of_priced_models() -> None:
    doc = figures()
    # us rows of a 1.1×-priced model: 33.000001 + 1.1 cents; premium = cost − cost ÷ 1.1.
    assert doc["totals"]["us_premium_base_cents"] == "34.100001"
    assert Decimal(doc["totals"]["us_premium_cents"]) == Decimal("3.100000")
    assert premium_of(Decimal("110")) == Decimal("10")
    assert premium_of(Decimal("34.100001")) == Decimal("3.100000")  # 34.100001 / 11 rounded
    by_ws = {w["workspace"]: w for w in doc["by_workspace"]}
    assert by_ws["alpha"]["us_premium_cents"] == "3.000000"
    assert by_ws["beta"]["us_premium_cents"] == "0.100000"
    assert by_ws["Default"]["us_premium_cents"] == "0.000000"  # not_available: standard price


def test_the_default_workspace_is_named_from_the_listing() -> None:
    doc = figures()
    default = next(w for w in doc["by_workspace"] if w["is_default"])
    assert (default["workspace_id"], default["workspace"]) == ("wrkspc_d", "Default")
    rows = [r for r in doc["rows"] if r["workspace_id"] == "wrkspc_d"]
    assert [(r["model"], r["inference_geo"], r["cost_cents"]) for r in rows] == [
        (HAIKU, "not_available", "0.05")
    ]


def test_rows_join_usage_and_cost_per_day_workspace_model_and_geo() -> None:
    doc = figures()
    keyed = {(r["date"], r["workspace"], r["model"], r["inference_geo"]): r for r in doc["rows"]}
    assert set(keyed) == {
        ("2026-11-29", "alpha", SONNET, "global"),
        ("2026-11-29", "alpha", SONNET, "us"),
        ("2026-11-29", "Default", HAIKU, "not_available"),
        ("2026-11-30", "beta", None, None),
        ("2026-12-01", "beta", SONNET, "us"),
        ("2026-12-01", "beta", SONNET, "global"),
    }
    first = keyed[("2026-11-29", "alpha", SONNET, "global")]
    assert (first["uncached_input_tokens"], first["output_tokens"]) == (1000, 100)
    assert first["cost_cents"] == "12.345678"
    us = keyed[("2026-12-01", "beta", SONNET, "us")]
    assert (us["cache_read_input_tokens"], us["cache_creation_input_tokens"]) == (700, 9)
    # Priority Tier: tokens counted, no cost (the cost report never carries it).
    assert keyed[("2026-12-01", "beta", SONNET, "global")]["cost_cents"] == "0"


def test_every_day_of_the_window_is_in_the_daily_series() -> None:
    doc = figures()
    assert [d["date"] for d in doc["daily"]] == ["2026-11-29", "2026-11-30", "2026-12-01"]
    assert doc["daily"][0]["tokens_by_geo"] == {"global": 1100, "us": 3000, "not_available": 50}
    assert doc["daily"][1]["tokens_by_geo"] == {"global": 0, "us": 0, "not_available": 0}
    assert doc["daily"][1]["cost_cents"] == "4"


def test_held_workspaces_report_their_global_share() -> None:
    doc = figures()
    alpha, new = doc["held"]
    assert (alpha["global_tokens"], alpha["total_tokens"]) == (1100, 4100)
    assert alpha["global_share_percent"] == "26.83"  # 1100 / 4100
    assert alpha["global_cost_cents"] == "12.345678"
    assert (new["workspace_id"], new["global_share_percent"]) == (None, None)
    assert [w["held_us_only"] for w in doc["by_workspace"] if w["workspace"] == "alpha"] == [True]


def test_priority_tier_tokens_are_noted_as_unpriced() -> None:
    assert figures()["unpriced_tokens"] == {"priority": 40}


def test_an_unknown_geo_is_kept_and_named() -> None:
    odd = [usage("2026-11-29", u("wrkspc_a", SONNET, "eu", output_tokens=5))]
    doc = build_console(WINDOW, WORKSPACES, [], odd, []).to_json()
    assert doc["unknown_geos"] == ["eu"]
    assert [g["inference_geo"] for g in doc["by_geo"]] == ["global", "us", "eu"]
