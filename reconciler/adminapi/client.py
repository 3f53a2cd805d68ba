"""The one narrow client of the Anthropic Admin API.

:class:`AdminClient` is given an ``httpx.Client`` (so tests can hand it a
``MockTransport`` or point it at an emulator) and owns, once, everything the rest of
claude-policy must not think about: authentication headers, pacing under both rate-limit
buckets, retries of what is safe to retry, both pagination styles, the error envelope,
tolerant parsing and request counting.

Contracts:

* Headers: ``x-api-key``, ``anthropic-version: 2023-06-01``; ``anthropic-beta:
  spend-limit-reads-2026-09-26`` only on the spend-limit listing (admin-api §1.1).
* Every request waits for its bucket(s) (:mod:`.pacing`); spend-limit endpoints count in
  both.  Every attempt sent is counted (:attr:`AdminClient.stats`).
* Idempotent requests are retried (:mod:`.retry`); ``POST /workspaces`` never is once it
  may have reached the server — an unknown outcome raises
  :class:`~reconciler.errors.UnknownOutcome` and the caller re-reads first.
* A DELETE answered 404 on a retry is done; an archive refused on a retry is re-checked
  with a GET.
* Errors: :class:`~reconciler.errors.ApiError` for an error answer,
  :class:`~reconciler.errors.TransportError` for no usable answer.  The key is never in a
  message, repr or log record (:mod:`.redact`).
* Listings are generators: iterate them once; nothing is read before iteration starts.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx

from reconciler import __version__
from reconciler.adminapi.config import DEFAULT_BASE_URL, KEY_PREFIXES, ClientConfig
from reconciler.adminapi.models import (
    Organization,
    RbacGroup,
    RbacGroupMember,
    Scope,
    SpendLimit,
    SpendSummary,
    User,
    Workspace,
)
from reconciler.adminapi.pacing import ADMIN, DEFAULT_SHARE, SPEND, Pacer
from reconciler.adminapi.pagination import (
    DEFAULT_MAX_PAGES,
    Page,
    Query,
    id_cursor_pages,
    opaque_cursor_pages,
)
from reconciler.adminapi.redact import Secret, redact
from reconciler.adminapi.reports import (
    COST_ROUTE,
    USAGE_ROUTE,
    Bucket,
    CostResult,
    UsageResult,
    buckets,
    cost_query,
    usage_query,
)
from reconciler.adminapi.retry import (
    Backoff,
    Idempotency,
    is_retryable,
    parse_retry_after,
    surely_not_sent,
)
from reconciler.adminapi.stats import RequestCounts, RequestStats
from reconciler.adminapi.wire import QueryValue, api_error, encode_query, json_object
from reconciler.errors import ApiError, TransportError, UnknownOutcome

__all__ = [
    "ANTHROPIC_VERSION",
    "API_PREFIX",
    "CONSOLE_LIMIT_SCOPES",
    "ENTERPRISE_LIMIT_SCOPES",
    "SPEND_LIMIT_READS_BETA",
    "AdminClient",
]

log = logging.getLogger("reconciler.adminapi")

API_PREFIX = "/v1/organizations"
ANTHROPIC_VERSION = "2023-06-01"
SPEND_LIMIT_READS_BETA = "spend-limit-reads-2026-09-26"
# Configured-limit scopes worth one listing (admin-api §15): Console rows, and the
# Enterprise defaults (user overrides come from the effective report instead).
CONSOLE_LIMIT_SCOPES = ("organization", "workspace", "usage_tier")
ENTERPRISE_LIMIT_SCOPES = ("organization", "seat_tier", "rbac_group", "organization_service")
MAX_PAGE = 1000
MAX_USER_IDS = 100  # user_ids[] cap per effective-report request (admin-api §14.14)

# Statuses that leave a non-idempotent write in doubt: the server may have done the work.
_DOUBTFUL = frozenset({408}) | frozenset(range(500, 600))

Refused = Callable[[ApiError], dict[str, Any] | None]


def _path_segment(value: str) -> str:
    """An id as one path segment (ids are opaque: never let one add a path level)."""
    return quote(value, safe="")


@dataclass(frozen=True)
class _Request:
    """One logical request, as every attempt of it is sent."""

    method: str
    route: str  # the path template, for counters, logs and errors
    url: str
    headers: dict[str, str]
    body: Mapping[str, Any] | None
    group: str
    idempotency: Idempotency
    refused_on_retry: Refused | None

    @property
    def label(self) -> str:
        return f"{self.method} {self.route}"

    @property
    def unsafe(self) -> bool:
        return self.idempotency is Idempotency.UNSAFE


@dataclass(frozen=True)
class _Retry:
    """Wait ``delay`` seconds, then send the request again (``hold``: every bucket waits)."""

    delay: float
    message: str  # logged with ``args``
    args: tuple[Any, ...]
    hold: bool = False


# Retries of one idempotent request (jittered backoff 0.5 s doubling to 8 s: ~40 s at most,
# more when the server asks with retry-after).  Generous because a retried read is
# harmless and a plan abandoned on a flaky network is not: with one request in five
# failing, eight retries leave a read about a one-in-two-million chance of failing.
MAX_RETRIES = 8


class AdminClient:
    """Reads and writes of the Admin API for one organization key.

    ``http`` is used as given and never closed here.  ``clock``/``sleep``/``wall`` and
    ``random`` are injectable so tests drive pacing and backoff without real time.
    """

    def __init__(
        self,
        http: httpx.Client,
        key: str | Secret,
        *,
        base_url: str = DEFAULT_BASE_URL,
        admin_rpm: float = 100.0,
        spend_rpm: float = 60.0,
        max_api_share: float = DEFAULT_SHARE,
        admin_cap: float | None = None,
        spend_cap: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
        random: Callable[[], float] | None = None,
        max_retries: int = MAX_RETRIES,
        retry_after_cap: float = 60.0,
    ) -> None:
        self._http = http
        self._key = key if isinstance(key, Secret) else Secret(key)
        self._root = base_url.rstrip("/") + API_PREFIX
        self._sleep = sleep
        self._wall = wall
        self.pacer = Pacer(
            admin_rpm,
            spend_rpm,
            share=max_api_share,
            admin_cap=admin_cap,
            spend_cap=spend_cap,
            clock=clock,
            sleep=sleep,
            wall=wall,
        )
        self.backoff = Backoff(retry_after_cap=retry_after_cap)
        if random is not None:
            self.backoff.random = random
        self.max_retries = max_retries
        self.stats = RequestStats()
        self.org_kind: str | None = next(
            (kind for p, kind in KEY_PREFIXES.items() if self._key.reveal().startswith(p)), None
        )
        self._headers = {
            "x-api-key": self._key.reveal(),
            "anthropic-version": ANTHROPIC_VERSION,
            "accept": "application/json",
            "user-agent": f"claude-policy/{__version__}",
        }

    @classmethod
    def from_config(cls, http: httpx.Client, config: ClientConfig, **kwargs: Any) -> AdminClient:
        """A client configured from options and environment (:func:`.config.resolve_config`)."""
        return cls(
            http,
            config.key,
            base_url=config.base_url,
            admin_rpm=config.admin_rpm,
            spend_rpm=config.spend_rpm,
            max_api_share=config.max_api_share,
            admin_cap=config.admin_cap,
            spend_cap=config.spend_cap,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"AdminClient({self._root!r}, key={self._key!r})"

    @property
    def requests(self) -> RequestCounts:
        """Requests sent so far (every attempt, retries included)."""
        return self.stats.snapshot()

    # ------------------------------------------------------------------ the one request

    def _call(
        self,
        method: str,
        route: str,
        path: str,
        *,
        group: str = ADMIN,
        params: Query | None = None,
        body: Mapping[str, Any] | None = None,
        beta: str | None = None,
        idempotency: Idempotency = Idempotency.SAFE,
        refused_on_retry: Refused | None = None,
    ) -> dict[str, Any]:
        """Send one logical request (with its retries) and return the JSON object.

        ``route`` is the path template for the counters; ``refused_on_retry`` may turn an
        error answer to a *retry* into a result (the first attempt succeeded).  Each round
        sends one attempt (:meth:`_attempt`), then decides (:meth:`_decide`): a result, an
        error raised, or a wait before the next attempt.
        """
        url = self._root + path + ("?" + encode_query(params) if params else "")
        headers = {**self._headers, **({"anthropic-beta": beta} if beta else {})}
        request = _Request(method, route, url, headers, body, group, idempotency, refused_on_retry)
        attempt = 0
        while True:
            decision = self._decide(request, self._attempt(request), attempt)
            if not isinstance(decision, _Retry):
                return decision
            log.info(decision.message, *decision.args)
            if decision.hold:
                # The org's window is full: hold every bucket so sibling threads wait too;
                # the next acquire() does the waiting.
                self.pacer.hold(decision.delay)
            else:
                self._sleep(decision.delay)
            attempt += 1

    def _attempt(self, request: _Request) -> httpx.Response | httpx.TransportError:
        """Pace, count and send one attempt: the answer, or why there was none."""
        ticket = self.pacer.acquire(request.group)
        self.stats.count(request.label, spend=request.group == SPEND)
        started = time.perf_counter()
        try:
            response = self._http.request(
                request.method, request.url, headers=request.headers, json=request.body
            )
        except httpx.TransportError as exc:
            self.pacer.observe(ticket, {})
            return exc
        self.pacer.observe(ticket, response.headers)
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug("%s -> %d (%.0f ms)", request.label, response.status_code, elapsed_ms)
        return response

    def _decide(
        self, request: _Request, answer: httpx.Response | httpx.TransportError, attempt: int
    ) -> dict[str, Any] | _Retry:
        """The result, a retry after a delay, or (raised) the request's error."""
        if isinstance(answer, httpx.TransportError):
            return self._no_answer(request, answer, attempt)
        if answer.is_success:
            return self._body(request, answer)
        return self._error_answer(request, answer, attempt)

    def _no_answer(self, request: _Request, exc: httpx.TransportError, attempt: int) -> _Retry:
        """No answer.  Unknown-outcome rule: a non-idempotent write that may have reached
        the server is never resent — the caller must re-read first."""
        reason = f"{type(exc).__name__}: {redact(str(exc)) or 'no detail'}"
        method, route = request.method, request.route
        if request.unsafe and not surely_not_sent(exc):
            raise UnknownOutcome(
                f"no answer ({reason}); the request may have been applied — "
                "re-read before sending it again",
                method=method,
                path=route,
            ) from None
        if attempt >= self.max_retries:
            raise TransportError(
                f"no answer from the Admin API after {attempt + 1} attempts ({reason})",
                method=method,
                path=route,
            ) from None
        delay = self.backoff.delay(attempt)
        return _Retry(delay, "%s: %s; retrying in %.1f s", (request.label, reason, delay))

    def _body(self, request: _Request, response: httpx.Response) -> dict[str, Any]:
        """A success's JSON object.  Unknown-outcome rule: an unreadable success of a
        non-idempotent write was applied, but what it made is unknown."""
        try:
            return json_object(response, method=request.method, path=request.route)
        except TransportError as exc:
            if not request.unsafe:
                raise
            raise UnknownOutcome(
                f"{exc.message}; the request was applied but its result is "
                "unreadable — re-read before sending it again",
                method=request.method,
                path=request.route,
                last_status=response.status_code,
            ) from None

    def _error_answer(
        self, request: _Request, response: httpx.Response, attempt: int
    ) -> dict[str, Any] | _Retry:
        """An error answer: settled by ``refused_on_retry``, retried, or raised.
        Unknown-outcome rule: a non-idempotent write answered 408 or 5xx for the last time
        may have been applied."""
        error = api_error(response, method=request.method, path=request.route)
        if attempt > 0 and request.refused_on_retry is not None:
            settled = request.refused_on_retry(error)
            if settled is not None:
                return settled
        if not is_retryable(error, request.idempotency) or attempt >= self.max_retries:
            if request.unsafe and error.status in _DOUBTFUL:
                raise UnknownOutcome(
                    f"{error.status} {error.error_type}: {error.message}; the request may "
                    "have been applied — re-read before sending it again",
                    method=request.method,
                    path=request.route,
                    last_status=error.status,
                    request_id=error.request_id,
                ) from None
            raise error
        retry_after = parse_retry_after(response.headers, now=self._wall())
        delay = self.backoff.delay(attempt, retry_after)
        return _Retry(
            delay,
            "%s -> %d %s; retrying in %.1f s (attempt %d of %d)",
            (
                request.label,
                error.status,
                error.error_type,
                delay,
                attempt + 2,
                self.max_retries + 1,
            ),
            hold=error.status == 429,
        )

    def _get(self, route: str, path: str, *, group: str = ADMIN) -> dict[str, Any]:
        return self._call("GET", route, path, group=group)

    def _fetcher(
        self, route: str, path: str, *, group: str = ADMIN, beta: str | None = None
    ) -> Callable[[Query], dict[str, Any]]:
        def fetch(query: Query) -> dict[str, Any]:
            return self._call("GET", route, path, group=group, params=query, beta=beta)

        return fetch

    # ------------------------------------------------------------------ organization

    def me(self) -> Organization:
        """``GET /me``: the key's organization (id and name only)."""
        return Organization.from_api(self._get("/me", "/me"))

    # ------------------------------------------------------------------ users

    def list_users(
        self, email: str | None = None, *, limit: int = MAX_PAGE, roles: Sequence[str] = ()
    ) -> Iterator[User]:
        """Members, most recently added first.  The ``email`` filter also matches address
        variants (``+tag``): callers compare the returned email themselves."""
        for page in self.user_pages(email, limit=limit, roles=roles):
            yield from page.items

    def user_pages(
        self, email: str | None = None, *, limit: int = MAX_PAGE, roles: Sequence[str] = ()
    ) -> Generator[Page, None, None]:
        """:meth:`list_users` a page at a time: ``Page(items=[User…], more=bool)``, so a
        caller may stop after the first page knowing whether the listing was complete."""
        params: Query = [("limit", limit), ("email", email), ("roles[]", list(roles) or None)]
        fetch = self._fetcher("/users", "/users")
        for page, more in id_cursor_pages(fetch, params, what="users"):
            yield Page([User.from_api(item) for item in page], more)

    # ------------------------------------------------------------------ workspaces

    def list_workspaces(
        self,
        include_archived: bool = True,
        include_default: bool = True,
        *,
        limit: int = MAX_PAGE,
        ids: Sequence[str] = (),
    ) -> Iterator[Workspace]:
        """Workspaces, newest first (archived and the default one included by default)."""
        params: Query = [
            ("limit", limit),
            ("include_archived", include_archived),
            ("include_default", include_default),
            ("ids[]", list(ids) or None),
        ]
        fetch = self._fetcher("/workspaces", "/workspaces")
        for page, _ in id_cursor_pages(fetch, params, what="workspaces"):
            yield from (Workspace.from_api(item) for item in page)

    def get_workspace(self, workspace_id: str) -> Workspace:
        data = self._get("/workspaces/{workspace_id}", f"/workspaces/{_path_segment(workspace_id)}")
        return Workspace.from_api(data)

    def create_workspace(self, body: Mapping[str, Any]) -> Workspace:
        """``POST /workspaces`` — never resent once it may have reached the server.

        Raises :class:`~reconciler.errors.UnknownOutcome` when the outcome is unknown:
        list the workspaces and look for the name before creating again.
        """
        data = self._call(
            "POST", "/workspaces", "/workspaces", body=body, idempotency=Idempotency.UNSAFE
        )
        return Workspace.from_api(data)

    def update_workspace(self, workspace_id: str, body: Mapping[str, Any]) -> Workspace:
        """``POST /workspaces/{id}``; retried, so send absolute values (and tag merge
        patches), which converge when repeated."""
        data = self._call(
            "POST",
            "/workspaces/{workspace_id}",
            f"/workspaces/{_path_segment(workspace_id)}",
            body=body,
        )
        return Workspace.from_api(data)

    def archive_workspace(self, workspace_id: str) -> Workspace:
        """Archive (irreversible).  A retry refused with 400 is checked with a GET: if the
        workspace is archived, the first attempt did it."""

        def settled(error: ApiError) -> dict[str, Any] | None:
            """What a refused retry means when the first attempt did the work."""
            if error.status != 400:
                return None
            data = self._get(
                "/workspaces/{workspace_id}", f"/workspaces/{_path_segment(workspace_id)}"
            )
            return data if data.get("archived_at") else None

        data = self._call(
            "POST",
            "/workspaces/{workspace_id}/archive",
            f"/workspaces/{_path_segment(workspace_id)}/archive",
            refused_on_retry=settled,
        )
        return Workspace.from_api(data)

    # ------------------------------------------------------------------ spend limits

    def list_spend_limits(
        self,
        scope_types: Sequence[str] = (),
        *,
        workspace_id: str | None = None,
        limit: int = MAX_PAGE,
    ) -> Iterator[SpendLimit]:
        """Configured spend-limit rows (beta listing), optionally narrowed by scope type."""
        params: Query = [
            ("limit", limit),
            ("scope_type[]", list(scope_types) or None),
            ("workspace_id", workspace_id),
        ]
        fetch = self._fetcher(
            "/spend_limits", "/spend_limits", group=SPEND, beta=SPEND_LIMIT_READS_BETA
        )
        for page, _ in opaque_cursor_pages(fetch, params, what="spend limits"):
            yield from (SpendLimit.from_api(item) for item in page)

    def set_spend_limit(
        self, scope: Mapping[str, Any] | Scope, period: str | None, amount: str | None
    ) -> SpendLimit:
        """Upsert the row for (scope, period); ``amount`` ``None`` = explicit no-limit
        (Enterprise ``user`` rows only).  ``period`` ``None`` lets the server default it."""
        body: dict[str, Any] = {
            "amount": amount,
            "scope": scope.to_api() if isinstance(scope, Scope) else dict(scope),
        }
        if period is not None:
            body["period"] = period
        data = self._call("POST", "/spend_limits", "/spend_limits", group=SPEND, body=body)
        return SpendLimit.from_api(data)

    def delete_spend_limit(self, spend_limit_id: str) -> None:
        """Delete a row (the scope inherits again).  404 on a retry means it is gone."""

        def settled(error: ApiError) -> dict[str, Any] | None:
            if error.status == 404:
                return {"type": "spend_limit_deleted", "id": spend_limit_id}
            return None

        self._call(
            "DELETE",
            "/spend_limits/{spend_limit_id}",
            f"/spend_limits/{_path_segment(spend_limit_id)}",
            group=SPEND,
            refused_on_retry=settled,
        )

    def effective_limits(
        self,
        periods: Sequence[str] = (),
        user_ids: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> Iterator[SpendSummary]:
        """The effective report (Enterprise): each member's resolved cap per period.

        Without ``user_ids``: every member, paged ``limit`` (default 1000) members per
        request.  With ``user_ids``: batches of at most 100 ids, ``limit`` defaulting to
        the batch cap, so one request per batch.  ``periods`` narrows to those periods.
        """
        if user_ids is None:
            yield from map(SpendSummary.from_api, self.effective_rows(periods, limit))
            return
        fetch = self._fetcher("/spend_limits/effective", "/spend_limits/effective", group=SPEND)
        period_param: QueryValue = list(periods) or None
        ids = list(dict.fromkeys(user_ids))  # no duplicates: they would waste batch room
        size = limit or MAX_USER_IDS
        for start in range(0, len(ids), MAX_USER_IDS):
            batch = ids[start : start + MAX_USER_IDS]
            params = [("limit", size), ("period[]", period_param), ("user_ids[]", batch)]
            # A page holds `size` members: more pages than that would be a server bug.
            pages = min(math.ceil(len(batch) / size) + 1, DEFAULT_MAX_PAGES)
            for page, _ in opaque_cursor_pages(
                fetch, params, what="effective spend limits", max_pages=pages
            ):
                yield from (SpendSummary.from_api(item) for item in page)

    def effective_rows(
        self, periods: Sequence[str] = (), limit: int | None = None
    ) -> Iterator[Any]:
        """Every row of one full pass over the effective report as the API sent it
        (unchecked JSON values), ``limit`` (default 1000) members a page: for bulk readers
        that check and convert rows straight into their own records.  :meth:`effective_limits`
        is the checked, typed form."""
        fetch = self._fetcher("/spend_limits/effective", "/spend_limits/effective", group=SPEND)
        params: Query = [("limit", limit or MAX_PAGE), ("period[]", list(periods) or None)]
        for page, _ in opaque_cursor_pages(fetch, params, what="effective spend limits"):
            yield from page

    # ------------------------------------------------------------------ RBAC groups

    def list_rbac_groups(self, *, limit: int = MAX_PAGE) -> Iterator[RbacGroup]:
        fetch = self._fetcher("/rbac_groups", "/rbac_groups")
        for page, _ in opaque_cursor_pages(fetch, [("limit", limit)], what="RBAC groups"):
            yield from (RbacGroup.from_api(item) for item in page)

    def list_group_members(
        self, group_id: str, *, limit: int = MAX_PAGE
    ) -> Iterator[RbacGroupMember]:
        """Members of one RBAC group (``GET /rbac_groups/{id}/members``), paged."""
        fetch = self._fetcher(
            "/rbac_groups/{rbac_group_id}/members",
            f"/rbac_groups/{_path_segment(group_id)}/members",
        )
        for page, _ in opaque_cursor_pages(
            fetch, [("limit", limit)], what=f"members of RBAC group {group_id}"
        ):
            yield from (RbacGroupMember.from_api(item, group_id) for item in page)

    # ------------------------------------------------------------------ usage & cost reports

    def usage_report(
        self,
        starting_at: datetime | date | str,
        ending_at: datetime | date | str | None = None,
        *,
        group_by: Sequence[str] = (),
        bucket_width: str = "1d",
        limit: int | None = None,
        **filters: Sequence[str],
    ) -> Iterator[Bucket[UsageResult]]:
        """``GET /usage_report/messages`` (Console): every bucket of the window, oldest
        first, paged with ``limit`` at the width's maximum unless given.  ``filters``:
        ``models``, ``workspace_ids``, ``api_key_ids``, ``account_ids``,
        ``service_account_ids``, ``inference_geos``, ``service_tiers``,
        ``context_windows``, ``speeds`` (see :func:`.reports.usage_query`)."""
        params, beta = usage_query(
            starting_at,
            ending_at,
            bucket_width=bucket_width,
            group_by=group_by,
            limit=limit,
            **filters,
        )
        fetch = self._fetcher(USAGE_ROUTE, USAGE_ROUTE, beta=beta)
        yield from buckets(fetch, params, UsageResult.from_api, what="the usage report")

    def cost_report(
        self,
        starting_at: datetime | date | str,
        ending_at: datetime | date | str | None = None,
        *,
        group_by: Sequence[str] = (),
        limit: int | None = None,
    ) -> Iterator[Bucket[CostResult]]:
        """``GET /cost_report`` (Console): daily buckets of cost in cents, oldest first,
        31 days a request unless ``limit`` says otherwise.  Group by ``description`` to
        get ``cost_type``, ``model``, ``token_type`` and ``inference_geo`` per row."""
        params = cost_query(starting_at, ending_at, group_by=group_by, limit=limit)
        fetch = self._fetcher(COST_ROUTE, COST_ROUTE)
        yield from buckets(fetch, params, CostResult.from_api, what="the cost report")
