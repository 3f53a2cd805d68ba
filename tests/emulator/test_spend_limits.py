"""Spend limits: set, retrieve, list, delete (admin-api.md §11, decisions 30–34, 36)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import ORG, Api, error_of

BETA = {"anthropic-beta": "spend-limit-reads-2026-09-26"}
FLAG_OFF_SEED = """
organization: {id: 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d, name: Flagless, kind: %s,
               spend_limits_api: false, extra_usage_enabled: false}
admin_keys: [{key: %s, %s}]
users: [{email: a@off.example}]
spend_limits: [{scope: {type: organization}, amount: "100"}]
"""


def listing(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"{ORG}/spend_limits", params={"limit": 1000, **params}, headers=BETA)
    assert response.status_code == 200, response.text
    assert response.json()["next_page"] is None
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def user_id(api: Api, email: str) -> str:
    return str(api.get(f"{ORG}/users", params={"email": email}).json()["data"][0]["id"])


def workspace_id(api: Api, name: str) -> str:
    page = api.get(f"{ORG}/workspaces", params={"include_archived": "true"}).json()
    return str(next(w["id"] for w in page["data"] if w["name"] == name))


def test_enterprise_set_is_an_upsert_keyed_on_scope_and_period(enterprise: Api) -> None:
    bob = user_id(enterprise, "bob@globex.example")
    scope = {"type": "user", "user_id": bob}
    before = next(
        r for r in listing(enterprise) if r["scope"] == scope and r["period"] == "monthly"
    )
    enterprise.clock.advance(5)
    row = enterprise.post(f"{ORG}/spend_limits", json={"amount": "80000", "scope": scope}).json()
    assert row["id"] == before["id"] and row["amount"] == "80000"
    assert row["period"] == "monthly"  # the default period
    assert row["created_at"] == before["created_at"] and row["updated_at"] > before["updated_at"]
    daily = enterprise.post(
        f"{ORG}/spend_limits", json={"amount": None, "scope": scope, "period": "daily"}
    ).json()
    assert daily["id"] != row["id"] and daily["amount"] is None
    assert daily["currency"] == "USD" and daily["is_enabled"] is True
    assert enterprise.get(f"{ORG}/spend_limits/{daily['id']}").json() == daily


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"amount": "0"}, 200, id="zero"),
        pytest.param({"amount": "999999999999999"}, 200, id="15-digits"),
        pytest.param({"amount": "1000000000000000"}, 400, id="16-digits"),
        pytest.param({"amount": "0100"}, 400, id="leading-zero"),
        pytest.param({"amount": "-1"}, 400, id="negative"),
        pytest.param({"amount": "1.5"}, 400, id="decimal"),
        pytest.param({"amount": 100}, 400, id="json-number"),
        pytest.param({"amount": ""}, 400, id="empty"),
        pytest.param({}, 400, id="amount-key-missing"),
        pytest.param({"amount": "1", "period": "yearly"}, 400, id="bad-period"),
        pytest.param({"amount": "1", "period": "weekly"}, 200, id="weekly"),
        pytest.param({"amount": "1", "extra": 1}, 400, id="unknown-field"),
    ],
)
def test_enterprise_amount_and_period_rules(
    enterprise: Api, body: dict[str, Any], status: int
) -> None:
    scope = {"type": "user", "user_id": user_id(enterprise, "oscar@globex.example")}
    response = enterprise.post(f"{ORG}/spend_limits", json={"scope": scope, **body})
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("org", "scope", "extra", "status"),
    [
        ("enterprise", {"type": "organization"}, {}, 400),
        ("enterprise", {"type": "seat_tier", "seat_tier": "enterprise_standard"}, {}, 400),
        ("enterprise", {"type": "workspace", "workspace_id": "wrkspc_x"}, {}, 400),
        ("enterprise", {"type": "user", "user_id": "user_nobody"}, {}, 404),
        ("enterprise", {"type": "user"}, {}, 400),
        ("enterprise", {"type": "user", "user_id": "user_x", "email": "a@b"}, {}, 400),
        ("enterprise", {"type": "galaxy"}, {}, 400),
        ("console", {"type": "organization"}, {}, 200),
        ("console", {"type": "organization"}, {"period": "daily"}, 400),
        ("console", {"type": "organization"}, {"amount": None}, 400),
        ("console", {"type": "usage_tier"}, {}, 400),
        ("console", {"type": "user", "user_id": "user_x"}, {}, 400),
        ("console", {"type": "workspace", "workspace_id": "wrkspc_nobody"}, {}, 404),
    ],
)
def test_which_scopes_each_kind_may_set(
    request: pytest.FixtureRequest,
    org: str,
    scope: dict[str, Any],
    extra: dict[str, Any],
    status: int,
) -> None:
    api: Api = request.getfixturevalue(org)
    response = api.post(f"{ORG}/spend_limits", json={"scope": scope, "amount": "100", **extra})
    assert response.status_code == status, response.text
    if status != 200:
        assert error_of(response)[2] is None


@pytest.mark.parametrize(
    ("workspace", "amount", "status"),
    [
        ("marketing-copy", "5000000", 200),
        ("marketing-copy", "5000001", 400),
        ("retired-pilot", "100", 400),
        ("Default", "100", 400),
    ],
)
def test_console_workspace_limits(console: Api, workspace: str, amount: str, status: int) -> None:
    if workspace == "Default":
        page = console.get(f"{ORG}/workspaces", params={"include_default": "true"}).json()
        target = page["data"][-1]["id"]
    else:
        target = workspace_id(console, workspace)
    response = console.post(
        f"{ORG}/spend_limits",
        json={"scope": {"type": "workspace", "workspace_id": target}, "amount": amount},
    )
    assert response.status_code == status, response.text


def test_enterprise_list_order_and_filters(enterprise: Api) -> None:
    rows = listing(enterprise)
    types = [r["scope"]["type"] for r in rows]
    assert types == ["organization", "seat_tier", "seat_tier", "rbac_group", *["user"] * 4]
    users = [r["id"] for r in rows if r["scope"]["type"] == "user"]
    assert users == sorted(users)
    narrowed = listing(enterprise, **{"scope_type[]": ["organization", "seat_tier", "rbac_group"]})
    assert [r["id"] for r in narrowed] == [r["id"] for r in rows[:4]]
    org_row = rows[0]
    assert (org_row["amount"], org_row["is_enabled"], org_row["currency"]) == (
        "5000000",
        True,
        "USD",
    )


def test_console_list_is_newest_first_with_usage_tier(console: Api) -> None:
    rows = listing(console)
    assert [r["scope"]["type"] for r in rows] == [
        "workspace",
        "workspace",
        "organization",
        "usage_tier",
    ]
    created = console.post(
        f"{ORG}/spend_limits",
        json={
            "scope": {"type": "workspace", "workspace_id": workspace_id(console, "patient-portal")},
            "amount": "1000",
        },
    ).json()
    assert listing(console)[0]["id"] == created["id"]
    portal = listing(console, workspace_id=created["scope"]["workspace_id"])
    assert [r["id"] for r in portal] == [created["id"]]
    usage_tier = rows[-1]
    assert usage_tier["created_at"] == usage_tier["updated_at"] == "2026-01-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    ("org", "params", "headers"),
    [
        pytest.param("enterprise", {}, {}, id="beta-missing"),
        pytest.param("enterprise", {"scope_type[]": "workspace"}, BETA, id="console-type"),
        pytest.param("console", {"scope_type[]": "user"}, BETA, id="enterprise-type"),
        pytest.param("console", {"scope_type[]": "planet"}, BETA, id="unknown-type"),
        pytest.param("enterprise", {"workspace_id": "wrkspc_x"}, BETA, id="workspace-filter"),
        pytest.param("enterprise", {"limit": "1001"}, BETA, id="limit-1001"),
        pytest.param("enterprise", {"page": "garbage"}, BETA, id="bad-cursor"),
    ],
)
def test_bad_list_queries(
    request: pytest.FixtureRequest, org: str, params: dict[str, str], headers: dict[str, str]
) -> None:
    api: Api = request.getfixturevalue(org)
    response = api.get(f"{ORG}/spend_limits", params=params, headers=headers)
    assert error_of(response) == (400, "invalid_request_error", None)


def test_list_pages_with_a_cursor_bound_to_the_filters(enterprise: Api) -> None:
    every = listing(enterprise)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = enterprise.get(f"{ORG}/spend_limits", params=params, headers=BETA).json()
        assert page["data"], "never a non-null cursor to an empty page"
        seen += [r["id"] for r in page["data"]]
        if page["next_page"] is None:
            break
        params = {"limit": 2, "page": page["next_page"]}  # limit may change
    assert seen == [r["id"] for r in every]
    first = enterprise.get(f"{ORG}/spend_limits", params={"limit": 1}, headers=BETA).json()
    moved = enterprise.get(
        f"{ORG}/spend_limits",
        params={"limit": 1, "page": first["next_page"], "scope_type[]": "user"},
        headers=BETA,
    )
    assert error_of(moved)[0] == 400
    assert moved.json()["error"]["message"] == "cursor does not match current query parameters"


@pytest.mark.parametrize(
    ("org", "scope_type", "status"),
    [
        ("enterprise", "user", 200),
        ("enterprise", "organization", 400),
        ("enterprise", "seat_tier", 400),
        ("enterprise", "rbac_group", 400),
        ("console", "workspace", 200),
        ("console", "organization", 200),
        ("console", "usage_tier", 400),
    ],
)
def test_delete_rules(
    request: pytest.FixtureRequest, org: str, scope_type: str, status: int
) -> None:
    api: Api = request.getfixturevalue(org)
    row = next(r for r in listing(api) if r["scope"]["type"] == scope_type)
    response = api.delete(f"{ORG}/spend_limits/{row['id']}")
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json() == {"type": "spend_limit_deleted", "id": row["id"]}
        assert error_of(api.get(f"{ORG}/spend_limits/{row['id']}"))[0] == 404
        assert error_of(api.delete(f"{ORG}/spend_limits/{row['id']}"))[0] == 404


@pytest.mark.parametrize(
    ("kind", "key", "scopes"),
    [
        ("enterprise", "sk-ant-api01-off", "scopes: [read:spend_limits, write:spend_limits]"),
        ("console", "sk-ant-admin01-off", "revoked: false"),
    ],
)
def test_spend_limits_api_flag_off(api_for: Any, kind: str, key: str, scopes: str) -> None:
    api: Api = api_for(FLAG_OFF_SEED % (kind, key, scopes), key)
    body = {"scope": {"type": "organization"}, "amount": "1"}
    for response in (
        api.post(f"{ORG}/spend_limits", json=body),
        api.get(f"{ORG}/spend_limits/spl_anything"),
        api.delete(f"{ORG}/spend_limits/spl_anything"),
    ):
        assert error_of(response) == (
            403,
            "permission_error",
            "spend_limits_admin_api_writes_not_enabled",
        )
    listed = api.get(f"{ORG}/spend_limits", headers=BETA)
    if kind == "console":
        assert error_of(listed)[2] == "organization_type_not_supported"
    else:
        org_row = listed.json()["data"][0]
        assert org_row["is_enabled"] is False  # extra usage is off


@pytest.mark.parametrize(
    ("path", "method", "scope"),
    [
        ("/spend_limits", "POST", "write:spend_limits"),
        ("/spend_limits/spl_x", "DELETE", "write:spend_limits"),
        ("/spend_limits/spl_x", "GET", "read:spend_limits"),
        ("/spend_limits", "GET", "read:spend_limits"),
        ("/spend_limits/effective", "GET", "read:spend_limits"),
        ("/rbac_groups", "GET", "read:rbac_groups"),
        ("/users", "GET", "read:members"),
    ],
)
def test_each_endpoint_needs_its_own_scope(
    enterprise: Api, path: str, method: str, scope: str
) -> None:
    key = enterprise.store().keys["sk-ant-api01-demo-enterprise-key"]
    key.scopes = tuple(s for s in key.scopes if s != scope)
    response = enterprise.request(method, ORG + path, headers=BETA)
    assert error_of(response) == (403, "permission_error", "api_key_scope_missing")
    assert scope in response.json()["error"]["message"]
