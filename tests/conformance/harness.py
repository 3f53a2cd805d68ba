"""Drive an emulated organization with the official SDK and record every exchange.

Each SDK client built here carries an httpx response hook that keeps a copy of every
request and response.  When a test ends, every recorded response is checked against the
SDK model for its route (``shapes``), whatever the test itself looked at, so no body the
suite provokes escapes strict validation — success or error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import anthropic
import httpx2
import pydantic
from anthropic.types.beta.organization.beta_spend_limit import BetaSpendLimit
from anthropic.types.beta.organization.spend_limit_delete_response import (
    SpendLimitDeleteResponse,
)
from anthropic.types.organization.organization_user import OrganizationUser
from anthropic.types.organization.rbac_group import RBACGroup
from anthropic.types.organization.rbac_groups.rbac_group_member import RBACGroupMember
from anthropic.types.organization.spend_limits.increase_request_approve_response import (
    IncreaseRequestApproveResponse,
)
from anthropic.types.organization.spend_limits.spend_limit_increase_request import (
    SpendLimitIncreaseRequest,
)
from anthropic.types.organization.spend_summary import SpendSummary
from anthropic.types.organization.user_remove_response import UserRemoveResponse
from anthropic.types.organization.workspace import Workspace
from anthropic.types.organization_info import OrganizationInfo

from tests.conformance import shapes
from tests.support.emulator import Emulator

Shape = Literal["object", "id_page", "cursor_page"]

_ID = r"[^/]+"
# (method, path pattern, page style, SDK model): the first match wins, so fixed segments
# such as ``spend_limits/effective`` come before ``spend_limits/{id}``.
_TABLE: list[tuple[str, str, Shape, type[pydantic.BaseModel]]] = [
    ("GET", "me", "object", OrganizationInfo),
    ("GET", "users", "id_page", OrganizationUser),
    ("GET", f"users/{_ID}", "object", OrganizationUser),
    ("POST", f"users/{_ID}", "object", OrganizationUser),
    ("DELETE", f"users/{_ID}", "object", UserRemoveResponse),
    ("GET", "workspaces", "id_page", Workspace),
    ("POST", "workspaces", "object", Workspace),
    ("POST", f"workspaces/{_ID}/archive", "object", Workspace),
    ("GET", f"workspaces/{_ID}", "object", Workspace),
    ("POST", f"workspaces/{_ID}", "object", Workspace),
    ("GET", "rbac_groups", "cursor_page", RBACGroup),
    ("GET", f"rbac_groups/{_ID}/members", "cursor_page", RBACGroupMember),
    ("GET", f"rbac_groups/{_ID}", "object", RBACGroup),
    ("GET", "spend_limits/effective", "cursor_page", SpendSummary),
    ("GET", "spend_limits", "cursor_page", BetaSpendLimit),
    ("POST", "spend_limits", "object", BetaSpendLimit),
    ("GET", f"spend_limits/{_ID}", "object", BetaSpendLimit),
    ("DELETE", f"spend_limits/{_ID}", "object", SpendLimitDeleteResponse),
    ("GET", "spend_limit_increase_requests", "cursor_page", SpendLimitIncreaseRequest),
    (
        "POST",
        f"spend_limit_increase_requests/{_ID}/approve",
        "object",
        IncreaseRequestApproveResponse,
    ),
    (
        "POST",
        f"spend_limit_increase_requests/{_ID}/deny",
        "object",
        SpendLimitIncreaseRequest,
    ),
    ("GET", f"spend_limit_increase_requests/{_ID}", "object", SpendLimitIncreaseRequest),
]
ROUTES = [
    (method, re.compile(rf"^/v1/organizations/{path}$"), shape, model)
    for method, path, shape, model in _TABLE
]

RATE_LIMIT_HEADERS = (
    "anthropic-ratelimit-requests-limit",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-requests-reset",
)


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: list[tuple[str, str]]
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The response body."""
        return json.loads(self.body)

    def sent_json(self) -> Any:
        """The request body as the SDK sent it (``None`` when there was none)."""
        return json.loads(self.request_body) if self.request_body else None

    def __str__(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query)
        return f"{self.method} {self.path}{'?' + query if query else ''} -> {self.status}"


@dataclass
class Recorder:
    exchanges: list[Exchange] = field(default_factory=list)

    def hook(self, response: httpx2.Response) -> None:
        response.read()
        request = response.request
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=request.url.path,
                query=list(request.url.params.multi_items()),
                request_headers={k.lower(): v for k, v in request.headers.items()},
                request_body=request.content,
                status=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=response.content,
            )
        )

    def clear(self) -> None:
        self.exchanges.clear()

    def problems(self, org_id: str, *, injected_faults: bool = False) -> Iterator[str]:
        for exchange in self.exchanges:
            try:
                check_exchange(exchange, org_id, injected_faults=injected_faults)
            except AssertionError as exc:
                yield f"{exchange}: {exc}"


def route_of(method: str, path: str) -> tuple[Shape, type[pydantic.BaseModel]] | None:
    for route_method, pattern, shape, model in ROUTES:
        if route_method == method and pattern.match(path):
            return shape, model
    return None


def check_exchange(exchange: Exchange, org_id: str, *, injected_faults: bool = False) -> None:
    """Headers and body of one response, against admin-api.md §1.2, §3 and the SDK models.

    With ``injected_faults``, 429/500/529 answers may come from the emulator's fault
    injection, which fails a request before authenticating it: those carry no
    ``anthropic-organization-id`` (it belongs to authenticated responses only).
    """
    headers = exchange.headers
    pre_auth = injected_faults and exchange.status in (429, 500, 529)
    request_id = headers.get("request-id", "")
    assert shapes.REQUEST_ID.match(request_id), f"request-id header {request_id!r}"
    assert headers.get("content-type", "").startswith("application/json"), (
        f"content-type {headers.get('content-type')!r}"
    )
    if exchange.status != 401 and not pre_auth:
        assert headers.get("anthropic-organization-id") == org_id, (
            f"anthropic-organization-id {headers.get('anthropic-organization-id')!r}"
        )
    if exchange.status != 401:
        check_rate_limit_headers(headers)
    assert "anthropic-workspace-id" not in headers, "anthropic-workspace-id on an Admin response"
    if exchange.status == 429:
        retry_after = headers.get("retry-after", "")
        # Whole seconds until the oldest counted request leaves the 60-second window.
        assert retry_after.isdigit() and 1 <= int(retry_after) <= 60, f"retry-after {retry_after!r}"
    body = exchange.json()
    if exchange.status >= 400:
        shapes.error_body(exchange.status, headers, body)
        return
    assert exchange.status == 200, f"success status {exchange.status}, the API only sends 200"
    route = route_of(exchange.method, exchange.path)
    assert route is not None, "no SDK model known for this route"
    shape, model = route
    if shape == "object":
        shapes.validate(model, body)
    elif shape == "id_page":
        shapes.id_page(model, body)
    else:
        shapes.cursor_page(model, body)


def check_rate_limit_headers(headers: dict[str, str]) -> None:
    limit = headers.get("anthropic-ratelimit-requests-limit", "")
    remaining = headers.get("anthropic-ratelimit-requests-remaining", "")
    reset = headers.get("anthropic-ratelimit-requests-reset", "")
    assert limit.isdigit() and int(limit) >= 1, f"ratelimit limit {limit!r}"
    assert remaining.isdigit() and int(remaining) <= int(limit), (
        f"ratelimit remaining {remaining!r}"
    )
    try:
        datetime.fromisoformat(reset.replace("Z", "+00:00"))
    except ValueError:
        raise AssertionError(f"ratelimit reset {reset!r} is not RFC 3339") from None


@dataclass
class Org:
    """One emulated organization as a test sees it: server handle, SDK clients, recorder."""

    server: Emulator
    kind: Literal["console", "enterprise"]
    org_id: str
    key: str
    injected_faults: bool = False
    recorder: Recorder = field(default_factory=Recorder)
    _clients: list[anthropic.Anthropic] = field(default_factory=list)
    _main: anthropic.Anthropic | None = None

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def client(self) -> anthropic.Anthropic:
        """The suite's main client: this org's full-access key, no retries, strict parsing."""
        if self._main is None:
            self._main = self.sdk()
        return self._main

    def sdk(self, key: str | None = None, **options: Any) -> anthropic.Anthropic:
        """A new SDK client on this emulator, recorded, closed when the test ends."""
        # Plain http on loopback: no proxies from the environment, and no CA bundle to load
        # (loading it costs more than most tests take).
        http_client = anthropic.DefaultHttpxClient(
            event_hooks={"response": [self.recorder.hook]}, trust_env=False, verify=False
        )
        settings: dict[str, Any] = {
            "max_retries": 0,
            "timeout": 10.0,
            "_strict_response_validation": True,
            **options,
        }
        client = anthropic.Anthropic(
            api_key=key or self.key, base_url=self.url, http_client=http_client, **settings
        )
        self._clients.append(client)
        return client

    def control(self, method: str, path: str, json: Any = None) -> Any:
        """Call a control endpoint (uncounted, unrecorded); fail unless it succeeds."""
        response = self.server.control(method, path, json=json)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def reset(self) -> None:
        self.control("POST", "/_emulator/reset")
        self.recorder.clear()

    def stats(self) -> dict[str, Any]:
        return self.server.stats()

    def route_count(self, route: str) -> int:
        """Requests the emulator counted for ``route``, e.g. ``GET /v1/organizations/users``."""
        return int(self.stats()["by_route"].get(route, 0))

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._main = None

    def sent(self, method: str, path: str) -> list[Exchange]:
        """Recorded exchanges for ``method`` on exactly ``/v1/organizations/{path}``."""
        full = f"/v1/organizations/{path}"
        return [e for e in self.recorder.exchanges if e.method == method and e.path == full]


def check_error(
    exc: anthropic.APIStatusError,
    status: int,
    error_type: str,
    error_code: str | None = None,
) -> dict[str, Any]:
    """An SDK exception carries the status, the body's error type and code, and the request id."""
    assert exc.status_code == status, f"status {exc.status_code}, expected {status}"
    body = exc.body
    assert isinstance(body, dict), f"error body {body!r}"
    shapes.error_body(status, dict(exc.response.headers), body)
    assert exc.type == error_type, f"error.type {exc.type!r}, expected {error_type!r}"
    assert exc.error_code == error_code, f"error_code {exc.error_code!r}, expected {error_code!r}"
    assert exc.request_id is not None and shapes.REQUEST_ID.match(exc.request_id)
    assert exc.request_id == body["request_id"]
    return body


def org_session(org: Org) -> Iterator[Org]:
    """Reset ``org`` to its seed, hand it to a test, then close its clients and fail the
    test if any response it provoked does not match the SDK models."""
    org.reset()
    try:
        yield org
    finally:
        org.close()
    problems = list(org.recorder.problems(org.org_id, injected_faults=org.injected_faults))
    if problems:
        raise AssertionError("responses that do not match the SDK models:\n" + "\n".join(problems))


def each_raises(
    exc_type: type[anthropic.APIStatusError],
    calls: list[Callable[[], object]],
    status: int,
    error_type: str,
    error_code: str | None = None,
) -> None:
    """Every call raises ``exc_type`` with the given status, error type and code."""
    for index, call in enumerate(calls):
        try:
            call()
        except exc_type as exc:
            check_error(exc, status, error_type, error_code)
        else:
            raise AssertionError(f"call #{index} did not raise {exc_type.__name__}")
