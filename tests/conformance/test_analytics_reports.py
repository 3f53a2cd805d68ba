"""The beta Analytics reports through the official SDK (usage-cost-api.md §6).

``client.beta.organization.analytics.usage.list()`` and ``.cost.list()`` drive the
session's Console emulator; every response is recorded and checked strictly: each row
against the SDK's own models (``BetaAnalyticsUsageItem``, ``BetaAnalyticsCostItem``)
with the suite's exactness rules (every field present, none extra, timestamps with
microseconds, tagged ids), the page envelope ``{data, has_more, next_page,
data_refreshed_at}`` exactly, and error bodies against the error envelope.  The SDK
follows ``next_page`` itself, so paging is the SDK's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import anthropic
import httpx
import pydantic
import pytest
from anthropic.types.beta.organization.analytics.beta_analytics_cost_item import (
    BetaAnalyticsCostItem,
)
from anthropic.types.beta.organization.analytics.beta_analytics_usage_item import (
    BetaAnalyticsUsageItem,
)

from tests.conformance import shapes
from tests.conformance.conftest import CONSOLE_KEY, ENTERPRISE_KEY
from tests.conformance.harness import Exchange, Recorder, check_rate_limit_headers
from tests.support.emulator import Emulator

MODELS: dict[str, type[pydantic.BaseModel]] = {
    "/v1/organizations/analytics/usage": BetaAnalyticsUsageItem,
    "/v1/organizations/analytics/cost": BetaAnalyticsCostItem,
}


def _check(exchange: Exchange) -> None:
    headers = exchange.headers
    assert shapes.REQUEST_ID.match(headers.get("request-id", "")), exchange
    check_rate_limit_headers(headers)
    body = exchange.json()
    if exchange.status != 200:
        shapes.error_body(exchange.status, headers, body)
        return
    model = MODELS[exchange.path]
    assert set(body) == {"data", "has_more", "next_page", "data_refreshed_at"}, body
    assert shapes.TIMESTAMP.match(body["data_refreshed_at"]), body["data_refreshed_at"]
    assert isinstance(body["has_more"], bool)
    assert (body["next_page"] is None) == (not body["has_more"]), body
    for index, row in enumerate(body["data"]):
        shapes.validate(model, row, where=f"{exchange}: data[{index}]")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sdk(recorder: Recorder) -> Iterator[Any]:
    """``sdk(server, key)``: a strict, non-retrying SDK client whose exchanges are checked
    when the test ends."""
    clients: list[anthropic.Anthropic] = []

    def make(server: Emulator, key: str) -> anthropic.Anthropic:
        http = anthropic.DefaultHttpxClient(
            event_hooks={"response": [recorder.hook]}, trust_env=False, verify=False
        )
        client = anthropic.Anthropic(
            api_key=key,
            base_url=server.url,
            http_client=http,
            max_retries=0,
            _strict_response_validation=True,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
    assert recorder.exchanges
    for exchange in recorder.exchanges:
        _check(exchange)


def _seed_usage(server: Emulator) -> None:
    """Reset the org and give it usage on every dimension the emulator fills."""
    assert server.control("POST", "/_emulator/reset").is_success
    with httpx.Client(base_url=server.url, trust_env=False) as http:
        users = http.get("/v1/organizations/users", headers={"x-api-key": CONSOLE_KEY}).json()[
            "data"
        ]
    rows = [
        {"date": -3, "days": 3, "workspace": "claims", "model": "claude-opus-4-6",
         "input_tokens": 1_000_000, "output_tokens": 50_000, "cache_read_input_tokens": 10_000,
         "cache_creation_5m_input_tokens": 2_000, "cache_creation_1h_input_tokens": 1_000,
         "requests": 40},
        {"date": -2, "workspace": "research", "model": "claude-sonnet-4-6",
         "inference_geo": "global", "service_tier": "batch", "input_tokens": 333,
         "output_tokens": 77, "web_search_requests": 3},
        {"date": -2, "workspace": "research", "model": "claude-sonnet-4-6",
         "account_id": users[0]["id"], "input_tokens": 5, "output_tokens": 5},
        {"date": -1, "model": "claude-haiku-4-5", "api_key_id": None, "speed": "fast",
         "context_window": "200k-1M", "service_account_id": "svac_conformance",
         "input_tokens": 7, "output_tokens": 1},
        {"date": -1, "model": "claude-haiku-4-5", "api_key_id": None,
         "input_tokens": 70, "output_tokens": 10},
    ]  # fmt: skip
    response = server.control("POST", "/_emulator/usage", json=rows)
    assert response.is_success, response.text


def _start(days: int = 5) -> datetime:
    return (datetime.now(timezone.utc) - timedelta(days=days)).replace(microsecond=0)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="whole-range"),
        pytest.param({"group_by": ["actor", "actor_type", "product"]}, id="actors"),
        pytest.param(
            {"group_by": ["workspace_id", "model", "inference_geo", "service_tier", "speed"]},
            id="five-dimensions",
        ),
        pytest.param({"group_by": ["api_key_id", "context_window"], "limit": 1}, id="paged"),
        pytest.param(
            {"group_by": ["organization_id"], "order": "asc", "order_by": "requests"},
            id="ordered",
        ),
    ],
)
def test_usage_rows_match_the_sdk_models(
    console_server: Emulator, sdk: Any, options: dict[str, Any]
) -> None:
    _seed_usage(console_server)
    client = sdk(console_server, CONSOLE_KEY)
    rows = list(client.beta.organization.analytics.usage.list(starting_at=_start(), **options))
    assert rows and all(isinstance(row, BetaAnalyticsUsageItem) for row in rows)
    assert sum(row.usage.total_tokens for row in rows) == 3 * 1_063_000 + 410 + 10 + 8 + 80


def test_bucketed_usage_rows(console_server: Emulator, sdk: Any) -> None:
    _seed_usage(console_server)
    client = sdk(console_server, CONSOLE_KEY)
    start = _start(4)
    rows = list(
        client.beta.organization.analytics.usage.list(
            starting_at=start,
            ending_at=start + timedelta(days=4),
            time_bucket_width="1d",
            order_by="time",
            order="asc",
            limit=2,
        )
    )
    assert [row.starting_at for row in rows] == sorted(row.starting_at for row in rows)
    assert all(row.ending_at - row.starting_at == timedelta(days=1) for row in rows)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="whole-range"),
        pytest.param({"group_by": ["workspace_id", "cost_type", "token_type"]}, id="fan-out"),
        pytest.param(
            {"group_by": ["model", "inference_geo"], "order_by": "list_amount", "limit": 1},
            id="paged",
        ),
    ],
)
def test_cost_rows_match_the_sdk_models(
    console_server: Emulator, sdk: Any, options: dict[str, Any]
) -> None:
    _seed_usage(console_server)
    client = sdk(console_server, CONSOLE_KEY)
    rows = list(client.beta.organization.analytics.cost.list(starting_at=_start(), **options))
    assert rows and all(isinstance(row, BetaAnalyticsCostItem) for row in rows)
    assert all(row.cost.currency == "USD" for row in rows)


def test_refusals_raise_the_sdk_exceptions(
    console_server: Emulator, enterprise_server: Emulator, sdk: Any
) -> None:
    console = sdk(console_server, CONSOLE_KEY)
    with pytest.raises(anthropic.BadRequestError):
        console.beta.organization.analytics.usage.list(
            starting_at=_start(),
            time_bucket_width="1d",  # ending_at is required with it
        )
    enterprise = sdk(enterprise_server, ENTERPRISE_KEY)
    with pytest.raises(anthropic.PermissionDeniedError):  # the key lacks read:analytics
        enterprise.beta.organization.analytics.cost.list(starting_at=_start())
