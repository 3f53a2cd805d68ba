"""The effective report (admin-api.md §11.3–11.4, decisions 13–16, 35, 37)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import ORG, Api, error_of

EFFECTIVE = f"{ORG}/spend_limits/effective"


def report(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.get(EFFECTIVE, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    assert response.json()["next_page"] is None
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


def row_for(rows: list[dict[str, Any]], email: str, period: str) -> dict[str, Any] | None:
    for row in rows:
        if row["actor"]["email_address"] == email and row["period"] == period:
            return row
    return None


@pytest.mark.parametrize(
    ("email", "period", "source", "amount", "spend"),
    [
        pytest.param("alice@globex.example", "monthly", "user", None, "12050.5", id="own-null"),
        pytest.param("bob@globex.example", "monthly", "user", "75000", "61000", id="own-row"),
        pytest.param("dan@globex.example", "monthly", "rbac_group", "150000", "0", id="group"),
        pytest.param(
            "carol@globex.example", "monthly", "seat_tier", "10000", "0", id="seat-standard"
        ),
        pytest.param(
            "grace@globex.example", "monthly", "seat_tier", "50000", "0", id="seat-premium"
        ),
        pytest.param("carol@globex.example", "daily", "user", "6000", "2000", id="daily-own"),
        pytest.param("bob@globex.example", "daily", None, None, None, id="no-daily-row"),
    ],
)
def test_resolution(
    enterprise: Api,
    email: str,
    period: str,
    source: str | None,
    amount: str | None,
    spend: str | None,
) -> None:
    row = row_for(report(enterprise), email, period)
    if source is None:
        assert row is None
        return
    assert row is not None
    assert row["source"]["type"] == source
    assert row["amount"] == amount
    assert row["period_to_date_spend"] == spend
    assert row["currency"] == "USD"
    assert row["scope"] == {"type": "user", "user_id": row["actor"]["user_id"]}
    assert set(row) == {
        "scope",
        "actor",
        "amount",
        "currency",
        "period",
        "period_to_date_spend",
        "source",
        "spend_limit_id",
    }
    assert enterprise.get(f"{ORG}/spend_limits/{row['spend_limit_id']}").status_code == 200


def test_lowest_group_row_wins_and_null_rows_are_skipped(enterprise: Api) -> None:
    control = "/_emulator/spend_limits"
    assert (
        enterprise.post(
            control, json={"scope": {"type": "rbac_group", "name": "platform"}, "amount": "500"}
        ).status_code
        == 200
    )
    rows = report(enterprise)
    assert row_for(rows, "frank@globex.example", "monthly")["amount"] == "500"  # type: ignore[index]
    enterprise.post(
        control, json={"scope": {"type": "rbac_group", "name": "research"}, "amount": "400"}
    )
    enterprise.post(control, json={"scope": {"type": "organization"}, "amount": None})
    enterprise.post(
        control,
        json={"scope": {"type": "seat_tier", "seat_tier": "enterprise_standard"}, "amount": None},
    )
    rows = report(enterprise)
    assert row_for(rows, "dan@globex.example", "monthly")["amount"] == "400"  # type: ignore[index]
    assert row_for(rows, "heidi@globex.example", "monthly") is None


def test_rows_follow_the_users_list_and_periods_filter(enterprise: Api) -> None:
    users = [u["id"] for u in enterprise.get(f"{ORG}/users", params={"limit": 100}).json()["data"]]
    rows = report(enterprise)
    assert list(dict.fromkeys(r["actor"]["user_id"] for r in rows)) == users
    daily = report(enterprise, **{"period[]": "daily"})
    assert [r["actor"]["email_address"] for r in daily] == ["carol@globex.example"]


def test_pages_by_member_never_splitting_one(enterprise: Api) -> None:
    carol = next(
        u["id"]
        for u in enterprise.get(f"{ORG}/users", params={"limit": 100}).json()["data"]
        if u["email"] == "carol@globex.example"
    )
    members: list[str] = []
    params: dict[str, Any] = {"limit": 5}
    pages = 0
    while True:
        page = enterprise.get(EFFECTIVE, params=params).json()
        pages += 1
        ids = list(dict.fromkeys(r["actor"]["user_id"] for r in page["data"]))
        assert 0 < len(ids) <= 5
        members += ids
        if carol in ids:
            assert sum(r["actor"]["user_id"] == carol for r in page["data"]) == 2
        if page["next_page"] is None:
            break
        params = {"limit": 5, "page": page["next_page"]}
    assert pages == 3 and len(members) == len(set(members)) == 12


def test_user_ids_filter(enterprise: Api) -> None:
    users = enterprise.get(f"{ORG}/users", params={"limit": 3}).json()["data"]
    wanted = [u["id"] for u in users[:2]] + ["user_notamember"]
    rows = report(enterprise, **{"user_ids[]": wanted})
    assert {r["actor"]["user_id"] for r in rows} == set(wanted[:2])


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"limit": "1001"}, id="limit-1001"),
        pytest.param({"limit": "0"}, id="limit-0"),
        pytest.param({"period[]": ["monthly", "monthly"]}, id="period-repeated"),
        pytest.param({"period[]": "yearly"}, id="period-unknown"),
        pytest.param({"period[]": ["daily", "weekly", "monthly", "daily"]}, id="period-4"),
        pytest.param({"user_ids[]": [f"user_{i}" for i in range(101)]}, id="user-ids-101"),
        pytest.param({"page": "page_bm9wZQ"}, id="undecodable-cursor"),
    ],
)
def test_bad_queries(enterprise: Api, params: dict[str, Any]) -> None:
    assert error_of(enterprise.get(EFFECTIVE, params=params)) == (
        400,
        "invalid_request_error",
        None,
    )


@pytest.mark.parametrize(
    "changed",
    [{"period[]": "daily"}, {"user_ids[]": "user_x"}, {"extra": "1"}],
    ids=["period", "user-ids", "any-other-param"],
)
def test_cursor_is_bound_to_the_filters(enterprise: Api, changed: dict[str, str]) -> None:
    first = enterprise.get(EFFECTIVE, params={"limit": 2}).json()
    response = enterprise.get(EFFECTIVE, params={"limit": 2, "page": first["next_page"], **changed})
    assert error_of(response)[0] == 400
    assert response.json()["error"]["message"] == "cursor does not match current query parameters"


def test_console_orgs_have_no_effective_report(console: Api) -> None:
    assert error_of(console.get(EFFECTIVE)) == (
        400,
        "invalid_request_error",
        "organization_type_not_supported",
    )
