"""The beta Analytics reports in process (usage-cost-api.md §6, decisions 3–8, 12), over
the hand-countable org of ``usage_support`` (clock at 2026-10-28T00:00:00Z)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from reconciler.emulator import Options
from tests.emulator.conftest import ORG, Api, error_of
from tests.emulator.usage_support import usage_api, workspace_ids

USAGE = f"{ORG}/analytics/usage"
COST = f"{ORG}/analytics/cost"
BETA = {"anthropic-beta": "analytics-usage-cost-2026-08-24"}
RANGE: dict[str, Any] = {
    "starting_at": "2026-10-19T00:00:00Z",
    "ending_at": "2026-10-23T00:00:00Z",
}
ALL_TOKENS = {  # total tokens per seed row (input + output + cache)
    "claims-opus": 1_200_000,
    "portal-batch": 2_100_000,
    "default-haiku": 330_000,
    "claims-sonnet": 1_650_000,
    "claims-priority": 1_000,
    "portal-fast": 10,
}


@pytest.fixture
def api() -> Iterator[Api]:
    with usage_api() as api:
        yield api


def get(api: Api, path: str, params: dict[str, Any]) -> dict[str, Any]:
    response = api.get(path, params=params, headers=BETA)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def rows(api: Api, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row, following next_page."""
    found: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        body = get(api, path, query)
        found += body["data"]
        if not body["has_more"]:
            assert body["next_page"] is None
            return found
        query["page"] = body["next_page"]


def test_one_row_for_the_whole_range_rounded_to_the_hour(api: Api) -> None:
    body = get(
        api,
        USAGE,
        {"starting_at": "2026-10-19T10:30:00Z", "ending_at": "2026-10-22T18:45:00+02:00"},
    )
    (row,) = body["data"]
    assert (row["starting_at"], row["ending_at"]) == (
        "2026-10-19T10:00:00.000000Z",
        "2026-10-22T16:00:00.000000Z",
    )
    assert row["usage"]["total_tokens"] == sum(ALL_TOKENS.values())
    assert row["usage"]["requests"] == 6
    assert set(row["group"].values()) == {None}
    assert (body["has_more"], body["next_page"]) == (False, None)
    assert body["data_refreshed_at"] == "2026-10-27T23:55:00.000000Z"


def test_an_empty_range_still_has_its_one_row(api: Api) -> None:
    (row,) = get(
        api, USAGE, {"starting_at": "2026-10-01T00:00:00Z", "ending_at": "2026-10-02T00:00:00Z"}
    )["data"]
    assert row["usage"]["total_tokens"] == 0


def test_ending_at_defaults_to_now_within_31_days(api: Api) -> None:
    (row,) = get(api, USAGE, {"starting_at": "2026-10-20T00:00:00Z"})["data"]
    assert row["ending_at"] == "2026-10-28T00:00:00.000000Z"


def test_buckets_give_one_row_per_bucket_with_usage(api: Api) -> None:
    data = rows(
        api, USAGE, {**RANGE, "time_bucket_width": "1d", "order_by": "time", "order": "asc"}
    )
    assert [(r["starting_at"][:10], r["usage"]["total_tokens"]) for r in data] == [
        ("2026-10-20", 1_200_000 + 2_100_000 + 330_000),
        ("2026-10-21", 1_650_000 + 1_000),
        ("2026-10-22", 10),
    ]


def test_groups_carry_tagged_ids_and_null_for_unset_geo(api: Api) -> None:
    ids = workspace_ids(api)
    data = rows(api, USAGE, {**RANGE, "group_by[]": ["workspace_id", "inference_geo"]})
    got = {
        (r["group"]["workspace_id"], r["group"]["inference_geo"]): r["usage"]["total_tokens"]
        for r in data
    }
    assert got == {
        (ids["claims"], "global"): 1_200_000,
        (ids["claims"], None): 1_650_000,
        (ids["claims"], "us"): 1_000,
        (ids["portal"], "us"): 2_100_010,
        (ids["Default"], None): 330_000,  # the default workspace by its real id
    }
    for row in data:
        others = {
            k: v for k, v in row["group"].items() if k not in ("workspace_id", "inference_geo")
        }
        assert set(others.values()) == {None}


def test_actors_products_and_organization(api: Api) -> None:
    data = rows(
        api, USAGE, {**RANGE, "group_by[]": ["actor", "actor_type", "product", "organization_id"]}
    )
    kinds = {(r["group"]["actor_type"], r["group"]["product"]): r for r in data}
    assert set(kinds) == {
        ("api_actor", "messages_api"),
        ("api_actor", "message_batches_api"),
        (None, "claude_console"),  # Workbench usage: no key, no actor
        ("user_actor", "messages_api"),
    }
    user = kinds[("user_actor", "messages_api")]["group"]["actor"]
    assert user == {
        "type": "user_actor",
        "user_id": "user_abc",
        "email_address": None,
        "name": None,
        "deleted": True,  # not a member of the org
    }
    assert kinds[("api_actor", "messages_api")]["group"]["actor"]["api_key_id"].startswith(
        "apikey_"
    )
    assert {r["group"]["organization_id"] for r in data} == {api.store().org.id}


def test_ranked_by_total_tokens_descending_by_default_and_paged_by_offset(api: Api) -> None:
    params = {**RANGE, "group_by[]": ["workspace_id", "model", "service_tier"], "limit": 2}
    first = get(api, USAGE, params)
    assert first["next_page"] == base64.b64encode(b"2").decode()
    data = rows(api, USAGE, params)
    assert [r["usage"]["total_tokens"] for r in data] == sorted(ALL_TOKENS.values(), reverse=True)
    ascending = rows(api, USAGE, {**params, "order": "asc", "order_by": "output_tokens"})
    outputs = [r["usage"]["output_tokens"] for r in ascending]
    assert outputs == sorted(outputs)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"models[]": "claude-opus-4-6"}, 1_200_000 + 2_100_000 + 1_000 + 10),
        ({"inference_geos[]": "not_available"}, 330_000 + 1_650_000),
        ({"inference_geos[]": "us"}, 2_100_000 + 1_000 + 10),
        ({"service_tiers[]": "batch"}, 2_100_000),
        ({"context_windows[]": "200k-1M"}, 10),
        ({"speeds[]": "fast"}, 10),
        ({"actor_types[]": "user_actor"}, 10),
        ({"actor_ids[]": "user_abc"}, 10),
        ({"products[]": "claude_console"}, 330_000),
        ({"api_key_ids[]": ""}, 330_000),  # an empty entry: usage without a key
        ({"session_ids[]": "sess_1"}, 0),
    ],
)
def test_filters(api: Api, params: dict[str, Any], expected: int) -> None:
    (row,) = get(api, USAGE, {**RANGE, **params})["data"]
    assert row["usage"]["total_tokens"] == expected


def test_workspace_filter_matches_the_default_workspace_by_its_id(api: Api) -> None:
    ids = workspace_ids(api)
    (row,) = get(api, USAGE, {**RANGE, "workspace_ids[]": ids["Default"]})["data"]
    assert row["usage"]["total_tokens"] == 330_000


def test_cost_rows_and_fan_out_that_does_not_count_toward_limit(api: Api) -> None:
    (total,) = get(api, COST, RANGE)["data"]
    assert total["cost"] == {
        "amount": "1987.0209",
        "list_amount": "1987.0209",
        "currency": "USD",
        "requests": 5,  # the priority request is not billed here
    }
    ids = workspace_ids(api)
    # Workspaces rank claims (1254.5¢), portal (687.5209¢), default (45¢); a page of one
    # row carries every token type of claims, the largest first.
    body = get(api, COST, {**RANGE, "group_by[]": ["workspace_id", "token_type"], "limit": 1})
    assert body["has_more"] is True
    assert {r["group"]["workspace_id"] for r in body["data"]} == {ids["claims"]}
    assert [(r["group"]["token_type"], r["cost"]["amount"]) for r in body["data"]] == [
        ("uncached_input_tokens", "650"),
        ("output_tokens", "500"),
        ("cache_creation.ephemeral_5m_input_tokens", "37.5"),
        ("cache_creation.ephemeral_1h_input_tokens", "30"),
        ("cache_read_input_tokens", "30"),
        (None, "7"),  # web search has no token type
    ]
    assert all(r["cost"]["requests"] is None for r in body["data"])
    every = rows(api, COST, {**RANGE, "group_by[]": ["workspace_id", "cost_type"]})
    assert sum(Decimal(r["cost"]["amount"]) for r in every) == Decimal("1987.0209")
    assert {r["group"]["cost_type"] for r in every} == {"tokens", "web_search"}


def test_cost_ranked_by_amount(api: Api) -> None:
    data = rows(api, COST, {**RANGE, "group_by[]": "workspace_id"})
    assert [r["cost"]["amount"] for r in data] == ["1254.5", "687.5209", "45"]


ENTERPRISE_SEED = """
organization: {name: E, kind: enterprise}
admin_keys:
  - {key: sk-ant-api01-analytics, scopes: [read:analytics]}
"""


def test_enterprise_orgs_may_call_them_with_read_analytics(api_for: Any, enterprise: Api) -> None:
    reader = api_for(ENTERPRISE_SEED, "sk-ant-api01-analytics")
    params = {"starting_at": "2026-10-01T00:00:00Z"}
    response = reader.get(USAGE, params=params, headers=BETA)
    assert response.status_code == 200, response.text
    (row,) = response.json()["data"]
    assert row["usage"]["total_tokens"] == 0
    refused = reader.get(USAGE, params={**params, "workspace_ids[]": "wrkspc_x"}, headers=BETA)
    assert error_of(refused) == (400, "invalid_request_error", None)  # Console-only filter
    no_scope = enterprise.get(COST, params=params, headers=BETA)
    assert error_of(no_scope) == (403, "permission_error", "api_key_scope_missing")


def test_freshness_cutoff_is_data_refreshed_at() -> None:
    with usage_api(options=Options(control=True, rate_scale=1000, usage_delay=3600)) as api:
        body = get(api, USAGE, {"starting_at": "2026-10-27T00:00:00Z"})
        assert body["data_refreshed_at"] == "2026-10-27T23:00:00.000000Z"


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"starting_at": None}, id="no-start"),
        pytest.param({"starting_at": "2025-12-31T23:00:00Z"}, id="before-2026"),
        pytest.param({"starting_at": "2026-10-29T00:00:00Z", "ending_at": None}, id="future"),
        pytest.param({"ending_at": "2026-10-19T00:00:00Z"}, id="ending-not-after"),
        pytest.param({"ending_at": "2026-11-20T00:00:01Z"}, id="over-31-days"),
        pytest.param({"time_bucket_width": "1d", "ending_at": None}, id="width-without-ending"),
        pytest.param({"time_bucket_width": "1w"}, id="bad-width"),
        pytest.param({"time_bucket_width": "1m"}, id="minutes-over-24h"),
        pytest.param({"limit": "0"}, id="limit-zero"),
        pytest.param({"limit": "1001"}, id="limit-over"),
        pytest.param({"order": "up"}, id="bad-order"),
        pytest.param({"order_by": "amount"}, id="bad-order-by"),
        pytest.param(
            {
                "group_by[]": [
                    "model",
                    "speed",
                    "product",
                    "actor",
                    "context_window",
                    "workspace_id",
                ]
            },
            id="six-groups",
        ),
        pytest.param({"group_by[]": "cost_type"}, id="cost-group-on-usage"),
        pytest.param(
            {"group_by[]": ["claude_tag_user_id", "rbac_group_id"]}, id="tag-user-with-group"
        ),
        pytest.param({"exclude_deleted_users": "true"}, id="exclude-deleted-without-actor"),
        pytest.param({"inference_geos[]": "eu"}, id="bad-geo"),
        pytest.param({"models[]": [f"m{i}" for i in range(101)]}, id="over-100-values"),
        pytest.param({"page": "!!"}, id="bad-page"),
        pytest.param({"page": base64.b64encode(b"-1").decode()}, id="negative-page"),
    ],
)
def test_invalid_requests_are_400(api: Api, params: dict[str, Any]) -> None:
    query = {k: v for k, v in {**RANGE, **params}.items() if v is not None}
    response = api.get(USAGE, params=query, headers=BETA)
    assert error_of(response) == (400, "invalid_request_error", None), response.text


def test_the_beta_header_is_required(api: Api) -> None:
    assert error_of(api.get(USAGE, params=RANGE)) == (400, "invalid_request_error", None)
    assert error_of(api.get(COST, params=RANGE)) == (400, "invalid_request_error", None)


def test_exclude_deleted_users_drops_former_members(api: Api) -> None:
    params = {**RANGE, "group_by[]": "actor"}
    kept = rows(api, USAGE, {**params, "exclude_deleted_users": "true"})
    assert len(kept) == len(rows(api, USAGE, params)) - 1
    assert all((r["group"]["actor"] or {}).get("deleted") is not True for r in kept)
