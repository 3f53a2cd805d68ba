"""The usage and cost reports of the example Console org over a real socket: the
``emulator`` command serving ``examples/seeds/console.yaml``, read the way a client
following usage-cost-api.md §8 would (Bearer auth, the SDK's version, ``+00:00`` offsets,
every page), with totals worked out by hand from the seed.

The seed's usage is dated relative to the day the emulator starts; the window asked for
here reaches well past both ends, so the totals do not depend on the day the test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx

from tests.emulator.conftest import CONSOLE_KEY, ORG, SEEDS
from tests.support.emulator import running_emulator

HEADERS = {"authorization": f"Bearer {CONSOLE_KEY}", "anthropic-version": "2026-10-21"}
USAGE_KEYS = {
    "uncached_input_tokens",
    "cache_creation",
    "cache_read_input_tokens",
    "output_tokens",
    "server_tool_use",
    "account_id",
    "api_key_id",
    "context_window",
    "inference_geo",
    "model",
    "service_account_id",
    "service_tier",
    "workspace_id",
}
COST_KEYS = {
    "amount",
    "currency",
    "workspace_id",
    "description",
    "cost_type",
    "model",
    "token_type",
    "service_tier",
    "context_window",
    "inference_geo",
}


def walk(http: httpx.Client, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every result of a report, page by page, checking the envelope on the way."""
    query = dict(params)
    previous_end: str | None = None
    while True:
        response = http.get(path, params=query)
        assert response.status_code == 200, response.text
        assert response.headers["request-id"].startswith("req_")
        body = response.json()
        assert set(body) == {"data", "has_more", "next_page"}
        for bucket in body["data"]:
            assert set(bucket) == {"starting_at", "ending_at", "results"}
            assert previous_end in (None, bucket["starting_at"])  # contiguous, oldest first
            previous_end = bucket["ending_at"]
            yield from bucket["results"]
        if not body["has_more"]:
            assert body["next_page"] is None
            return
        query["page"] = body["next_page"]


def test_reports_of_the_example_console_org_over_a_socket() -> None:
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    window = {
        "starting_at": (today - timedelta(days=40)).isoformat(),  # …T00:00:00+00:00
        "ending_at": (today + timedelta(days=2)).isoformat(),
    }
    with (
        running_emulator(SEEDS / "console.yaml") as emulator,
        httpx.Client(base_url=emulator.url, headers=HEADERS, trust_env=False) as http,
    ):
        workspaces = http.get(
            f"{ORG}/workspaces", params={"limit": 100, "include_default": "true"}
        ).json()["data"]
        claims = next(w["id"] for w in workspaces if w["name"] == "claims-processing")
        usage = list(
            walk(
                http,
                f"{ORG}/usage_report/messages",
                {
                    **window,
                    "limit": 31,
                    "group_by[]": ["workspace_id", "model", "inference_geo", "service_tier"],
                },
            )
        )
        costs = list(
            walk(
                http,
                f"{ORG}/cost_report",
                {**window, "limit": 31, "group_by[]": ["workspace_id", "description"]},
            )
        )
        stats = emulator.stats()

    assert all(set(r) == USAGE_KEYS for r in usage)
    assert all(set(r) == COST_KEYS for r in costs)

    def tokens(row: dict[str, Any]) -> int:
        creation = row["cache_creation"]
        return int(
            row["uncached_input_tokens"]
            + row["cache_read_input_tokens"]
            + creation["ephemeral_5m_input_tokens"]
            + creation["ephemeral_1h_input_tokens"]
            + row["output_tokens"]
        )

    by_geo: dict[str, int] = {}
    for row in usage:
        if row["workspace_id"] == claims:
            by_geo[row["inference_geo"]] = by_geo.get(row["inference_geo"], 0) + tokens(row)
    # 28 days × (4.23M standard + 5.9M batch) global; 14 days × 0.92M on Haiku 4.5.
    assert by_geo == {"global": 28 * 10_130_000, "not_available": 14 * 920_000}

    global_cents = sum(
        Decimal(r["amount"])
        for r in costs
        if r["workspace_id"] == claims and r["inference_geo"] == "global"
    )
    # Per day: standard 720 + 720 + 36 + 56.25 = 1532.25¢, batch (1500 + 1350) × 0.5 = 1425¢.
    assert global_cents == 28 * Decimal("2957.25")
    assert {r["currency"] for r in costs} == {"USD"}
    # The Workbench usage of the default workspace: workspace_id null.
    assert any(r["workspace_id"] is None and r["model"] == "claude-opus-4-6" for r in usage)

    # 42 daily buckets at 31 a page: two requests per report, counted like any /v1 route.
    assert stats["by_route"][f"GET {ORG}/usage_report/messages"] == 2
    assert stats["by_route"][f"GET {ORG}/cost_report"] == 2
