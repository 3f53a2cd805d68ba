"""A fake Console organization that also answers the Usage & Cost reports.

:class:`ReportsApi` extends :class:`tests.adminapi.fakes.FakeApi` with
``GET /usage_report/messages`` and ``GET /cost_report``: daily buckets over
``[starting_at, ending_at)``, at most ``limit`` a page, empty days included, paged by a
``page_`` + base64(next bucket start) cursor bound to the other parameters.  Rows are
stored already grouped (each with its ``date``); the fake does not aggregate, so tests
state exactly what the server answers.  Every request is recorded.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.adminapi.fakes import FakeApi, error, route_of

REPORT_MAX = {"1d": 31}


def workspace(
    wid: str,
    name: str,
    allowed: Any = "unrestricted",
    default: str = "global",
    tags: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "type": "workspace",
        "id": wid,
        "name": name,
        "display_color": "#000000",
        "created_at": "2026-01-01T00:00:00Z",
        "archived_at": extra.pop("archived_at", None),
        "data_residency": {
            "workspace_geo": "us",
            "allowed_inference_geos": allowed,
            "default_inference_geo": default,
        },
        "tags": tags or {},
        **extra,
    }


def usage_row(day: str, wid: str | None, model: str, geo: str, **tokens: Any) -> dict[str, Any]:
    return {
        "date": day,
        "uncached_input_tokens": tokens.get("input", 0),
        "cache_read_input_tokens": tokens.get("cache_read", 0),
        "cache_creation": {
            "ephemeral_1h_input_tokens": tokens.get("cache_1h", 0),
            "ephemeral_5m_input_tokens": tokens.get("cache_5m", 0),
        },
        "output_tokens": tokens.get("output", 0),
        "server_tool_use": {"web_search_requests": 0},
        "model": model,
        "workspace_id": wid,
        "api_key_id": None,
        "account_id": None,
        "service_account_id": None,
        "service_tier": tokens.get("tier", "standard"),
        "context_window": None,
        "inference_geo": geo,
    }


def cost_row(
    day: str,
    wid: str | None,
    model: str | None,
    geo: str | None,
    amount: str,
    cost_type: str = "tokens",
    token_type: str | None = "output_tokens",
) -> dict[str, Any]:
    return {
        "date": day,
        "currency": "USD",
        "amount": amount,
        "workspace_id": wid,
        "description": f"{model} Usage - Output Tokens" if model else "Web Search Usage",
        "cost_type": cost_type,
        "model": model,
        "token_type": token_type if cost_type == "tokens" else None,
        "service_tier": "standard" if cost_type == "tokens" else None,
        "context_window": "0-200k" if cost_type == "tokens" else None,
        "inference_geo": geo,
    }


def _day(text: str) -> date:
    assert text.endswith("T00:00:00Z"), text  # whole UTC days, as the client asks
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").date()


def _cursor(day: date) -> str:
    stamp = day.strftime("%Y-%m-%dT00:00:00Z").encode()
    return "page_" + base64.b64encode(stamp).decode()


@dataclass
class ReportsApi(FakeApi):
    usage: list[dict[str, Any]] = field(default_factory=list)
    cost: list[dict[str, Any]] = field(default_factory=list)
    report_status: int | None = None  # answer every report request with this error

    def __call__(self, request: httpx.Request) -> httpx.Response:
        route = route_of(request)
        if route not in ("GET /usage_report/messages", "GET /cost_report"):
            return super().__call__(request)
        with self._lock:
            self.requests.append(request)
        if self.report_status is not None:
            return error(self.report_status, "permission_error", "reports are off")
        rows = self.usage if route.startswith("GET /usage") else self.cost
        return self._report(rows, request.url.params)

    def _report(self, rows: list[dict[str, Any]], params: httpx.QueryParams) -> httpx.Response:
        width = params.get("bucket_width", "1d")
        limit = int(params.get("limit", 7))
        if width != "1d" or not 1 <= limit <= REPORT_MAX[width]:
            return error(400, "invalid_request_error", "bad limit or width")
        start, end = _day(params["starting_at"]), _day(params["ending_at"])
        if "page" in params:
            token = params["page"].removeprefix("page_")
            start = _day(base64.b64decode(token).decode())
        days = []
        day = start
        while day < end and len(days) < limit:
            days.append(day)
            day += timedelta(days=1)
        more = day < end
        data = [
            {
                "starting_at": f"{d.isoformat()}T00:00:00Z",
                "ending_at": f"{(d + timedelta(days=1)).isoformat()}T00:00:00Z",
                "results": [
                    {k: v for k, v in r.items() if k != "date"}
                    for r in rows
                    if r["date"] == d.isoformat()
                ],
            }
            for d in days
        ]
        return httpx.Response(
            200,
            json={"data": data, "has_more": more, "next_page": _cursor(day) if more else None},
        )


def cents(*amounts: str) -> Decimal:
    return sum((Decimal(a) for a in amounts), Decimal(0))
