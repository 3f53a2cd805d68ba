"""``--control`` endpoints (SPEC §8's table)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from reconciler.emulator import Options, load_seed
from tests.emulator.conftest import ENTERPRISE_KEY, ORG, SEEDS, Api, error_of, make_api

BETA = {"anthropic-beta": "spend-limit-reads-2026-09-26"}


def test_stats_count_every_v1_request_by_route_template(enterprise: Api) -> None:
    users = enterprise.get(f"{ORG}/users").json()["data"]
    enterprise.get(f"{ORG}/users/{users[0]['id']}")
    enterprise.get(f"{ORG}/users/{users[1]['id']}")
    enterprise.get(f"{ORG}/users/user_missing")
    enterprise.get(f"{ORG}/me", headers={"x-api-key": "sk-ant-api01-wrong"})
    enterprise.delete(f"{ORG}/me")
    enterprise.get(f"{ORG}/no/such/route")
    assert enterprise.get("/_emulator/stats").json() == {
        "requests_total": 7,
        "by_route": {
            "DELETE /v1/organizations/me": 1,
            "GET (unknown route)": 1,
            "GET /v1/organizations/me": 1,
            "GET /v1/organizations/users": 1,
            "GET /v1/organizations/users/{user_id}": 3,
        },
        "by_status": {"200": 3, "401": 1, "404": 2, "405": 1},
    }


def test_reset_goes_back_to_the_seed(console: Api) -> None:
    console.post(f"{ORG}/workspaces", json={"name": "temporary"})
    assert console.post("/_emulator/reset").json() == {"reset": True}
    names = [w["name"] for w in console.get(f"{ORG}/workspaces").json()["data"]]
    assert "temporary" not in names
    assert console.get("/_emulator/stats").json()["requests_total"] == 1


def test_verify_only_rows_can_be_edited_and_removed(enterprise: Api) -> None:
    tier = {"type": "seat_tier", "seat_tier": "enterprise_standard"}
    row = enterprise.post("/_emulator/spend_limits", json={"scope": tier, "amount": 12345})
    assert row.status_code == 200 and row.json()["amount"] == "12345"
    listed = enterprise.get(
        f"{ORG}/spend_limits", params={"scope_type[]": "seat_tier"}, headers=BETA
    ).json()["data"]
    assert {r["amount"] for r in listed} == {"12345", "50000"}
    new = enterprise.post(
        "/_emulator/spend_limits",
        json={"scope": {"type": "organization_service", "service": "claude_code"}, "amount": "1"},
    )
    assert new.json()["scope"] == {"type": "organization_service", "service": "claude_code"}
    gone = enterprise.request("DELETE", "/_emulator/spend_limits", json={"scope": tier})
    assert gone.json()["id"] == row.json()["id"]
    again = enterprise.request("DELETE", "/_emulator/spend_limits", json={"scope": tier})
    assert again.status_code == 404


def test_usage_tier_edits_keep_the_org_creation_time(console: Api) -> None:
    row = console.post(
        "/_emulator/spend_limits", json={"scope": {"type": "usage_tier"}, "amount": "100000"}
    ).json()
    assert row["amount"] == "100000"
    assert row["updated_at"] == row["created_at"] == "2026-01-01T00:00:00.000000Z"


def test_spend_users_workspaces_usage_and_requests(enterprise: Api, console: Api) -> None:
    spend = enterprise.post(
        "/_emulator/spend", json={"email": "Heidi@globex.example", "amount": "99.125"}
    )
    assert spend.json() == {
        "email": "heidi@globex.example",
        "period": "monthly",
        "amount": "99.125",
    }
    added = enterprise.post(
        "/_emulator/users", json={"email": "zoe@globex.example", "seat_tier": "enterprise_premium"}
    ).json()
    assert (added["name"], added["role"]) == ("Zoe", "user")
    assert enterprise.get(f"{ORG}/users", params={"limit": 1}).json()["data"][0] == added
    request = enterprise.post("/_emulator/increase_requests", json={"email": "zoe@globex.example"})
    assert request.json()["status"] == "pending"
    removed = enterprise.request("DELETE", "/_emulator/users/zoe@globex.example")
    assert removed.json() == {"type": "user_deleted", "id": added["id"]}
    assert (
        enterprise.get(f"{ORG}/spend_limit_increase_requests/{request.json()['id']}").status_code
        == 404
    )
    workspace = console.post(
        "/_emulator/workspaces", json={"name": "made-in-console", "tags": {"team": "x"}}
    ).json()
    assert console.get(f"{ORG}/workspaces/{workspace['id']}").json() == workspace
    rows = [
        {
            "date": "2026-11-01",
            "workspace": "claims-processing",
            "model": "claude-opus-4-6",
            "inference_geo": "global",
            "input_tokens": 10,
            "output_tokens": 5,
        }
    ]
    before = len(console.store().usage)
    added = console.post("/_emulator/usage", json=rows).json()
    assert added == {"added": 1, "rows": before + 1}


@pytest.mark.parametrize(
    ("method", "path", "body", "fragment"),
    [
        ("POST", "/_emulator/users", {"emial": "x@y"}, "unknown key 'emial'"),
        ("POST", "/_emulator/users", {"email": "bob@globex.example"}, "already a member"),
        (
            "POST",
            "/_emulator/users",
            {"email": "x@y", "role": "developer"},
            "not a role in enterprise orgs",
        ),
        ("POST", "/_emulator/spend", {"email": "nobody@x.example", "amount": "1"}, "not a member"),
        (
            "POST",
            "/_emulator/spend",
            {"email": "bob@globex.example", "amount": "1.2345"},
            "does not match",
        ),
        (
            "POST",
            "/_emulator/spend_limits",
            {"scope": {"type": "workspace", "name": "x"}, "amount": "1"},
            "do not exist in enterprise",
        ),
        (
            "POST",
            "/_emulator/spend_limits",
            {"scope": {"type": "rbac_group", "name": "nope"}, "amount": "1"},
            "no RBAC groups",
        ),
        (
            "POST",
            "/_emulator/spend_limits",
            {"scope": {"type": "organization"}, "amount": "01"},
            "does not match",
        ),
        ("POST", "/_emulator/workspaces", {"name": "x"}, "only in Console"),
        ("POST", "/_emulator/usage", {"date": "2026-11-01"}, "is not of type 'array'"),
        (
            "POST",
            "/_emulator/increase_requests",
            {"email": "bob@globex.example"},
            "already has a pending",
        ),
        ("DELETE", "/_emulator/users/nobody@globex.example", None, "not a member"),
        ("GET", "/_emulator/users", None, "accepts POST"),
        ("GET", "/_emulator/nothing", None, "No control endpoint"),
    ],
)
def test_bad_control_bodies_are_400_with_a_clear_message(
    enterprise: Api, method: str, path: str, body: Any, fragment: str
) -> None:
    response = enterprise.request(method, path, json=body)
    assert response.status_code in (400, 404, 405)
    assert fragment in response.json()["error"]["message"]


def test_control_endpoints_are_off_without_the_flag() -> None:
    api = make_api(load_seed(SEEDS / "enterprise.yaml"), ENTERPRISE_KEY, Options())
    assert error_of(api.get("/_emulator/stats")) == (404, "not_found_error", None)


def test_a_row_made_again_out_of_band_gets_a_fresh_id(enterprise: Api) -> None:
    scope = {"type": "user", "email": "bob@globex.example"}
    first = enterprise.post("/_emulator/spend_limits", json={"scope": scope, "amount": "100"})
    gone = enterprise.request("DELETE", "/_emulator/spend_limits", json={"scope": scope})
    assert gone.json()["id"] == first.json()["id"]
    again = enterprise.post("/_emulator/spend_limits", json={"scope": scope, "amount": "100"})
    assert again.status_code == 200
    assert again.json()["id"] != first.json()["id"]


def test_a_client_that_leaves_before_its_body_is_not_a_server_error(enterprise: Api) -> None:
    app = enterprise.emulator
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{ORG}/spend_limits",
        "raw_path": f"{ORG}/spend_limits".encode(),
        "query_string": b"",
        "headers": [
            (b"x-api-key", ENTERPRISE_KEY.encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    with pytest.raises(Exception, match="dropped"):
        asyncio.run(app(scope, receive, send))
    assert not any(m.get("status") == 500 for m in sent)
    stats = enterprise.get("/_emulator/stats").json()
    assert "500" not in stats["by_status"]
