"""The path of one ``/v1`` request (admin-api.md §14.7 for the order of checks).

latency → injected fault → 401 auth → 429 rate limit → 404/405 route →
400 ``organization_type_not_supported`` → 403 scope (and the spend-limits API flag) →
400 validation (headers, then the endpoint's query and body) → 404 ids → rules.

Then: persist the state if anything changed, maybe lose the response of a write
(``--fault-after-write-rate``), and count the request in the stats.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect, Request

from reconciler.emulator import wellformed
from reconciler.emulator.clock import timestamp
from reconciler.emulator.errors import ApiError, invalid, not_found, org_type_not_supported
from reconciler.emulator.faults import Fault
from reconciler.emulator.ids import request_id
from reconciler.emulator.inputs import Query
from reconciler.emulator.model import ApiKey
from reconciler.emulator.ratelimit import Verdict
from reconciler.emulator.reply import DROP, Reply
from reconciler.emulator.routes import ENDPOINTS
from reconciler.emulator.routing import Call, Endpoint, Match, Router
from reconciler.emulator.runtime import Runtime

log = logging.getLogger("reconciler.emulator")

VERSIONS = ("2023-06-01", "2026-10-21")
KNOWN_BETAS = (
    "spend-limit-reads-2026-09-26",
    "admin-user-sign-out-2026-10-08",
    "fast-mode-2026-02-01",
    "analytics-usage-cost-2026-08-24",
)
KEY_KINDS = {"sk-ant-admin01-": "console", "sk-ant-api01-": "enterprise"}
MAX_BODY = 1024 * 1024
WRITE_METHODS = ("POST", "DELETE")
FAULTS: dict[str, ApiError] = {
    "500": ApiError(500, "Internal server error"),
    "529": ApiError(529, "Overloaded"),
    "429": ApiError(429, "Too Many Requests", headers={"retry-after": "1"}),
}
ROUTER = Router(ENDPOINTS)


def beta_message(values: list[str]) -> str:
    return (
        f"Unexpected value(s) `{', '.join(values)}` for the `anthropic-beta` header. "
        "Please consult our documentation at platform.claude.com/docs or try again "
        "without the header."
    )


def betas(headers: Headers) -> list[str]:
    return [
        value.strip()
        for line in headers.getlist("anthropic-beta")
        for value in line.split(",")
        if value.strip()
    ]


class Pipeline:
    """Serves ``/v1`` requests against a :class:`Runtime`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def handle(self, request: Request) -> Reply:
        rt = self.runtime
        rid = request_id()
        method, path = request.method, request.scope["path"]
        match = ROUTER.match(method, path)
        route = f"{method} {match.path_template if match else '(unknown route)'}"
        spend = bool(match and match.endpoint and match.endpoint.spend)
        if rt.options.latency_ms > 0:
            await asyncio.sleep(rt.options.latency_ms / 1000)
        fault = rt.faults.before()
        if fault is not None:
            reply = self._fault(fault, spend, rid)
        else:
            reply = await self._serve(request, match, spend, rid)
        if reply.status is not None:
            reply.headers["request-id"] = rid
        rt.stats.count(route, reply.status)
        return reply

    def _fault(self, fault: Fault, spend: bool, rid: str) -> Reply:
        if fault == "drop":
            return DROP
        error = FAULTS[fault]
        verdict = self.runtime.limiter.peek(self.runtime.clock.monotonic(), spend)
        return self._error(error, rid, {**self._rate_headers(verdict), **error.headers})

    @staticmethod
    def _error(error: ApiError, rid: str, headers: dict[str, str]) -> Reply:
        return Reply(error.status, error.body(rid), {**headers, **error.headers})

    def _rate_headers(self, verdict: Verdict) -> dict[str, str]:
        resets = self.runtime.clock.wall() + verdict.resets_in
        return {
            "anthropic-ratelimit-requests-limit": str(verdict.limit),
            "anthropic-ratelimit-requests-remaining": str(verdict.remaining),
            "anthropic-ratelimit-requests-reset": timestamp(resets),
        }

    async def _serve(self, request: Request, match: Match | None, spend: bool, rid: str) -> Reply:
        rt = self.runtime
        try:
            key = self._authenticate(request.headers)
        except ApiError as e:
            return self._error(e, rid, {})
        headers = {"anthropic-organization-id": rt.store.org.id}
        verdict = rt.limiter.admit(rt.clock.monotonic(), spend)
        headers.update(self._rate_headers(verdict))
        if not verdict.admitted:
            headers["retry-after"] = str(verdict.retry_after)
            return self._error(ApiError(429, "Too Many Requests"), rid, headers)
        store = rt.store
        before = store.mutations
        try:
            payload = await self._dispatch(request, match, key)
        except ApiError as e:
            reply = self._error(e, rid, headers)
        except ClientDisconnect:
            # The client went away before its body arrived: nothing was done, and there is
            # no one to answer (counted as a dropped connection, not as a server error).
            return DROP
        except Exception:
            log.exception(
                "emulator: unexpected error serving %s %s", request.method, request.scope["path"]
            )
            reply = self._error(ApiError(500, "Internal server error"), rid, headers)
        else:
            reply = Reply(200, payload, headers)
        if store.mutations != before:
            rt.persist()
        if reply.status == 200 and request.method in WRITE_METHODS and rt.faults.after_write():
            return DROP
        return reply

    def _authenticate(self, headers: Headers) -> ApiKey:
        """The calling key (decisions 1–2): ``x-api-key`` wins over a Bearer token."""
        raw = headers.get("x-api-key")
        if raw is None:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            raw = token.strip() if scheme.lower() == "bearer" else None
        if not raw:
            raise ApiError(401, "x-api-key header (or Authorization: Bearer) is required.")
        kind = next((k for prefix, k in KEY_KINDS.items() if raw.startswith(prefix)), None)
        key = self.runtime.store.keys.get(raw)
        if kind is None or kind != self.runtime.store.kind or key is None:
            raise ApiError(401, "invalid x-api-key")
        if key.revoked:
            raise ApiError(401, "This API key has been revoked.")
        return key

    async def _dispatch(self, request: Request, match: Match | None, key: ApiKey) -> dict[str, Any]:
        path = request.scope["path"]
        if match is None:
            raise not_found(f"Not found: {request.method} {path}")
        endpoint = match.endpoint
        if endpoint is None:
            raise ApiError(405, f"Method {request.method} is not allowed on {path}.")
        self._admit(endpoint, key)
        self._check_headers(request.headers, endpoint)
        body = await self._body(request) if endpoint.body else {}
        rt = self.runtime
        wall = rt.clock.wall()
        call = Call(
            store=rt.store,
            query=Query(request.query_params.multi_items()),
            body=body,
            params=match.params,
            key=key,
            now=timestamp(wall),
            wall=wall,
            betas=tuple(betas(request.headers)),
            usage_delay=rt.options.usage_delay,
        )
        return endpoint.handler(call)

    def _admit(self, endpoint: Endpoint, key: ApiKey) -> None:
        """Org kind (400), then the key's scope and the org's spend-limits flag (403)."""
        org = self.runtime.store.org
        if org.kind not in endpoint.kinds:
            raise org_type_not_supported(org.kind)
        if endpoint.gate == "list" and org.kind == "console" and not org.spend_limits_api:
            raise org_type_not_supported(org.kind)
        if org.kind == "enterprise" and endpoint.scope and endpoint.scope not in key.scopes:
            raise ApiError(
                403,
                f"This endpoint needs the scope {endpoint.scope}; this key has: "
                f"{', '.join(key.scopes) or 'no scopes'}.",
                details={"error_code": "api_key_scope_missing"},
            )
        if endpoint.gate == "write" and not org.spend_limits_api:
            raise ApiError(
                403,
                "This organization may not retrieve, set or delete spend limits with an "
                "Admin API key.",
                details={"error_code": "spend_limits_admin_api_writes_not_enabled"},
            )

    @staticmethod
    def _check_headers(headers: Headers, endpoint: Endpoint) -> None:
        version = headers.get("anthropic-version")
        if version is not None and version not in VERSIONS:
            raise invalid(f"anthropic-version: {version!r} is not a supported version.")
        sent = betas(headers)
        unknown = [value for value in sent if value not in KNOWN_BETAS]
        if unknown:
            raise invalid(beta_message(unknown))
        if endpoint.beta is not None and endpoint.beta not in sent:
            raise invalid(
                f"This endpoint is in beta: send the `anthropic-beta` header with "
                f"`{endpoint.beta}`."
            )

    @staticmethod
    async def _body(request: Request) -> dict[str, Any]:
        """The JSON object body (an empty body is ``{}``); 413 past 1 MiB."""
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            raise ApiError(413, "Request body is larger than 1 MiB.")
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                raise ApiError(413, "Request body is larger than 1 MiB.")
        return parse_body(bytes(raw))


def parse_body(raw: bytes) -> dict[str, Any]:
    """A request's JSON object body, checked by :func:`wellformed.loads` (an empty body
    is ``{}``); anything else is a 400 naming the problem."""
    if not raw.strip():
        return {}
    try:
        body = wellformed.loads(raw)
    except wellformed.NotWellFormed as e:
        raise invalid(f"Request body: {e}.") from None
    if not isinstance(body, dict):
        raise invalid("Request body must be a JSON object.")
    return body
