"""``GET /v1/organizations/cost_report`` in process, and the pricing rules behind it
(usage-cost-api.md §3, §5, decisions 8, 9, 13): expected amounts are worked out by hand
from the table in ``usage_support``."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from reconciler.emulator.catalog import display_name, geo_capable, price_entry, version
from reconciler.emulator.costs import cents_text
from tests.emulator.conftest import Api, error_of
from tests.emulator.usage_support import COST, SEED, buckets, results, usage_api, workspace_ids

SEED_DAYS: dict[str, Any] = {
    "starting_at": "2026-10-19T00:00:00Z",
    "ending_at": "2026-10-23T00:00:00Z",
}
DETAIL = (
    "description",
    "cost_type",
    "model",
    "token_type",
    "service_tier",
    "context_window",
    "inference_geo",
)


@pytest.fixture
def api() -> Iterator[Api]:
    with usage_api() as api:
        yield api


def amounts(api: Api, params: dict[str, Any]) -> list[list[str]]:
    return [[r["amount"] for r in b["results"]] for b in buckets(api, COST, params)]


# -- totals -------------------------------------------------------------------------------


def test_daily_totals(api: Api) -> None:
    # 10-20: claims 1M in × $5 + 200k out × $25 = $5 + $5 = 1000¢;
    #        portal batch us: (2M × $5 + 100k × $25) × 0.5 × 1.1 = $12.5 × 0.55 = 687.5¢;
    #        default haiku 4.5 (built-in $1/$5): 300k × $1 + 30k × $5 = $0.45 = 45¢.
    # 10-21: sonnet 4.5 ($3/$15 built in): 500k in $1.50 + 1M cache reads × $0.30 $0.30
    #        + 100k 5-minute writes × $3.75 $0.375 + 50k 1-hour writes × $6 $0.30 = 247.5¢,
    #        + 7 web searches × 1¢; the priority row is not billed.
    # 10-22: portal us: (3 × $5 + 7 × $25) / 1M × 1.1 = $0.000209 = 0.0209¢.
    assert amounts(api, SEED_DAYS) == [[], ["1732.5"], ["254.5"], ["0.0209"]]


def test_every_key_is_present_and_null_unless_grouped(api: Api) -> None:
    (row,) = api.get(COST, params={"starting_at": "2026-10-20T00:00:00Z", "limit": 1}).json()[
        "data"
    ][0]["results"]
    assert row == {
        "amount": "1732.5",
        "currency": "USD",
        "workspace_id": None,
        **dict.fromkeys(DETAIL),
    }


def test_grouped_by_workspace_the_default_workspace_is_null_and_last(api: Api) -> None:
    ids = workspace_ids(api)
    day = api.get(
        COST,
        params={"starting_at": "2026-10-20T00:00:00Z", "limit": 1, "group_by[]": "workspace_id"},
    ).json()["data"][0]["results"]
    expected = sorted([(ids["claims"], "1000"), (ids["portal"], "687.5")])
    assert [(r["workspace_id"], r["amount"]) for r in day] == [*expected, (None, "45")]
    assert all(r[key] is None for r in day for key in DETAIL)


def test_grouped_by_description_each_token_type_is_a_row(api: Api) -> None:
    day = api.get(
        COST,
        params={"starting_at": "2026-10-21T00:00:00Z", "limit": 1, "group_by[]": "description"},
    ).json()["data"][0]["results"]
    got = [(r["description"], r["token_type"], r["cost_type"], r["amount"]) for r in day]
    assert got == [
        (
            "Claude Sonnet 4.5 Usage - Input Tokens",
            "uncached_input_tokens",
            "tokens",
            "150",
        ),
        (
            "Claude Sonnet 4.5 Usage - Input Tokens, Cache Hit",
            "cache_read_input_tokens",
            "tokens",
            "30",
        ),
        (
            "Claude Sonnet 4.5 Usage - Input Tokens, Cache Write",
            "cache_creation.ephemeral_5m_input_tokens",
            "tokens",
            "37.5",
        ),
        (
            "Claude Sonnet 4.5 Usage - Input Tokens, Cache Write (1h)",
            "cache_creation.ephemeral_1h_input_tokens",
            "tokens",
            "30",
        ),
        ("Web Search Usage", None, "web_search", "7"),
    ]
    tokens = [r for r in day if r["cost_type"] == "tokens"]
    assert {
        (r["model"], r["service_tier"], r["context_window"], r["inference_geo"]) for r in tokens
    } == {("claude-sonnet-4-5", "standard", "0-200k", "not_available")}
    (search,) = [r for r in day if r["cost_type"] == "web_search"]
    assert all(search[k] is None for k in DETAIL if k not in ("description", "cost_type"))
    assert all(r["workspace_id"] is None for r in day)  # not grouped by workspace


def test_rows_split_by_tier_and_geo_and_the_description_names_no_geo(api: Api) -> None:
    ids = workspace_ids(api)
    rows = results(api, COST, {**SEED_DAYS, "group_by[]": ["workspace_id", "description"]})
    opus = [
        (r["workspace_id"], r["token_type"], r["service_tier"], r["inference_geo"], r["amount"])
        for r in rows
        if r["model"] == "claude-opus-4-6"
    ]
    assert sorted(opus) == sorted(
        [
            (ids["claims"], "uncached_input_tokens", "standard", "global", "500"),
            (ids["claims"], "output_tokens", "standard", "global", "500"),
            (ids["portal"], "uncached_input_tokens", "batch", "us", "550"),
            (ids["portal"], "output_tokens", "batch", "us", "137.5"),
            (ids["portal"], "uncached_input_tokens", "standard", "us", "0.00165"),
            (ids["portal"], "output_tokens", "standard", "us", "0.01925"),
        ]
    )
    long_context = [r for r in rows if r["amount"] in ("0.00165", "0.01925")]
    assert {r["context_window"] for r in long_context} == {"200k-1M"}
    assert {r["description"] for r in rows if r["model"] == "claude-opus-4-6"} == {
        "Claude Opus 4.6 Usage - Input Tokens",
        "Claude Opus 4.6 Usage - Output Tokens",
    }


def test_description_rows_add_up_to_the_ungrouped_total(api: Api) -> None:
    detailed = results(api, COST, {**SEED_DAYS, "group_by[]": ["description", "workspace_id"]})
    total = sum(Decimal(r["amount"]) for r in detailed)
    assert total == Decimal("1732.5") + Decimal("254.5") + Decimal("0.0209")


def test_priority_and_flex_tiers_are_never_billed() -> None:
    text = SEED.replace("service_tier: priority", "service_tier: flex")
    with usage_api(text) as api:
        assert amounts(api, SEED_DAYS)[2] == ["254.5"]


def test_seed_prices_replace_the_built_in_ones_and_cache_prices_default_to_multiples() -> None:
    text = SEED.replace(
        "prices:\n",
        'prices:\n  claude-sonnet-4-5: {input: "4", output: "20", cache_read: "1"}\n',
    )
    with usage_api(text) as api:
        # 500k × $4 = 200¢; 1M reads × $1 = 100¢; 100k × 1.25 × $4 = 50¢;
        # 50k × 2 × $4 = 40¢; 7 searches = 7¢.
        assert amounts(api, SEED_DAYS)[2] == ["397"]


def test_pages_like_the_usage_report(api: Api) -> None:
    first = api.get(COST, params={**SEED_DAYS, "limit": 2}).json()
    assert first["has_more"] is True and first["next_page"].startswith("page_")
    second = api.get(COST, params={**SEED_DAYS, "limit": 2, "page": first["next_page"]}).json()
    assert [b["starting_at"] for b in first["data"] + second["data"]] == [
        "2026-10-19T00:00:00Z",
        "2026-10-20T00:00:00Z",
        "2026-10-21T00:00:00Z",
        "2026-10-22T00:00:00Z",
    ]
    assert (second["has_more"], second["next_page"]) == (False, None)


def test_default_and_maximum_limit(api: Api) -> None:
    params = {"starting_at": "2026-01-01T00:00:00Z"}
    assert len(api.get(COST, params=params).json()["data"]) == 7
    assert len(api.get(COST, params={**params, "limit": 31}).json()["data"]) == 31


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"bucket_width": "1h"}, id="hourly"),
        pytest.param({"bucket_width": "1m"}, id="by-minute"),
        pytest.param({"limit": "32"}, id="limit-over"),
        pytest.param({"limit": "0"}, id="limit-zero"),
        pytest.param({"group_by[]": "inference_geo"}, id="group-by-geo"),
        pytest.param({"group_by[]": "model"}, id="group-by-model"),
        pytest.param({"ending_at": "2026-10-18T00:00:00Z"}, id="ending-before-starting"),
        pytest.param({"page": "page_bm9wZQ=="}, id="bad-page"),
    ],
)
def test_invalid_cost_requests_are_400(api: Api, params: dict[str, Any]) -> None:
    response = api.get(COST, params={**SEED_DAYS, **params})
    assert error_of(response) == (400, "invalid_request_error", None), response.text


def test_usage_filters_are_ignored_on_the_cost_report(api: Api) -> None:
    assert amounts(api, {**SEED_DAYS, "models[]": "claude-haiku-4-5"})[1] == ["1732.5"]


def test_enterprise_orgs_are_refused(enterprise: Api) -> None:
    response = enterprise.get(COST, params={"starting_at": "2026-10-20T00:00:00Z"})
    assert error_of(response) == (400, "invalid_request_error", "organization_type_not_supported")


# -- the rules underneath -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "found", "capable", "name"),
    [
        ("claude-opus-4-6", (4, 6), True, "Claude Opus 4.6"),
        ("claude-sonnet-4-6", (4, 6), True, "Claude Sonnet 4.6"),
        ("claude-opus-4-7", (4, 7), True, "Claude Opus 4.7"),
        ("claude-sonnet-5", (5, 0), True, "Claude Sonnet 5"),
        ("claude-opus-4-5", (4, 5), False, "Claude Opus 4.5"),
        ("claude-sonnet-4-5-20250929", (4, 5), False, "Claude Sonnet 4.5"),
        ("claude-haiku-4-5", (4, 5), False, "Claude Haiku 4.5"),
        ("claude-opus-4-20250514", (4, 0), False, "Claude Opus 4"),
        ("claude-3-5-haiku-20241022", (3, 5), False, "Claude Haiku 3.5"),
        ("my-custom-model", None, False, "my-custom-model"),
    ],
)
def test_model_versions_geo_support_and_names(
    model: str, found: tuple[int, int] | None, capable: bool, name: str
) -> None:
    assert version(model) == found
    assert geo_capable(model) is capable
    assert display_name(model) == name


def test_price_lookup() -> None:
    dated = price_entry("claude-sonnet-4-5-20250929", {})
    assert dated is not None and (dated["input"], dated["output"]) == (Decimal(3), Decimal(15))
    assert (dated["cache_read"], dated["cache_write_5m"], dated["cache_write_1h"]) == (
        Decimal("0.3"),
        Decimal("3.75"),
        Decimal("6"),
    )
    custom = price_entry("my-model", {"my-model": {"input": "2", "output": "8"}})
    assert custom is not None and custom["cache_write_1h"] == 4
    assert price_entry("my-model", {}) is None


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("123.45", "123.45"),
        ("150.000", "150"),
        ("0", "0"),
        ("0.0000004", "0"),
        ("0.0000005", "0"),  # half-even
        ("0.0000015", "0.000002"),
        ("0.00001234", "0.000012"),
        ("1E+3", "1000"),
        ("12345678901234.5", "12345678901234.5"),
    ],
)
def test_amount_text(amount: str, text: str) -> None:
    assert cents_text(Decimal(amount)) == text
