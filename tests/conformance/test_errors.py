"""Documented failures raise the SDK's matching exceptions (admin-api.md §3, §14.1–14.9).

Each check asserts the exception class the SDK picks from (status, ``details.error_code``),
the body's error type and code, and that the exception carries the response's request id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic
import pytest
from anthropic.types.beta.organization import BetaAPIKeyScopeMissingError

from tests.conformance.conftest import (
    CONSOLE_KEY,
    CONSOLE_REVOKED_KEY,
    ENTERPRISE_KEY,
    ENTERPRISE_REVOKED_KEY,
    MEMBERS_ONLY_KEY,
    WRITES_ONLY_KEY,
)
from tests.conformance.harness import Org, check_error

UNKNOWN_LIMIT = "spl_000000000000000000000000"
Call = Callable[[anthropic.Anthropic], Any]

# Calls that reach an existing route without needing any object ids.
READS: dict[str, Call] = {
    "me": lambda c: c.organization.retrieve(),
    "users": lambda c: c.organization.users.list(),
    "spend_limits": lambda c: c.beta.organization.spend_limits.list(),
}


@pytest.mark.parametrize("call", list(READS.values()), ids=list(READS))
@pytest.mark.parametrize(
    ("kind", "key"),
    [
        pytest.param("console", "sk-ant-admin01-no-such-key", id="console-unknown"),
        pytest.param("console", CONSOLE_REVOKED_KEY, id="console-revoked"),
        pytest.param("console", ENTERPRISE_KEY, id="console-enterprise-prefix"),
        pytest.param("console", "sk-ant-oat01-wrong-prefix", id="console-bad-prefix"),
        pytest.param("enterprise", "sk-ant-api01-no-such-key", id="enterprise-unknown"),
        pytest.param("enterprise", ENTERPRISE_REVOKED_KEY, id="enterprise-revoked"),
        pytest.param("enterprise", CONSOLE_KEY, id="enterprise-console-prefix"),
    ],
)
def test_bad_keys_raise_authentication_error(
    request: pytest.FixtureRequest, kind: str, key: str, call: Call
) -> None:
    org: Org = request.getfixturevalue(kind)
    with pytest.raises(anthropic.AuthenticationError) as info:
        call(org.sdk(key))
    check_error(info.value, 401, "authentication_error")
    assert "anthropic-organization-id" not in info.value.response.headers
    assert org.stats()["by_status"] == {"401": 1}


def test_missing_authorization_is_a_401(org: Org) -> None:
    client = org.sdk(default_headers={"Authorization": anthropic.omit})
    with pytest.raises(anthropic.AuthenticationError) as info:
        client.organization.retrieve()
    check_error(info.value, 401, "authentication_error")
    assert "authorization" not in org.sent("GET", "me")[0].request_headers


def _user(enterprise: Org) -> str:
    return enterprise.client.organization.users.list(limit=1).data[-1].id


def _limit(enterprise: Org) -> str:
    rows = enterprise.client.beta.organization.spend_limits.list(scope_type=["user"]).data
    return rows[0].id


def _group(enterprise: Org) -> str:
    return enterprise.client.organization.rbac_groups.list(limit=1).data[0].id


def _request(enterprise: Org) -> str:
    requests = enterprise.client.organization.spend_limits.increase_requests
    return requests.list(status=["pending"]).data[0].id


# endpoint → (scope it needs, call given the Enterprise org and a client with a narrow key)
SCOPED: dict[str, tuple[str, Callable[[Org, anthropic.Anthropic], Any]]] = {
    "users.list": ("read:members", lambda o, c: c.organization.users.list()),
    "users.retrieve": ("read:members", lambda o, c: c.organization.users.retrieve(_user(o))),
    "users.update": (
        "write:members",
        lambda o, c: c.organization.users.update(_user(o), role="user"),
    ),
    "users.remove": ("write:members", lambda o, c: c.organization.users.remove(_user(o))),
    "rbac_groups.list": ("read:rbac_groups", lambda o, c: c.organization.rbac_groups.list()),
    "rbac_groups.retrieve": (
        "read:rbac_groups",
        lambda o, c: c.organization.rbac_groups.retrieve(_group(o)),
    ),
    "rbac_groups.members": (
        "read:rbac_groups",
        lambda o, c: c.organization.rbac_groups.members.list(_group(o)),
    ),
    "spend_limits.list": (
        "read:spend_limits",
        lambda o, c: c.beta.organization.spend_limits.list(),
    ),
    "spend_limits.retrieve": (
        "read:spend_limits",
        lambda o, c: c.beta.organization.spend_limits.retrieve(_limit(o)),
    ),
    "spend_limits.effective": (
        "read:spend_limits",
        lambda o, c: c.organization.spend_limits.effective.list(),
    ),
    "spend_limits.set": (
        "write:spend_limits",
        lambda o, c: c.beta.organization.spend_limits.set(
            amount="100", scope={"type": "user", "user_id": _user(o)}
        ),
    ),
    "spend_limits.delete": (
        "write:spend_limits",
        lambda o, c: c.beta.organization.spend_limits.delete(_limit(o)),
    ),
    "increase_requests.list": (
        "read:spend_limits",
        lambda o, c: c.organization.spend_limits.increase_requests.list(),
    ),
    "increase_requests.retrieve": (
        "read:spend_limits",
        lambda o, c: c.organization.spend_limits.increase_requests.retrieve(_request(o)),
    ),
    "increase_requests.approve": (
        "write:spend_limits",
        lambda o, c: c.organization.spend_limits.increase_requests.approve(
            _request(o), amount="100"
        ),
    ),
    "increase_requests.deny": (
        "write:spend_limits",
        lambda o, c: c.organization.spend_limits.increase_requests.deny(_request(o)),
    ),
}
KEY_SCOPES = {MEMBERS_ONLY_KEY: {"read:members"}, WRITES_ONLY_KEY: {"write:spend_limits"}}


@pytest.mark.parametrize("key", list(KEY_SCOPES), ids=["members-only", "writes-only"])
@pytest.mark.parametrize("endpoint", list(SCOPED))
def test_scopes_are_enforced_per_endpoint(enterprise: Org, endpoint: str, key: str) -> None:
    needed, call = SCOPED[endpoint]
    client = enterprise.sdk(key)
    if needed in KEY_SCOPES[key]:
        call(enterprise, client)
        return
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        call(enterprise, client)
    assert isinstance(info.value, BetaAPIKeyScopeMissingError)
    body = check_error(info.value, 403, "permission_error", "api_key_scope_missing")
    message = body["error"]["message"]
    assert needed in message, f"{message!r} does not name the scope {needed}"
    for scope in KEY_SCOPES[key]:
        assert scope in message, f"{message!r} does not name the key's scope {scope}"


def test_scope_is_checked_before_validation_and_existence(enterprise: Org) -> None:
    client = enterprise.sdk(MEMBERS_ONLY_KEY)
    with pytest.raises(BetaAPIKeyScopeMissingError):
        client.beta.organization.spend_limits.retrieve(UNKNOWN_LIMIT)
    with pytest.raises(BetaAPIKeyScopeMissingError):
        client.beta.organization.spend_limits.list(limit=0)
    with pytest.raises(BetaAPIKeyScopeMissingError):
        client.beta.organization.spend_limits.set(
            amount="not-a-number", scope={"type": "user", "user_id": "user_x"}
        )


def test_organization_type_is_checked_before_scope(enterprise: Org) -> None:
    client = enterprise.sdk(MEMBERS_ONLY_KEY)
    with pytest.raises(anthropic.OrganizationTypeNotSupportedError) as info:
        client.organization.workspaces.list()
    check_error(info.value, 400, "invalid_request_error", "organization_type_not_supported")


def test_unknown_route_is_a_404(org: Org) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        org.client.get("/v1/organizations/no_such_thing", cast_to=object)
    check_error(info.value, 404, "not_found_error")


def test_wrong_method_is_a_405(org: Org) -> None:
    with pytest.raises(anthropic.APIStatusError) as info:
        org.client.delete("/v1/organizations/me", cast_to=object)
    check_error(info.value, 405, "invalid_request_error")


def test_body_over_one_mebibyte_is_a_413(console: Org) -> None:
    with pytest.raises(anthropic.ContentTooLargeError) as info:
        console.client.organization.workspaces.create(name="big", tags={"padding": "x" * (1 << 20)})
    check_error(info.value, 413, "request_too_large")


def test_malformed_json_is_a_400(console: Org) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.post(
            "/v1/organizations/workspaces",
            cast_to=object,
            content=b'{"name": ',
            options={"headers": {"content-type": "application/json"}},
        )
    check_error(info.value, 400, "invalid_request_error")


def test_empty_deny_body_counts_as_empty_object(enterprise: Org) -> None:
    requests = enterprise.client.organization.spend_limits.increase_requests
    pending = requests.list(status=["pending"]).data[0]
    denied = enterprise.client.post(
        f"/v1/organizations/spend_limit_increase_requests/{pending.id}/deny",
        cast_to=object,
        content=b"",
    )
    assert isinstance(denied, dict) and denied["status"] == "denied"
