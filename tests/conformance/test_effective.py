"""The effective spend-limit report (admin-api.md §11.3–11.4) — Enterprise organizations.

Paged by member: a member's rows never split across pages.  Expected values follow the
resolution order (decision 35): own override → most restrictive group row → seat tier →
organization.
"""

from __future__ import annotations

import math
from itertools import groupby, pairwise

import anthropic
import pytest
from anthropic.types.organization.spend_summary import SpendSummary

from tests.conformance import seed_data
from tests.conformance.harness import Org, check_error, each_raises
from tests.conformance.shapes import cursor_page

# (email, period) → (amount, source type, spend so far), from seeds/enterprise.yaml.
EXPECTED = {
    ("ana@enterprise.example.com", "monthly"): ("50000", "seat_tier", "0"),
    ("bo@enterprise.example.com", "monthly"): ("20000", "seat_tier", "0"),
    ("dan@enterprise.example.com", "monthly"): (None, "user", "12050.5"),
    ("eli@enterprise.example.com", "monthly"): ("75000", "user", "500"),
    ("eli@enterprise.example.com", "daily"): ("6000", "user", "120.125"),
    ("flo@enterprise.example.com", "monthly"): ("150000", "rbac_group", "0"),
    ("flo@enterprise.example.com", "weekly"): ("10000", "user", "0"),
    ("gil@enterprise.example.com", "monthly"): ("20000", "seat_tier", "0"),
    ("gil@enterprise.example.com", "weekly"): ("30000", "rbac_group", "0"),
    ("hal@enterprise.example.com", "monthly"): ("150000", "rbac_group", "0"),
    ("ivy@enterprise.example.com", "monthly"): ("150000", "rbac_group", "0"),
}


def report(org: Org, **filters: object) -> list[SpendSummary]:
    return list(org.client.organization.spend_limits.effective.list(limit=1000, **filters))  # type: ignore[arg-type]


def members_in_order(org: Org) -> list[str]:
    return [u.id for u in org.client.organization.users.list(limit=1000).data]


def test_report_is_typed_exact_and_in_users_list_order(enterprise: Org) -> None:
    effective = enterprise.client.organization.spend_limits.effective
    response = effective.with_raw_response.list(limit=1000)
    page = response.parse()
    rows, body = cursor_page(SpendSummary, response.json())
    assert page.data == rows
    assert body["next_page"] is None
    order = [user_id for user_id, _ in groupby(row.scope.user_id for row in rows)]  # type: ignore[union-attr]
    assert order == members_in_order(enterprise), "members split, missing or out of order"
    keys = [(row.scope.user_id, row.period) for row in rows]  # type: ignore[union-attr]
    assert len(keys) == len(set(keys))
    for row in rows:
        assert row.scope.type == "user"
        assert row.actor.type == "user_actor"
        assert row.actor.user_id == row.scope.user_id
        assert row.actor.deleted is False
        assert row.currency == "EUR"


def test_rows_resolve_as_documented(enterprise: Org) -> None:
    rows = report(enterprise)
    limits = {
        row.id: row for row in enterprise.client.beta.organization.spend_limits.list(limit=1000)
    }
    got: dict[tuple[str | None, str], tuple[str | None, str, str]] = {}
    for row in rows:
        email = row.actor.email_address  # type: ignore[union-attr]
        got[(email, row.period)] = (row.amount, row.source.type, row.period_to_date_spend)
        winner = limits[row.spend_limit_id]
        assert winner.scope.type == row.source.type
        assert (winner.amount, winner.period) == (row.amount, row.period)
    for key, expected in EXPECTED.items():
        assert got.get(key) == expected, key
    # The organization row (monthly) caps everybody else: every member has a monthly row.
    assert {e for e, p in got if p == "monthly"} == set(seed_data.emails("enterprise"))


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_auto_pagination_walks_by_member(enterprise: Org, limit: int) -> None:
    expected = report(enterprise)
    walked = list(enterprise.client.organization.spend_limits.effective.list(limit=limit))
    assert walked == expected
    pages = enterprise.sent("GET", "spend_limits/effective")[1:]
    members = len(seed_data.emails("enterprise"))
    assert len(pages) == math.ceil(members / limit)
    assert enterprise.route_count("GET /v1/organizations/spend_limits/effective") == 1 + len(pages)
    for page in pages:
        rows = page.json()["data"]
        assert len({row["scope"]["user_id"] for row in rows}) <= limit
    for previous, following in pairwise(pages):
        assert ("page", previous.json()["next_page"]) in following.query


def test_period_filter(enterprise: Org) -> None:
    rows = report(enterprise, period=["daily"])
    assert [(r.actor.email_address, r.period) for r in rows] == [  # type: ignore[union-attr]
        ("eli@enterprise.example.com", "daily")
    ]
    both = report(enterprise, period=["weekly", "daily"])
    assert {r.period for r in both} == {"weekly", "daily"}
    assert [
        item
        for item in enterprise.sent("GET", "spend_limits/effective")[-1].query
        if item[0] == "period[]"
    ] == [("period[]", "weekly"), ("period[]", "daily")]


def test_user_ids_filter_walks_with_the_filter(enterprise: Org) -> None:
    users = {u.email: u.id for u in enterprise.client.organization.users.list(limit=1000).data}
    wanted = [users["dan@enterprise.example.com"], users["gil@enterprise.example.com"]]
    rows = list(
        enterprise.client.organization.spend_limits.effective.list(user_ids=wanted, limit=1)
    )
    assert {r.scope.user_id for r in rows} == set(wanted)  # type: ignore[union-attr]
    assert len(rows) == 3  # dan monthly; gil monthly and weekly
    for page in enterprise.sent("GET", "spend_limits/effective")[1:]:
        assert [v for k, v in page.query if k == "user_ids[]"] == wanted


def test_cursor_is_bound_to_the_filters(enterprise: Org) -> None:
    effective = enterprise.client.organization.spend_limits.effective
    first = effective.list(limit=1, period=["monthly"])
    assert first.next_page
    with pytest.raises(anthropic.BadRequestError) as info:
        effective.list(limit=1, period=["weekly"], page=first.next_page)
    body = check_error(info.value, 400, "invalid_request_error")
    assert body["error"]["message"] == "cursor does not match current query parameters"


def test_spend_updates_show_in_the_report(enterprise: Org) -> None:
    enterprise.control(
        "POST",
        "/_emulator/spend",
        json={"email": "hal@enterprise.example.com", "period": "monthly", "amount": "777.25"},
    )
    (row,) = [
        r
        for r in report(enterprise, period=["monthly"])
        if r.actor.email_address == "hal@enterprise.example.com"  # type: ignore[union-attr]
    ]
    assert row.period_to_date_spend == "777.25"


def test_beta_surface_lists_the_same_report(enterprise: Org) -> None:
    beta = list(enterprise.client.beta.organization.spend_limits.effective.list(limit=3))
    stable = report(enterprise)
    assert [row.model_dump() for row in beta] == [row.model_dump() for row in stable]


@pytest.mark.parametrize(
    "filters",
    [
        {"limit": 0},
        {"limit": 1001},
        {"period": ["yearly"]},
        {"period": ["monthly", "monthly"]},
        {"period": ["daily", "weekly", "monthly", "daily"]},
        {"user_ids": ["u"] * 101},
    ],
    ids=["limit-0", "limit-1001", "unknown-period", "repeated-period", "4-periods", "101-user-ids"],
)
def test_invalid_filters_are_400s(enterprise: Org, filters: dict[str, object]) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        enterprise.client.organization.spend_limits.effective.list(**filters)  # type: ignore[arg-type]
    check_error(info.value, 400, "invalid_request_error")


def test_console_organizations_have_no_effective_report(console: Org) -> None:
    each_raises(
        anthropic.OrganizationTypeNotSupportedError,
        [
            lambda: console.client.organization.spend_limits.effective.list(),
            lambda: console.client.beta.organization.spend_limits.effective.list(),
        ],
        400,
        "invalid_request_error",
        "organization_type_not_supported",
    )
