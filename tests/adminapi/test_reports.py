"""The Usage & Cost report reads: what goes on the wire, paging, and tolerant rows."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from reconciler.adminapi import Bucket, CostResult, UsageResult
from reconciler.adminapi.reports import rfc3339
from reconciler.errors import TransportError
from tests.adminapi.fakes import CONSOLE_KEY, make_client
from tests.audit.fakes import ReportsApi, cost_row, usage_row

D0 = datetime(2026, 10, 1, tzinfo=timezone.utc)
D1 = datetime(2026, 10, 31, tzinfo=timezone.utc)


def raw(request: httpx.Request) -> str:
    return request.url.raw_path.decode()


def test_usage_query_asks_for_31_daily_buckets_with_bracket_arrays() -> None:
    api = ReportsApi(kind="console")
    client = make_client(api, key=CONSOLE_KEY)
    got = list(
        client.usage_report(
            D0, D1, group_by=("workspace_id", "model", "inference_geo", "service_tier")
        )
    )
    assert len(got) == 30 and all(b.results == () for b in got)  # empty days included
    (request,) = api.requests
    assert raw(request) == (
        "/v1/organizations/usage_report/messages?starting_at=2026-10-01T00%3A00%3A00Z"
        "&ending_at=2026-10-31T00%3A00%3A00Z&bucket_width=1d&limit=31"
        "&group_by[]=workspace_id&group_by[]=model&group_by[]=inference_geo"
        "&group_by[]=service_tier"
    )
    assert "anthropic-beta" not in request.headers


@pytest.mark.parametrize(("width", "limit"), [("1d", 31), ("1h", 168), ("1m", 1440)])
def test_usage_limit_defaults_to_the_widths_maximum(width: str, limit: int) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [], "has_more": False, "next_page": None})

    client = make_client(handler, key=CONSOLE_KEY)
    assert list(client.usage_report(D0, D1, bucket_width=width)) == []
    assert seen[0].url.params["limit"] == str(limit)
    assert seen[0].url.params["bucket_width"] == width


def test_usage_filters_and_the_fast_mode_beta() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [], "has_more": False, "next_page": None})

    client = make_client(handler, key=CONSOLE_KEY)
    list(
        client.usage_report(
            "2026-10-01T00:00:00+00:00",
            group_by=("speed",),
            limit=5,
            models=["claude-opus-4-6"],
            workspace_ids=["wrkspc_1", "wrkspc_2"],
            inference_geos=["global"],
            context_windows=["0-200k"],
        )
    )
    params = seen[0].url.params
    assert params["starting_at"] == "2026-10-01T00:00:00+00:00"  # strings pass through
    assert "ending_at" not in params
    assert params["limit"] == "5"
    assert params.get_list("workspace_ids[]") == ["wrkspc_1", "wrkspc_2"]
    assert params.get_list("models[]") == ["claude-opus-4-6"]
    assert params.get_list("inference_geos[]") == ["global"]
    assert params.get_list("context_window[]") == ["0-200k"]  # singular on the wire
    assert seen[0].headers["anthropic-beta"] == "fast-mode-2026-02-01"


def test_cost_query_is_daily_at_31_and_counts_in_the_admin_bucket() -> None:
    api = ReportsApi(kind="console")
    client = make_client(api, key=CONSOLE_KEY)
    list(client.cost_report(D0, D1, group_by=("workspace_id", "description")))
    (request,) = api.requests
    assert raw(request) == (
        "/v1/organizations/cost_report?starting_at=2026-10-01T00%3A00%3A00Z"
        "&ending_at=2026-10-31T00%3A00%3A00Z&bucket_width=1d&limit=31"
        "&group_by[]=workspace_id&group_by[]=description"
    )
    counts = client.requests
    assert counts.total == 1 and counts.by_group == {"admin": 1}  # no spend bucket
    assert counts.by_route == {"GET /cost_report": 1}


def test_a_long_window_pages_with_the_cursor_and_repeats_the_other_parameters() -> None:
    api = ReportsApi(kind="console")
    api.usage = [
        usage_row("2026-01-05", "wrkspc_1", "claude-opus-4-6", "global", input=5),
        usage_row("2026-03-30", "wrkspc_1", "claude-opus-4-6", "us", output=7),
    ]
    client = make_client(api, key=CONSOLE_KEY)
    start, end = date(2026, 1, 1), date(2026, 4, 1)  # 90 days: 31 + 31 + 28
    got = list(client.usage_report(start, end, group_by=("workspace_id",)))
    assert [b.day for b in got][:2] == ["2026-01-01", "2026-01-02"]
    assert len(got) == 90 and got[-1].day == "2026-03-31"
    assert len(api.requests) == 3
    first, second, third = (r.url.params for r in api.requests)
    assert "page" not in first
    assert second["page"].startswith("page_") and third["page"] != second["page"]
    for later in (second, third):  # every other parameter repeated unchanged
        assert [kv for kv in later.multi_items() if kv[0] != "page"] == list(first.multi_items())
    rows = [r for b in got for r in b.results]
    assert [(r.inference_geo, r.total_tokens) for r in rows] == [("global", 5), ("us", 7)]


def test_has_more_without_a_cursor_is_refused_not_read_as_the_end() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"data": [{"starting_at": "2026-10-01T00:00:00Z", "results": []}]}
        return httpx.Response(200, json={**body, "has_more": True, "next_page": None})

    client = make_client(handler, key=CONSOLE_KEY)
    with pytest.raises(TransportError, match="has_more without a next_page"):
        list(client.cost_report(D0, D1))


def test_usage_rows_are_read_tolerantly() -> None:
    row = UsageResult.from_api(
        {
            "uncached_input_tokens": 10,
            "cache_read_input_tokens": 20,
            "cache_creation": {"ephemeral_1h_input_tokens": 3, "ephemeral_5m_input_tokens": 4},
            "output_tokens": 5,
            "server_tool_use": {"web_search_requests": 2, "new_tool": 9},
            "model": "claude-opus-7",
            "workspace_id": None,
            "inference_geo": "eu",  # a geo this client has never heard of: kept
            "service_tier": "ultra",
            "brand_new": {"x": 1},
        }
    )
    assert row.total_tokens == 42
    assert row.web_search_requests == 2
    assert (row.inference_geo, row.service_tier, row.workspace_id) == ("eu", "ultra", None)
    sparse = UsageResult.from_api({"model": "claude-opus-4-6", "cache_creation": None})
    assert sparse.total_tokens == 0 and sparse.inference_geo is None


@pytest.mark.parametrize("bad", [{"output_tokens": "12"}, {"output_tokens": 1.5}, []])
def test_a_mistyped_usage_row_is_a_transport_error(bad: Any) -> None:
    with pytest.raises(TransportError, match="malformed"):
        UsageResult.from_api(bad)


def test_cost_amounts_are_exact_decimal_cents() -> None:
    row = CostResult.from_api(
        cost_row("2026-10-01", "wrkspc_1", "claude-opus-4-6", "global", "123.78912")
    )
    assert row.amount == Decimal("123.78912") and isinstance(row.amount, Decimal)
    assert (row.cost_type, row.inference_geo, row.currency) == ("tokens", "global", "USD")
    assert CostResult.from_api({"amount": 7}).amount == Decimal(7)
    assert CostResult.from_api({"amount": "0.1", "cost_type": "teleport"}).cost_type == "teleport"
    total = sum((CostResult.from_api({"amount": "0.1"}).amount for _ in range(10)), Decimal(0))
    assert total == Decimal("1.0")  # no float drift


@pytest.mark.parametrize("amount", [12.5, None, "12,50", "NaN", "Infinity", True])
def test_an_amount_that_is_not_a_decimal_string_is_refused(amount: Any) -> None:
    with pytest.raises(TransportError, match="amount"):
        CostResult.from_api({"amount": amount})


def test_buckets_without_a_start_are_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"data": [{"ending_at": "2026-10-02T00:00:00Z", "results": []}]}
        return httpx.Response(200, json={**body, "has_more": False, "next_page": None})

    client = make_client(handler, key=CONSOLE_KEY)
    with pytest.raises(TransportError, match="starting_at"):
        list(client.usage_report(D0, D1))


def test_bucket_day_and_rfc3339() -> None:
    bucket: Bucket[CostResult] = Bucket("2026-10-05T00:00:00Z", None, ())
    assert bucket.day == "2026-10-05"
    assert rfc3339(date(2026, 10, 5)) == "2026-10-05T00:00:00Z"
    assert rfc3339(datetime(2026, 10, 5, 1, 2, 3)) == "2026-10-05T01:02:03Z"  # naive = UTC
