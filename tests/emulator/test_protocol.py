"""Auth, headers, bodies and routes (admin-api.md §1–3, decisions 1–7, 10)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.emulator.conftest import (
    CONSOLE_KEY,
    ENTERPRISE_KEY,
    ORG,
    REVOKED_KEY,
    Api,
    error_of,
)

REQUEST_ID = re.compile(r"^req_[0-9A-Za-z]{24}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
ORG_ID = "5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({"x-api-key": ENTERPRISE_KEY}, 200, id="x-api-key"),
        pytest.param({"authorization": f"Bearer {ENTERPRISE_KEY}"}, 200, id="bearer"),
        pytest.param({"authorization": f"bearer {ENTERPRISE_KEY}"}, 200, id="bearer-lowercase"),
        pytest.param(
            {"x-api-key": ENTERPRISE_KEY, "authorization": "Bearer sk-ant-api01-nope"},
            200,
            id="x-api-key-wins",
        ),
        pytest.param(
            {"x-api-key": "sk-ant-api01-nope", "authorization": f"Bearer {ENTERPRISE_KEY}"},
            401,
            id="x-api-key-wins-even-when-wrong",
        ),
        pytest.param({}, 401, id="missing"),
        pytest.param({"authorization": f"Basic {ENTERPRISE_KEY}"}, 401, id="not-bearer"),
        pytest.param({"x-api-key": "sk-ant-api01-unknown"}, 401, id="unknown"),
        pytest.param({"x-api-key": REVOKED_KEY}, 401, id="revoked"),
        pytest.param({"x-api-key": "sk-ant-oat01-token"}, 401, id="other-prefix"),
        pytest.param({"x-api-key": CONSOLE_KEY}, 401, id="console-key-on-enterprise-org"),
    ],
)
def test_auth(enterprise: Api, headers: dict[str, str], status: int) -> None:
    enterprise.headers.clear()
    response = enterprise.get(f"{ORG}/me", headers=headers)
    assert response.status_code == status
    assert REQUEST_ID.match(response.headers["request-id"])
    if status == 200:
        assert response.json() == {"id": ORG_ID, "type": "organization", "name": "Globex"}
        assert response.headers["anthropic-organization-id"] == ORG_ID
    else:
        assert error_of(response) == (401, "authentication_error", None)
        assert "anthropic-organization-id" not in response.headers
        assert "anthropic-ratelimit-requests-limit" not in response.headers


@pytest.mark.parametrize(
    ("version", "status"),
    [("2023-06-01", 200), ("2026-10-21", 200), (None, 200), ("2024-01-01", 400), ("", 400)],
)
def test_anthropic_version(enterprise: Api, version: str | None, status: int) -> None:
    headers = {} if version is None else {"anthropic-version": version}
    assert enterprise.get(f"{ORG}/me", headers=headers).status_code == status


def test_unknown_beta_is_refused_with_the_documented_message(enterprise: Api) -> None:
    response = enterprise.get(
        f"{ORG}/me", headers={"anthropic-beta": "spend-limit-reads-2026-09-26, nope-1,nope-2"}
    )
    assert error_of(response) == (400, "invalid_request_error", None)
    assert response.json()["error"]["message"] == (
        "Unexpected value(s) `nope-1, nope-2` for the `anthropic-beta` header. Please consult "
        "our documentation at platform.claude.com/docs or try again without the header."
    )


def test_known_betas_are_accepted_anywhere(enterprise: Api) -> None:
    beta = "admin-user-sign-out-2026-10-08,spend-limit-reads-2026-09-26"
    assert enterprise.get(f"{ORG}/users", headers={"anthropic-beta": beta}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "error_type"),
    [
        pytest.param("GET", "/nope", {}, 404, "not_found_error", id="unknown-route"),
        pytest.param("GET", "/users/", {}, 404, "not_found_error", id="trailing-slash"),
        pytest.param("PUT", "/users", {}, 405, "invalid_request_error", id="wrong-method"),
        pytest.param("PATCH", "/users/user_x", {}, 405, "invalid_request_error", id="patch"),
        pytest.param("GET", "/users/user_nobody", {}, 404, "not_found_error", id="unknown-id"),
        pytest.param(
            "POST",
            "/users/user_nobody",
            {"content": b"{not json"},
            400,
            "invalid_request_error",
            id="malformed-json",
        ),
        pytest.param(
            "POST",
            "/users/user_nobody",
            {"content": b"[1]"},
            400,
            "invalid_request_error",
            id="not-an-object",
        ),
        pytest.param(
            "POST",
            "/users/user_nobody",
            {"json": {"role": "user", "colour": "red"}},
            400,
            "invalid_request_error",
            id="unknown-field",
        ),
        pytest.param(
            "POST",
            "/users/user_nobody",
            {"content": b"NaN"},
            400,
            "invalid_request_error",
            id="nan",
        ),
        pytest.param(
            "POST",
            "/users/user_nobody",
            {"content": b"{" * 100_000},
            400,
            "invalid_request_error",
            id="deeply-nested",
        ),
        pytest.param(
            "POST",
            "/users/user_nobody",
            {"content": b'{"role":"' + b"x" * (1024 * 1024) + b'"}'},
            413,
            "request_too_large",
            id="over-1-mib",
        ),
        pytest.param(
            "POST",
            "/users/user_nobody",
            {"json": {"role": "user"}},
            404,
            "not_found_error",
            id="valid-body-unknown-id",
        ),
    ],
)
def test_bad_requests_get_the_error_envelope(
    enterprise: Api,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
    error_type: str,
) -> None:
    enterprise.emulator.runtime.store.keys[ENTERPRISE_KEY].scopes += ("write:members",)
    response = enterprise.request(method, ORG + path, **kwargs)
    assert error_of(response)[:2] == (status, error_type)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["anthropic-organization-id"] == ORG_ID
    assert "anthropic-ratelimit-requests-remaining" in response.headers


def test_empty_body_counts_as_an_empty_object(console: Api) -> None:
    workspace = console.get(f"{ORG}/workspaces").json()["data"][0]
    response = console.post(f"{ORG}/workspaces/{workspace['id']}/archive", content=b"")
    assert response.status_code == 200
    assert TIMESTAMP.match(response.json()["archived_at"])


def test_paths_outside_v1_are_404_without_auth(enterprise: Api) -> None:
    enterprise.headers.clear()
    response = enterprise.get("/v2/organizations/me")
    assert error_of(response) == (404, "not_found_error", None)
    assert enterprise.get("/_emulator/stats").json()["requests_total"] == 0


def test_unknown_query_params_are_ignored(enterprise: Api) -> None:
    assert enterprise.get(f"{ORG}/me", params={"beta": "true"}).status_code == 200
