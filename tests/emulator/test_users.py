"""Members (admin-api.md §9, decisions 15, 27–29) and the ID cursor (§5.1)."""

from __future__ import annotations

import pytest

from tests.emulator.conftest import ENTERPRISE_KEY, ORG, Api, error_of

ENTERPRISE_EMAILS = [
    "alice@globex.example",
    "bob@globex.example",
    "carol@globex.example",
    "dan@globex.example",
    "erin@globex.example",
    "frank@globex.example",
    "grace@globex.example",
    "heidi@globex.example",
    "ivan@contractors.globex.example",
    "judy@contractors.globex.example",
    "mallory@contractors.globex.example",
    "oscar@globex.example",
]


def emails(page: dict[str, object]) -> list[str]:
    data = page["data"]
    assert isinstance(data, list)
    return [u["email"] for u in data]


def user_id(api: Api, email: str) -> str:
    found = api.get(f"{ORG}/users", params={"email": email}).json()["data"]
    assert len(found) == 1
    return str(found[0]["id"])


def test_list_is_most_recently_added_first_with_every_field(enterprise: Api) -> None:
    page = enterprise.get(f"{ORG}/users", params={"limit": 1000}).json()
    assert emails(page) == ENTERPRISE_EMAILS[::-1]
    assert page["has_more"] is False
    assert page["first_id"] == page["data"][0]["id"]
    assert page["last_id"] == page["data"][-1]["id"]
    assert set(page["data"][0]) == {"type", "id", "email", "name", "role", "added_at"}
    assert page["data"][0]["type"] == "user"


def test_default_page_size_is_20_and_paging_both_ways(enterprise: Api) -> None:
    every = emails(enterprise.get(f"{ORG}/users", params={"limit": 1000}).json())
    first = enterprise.get(f"{ORG}/users", params={"limit": 5}).json()
    assert emails(first) == every[:5] and first["has_more"] is True
    second = enterprise.get(f"{ORG}/users", params={"limit": 5, "after_id": first["last_id"]})
    assert emails(second.json()) == every[5:10]
    last = enterprise.get(
        f"{ORG}/users", params={"limit": 5, "after_id": second.json()["last_id"]}
    ).json()
    assert emails(last) == every[10:] and last["has_more"] is False
    back = enterprise.get(f"{ORG}/users", params={"limit": 5, "before_id": last["first_id"]})
    assert emails(back.json()) == every[5:10] and back.json()["has_more"] is True
    start = enterprise.get(f"{ORG}/users", params={"limit": 5, "before_id": first["last_id"]})
    assert emails(start.json()) == every[:4] and start.json()["has_more"] is False
    assert len(enterprise.get(f"{ORG}/users").json()["data"]) == 12  # default 20


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"limit": "0"}, id="limit-0"),
        pytest.param({"limit": "1001"}, id="limit-1001"),
        pytest.param({"limit": "ten"}, id="limit-text"),
        pytest.param({"limit": "-1"}, id="limit-negative"),
        pytest.param({"after_id": "user_x", "before_id": "user_y"}, id="both-cursors"),
        pytest.param({"after_id": "user_notinlist"}, id="unknown-after-id"),
        pytest.param({"roles[]": "developer"}, id="console-role-in-enterprise"),
    ],
)
def test_bad_list_queries(enterprise: Api, params: dict[str, str]) -> None:
    response = enterprise.get(f"{ORG}/users", params=params)
    assert error_of(response) == (400, "invalid_request_error", None)


def test_limit_bounds_accepted(enterprise: Api) -> None:
    assert len(enterprise.get(f"{ORG}/users", params={"limit": 1}).json()["data"]) == 1
    assert enterprise.get(f"{ORG}/users", params={"limit": 1000}).status_code == 200


def test_after_id_must_be_in_the_filtered_list(enterprise: Api) -> None:
    alice = user_id(enterprise, "alice@globex.example")
    response = enterprise.get(f"{ORG}/users", params={"roles[]": "owner", "after_id": alice})
    assert error_of(response)[0] == 400


@pytest.mark.parametrize(
    ("email", "found"),
    [
        ("bob@globex.example", ["bob@globex.example"]),
        ("BOB@Globex.Example", ["bob@globex.example"]),
        ("bob+ci@globex.example", ["bob@globex.example"]),
        ("nobody@globex.example", []),
    ],
)
def test_email_filter(enterprise: Api, email: str, found: list[str]) -> None:
    assert emails(enterprise.get(f"{ORG}/users", params={"email": email}).json()) == found


def test_roles_filter_is_ored_and_anded_with_email(enterprise: Api) -> None:
    query: list[tuple[str, str | int | float | bool | None]] = [
        ("roles[]", "owner"),
        ("roles[]", "primary_owner"),
    ]
    assert emails(enterprise.get(f"{ORG}/users", params=query).json()) == ["grace@globex.example"]
    query.append(("email", "bob@globex.example"))
    assert emails(enterprise.get(f"{ORG}/users", params=query).json()) == []


def test_get_user(enterprise: Api) -> None:
    alice = user_id(enterprise, "alice@globex.example")
    assert enterprise.get(f"{ORG}/users/{alice}").json()["name"] == "Alice"


@pytest.mark.parametrize(
    ("org", "email", "role", "status"),
    [
        ("enterprise", "bob@globex.example", "managed", 200),
        ("enterprise", "bob@globex.example", "user", 200),
        ("enterprise", "bob@globex.example", "owner", 400),
        ("enterprise", "grace@globex.example", "user", 400),
        ("enterprise", "bob@globex.example", "developer", 400),
        ("console", "dev1@acme-health.example", "billing", 200),
        ("console", "dev1@acme-health.example", "claude_code_user", 200),
        ("console", "dev1@acme-health.example", "admin", 400),
        ("console", "admin@acme-health.example", "developer", 400),
        ("console", "dev1@acme-health.example", "managed", 400),
    ],
)
def test_role_update_rules(
    request: pytest.FixtureRequest, org: str, email: str, role: str, status: int
) -> None:
    api: Api = request.getfixturevalue(org)
    if org == "enterprise":
        scopes = ("read:members", "write:members", "write:rbac_groups")
        api.store().keys[ENTERPRISE_KEY].scopes = scopes
    target = user_id(api, email)
    response = api.post(f"{ORG}/users/{target}", json={"role": role})
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["role"] == role


def test_managed_role_needs_write_rbac_groups(enterprise: Api) -> None:
    enterprise.store().keys[ENTERPRISE_KEY].scopes = ("read:members", "write:members")
    bob = user_id(enterprise, "bob@globex.example")
    response = enterprise.post(f"{ORG}/users/{bob}", json={"role": "managed"})
    assert error_of(response) == (403, "permission_error", "api_key_scope_missing")


def test_removing_a_member_deletes_their_rows_and_pending_requests(enterprise: Api) -> None:
    enterprise.store().keys[ENTERPRISE_KEY].scopes += ("write:members",)
    bob = user_id(enterprise, "bob@globex.example")
    rows = enterprise.get(
        f"{ORG}/spend_limits/effective", params={"user_ids[]": bob, "limit": 10}
    ).json()["data"]
    bob_row = next(r for r in rows if r["source"]["type"] == "user")["spend_limit_id"]
    assert enterprise.delete(f"{ORG}/users/{bob}").json() == {"type": "user_deleted", "id": bob}
    assert enterprise.get(f"{ORG}/users/{bob}").status_code == 404
    assert enterprise.get(f"{ORG}/spend_limits/{bob_row}").status_code == 404
    requests = enterprise.get(f"{ORG}/spend_limit_increase_requests").json()["data"]
    assert [r["actor"]["email_address"] for r in requests] == ["erin@globex.example"]
    platform = next(
        g for g in enterprise.get(f"{ORG}/rbac_groups").json()["data"] if g["name"] == "platform"
    )
    members = enterprise.get(f"{ORG}/rbac_groups/{platform['id']}/members").json()["data"]
    assert [m["email"] for m in members] == ["frank@globex.example"]


@pytest.mark.parametrize(
    ("org", "email", "code"),
    [
        ("enterprise", "grace@globex.example", None),
        ("console", "admin@acme-health.example", None),
    ],
)
def test_protected_members_cannot_be_removed(
    request: pytest.FixtureRequest, org: str, email: str, code: str | None
) -> None:
    api: Api = request.getfixturevalue(org)
    if org == "enterprise":
        api.store().keys[ENTERPRISE_KEY].scopes += ("write:members",)
    response = api.delete(f"{ORG}/users/{user_id(api, email)}")
    assert error_of(response) == (400, "invalid_request_error", code)


def test_the_last_member_cannot_be_removed(console: Api) -> None:
    for email in ("dev1", "dev2", "billing"):
        assert console.delete(f"{ORG}/users/{user_id(console, email + '@acme-health.example')}")
    store = console.store()
    admin = next(iter(store.users.values()))
    admin.role = "developer"  # only the last-member rule is left to refuse
    response = console.delete(f"{ORG}/users/{admin.id}")
    assert error_of(response) == (400, "invalid_request_error", "cannot_remove_last_member")


def test_missing_scope_is_403_naming_both_sides(enterprise: Api) -> None:
    bob = user_id(enterprise, "bob@globex.example")
    response = enterprise.delete(f"{ORG}/users/{bob}")
    assert error_of(response) == (403, "permission_error", "api_key_scope_missing")
    message = response.json()["error"]["message"]
    assert "write:members" in message and "read:members" in message
