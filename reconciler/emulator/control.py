"""``--control``: out-of-band endpoints under ``/_emulator`` (SPEC §8).

They change the organization the way claude.ai, the Console or Anthropic would (a
verify-only spend limit edited, a member added, spend accrued), read the stats, or
reset everything.  No auth; never counted in the stats; never subject to faults.
Bodies are seed entries, checked with the seed schema and rules; a bad body is a 400
with the seed loader's message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request

from reconciler.emulator import render, wellformed
from reconciler.emulator.clock import timestamp
from reconciler.emulator.errors import ApiError, invalid, not_found
from reconciler.emulator.ids import request_id
from reconciler.emulator.reply import DROP, Reply
from reconciler.emulator.routes.increase_requests import show
from reconciler.emulator.runtime import Runtime
from reconciler.emulator.seed import validate_entry
from reconciler.emulator.seed_build import Builder, SeedError
from reconciler.emulator.store import Store
from reconciler.emulator.usage import UsageReader, day_start

MAX_BODY = 64 * 1024 * 1024
MAX_USAGE_EVENTS = 1_000_000  # per call: a row with ``days: N`` counts N
Counters = tuple[int, int, int]


def _counters(store: Store) -> Counters:
    return store.next_seq, store.palette_next, store.runtime_ids


def _restore_counters(store: Store, counters: Counters) -> None:
    store.next_seq, store.palette_next, store.runtime_ids = counters


def _no_body(body: Any) -> None:
    """Endpoints that take no body accept an empty one (or ``{}``) and refuse the rest."""
    if not (isinstance(body, dict) and not body):
        raise invalid("This control endpoint takes no request body.")


class Control:
    """Serves ``/_emulator/*`` against a :class:`Runtime`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"/_emulator/stats"), self.stats),
            ("POST", re.compile(r"/_emulator/reset"), self.reset),
            ("POST", re.compile(r"/_emulator/spend_limits"), self.put_spend_limit),
            ("DELETE", re.compile(r"/_emulator/spend_limits"), self.delete_spend_limit),
            ("POST", re.compile(r"/_emulator/spend"), self.set_spend),
            ("POST", re.compile(r"/_emulator/users"), self.add_user),
            ("DELETE", re.compile(r"/_emulator/users/(?P<email>[^/]+)"), self.remove_user),
            ("POST", re.compile(r"/_emulator/workspaces"), self.add_workspace),
            ("POST", re.compile(r"/_emulator/usage"), self.add_usage),
            ("POST", re.compile(r"/_emulator/increase_requests"), self.add_increase_request),
        ]

    async def handle(self, request: Request) -> Reply:
        """Answer a control request; a refused one leaves the organization as it was
        (its sequence and id counters included: a refused entry may have drawn them)."""
        rid = request_id()
        store_before = self.runtime.store
        mutations = store_before.mutations
        counters = _counters(store_before)
        try:
            body = await self._dispatch(request)
            reply = Reply(200, body)
        except ClientDisconnect:
            return DROP  # nothing was done, and no one is left to answer
        except ApiError as e:
            reply = Reply(e.status, e.body(rid))
        except SeedError as e:
            reply = Reply(400, invalid(str(e)).body(rid))
        if reply.status != 200 and self.runtime.store is store_before:
            _restore_counters(store_before, counters)
        if self.runtime.store is store_before and store_before.mutations != mutations:
            self.runtime.persist()
        reply.headers["request-id"] = rid
        return reply

    async def _dispatch(self, request: Request) -> Any:
        path = request.scope["path"]
        allowed = []
        for method, pattern, handler in self.routes:
            hit = pattern.fullmatch(path)
            if hit is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            body = await _json(request) if method != "GET" else None
            return handler(body, **hit.groupdict())
        if allowed:
            raise ApiError(405, f"{path} accepts {', '.join(allowed)}, not {request.method}.")
        raise not_found(f"No control endpoint {request.method} {path}.")

    # -- handlers ---------------------------------------------------------------------

    def _builder(self, body: Any, definition: str) -> Builder:
        locator = validate_entry(definition, body)
        return Builder(self.runtime.store, body, locator)

    def _now(self) -> str:
        return timestamp(self.runtime.clock.wall())

    def stats(self, body: Any) -> dict[str, Any]:
        return self.runtime.stats.snapshot()

    def reset(self, body: Any) -> dict[str, Any]:
        _no_body(body)
        self.runtime.reset()
        return {"reset": True}

    def put_spend_limit(self, body: Any) -> dict[str, Any]:
        builder = self._builder(body, "spend_limit")
        store = builder.store
        limit = builder.spend_limit(body, [], store.take_seq(), self._now(), upsert=True)
        return render.spend_limit(store, limit)

    def delete_spend_limit(self, body: Any) -> dict[str, Any]:
        builder = self._builder(body, "spend_limit_key")
        limit = builder.store.limit_at(*builder.limit_key(body, []))
        if limit is None:
            raise not_found("No spend limit for that scope and period.")
        builder.store.delete_limit(limit.id)
        return {"type": "spend_limit_deleted", "id": limit.id}

    def set_spend(self, body: Any) -> dict[str, Any]:
        builder = self._builder(body, "spend_entry")
        period = body.get("period", "monthly")
        user = builder.spend(body["email"], period, body["amount"], ["email"])
        amount = builder.store.spend[(user.id, period)]
        return {"email": user.email, "period": period, "amount": amount}

    def add_user(self, body: Any) -> dict[str, Any]:
        builder = self._builder(body, "user")
        return render.user(builder.user(body, [], builder.store.take_seq(), self._now()))

    def remove_user(self, body: Any, email: str) -> dict[str, Any]:
        _no_body(body)
        store = self.runtime.store
        user = store.user_with_email(email)
        if user is None:
            raise not_found(f"{email} is not a member of the organization.")
        store.remove_user(user.id)
        return {"type": "user_deleted", "id": user.id}

    def add_workspace(self, body: Any) -> dict[str, Any]:
        builder = self._builder(body, "workspace")
        workspace = builder.workspace(body, [], builder.store.take_seq(), self._now())
        return render.workspace(workspace)

    def add_usage(self, body: Any) -> dict[str, Any]:
        """Append seed usage rows (all or none); relative dates count from the clock's
        today.  Answers how many events were added (a row with ``days: N`` adds N) and
        how many the organization now holds."""
        builder = self._builder(body, "usage_rows")
        count = sum(row.get("days", 1) for row in body)
        if count > MAX_USAGE_EVENTS:
            raise invalid(
                f"These rows add {count:,} usage events; at most {MAX_USAGE_EVENTS:,} per call."
            )
        reader = UsageReader(builder, day_start(self.runtime.clock.wall()))
        events = reader.events(body, [])
        builder.store.add_usage(events)
        return {"added": len(events), "rows": len(builder.store.usage)}

    def add_increase_request(self, body: Any) -> dict[str, Any]:
        builder = self._builder(body, "increase_request")
        store = builder.store
        request = builder.increase_request(
            body, [], store.take_seq(), self._now(), store.new_id("slir_", "increase_request")
        )
        return show(store, request)


async def _json(request: Request) -> Any:
    """The request's JSON body (``{}`` when empty), checked by :func:`wellformed.loads`;
    400 naming the problem when it is not well-formed."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise ApiError(413, "Control request body is larger than 64 MiB.")
    if not raw.strip():
        return {}
    try:
        return wellformed.loads(bytes(raw))
    except wellformed.NotWellFormed as e:
        raise invalid(f"Request body: {e}.") from None
