"""Tiny stateful fakes for the client's unit tests: a fake clock and a fake Admin API.

``FakeApi`` is deliberately small: enough of admin-api.md for the client's reads (both
pagination styles, the effective report with own-override → organization resolution,
the beta header) and a few writes.  It records every request so tests can assert exact
counts, paths, query parameters and headers.  The real emulator is exercised by the
end-to-end tests.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from reconciler.adminapi import AdminClient

CONSOLE_KEY = "sk-ant-admin01-unit-test-console-key-0000"
ENTERPRISE_KEY = "sk-ant-api01-unit-test-enterprise-key-0000"
ORG_ID = "5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10"
PREFIX = "/v1/organizations"


class FakeClock:
    """A monotonic clock that only moves when someone sleeps (thread-safe)."""

    def __init__(self, start: float = 1000.0, wall: float = 1_800_000_000.0) -> None:
        self.now = start
        self.wall_offset = wall - start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.now + self.wall_offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(seconds, 0.0)


def make_client(
    handler: Callable[[httpx.Request], httpx.Response],
    key: str = ENTERPRISE_KEY,
    clock: FakeClock | None = None,
    **kwargs: Any,
) -> AdminClient:
    clock = clock or FakeClock()
    http = httpx.Client(transport=httpx.MockTransport(handler))
    kwargs.setdefault("random", lambda: 1.0)
    return AdminClient(
        http,
        key,
        base_url="https://api.example.test",
        clock=clock,
        sleep=clock.sleep,
        wall=clock.wall,
        **kwargs,
    )


def error(
    status: int,
    etype: str,
    message: str = "nope",
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    err: dict[str, Any] = {"type": etype, "message": message}
    if code:
        err["details"] = {"error_code": code}
    body = {"type": "error", "error": err, "request_id": "req_body0000000000000000000"}
    return httpx.Response(status, json=body, headers=headers or {})


def untagged(email: str) -> str:
    local, _, domain = email.lower().partition("@")
    return local.split("+", 1)[0] + "@" + domain


def route_of(request: httpx.Request) -> str:
    return request.method + " " + request.url.path.removeprefix(PREFIX)


@dataclass
class FakeApi:
    """A fake organization behind ``httpx.MockTransport``."""

    kind: str = "enterprise"
    org_id: str = ORG_ID
    users: list[dict[str, Any]] = field(default_factory=list)
    workspaces: list[dict[str, Any]] = field(default_factory=list)
    limits: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    group_members: dict[str, list[str]] = field(default_factory=dict)
    spend: dict[tuple[str, str], str] = field(default_factory=dict)  # (user_id, period)
    null_emails: set[str] = field(default_factory=set)  # user ids whose actor has no email
    requests: list[httpx.Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    # ------------------------------------------------------------ population helpers

    def add_users(self, n: int, start: int = 1) -> list[dict[str, Any]]:
        made = [
            {
                "type": "user",
                "id": f"user_{i:06d}",
                "email": f"user{i:05d}@example.com",
                "name": f"User {i}",
                "role": "user",
                "added_at": "2026-01-01T00:00:00Z",
            }
            for i in range(start, start + n)
        ]
        self.users.extend(made)
        return made

    def add_limit(self, scope: dict[str, Any], amount: str | None, period: str = "monthly") -> str:
        lid = f"spl_{len(self.limits) + 1:06d}"
        self.limits.append(
            {
                "type": "spend_limit",
                "id": lid,
                "amount": amount,
                "currency": "USD",
                "period": period,
                "scope": scope,
                "is_enabled": True,
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            }
        )
        return lid

    # ------------------------------------------------------------ accounting

    @property
    def calls(self) -> Counter[str]:
        return Counter(route_of(r) for r in self.requests)

    @property
    def total(self) -> int:
        return len(self.requests)

    # ------------------------------------------------------------ dispatch

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        assert request.headers["x-api-key"] in (CONSOLE_KEY, ENTERPRISE_KEY)
        assert request.headers["anthropic-version"] == "2023-06-01"
        route = route_of(request)
        params = request.url.params
        if route == "GET /me":
            return httpx.Response(
                200,
                json={"id": self.org_id, "type": "organization", "name": "Acme", "future_field": 1},
            )
        if route == "GET /users":
            items = self.users
            if "email" in params:  # like the API: case-insensitive, +tag tolerant
                wanted = untagged(params["email"])
                items = [u for u in items if untagged(u["email"]) == wanted]
            return self._id_page(items, params)
        if route == "GET /workspaces":
            items = [
                w
                for w in self.workspaces
                if (params.get("include_archived") == "true" or not w.get("archived_at"))
                and (params.get("include_default") == "true" or not w.get("_default"))
            ]
            return self._id_page(
                [{k: v for k, v in w.items() if k != "_default"} for w in items], params
            )
        if route == "GET /spend_limits":
            if request.headers.get("anthropic-beta") != "spend-limit-reads-2026-09-26":
                return error(400, "invalid_request_error", "beta header required")
            types = params.get_list("scope_type[]")
            items = [x for x in self.limits if not types or x["scope"]["type"] in types]
            return self._opaque_page(items, params)
        if route == "GET /spend_limits/effective":
            if self.kind != "enterprise":
                return error(400, "invalid_request_error", "no", "organization_type_not_supported")
            return self._effective(params)
        if route == "GET /rbac_groups":
            return self._opaque_page(self.groups, params)
        if route.startswith("GET /rbac_groups/") and route.endswith("/members"):
            gid = route.split("/")[2]
            members = [
                {
                    "type": "rbac_group_member",
                    "rbac_group_id": gid,
                    "user_id": uid,
                    "email": None,
                    "created_at": "2026-01-01T00:00:00Z",
                }
                for uid in self.group_members.get(gid, [])
            ]
            return self._opaque_page(members, params)
        return error(404, "not_found_error", f"no route {route}")

    # ------------------------------------------------------------ pagination

    def _id_page(self, items: list[dict[str, Any]], params: httpx.QueryParams) -> httpx.Response:
        limit = int(params.get("limit", 20))
        assert 1 <= limit <= 1000
        start = 0
        if "after_id" in params:
            start = next(i for i, x in enumerate(items) if x["id"] == params["after_id"]) + 1
        page = items[start : start + limit]
        return httpx.Response(
            200,
            json={
                "data": page,
                "has_more": start + limit < len(items),
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
            },
        )

    @staticmethod
    def _digest(params: httpx.QueryParams) -> str:
        kept = sorted((k, v) for k, v in params.multi_items() if k not in ("page", "limit"))
        return hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:12]

    def _opaque_page(
        self,
        items: list[dict[str, Any]],
        params: httpx.QueryParams,
        unit: Callable[[dict[str, Any]], str] | None = None,
    ) -> httpx.Response:
        limit = int(params.get("limit", 20))
        assert 1 <= limit <= 1000
        start = 0
        if "page" in params:
            offset, digest = params["page"].split(":")
            if digest != self._digest(params):
                return error(
                    400, "invalid_request_error", "cursor does not match current query parameters"
                )
            start = int(offset)
        if unit is None:
            page = items[start : start + limit]
            end = start + len(page)
        else:  # paginate by member: a member's rows never split
            seen: list[str] = []
            end = start
            while end < len(items):
                who = unit(items[end])
                if who not in seen:
                    if len(seen) == limit:
                        break
                    seen.append(who)
                end += 1
            page = items[start:end]
        nxt = f"{end}:{self._digest(params)}" if end < len(items) else None
        return httpx.Response(200, json={"data": page, "next_page": nxt})

    def _effective(self, params: httpx.QueryParams) -> httpx.Response:
        periods = params.get_list("period[]") or ["daily", "weekly", "monthly"]
        ids = params.get_list("user_ids[]")
        assert len(ids) <= 100
        users = [u for u in self.users if not ids or u["id"] in ids]
        rows: list[dict[str, Any]] = []
        for user in users:
            for period in ("daily", "weekly", "monthly"):
                if period not in periods:
                    continue
                own = [
                    x
                    for x in self.limits
                    if x["scope"] == {"type": "user", "user_id": user["id"]}
                    and x["period"] == period
                ]
                org = [
                    x
                    for x in self.limits
                    if x["scope"]["type"] == "organization"
                    and x["period"] == period
                    and x["amount"] is not None
                ]
                winner = (own or org or [None])[0]
                if winner is None:
                    continue
                email = None if user["id"] in self.null_emails else user["email"]
                rows.append(
                    {
                        "scope": {"type": "user", "user_id": user["id"]},
                        "actor": {
                            "type": "user_actor",
                            "user_id": user["id"],
                            "name": user["name"],
                            "email_address": email,
                            "deleted": False,
                        },
                        "amount": winner["amount"],
                        "currency": "USD",
                        "period": period,
                        "period_to_date_spend": self.spend.get((user["id"], period), "0"),
                        "source": winner["scope"],
                        "spend_limit_id": winner["id"],
                    }
                )
        return self._opaque_page(rows, params, unit=lambda r: r["scope"]["user_id"])
