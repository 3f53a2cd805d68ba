"""Each client method: what goes on the wire and how answers are read."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from reconciler.adminapi import Scope
from reconciler.adminapi.wire import encode_query
from reconciler.errors import ApiError, TransportError
from tests.adminapi.fakes import CONSOLE_KEY, ENTERPRISE_KEY, FakeApi, make_client


class Recorder:
    """Answers every request with ``answer`` and remembers the requests."""

    def __init__(self, answer: dict[str, Any] | httpx.Response) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.answer, httpx.Response):
            return self.answer
        return httpx.Response(200, json=self.answer, headers={"request-id": "req_x"})

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


WS = {
    "type": "workspace",
    "id": "wrkspc_1",
    "name": "claims",
    "display_color": "#6C5BB9",
    "created_at": "2026-01-01T00:00:00Z",
    "archived_at": None,
    "data_residency": {
        "workspace_geo": "eu",  # a geo this client has never heard of
        "allowed_inference_geos": ["us", "mars"],
        "default_inference_geo": "mars",
        "future": True,
    },
    "tags": {"team": "claims"},
    "external_key_id": None,
    "user_profile_id": None,
    "compartment_id": "c0ffee",
    "brand_new_field": {"x": 1},
}
ROW = {
    "type": "spend_limit",
    "id": "spl_1",
    "amount": "50000",
    "currency": "USD",
    "period": "fortnightly",  # unknown period: carried as-is
    "scope": {"type": "cost_center", "cost_center_id": "cc_9", "region": "emea"},
    "is_enabled": False,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-02T00:00:00Z",
}


def page(*items: dict[str, Any], cursor: str | None = None) -> dict[str, Any]:
    return {"data": list(items), "next_page": cursor}


def test_every_request_carries_the_key_and_version_and_no_beta_by_default() -> None:
    rec = Recorder({"id": "org-1", "type": "organization", "name": "Acme"})
    client = make_client(rec, key=CONSOLE_KEY)
    org = client.me()
    assert (org.id, org.name) == ("org-1", "Acme")
    headers = rec.last.headers
    assert headers["x-api-key"] == CONSOLE_KEY
    assert headers["anthropic-version"] == "2023-06-01"
    assert "anthropic-beta" not in headers
    assert "authorization" not in headers
    assert str(rec.last.url) == "https://api.example.test/v1/organizations/me"


def test_workspace_reads_and_writes() -> None:
    rec = Recorder({"data": [WS], "has_more": False, "first_id": "wrkspc_1", "last_id": "wrkspc_1"})
    client = make_client(rec, key=CONSOLE_KEY)
    listed = list(client.list_workspaces())
    assert rec.last.url.raw_path.decode() == (
        "/v1/organizations/workspaces?limit=1000&include_archived=true&include_default=true"
    )
    ws = listed[0]
    assert ws.data_residency["workspace_geo"] == "eu"
    assert ws.data_residency["allowed_inference_geos"] == ["us", "mars"]
    assert ws.tags == {"team": "claims"} and not ws.archived

    rec.answer = WS
    client.get_workspace("wrkspc_1")
    assert (rec.last.method, rec.last.url.path) == ("GET", "/v1/organizations/workspaces/wrkspc_1")
    client.create_workspace({"name": "claims"})
    assert (rec.last.method, rec.last.url.path) == ("POST", "/v1/organizations/workspaces")
    assert json.loads(rec.last.content) == {"name": "claims"}
    client.update_workspace("wrkspc_1", {"tags": {"team": None}})
    assert (rec.last.method, rec.last.url.path) == ("POST", "/v1/organizations/workspaces/wrkspc_1")
    assert json.loads(rec.last.content) == {"tags": {"team": None}}
    client.archive_workspace("wrkspc_1")
    assert rec.last.url.path == "/v1/organizations/workspaces/wrkspc_1/archive"
    assert rec.last.content == b""
    # An id is one path segment, whatever it contains.
    client.get_workspace("../users")
    assert rec.last.url.raw_path == b"/v1/organizations/workspaces/..%2Fusers"


def test_users_listing_with_email_filter() -> None:
    user = {"type": "user", "id": "user_1", "email": "Ana@X.com", "role": "galactic_admin"}
    rec = Recorder({"data": [user], "has_more": False, "last_id": "user_1"})
    client = make_client(rec)
    (found,) = client.list_users(email="ana+ops@x.com")
    assert found.role == "galactic_admin"  # unknown role kept
    assert rec.last.url.raw_path.decode() == (
        "/v1/organizations/users?limit=1000&email=ana%2Bops%40x.com"
    )


def test_spend_limit_listing_sends_the_beta_header_and_bracketed_scope_types() -> None:
    rec = Recorder(page(ROW))
    client = make_client(rec, key=CONSOLE_KEY)
    (row,) = client.list_spend_limits(["organization", "workspace", "usage_tier"])
    assert rec.last.headers["anthropic-beta"] == "spend-limit-reads-2026-09-26"
    assert rec.last.url.raw_path.decode() == (
        "/v1/organizations/spend_limits?limit=1000&scope_type[]=organization"
        "&scope_type[]=workspace&scope_type[]=usage_tier"
    )
    # Unknown scope type and period carried through, never mapped onto a known one.
    assert row.scope.type == "cost_center"
    assert row.scope.target == "cost_center_id=cc_9,region=emea"
    assert row.period == "fortnightly"
    assert row.is_enabled is False
    assert client.requests.by_group == {"admin": 1, "spend": 1}


def test_spend_limit_writes() -> None:
    rec = Recorder({**ROW, "scope": {"type": "user", "user_id": "user_1"}, "period": "daily"})
    client = make_client(rec)
    client.set_spend_limit({"type": "user", "user_id": "user_1"}, "daily", None)
    assert rec.last.url.path == "/v1/organizations/spend_limits"
    assert json.loads(rec.last.content) == {
        "amount": None,
        "scope": {"type": "user", "user_id": "user_1"},
        "period": "daily",
    }
    assert "anthropic-beta" not in rec.last.headers
    client.set_spend_limit(Scope("organization"), None, "100")
    assert json.loads(rec.last.content) == {"amount": "100", "scope": {"type": "organization"}}
    rec.answer = {"type": "spend_limit_deleted", "id": "spl_1"}
    client.delete_spend_limit("spl_1")
    assert (rec.last.method, rec.last.url.path) == (
        "DELETE",
        "/v1/organizations/spend_limits/spl_1",
    )
    assert "anthropic-beta" not in rec.last.headers
    assert client.requests.by_group == {"admin": 3, "spend": 3}


def test_effective_batches_user_ids_by_100() -> None:
    api = FakeApi()
    users = api.add_users(250)
    api.add_limit({"type": "organization"}, "100000")
    client = make_client(api)
    rows = list(client.effective_limits(periods=["monthly"], user_ids=[u["id"] for u in users]))
    assert len(rows) == 250
    assert api.calls["GET /spend_limits/effective"] == 3
    sizes = [len(r.url.params.get_list("user_ids[]")) for r in api.requests]
    assert sizes == [100, 100, 50]
    assert all(r.url.params["limit"] == "100" for r in api.requests)
    assert all(r.url.params.get_list("period[]") == ["monthly"] for r in api.requests)
    assert "user_ids[]=user_000001&user_ids[]=user_000002" in api.requests[0].url.raw_path.decode()


def test_rbac_groups_and_members() -> None:
    api = FakeApi(
        groups=[
            {
                "type": "rbac_group",
                "id": "rbac_group_1",
                "name": "research",
                "role_ids": None,
                "source_type": "scim",
            }
        ],
        group_members={"rbac_group_1": ["user_1", "user_2"]},
    )
    client = make_client(api)
    (group,) = client.list_rbac_groups()
    assert group.role_ids is None and group.source_type == "scim"
    members = list(client.list_group_members("rbac_group_1"))
    assert [m.user_id for m in members] == ["user_1", "user_2"]
    assert api.requests[-1].url.raw_path.decode() == (
        "/v1/organizations/rbac_groups/rbac_group_1/members?limit=1000"
    )


def test_request_counting_per_route() -> None:
    rec = Recorder(WS)
    client = make_client(rec, key=CONSOLE_KEY)
    client.get_workspace("a")
    client.get_workspace("b")
    counts = client.requests
    assert counts.total == 2
    assert counts.by_route == {"GET /workspaces/{workspace_id}": 2}
    before = client.requests
    client.get_workspace("c")
    assert (client.requests - before).total == 1


# ----------------------------------------------------------------------------- errors


def test_error_envelope_is_parsed() -> None:
    body = {
        "type": "error",
        "error": {
            "type": "permission_error",
            "message": "needs read:spend_limits",
            "details": {"error_code": "api_key_scope_missing", "required": ["read:x"]},
        },
        "request_id": "req_body",
    }
    rec = Recorder(httpx.Response(403, json=body, headers={"request-id": "req_header"}))
    with pytest.raises(ApiError) as info:
        make_client(rec).get_workspace("wrkspc_1")
    e = info.value
    assert (e.status, e.error_type, e.error_code) == (
        403,
        "permission_error",
        "api_key_scope_missing",
    )
    assert e.request_id == "req_body"
    assert e.details == {"required": ["read:x"]}
    assert str(e) == (
        "GET /workspaces/{workspace_id}: 403 permission_error, api_key_scope_missing: "
        "needs read:spend_limits (request-id req_body)"
    )


def test_request_id_falls_back_to_the_header_and_odd_bodies_still_give_a_status() -> None:
    rec = Recorder(
        httpx.Response(
            404,
            json={"error": {"type": "not_found_error", "message": "gone"}},
            headers={"request-id": "req_h"},
        )
    )
    with pytest.raises(ApiError) as info:
        make_client(rec).get_workspace("x")
    assert info.value.request_id == "req_h"
    rec.answer = httpx.Response(403, text="<html><body>Forbidden by proxy</body></html>")
    with pytest.raises(ApiError) as info:
        make_client(rec).get_workspace("x")
    assert (info.value.status, info.value.error_type) == (403, "permission_error")
    assert "Forbidden by proxy" in info.value.message
    assert not isinstance(info.value, TransportError)


@pytest.mark.parametrize(
    ("answer", "match"),
    [
        (httpx.Response(200, text="not json"), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "expected a JSON object"),
        (httpx.Response(200, json={"type": "workspace", "name": "x"}), "workspace without"),
        (httpx.Response(200, json={**WS, "name": 7}), "'name'"),
    ],
)
def test_unusable_answers_are_transport_errors(answer: httpx.Response, match: str) -> None:
    with pytest.raises(TransportError, match=match):
        make_client(Recorder(answer)).get_workspace("x")


def test_malformed_spend_rows_are_refused_rather_than_guessed() -> None:
    for bad in (
        {**ROW, "amount": 12.5},
        {**ROW, "scope": {"type": "user"}},
        {**ROW, "period": None},
    ):
        with pytest.raises(TransportError):
            list(make_client(Recorder(page(bad))).list_spend_limits())


def test_encode_query() -> None:
    assert encode_query(
        [("limit", 5), ("flag", False), ("none", None), ("ids[]", ["a b", "c"])]
    ) == ("limit=5&flag=false&ids[]=a%20b&ids[]=c")
    assert encode_query({"user_ids": ["u1"]}) == "user_ids[]=u1"


def test_key_prefix_gives_org_kind() -> None:
    assert make_client(Recorder({}), key=CONSOLE_KEY).org_kind == "console"
    assert make_client(Recorder({}), key=ENTERPRISE_KEY).org_kind == "enterprise"
    assert make_client(Recorder({}), key="oauth-token-abcdefgh").org_kind is None
