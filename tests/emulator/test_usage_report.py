"""``GET /v1/organizations/usage_report/messages`` in process (usage-cost-api.md §2, §4, §7):
buckets, grouping, filters, null rules, pagination, freshness and validation."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from reconciler.emulator import Options
from tests.emulator.conftest import ORG, Api, error_of
from tests.emulator.usage_support import (
    FAST,
    NOW,
    USAGE,
    buckets,
    input_total,
    pages,
    results,
    usage_api,
    workspace_ids,
)

DIMENSIONS = (
    "account_id",
    "api_key_id",
    "context_window",
    "inference_geo",
    "model",
    "service_account_id",
    "service_tier",
    "workspace_id",
)
SEED_DAYS: dict[str, Any] = {
    "starting_at": "2026-10-19T00:00:00Z",
    "ending_at": "2026-10-23T00:00:00Z",
}


@pytest.fixture
def api() -> Iterator[Api]:
    with usage_api() as api:
        yield api


def token(moment: str) -> str:
    return "page_" + base64.b64encode(moment.encode()).decode()


# -- buckets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "starts", "ending"),
    [
        pytest.param(
            {"starting_at": "2026-10-20T15:30:00+02:00", "ending_at": "2026-10-22T00:00:00Z"},
            ["2026-10-20T00:00:00Z", "2026-10-21T00:00:00Z"],
            "2026-10-22T00:00:00Z",
            id="1d-floored-offset",
        ),
        pytest.param(
            {"starting_at": "2026-10-20T00:00:00Z", "ending_at": "2026-10-21T00:00:01Z"},
            ["2026-10-20T00:00:00Z", "2026-10-21T00:00:00Z"],
            "2026-10-22T00:00:00Z",
            id="1d-last-bucket-whole",
        ),
        pytest.param(
            {
                "starting_at": "2026-10-20T13:59:59Z",
                "ending_at": "2026-10-20T15:00:00Z",
                "bucket_width": "1h",
            },
            ["2026-10-20T13:00:00Z", "2026-10-20T14:00:00Z"],
            "2026-10-20T15:00:00Z",
            id="1h",
        ),
        pytest.param(
            {
                "starting_at": "2026-10-20T03:05:30-00:00",
                "ending_at": "2026-10-20T03:08:00Z",
                "bucket_width": "1m",
            },
            ["2026-10-20T03:05:00Z", "2026-10-20T03:06:00Z", "2026-10-20T03:07:00Z"],
            "2026-10-20T03:08:00Z",
            id="1m",
        ),
        pytest.param(
            {"starting_at": "2026-10-26T00:00:00.123456Z"},
            ["2026-10-26T00:00:00Z", "2026-10-27T00:00:00Z"],
            "2026-10-28T00:00:00Z",
            id="ending-defaults-to-now",
        ),
    ],
)
def test_buckets_are_floored_whole_and_stop_before_ending_at(
    api: Api, params: dict[str, Any], starts: list[str], ending: str
) -> None:
    data = api.get(USAGE, params=params).json()["data"]
    assert [b["starting_at"] for b in data] == starts
    assert data[-1]["ending_at"] == ending
    for bucket in data:
        assert set(bucket) == {"starting_at", "ending_at", "results"}


def test_empty_buckets_are_kept_and_usage_lands_in_its_bucket(api: Api) -> None:
    data = buckets(api, USAGE, SEED_DAYS)
    inputs = [[r["uncached_input_tokens"] for r in b["results"]] for b in data]
    assert inputs == [[], [3_300_000], [500_999], [3]]


def test_hour_and_minute_buckets_place_usage_at_its_time(api: Api) -> None:
    hours = buckets(
        api,
        USAGE,
        {"starting_at": "2026-10-20T00:00:00Z", "ending_at": "2026-10-21T00:00:00Z"},
    )
    assert len(hours) == 1
    by_hour = api.get(
        USAGE,
        params={
            "starting_at": "2026-10-20T00:00:00Z",
            "ending_at": "2026-10-21T00:00:00Z",
            "bucket_width": "1h",
        },
    ).json()
    busy = {
        b["starting_at"][11:13]: b["results"][0]["uncached_input_tokens"]
        for b in by_hour["data"]
        if b["results"]
    }
    assert busy == {"03": 300_000, "12": 3_000_000}
    assert len(by_hour["data"]) == 24 and by_hour["has_more"] is False
    minute = api.get(
        USAGE,
        params={
            "starting_at": "2026-10-20T03:06:00Z",
            "ending_at": "2026-10-20T03:09:00Z",
            "bucket_width": "1m",
        },
    ).json()["data"]
    assert [len(b["results"]) for b in minute] == [0, 1, 0]


# -- grouping and null rules --------------------------------------------------------------


def test_ungrouped_results_have_every_key_with_null_dimensions(api: Api) -> None:
    params: dict[str, Any] = {"starting_at": "2026-10-21T00:00:00Z", "limit": 1}
    (result,) = api.get(USAGE, params=params).json()["data"][0]["results"]
    assert result == {
        "uncached_input_tokens": 500_999,
        "cache_creation": {
            "ephemeral_1h_input_tokens": 50_000,
            "ephemeral_5m_input_tokens": 100_000,
        },
        "cache_read_input_tokens": 1_000_000,
        "output_tokens": 1,
        "server_tool_use": {"web_search_requests": 7},
        **dict.fromkeys(DIMENSIONS),
    }


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        (
            "model",
            {
                "claude-opus-4-6": 3_000_003 + 999,
                "claude-haiku-4-5": 300_000,
                "claude-sonnet-4-5": 500_000,
            },
        ),
        (
            "inference_geo",
            {"global": 1_000_000, "us": 2_000_000 + 999 + 3, "not_available": 800_000},
        ),
        ("service_tier", {"standard": 1_800_003, "batch": 2_000_000, "priority": 999}),
        ("context_window", {"0-200k": 3_800_999, "200k-1M": 3}),
        ("account_id", {None: 3_800_999, "user_abc": 3}),
        ("service_account_id", {None: 3_800_999, "svcacct_1": 3}),
    ],
)
def test_grouping_by_one_dimension(api: Api, dimension: str, expected: dict[Any, int]) -> None:
    totals: dict[Any, int] = {}
    for row in results(api, USAGE, {**SEED_DAYS, "group_by[]": dimension}):
        totals[row[dimension]] = totals.get(row[dimension], 0) + row["uncached_input_tokens"]
        for other in DIMENSIONS:
            if other != dimension:
                assert row[other] is None, (other, row)
    assert totals == expected


def test_workspace_id_is_null_for_the_default_workspace_and_sorts_last(api: Api) -> None:
    ids = workspace_ids(api)
    day = api.get(
        USAGE,
        params={"starting_at": "2026-10-20T00:00:00Z", "limit": 1, "group_by[]": "workspace_id"},
    ).json()["data"][0]["results"]
    expected = sorted([(ids["claims"], 1_000_000), (ids["portal"], 2_000_000)])
    assert [(r["workspace_id"], r["uncached_input_tokens"]) for r in day] == [
        *expected,
        (None, 300_000),
    ]


def test_api_key_ids_are_per_workspace_and_null_for_the_workbench(api: Api) -> None:
    rows = results(api, USAGE, {**SEED_DAYS, "group_by[]": ["api_key_id", "workspace_id"]})
    keys = {(r["workspace_id"], r["api_key_id"]) for r in rows}
    ids = workspace_ids(api)
    assert {w for w, _ in keys} == {ids["claims"], ids["portal"], None}
    assert (None, None) in keys
    assert all(k.startswith("apikey_") for w, k in keys if w is not None)
    assert len({k for _, k in keys}) == 3


def test_several_dimensions_give_one_row_per_combination(api: Api) -> None:
    groups = ["workspace_id", "model", "inference_geo", "service_tier"]
    day = api.get(
        USAGE,
        params={"starting_at": "2026-10-21T00:00:00Z", "limit": 1, "group_by[]": groups},
    ).json()["data"][0]["results"]
    ids = workspace_ids(api)
    assert [
        (r["workspace_id"], r["model"], r["inference_geo"], r["service_tier"]) for r in day
    ] == [
        (ids["claims"], "claude-opus-4-6", "us", "priority"),
        (ids["claims"], "claude-sonnet-4-5", "not_available", "standard"),
    ]
    by_geo_first = api.get(
        USAGE,
        params={
            "starting_at": "2026-10-21T00:00:00Z",
            "limit": 1,
            "group_by[]": ["inference_geo", "model"],
        },
    ).json()["data"][0]["results"]
    assert [r["inference_geo"] for r in by_geo_first] == ["not_available", "us"]


def test_speed_needs_the_fast_mode_beta_and_then_appears_on_every_row(api: Api) -> None:
    plain = results(api, USAGE, SEED_DAYS)
    assert all("speed" not in row for row in plain)
    rows = results(api, USAGE, {**SEED_DAYS, "group_by[]": "speed"}, headers=FAST)
    assert {(r["speed"], r["uncached_input_tokens"]) for r in rows} == {
        ("standard", 3_300_000),
        ("standard", 500_999),
        ("fast", 3),
    }
    ungrouped = results(api, USAGE, SEED_DAYS, headers=FAST)
    assert all(row["speed"] is None for row in ungrouped)


# -- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"models[]": "claude-opus-4-6"}, 3_000_003 + 999),
        ({"models[]": ["claude-haiku-4-5", "claude-sonnet-4-5"]}, 800_000),
        ({"models[]": "claude-opus-4-7"}, 0),
        ({"inference_geos[]": "not_available"}, 800_000),
        ({"inference_geos[]": ["global", "us"]}, 3_000_003 + 999),
        ({"service_tiers[]": "priority"}, 999),
        ({"service_tiers[]": ["standard", "batch"]}, 3_800_003),
        ({"context_window[]": "200k-1M"}, 3),
        ({"account_ids[]": "user_abc"}, 3),
        ({"service_account_ids[]": "svcacct_1"}, 3),
        ({"models[]": "claude-opus-4-6", "service_tiers[]": "batch"}, 2_000_000),
    ],
)
def test_filters(api: Api, params: dict[str, Any], expected: int) -> None:
    assert input_total(api, params) == expected


def test_workspace_filter_never_matches_the_default_workspace(api: Api) -> None:
    ids = workspace_ids(api)
    assert input_total(api, {"workspace_ids[]": ids["claims"]}) == 1_500_999
    assert input_total(api, {"workspace_ids[]": [ids["claims"], ids["portal"]]}) == 3_501_002
    assert input_total(api, {"workspace_ids[]": ids["Default"]}) == 0


def test_api_key_filter_matches_a_workspace_key_never_the_workbench(api: Api) -> None:
    rows = results(api, USAGE, {**SEED_DAYS, "group_by[]": ["api_key_id", "workspace_id"]})
    ids = workspace_ids(api)
    (claims_key,) = {r["api_key_id"] for r in rows if r["workspace_id"] == ids["claims"]}
    assert input_total(api, {"api_key_ids[]": claims_key}) == 1_500_999


def test_speed_filter_with_the_beta(api: Api) -> None:
    assert input_total(api, {"speeds[]": "fast"}, headers=FAST) == 3
    assert input_total(api, {"speeds[]": "standard"}, headers=FAST) == 3_800_999


# -- pagination ---------------------------------------------------------------------------


def test_pages_follow_next_page_to_the_end(api: Api) -> None:
    params: dict[str, Any] = {**SEED_DAYS, "limit": 3}
    first = api.get(USAGE, params=params).json()
    assert [b["starting_at"] for b in first["data"]] == [
        "2026-10-19T00:00:00Z",
        "2026-10-20T00:00:00Z",
        "2026-10-21T00:00:00Z",
    ]
    assert first["has_more"] is True
    assert first["next_page"] == token("2026-10-22T00:00:00Z")
    second = api.get(USAGE, params={**params, "page": first["next_page"]}).json()
    assert [b["starting_at"] for b in second["data"]] == ["2026-10-22T00:00:00Z"]
    assert (second["has_more"], second["next_page"]) == (False, None)


@pytest.mark.parametrize(
    ("width", "default", "count"),
    [("1d", 7, 9), ("1h", 24, 30), ("1m", 60, 61)],
)
def test_default_limits_per_width(width: str, default: int, count: int) -> None:
    starts = {
        "1d": "2026-10-19T00:00:00Z",
        "1h": "2026-10-26T18:00:00Z",
        "1m": "2026-10-27T22:59:00Z",
    }
    with usage_api() as api:
        sizes = [
            len(body["data"])
            for body in pages(api, USAGE, {"starting_at": starts[width], "bucket_width": width})
        ]
    assert sizes[0] == default and sum(sizes) == count


@pytest.mark.parametrize(("width", "most"), [("1d", 31), ("1h", 168), ("1m", 1440)])
def test_maximum_limits_per_width(api: Api, width: str, most: int) -> None:
    params: dict[str, Any] = {
        "starting_at": "2026-01-01T00:00:00Z",
        "bucket_width": width,
        "limit": most,
    }
    body = api.get(USAGE, params=params).json()
    assert len(body["data"]) == most and body["has_more"] is True
    over = api.get(USAGE, params={**params, "limit": most + 1})
    assert error_of(over) == (400, "invalid_request_error", None)


# -- freshness ----------------------------------------------------------------------------


def test_usage_newer_than_the_delay_is_hidden_and_the_partial_bucket_is_returned() -> None:
    with usage_api(now=NOW + 8 * 60) as api:  # 2026-10-28T00:08:00Z
        api.post(
            "/_emulator/usage",
            json=[
                {
                    "date": 0,
                    "hour": 0,
                    "minute": m,
                    "model": "claude-haiku-4-5",
                    "input_tokens": 10**m,
                    "output_tokens": 0,
                }
                for m in (2, 3, 4, 9)
            ],
        )

        def today() -> list[Any]:
            data: list[Any] = api.get(USAGE, params={"starting_at": "2026-10-28T00:00:00Z"}).json()[
                "data"
            ]
            return data

        (bucket,) = today()
        assert bucket["ending_at"] == "2026-10-29T00:00:00Z"  # the current, partial day
        assert bucket["results"][0]["uncached_input_tokens"] == 100 + 1000  # 00:02 and 00:03
        api.clock.advance(60)
        assert today()[0]["results"][0]["uncached_input_tokens"] == 100 + 1000 + 10_000
        api.clock.advance(10 * 60)
        assert today()[0]["results"][0]["uncached_input_tokens"] == 100 + 1000 + 10_000 + 10**9


def test_the_delay_is_configurable() -> None:
    with usage_api(now=NOW + 8 * 60, options=Options(control=True, usage_delay=0)) as api:
        api.post(
            "/_emulator/usage",
            json=[
                {
                    "date": 0,
                    "hour": 0,
                    "minute": 8,
                    "model": "claude-haiku-4-5",
                    "input_tokens": 5,
                    "output_tokens": 0,
                }
            ],
        )
        data = api.get(USAGE, params={"starting_at": "2026-10-28T00:00:00Z"}).json()["data"]
        assert data[0]["results"][0]["uncached_input_tokens"] == 5


# -- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        pytest.param({"starting_at": None}, {}, id="no-starting-at"),
        pytest.param({"starting_at": "2026-10-20"}, {}, id="date-only"),
        pytest.param({"starting_at": "2026-10-20T00:00:00"}, {}, id="no-offset"),
        pytest.param({"starting_at": "2026-02-30T00:00:00Z"}, {}, id="no-such-day"),
        pytest.param(
            {"starting_at": "2026-10-29T00:00:00Z", "ending_at": None},
            {},
            id="future-without-ending",
        ),
        pytest.param(
            {"starting_at": "2026-10-20T00:00:00Z", "ending_at": "2026-10-20T00:00:00Z"},
            {},
            id="ending-equals-starting",
        ),
        pytest.param(
            {"starting_at": "2026-10-20T00:00:00Z", "ending_at": "2026-10-19T00:00:00Z"},
            {},
            id="ending-before-starting",
        ),
        pytest.param({"bucket_width": "1w"}, {}, id="bad-width"),
        pytest.param({"limit": "0"}, {}, id="limit-zero"),
        pytest.param({"limit": "32"}, {}, id="limit-over-1d"),
        pytest.param({"limit": "169", "bucket_width": "1h"}, {}, id="limit-over-1h"),
        pytest.param({"limit": "1441", "bucket_width": "1m"}, {}, id="limit-over-1m"),
        pytest.param({"limit": "seven"}, {}, id="limit-not-a-number"),
        pytest.param({"group_by[]": "description"}, {}, id="bad-group"),
        pytest.param({"group_by[]": "speed"}, {}, id="speed-group-without-beta"),
        pytest.param({"speeds[]": "fast"}, {}, id="speed-filter-without-beta"),
        pytest.param({"speeds[]": "slow"}, FAST, id="bad-speed"),
        pytest.param({"inference_geos[]": "eu"}, {}, id="bad-geo"),
        pytest.param({"service_tiers[]": "premium"}, {}, id="bad-tier"),
        pytest.param({"context_window[]": "1M"}, {}, id="bad-context-window"),
        pytest.param({"models[]": [f"m{i}" for i in range(101)]}, {}, id="too-many-models"),
        pytest.param({"page": "garbage"}, {}, id="page-garbage"),
        pytest.param({"page": "page_!!!"}, {}, id="page-not-base64"),
        pytest.param({"page": token("yesterday")}, {}, id="page-not-a-time"),
        pytest.param({"page": token("2026-10-20T12:00:00Z")}, {}, id="page-off-grid"),
        pytest.param({"page": token("2026-10-01T00:00:00Z")}, {}, id="page-before-window"),
        pytest.param({"page": token("2026-10-23T00:00:00Z")}, {}, id="page-after-window"),
    ],
)
def test_invalid_requests_are_400(
    api: Api, params: dict[str, Any], headers: dict[str, str]
) -> None:
    query = {k: v for k, v in {**SEED_DAYS, **params}.items() if v is not None}
    response = api.get(USAGE, params=query, headers=headers)
    assert error_of(response) == (400, "invalid_request_error", None), response.text


def test_unknown_parameters_are_ignored(api: Api) -> None:
    assert api.get(USAGE, params={**SEED_DAYS, "beta": "true"}).status_code == 200


def test_enterprise_orgs_are_refused(enterprise: Api) -> None:
    response = enterprise.get(USAGE, params={"starting_at": "2026-10-20T00:00:00Z"})
    assert error_of(response) == (400, "invalid_request_error", "organization_type_not_supported")


def test_counted_in_the_admin_bucket_and_the_stats() -> None:
    with usage_api(options=Options(control=True, rate_scale=0.03)) as api:  # 3 per minute
        statuses = [api.get(USAGE, params=SEED_DAYS).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = api.get(USAGE, params=SEED_DAYS)
        assert limited.headers["retry-after"].isdigit()
        assert limited.headers["anthropic-ratelimit-requests-limit"] == "3"
        stats = api.get("/_emulator/stats").json()
        assert stats["by_route"] == {f"GET {ORG}/usage_report/messages": 5}
        assert stats["by_status"] == {"200": 3, "429": 2}


def test_request_ids_and_org_header_like_every_route(api: Api) -> None:
    response = api.get(USAGE, params=SEED_DAYS)
    assert response.headers["request-id"].startswith("req_")
    assert response.headers["anthropic-organization-id"] == api.store().org.id
