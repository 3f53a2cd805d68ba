"""The GA Usage & Cost reports, checked over raw HTTP (usage-cost-api.md §2–4).

The official SDK (2.10.0) has no method or model for ``/usage_report/messages`` or
``/cost_report`` (only the beta analytics routes), so the models here are written from the
reference, strict: every field present, no other field, enums as documented.  They go
through the suite's exactness check (``shapes.validate``); requests are sent the way the
SDK would send them (Bearer auth, ``anthropic-version: 2026-10-21``, bracket arrays,
``+00:00`` offsets) over the session's loopback emulators.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import httpx
import pydantic
import pytest

from tests.conformance import shapes
from tests.conformance.harness import Org, check_rate_limit_headers

Geo = Literal["global", "us", "not_available"]
Tier = Literal["standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount"]
ContextWindow = Literal["0-200k", "200k-1M"]
BUCKET_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
AMOUNT = re.compile(r"^(0|[1-9]\d*)(\.\d{0,5}[1-9])?$")
FAST_MODE = "fast-mode-2026-02-01"


class _Strict(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")


class CacheCreation(_Strict):
    ephemeral_1h_input_tokens: int
    ephemeral_5m_input_tokens: int


class ServerToolUse(_Strict):
    web_search_requests: int


class UsageResult(_Strict):
    uncached_input_tokens: int
    cache_creation: CacheCreation
    cache_read_input_tokens: int
    output_tokens: int
    server_tool_use: ServerToolUse
    model: str | None
    workspace_id: str | None
    api_key_id: str | None
    account_id: str | None
    service_account_id: str | None
    service_tier: Tier | None
    context_window: ContextWindow | None
    inference_geo: Geo | None


class FastUsageResult(UsageResult):
    speed: Literal["standard", "fast"] | None


class CostResult(_Strict):
    amount: str
    currency: Literal["USD"]
    workspace_id: str | None
    description: str | None
    cost_type: Literal["tokens", "web_search", "code_execution", "session_usage"] | None
    model: str | None
    token_type: (
        Literal[
            "uncached_input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation.ephemeral_1h_input_tokens",
            "cache_creation.ephemeral_5m_input_tokens",
        ]
        | None
    )
    service_tier: Literal["standard", "batch"] | None
    context_window: ContextWindow | None
    inference_geo: Geo | None


class UsageBucket(_Strict):
    starting_at: str
    ending_at: str
    results: list[UsageResult]


class FastUsageBucket(_Strict):
    starting_at: str
    ending_at: str
    results: list[FastUsageResult]


class CostBucket(_Strict):
    starting_at: str
    ending_at: str
    results: list[CostResult]


class UsagePage(_Strict):
    data: list[UsageBucket]
    has_more: bool
    next_page: str | None


class FastUsagePage(_Strict):
    data: list[FastUsageBucket]
    has_more: bool
    next_page: str | None


class CostPage(_Strict):
    data: list[CostBucket]
    has_more: bool
    next_page: str | None


ROWS: list[dict[str, Any]] = [
    {"date": -3, "days": 3, "workspace": "claims", "model": "claude-opus-4-6",
     "input_tokens": 1_000_000, "output_tokens": 50_000, "cache_read_input_tokens": 10_000,
     "cache_creation_5m_input_tokens": 2_000, "cache_creation_1h_input_tokens": 1_000},
    {"date": -2, "workspace": "research", "model": "claude-sonnet-4-6", "inference_geo": "global",
     "service_tier": "batch", "input_tokens": 333, "output_tokens": 77, "web_search_requests": 3},
    {"date": -2, "workspace": "research", "model": "claude-sonnet-4-6", "inference_geo": "us",
     "service_tier": "priority", "input_tokens": 5, "output_tokens": 5},
    {"date": -1, "model": "claude-haiku-4-5", "api_key_id": None, "context_window": "200k-1M",
     "speed": "fast", "account_id": "user_abc", "service_account_id": "svcacct_abc",
     "input_tokens": 7, "output_tokens": 1},
]  # fmt: skip


def _client(org: Org, *, beta: str | None = None) -> httpx.Client:
    headers = {"authorization": f"Bearer {org.key}", "anthropic-version": "2026-10-21"}
    if beta:
        headers["anthropic-beta"] = beta
    return httpx.Client(base_url=org.url, headers=headers, trust_env=False, timeout=10.0)


def _pages(
    http: httpx.Client, path: str, params: dict[str, Any], model: type[pydantic.BaseModel]
) -> Iterator[dict[str, Any]]:
    query = dict(params)
    while True:
        response = http.get(f"/v1/organizations/{path}", params=query)
        assert response.status_code == 200, response.text
        check_rate_limit_headers({k.lower(): v for k, v in response.headers.items()})
        assert shapes.REQUEST_ID.match(response.headers["request-id"])
        body = response.json()
        shapes.validate(model, body, where=path)
        for bucket in body["data"]:
            assert BUCKET_TIME.match(bucket["starting_at"]), bucket
            assert BUCKET_TIME.match(bucket["ending_at"]), bucket
        yield body
        if not body["has_more"]:
            assert body["next_page"] is None
            return
        assert body["data"] and body["next_page"]
        query["page"] = body["next_page"]


def _window(days: int = 6) -> dict[str, str]:
    """The last ``days`` days: starting_at with the SDK's ``+00:00`` offset, no ending_at."""
    start = datetime.now(timezone.utc) - timedelta(days=days)
    return {"starting_at": start.replace(microsecond=0).isoformat()}


@pytest.mark.parametrize(
    "groups",
    [
        pytest.param([], id="ungrouped"),
        pytest.param(
            [
                "account_id",
                "api_key_id",
                "context_window",
                "inference_geo",
                "model",
                "service_account_id",
                "service_tier",
                "workspace_id",
            ],
            id="every-dimension",
        ),
    ],
)
def test_usage_report_shapes(console: Org, groups: list[str]) -> None:
    console.control("POST", "/_emulator/usage", json=ROWS)
    with _client(console) as http:
        pages = list(
            _pages(
                http,
                "usage_report/messages",
                {**_window(), "limit": 2, "group_by[]": groups},
                UsagePage,
            )
        )
    results = [r for body in pages for b in body["data"] for r in b["results"]]
    assert len(pages) >= 3 and results
    if groups:
        assert {r["inference_geo"] for r in results} == {"global", "us", "not_available"}
        assert None in {r["workspace_id"] for r in results}  # the default workspace


def test_usage_report_with_fast_mode_carries_speed(console: Org) -> None:
    console.control("POST", "/_emulator/usage", json=ROWS)
    with _client(console, beta=FAST_MODE) as http:
        pages = list(
            _pages(
                http,
                "usage_report/messages",
                {**_window(), "bucket_width": "1h", "limit": 168, "group_by[]": ["speed"]},
                FastUsagePage,
            )
        )
    speeds = {r["speed"] for body in pages for b in body["data"] for r in b["results"]}
    assert speeds == {"standard", "fast"}


@pytest.mark.parametrize(
    "groups",
    [
        pytest.param([], id="ungrouped"),
        pytest.param(["workspace_id"], id="workspace"),
        pytest.param(["workspace_id", "description"], id="workspace-description"),
    ],
)
def test_cost_report_shapes(console: Org, groups: list[str]) -> None:
    console.control("POST", "/_emulator/usage", json=ROWS)
    with _client(console) as http:
        pages = list(
            _pages(http, "cost_report", {**_window(), "limit": 3, "group_by[]": groups}, CostPage)
        )
    results = [r for body in pages for b in body["data"] for r in b["results"]]
    assert results and all(AMOUNT.match(r["amount"]) for r in results), results
    if "description" in groups:
        tokens = [r for r in results if r["cost_type"] == "tokens"]
        assert all(r["model"] and r["token_type"] and r["inference_geo"] for r in tokens)
        assert {r["cost_type"] for r in results} == {"tokens", "web_search"}
        assert "priority" not in {r["service_tier"] for r in results}


@pytest.mark.parametrize(
    ("path", "params", "error_code"),
    [
        ("usage_report/messages", {"bucket_width": "1w"}, None),
        ("usage_report/messages", {"group_by[]": "speed"}, None),
        ("cost_report", {"bucket_width": "1h"}, None),
        ("cost_report", {"group_by[]": "inference_geo"}, None),
    ],
)
def test_refusals_use_the_error_envelope(
    console: Org, path: str, params: dict[str, Any], error_code: str | None
) -> None:
    with _client(console) as http:
        response = http.get(f"/v1/organizations/{path}", params={**_window(), **params})
    body = shapes.error_body(response.status_code, dict(response.headers), response.json())
    assert response.status_code == 400
    assert (body["error"].get("details") or {}).get("error_code") == error_code


@pytest.mark.parametrize("path", ["usage_report/messages", "cost_report"])
def test_enterprise_orgs_get_organization_type_not_supported(enterprise: Org, path: str) -> None:
    with _client(enterprise) as http:
        response = http.get(f"/v1/organizations/{path}", params=_window())
    body = shapes.error_body(response.status_code, dict(response.headers), response.json())
    assert response.status_code == 400
    assert body["error"]["details"]["error_code"] == "organization_type_not_supported"
