"""Spend limit increase requests (admin-api.md §12, decision 38; Enterprise orgs).

Requests are made by members in claude.ai, so here they come only from the seed or the
control endpoints.  Approve writes the member's ``user`` row like a Set would.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator import effective, render
from reconciler.emulator.errors import invalid, not_found
from reconciler.emulator.inputs import amount, boolean, check_fields, period, require
from reconciler.emulator.model import PERIODS, IncreaseRequest
from reconciler.emulator.pagination import decode_cursor, next_page, page_by_key, query_digest
from reconciler.emulator.routing import Call, Endpoint
from reconciler.emulator.store import Store

ENTERPRISE = ("enterprise",)
STATUSES = ("pending", "approved", "denied")


def find(store: Store, request_id: str) -> IncreaseRequest:
    request = store.requests.get(request_id)
    if request is None:
        raise not_found(f"No spend limit increase request with id {request_id!r}.")
    return request


def show(store: Store, request: IncreaseRequest) -> dict[str, Any]:
    """The request; its ``spend_summary`` is live while pending, null once resolved."""
    user = store.users.get(request.user_id)
    summary = None
    if request.status == "pending" and user is not None:
        summary = effective.summary(store, user, request.period)
    return render.increase_request(store, request, summary)


def list_requests(call: Call) -> dict[str, Any]:
    store, query = call.store, call.query
    statuses = set(query.array("status", 3, allowed=STATUSES))
    actors = set(query.array("actor_ids", 100))
    limit = query.limit()
    digest = query_digest(query.items)
    token = query.one("page")
    after = None if token is None else decode_cursor(token, digest)
    # Requesters who have left the organization are left out.
    items = [
        r
        for r in store.requests_in_order()
        if r.user_id in store.users
        and (not statuses or r.status in statuses)
        and (not actors or r.user_id in actors)
    ]
    page, resume = page_by_key(items, [-r.seq for r in items], limit, after)
    return {"data": [show(store, r) for r in page], "next_page": next_page(resume, digest)}


def get_request(call: Call) -> dict[str, Any]:
    return show(call.store, find(call.store, call.params["spend_limit_increase_request_id"]))


def _resolve(call: Call, request: IncreaseRequest, status: str) -> None:
    request.status = status
    request.resolved_at = call.now
    request.resolved_by = {"type": "scoped_api_key_actor", "scoped_api_key_id": call.key.id}
    call.store.changed("requests")


def approve(call: Call) -> dict[str, Any]:
    store, body = call.store, call.body
    check_fields(body, ("amount", "period", "suppress_notification"))
    value = amount(require(body, "amount"), nullable=False)
    chosen = None if body.get("period") is None else period(body["period"], PERIODS)
    if "suppress_notification" in body:
        boolean(body["suppress_notification"], "suppress_notification")
    request = find(store, call.params["spend_limit_increase_request_id"])
    if request.status != "pending":
        raise invalid(
            f"This request is already {request.status}; only pending ones can be approved."
        )
    limit = store.upsert_limit("user", request.user_id, chosen or request.period, value, call.now)
    _resolve(call, request, "approved")
    return {**show(store, request), "spend_limit": render.spend_limit(store, limit)}


def deny(call: Call) -> dict[str, Any]:
    store, body = call.store, call.body
    check_fields(body, ("suppress_notification",))
    if "suppress_notification" in body:
        boolean(body["suppress_notification"], "suppress_notification")
    request = find(store, call.params["spend_limit_increase_request_id"])
    if request.status == "approved":
        raise invalid("This request is already approved; it cannot be denied.")
    if request.status == "pending":
        _resolve(call, request, "denied")
    return show(store, request)


PATH = "/spend_limit_increase_requests"
ENDPOINTS = (
    Endpoint("GET", PATH, list_requests, ENTERPRISE, scope="read:spend_limits", spend=True),
    Endpoint(
        "GET",
        PATH + "/{spend_limit_increase_request_id}",
        get_request,
        ENTERPRISE,
        scope="read:spend_limits",
        spend=True,
    ),
    Endpoint(
        "POST",
        PATH + "/{spend_limit_increase_request_id}/approve",
        approve,
        ENTERPRISE,
        scope="write:spend_limits",
        spend=True,
        body=True,
    ),
    Endpoint(
        "POST",
        PATH + "/{spend_limit_increase_request_id}/deny",
        deny,
        ENTERPRISE,
        scope="write:spend_limits",
        spend=True,
        body=True,
    ),
)
