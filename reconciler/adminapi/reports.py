"""The Usage & Cost reports (Claude Console orgs): queries, paging and tolerant rows.

* ``GET /v1/organizations/usage_report/messages`` — token counts per bucket (``1d``,
  ``1h`` or ``1m``), one result per group when grouped;
* ``GET /v1/organizations/cost_report`` — USD cost per day, amounts as decimal **cent**
  strings (``"123.78912"`` = $1.2378912).

Both answer ``{data, has_more, next_page}`` where ``data`` is a list of buckets
``{starting_at, ending_at, results[]}``, oldest first, empty buckets included.  Paging
passes ``next_page`` back verbatim as ``page`` with every other parameter repeated; a
request asks for as many buckets as the width allows (``limit``: ``1d`` 31, ``1h`` 168,
``1m`` 1440), so a 30-day window is one request.  They count against the Admin API
bucket like every other Admin API call.

Parsing follows :mod:`.models`: unknown fields are ignored; unknown enum values (a new
geo, service tier or cost type) are kept verbatim; token counts a server leaves out are
``0``; a bucket without a start, a mistyped count or an amount that is not a decimal is
a :class:`~reconciler.errors.TransportError`.  Amounts are :class:`~decimal.Decimal`,
never ``float``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from reconciler.adminapi.pagination import Fetch, Query, opaque_cursor_pages
from reconciler.errors import TransportError

__all__ = [
    "COST_ROUTE",
    "FAST_MODE_BETA",
    "MAX_BUCKETS",
    "USAGE_ROUTE",
    "Bucket",
    "CostResult",
    "UsageResult",
    "buckets",
    "cost_query",
    "rfc3339",
    "usage_query",
]

USAGE_ROUTE = "/usage_report/messages"
COST_ROUTE = "/cost_report"
FAST_MODE_BETA = "fast-mode-2026-02-01"  # needed to group or filter by `speed`
# Most buckets one page may hold, per bucket width (usage-cost-api §2; cost: 1d only).
MAX_BUCKETS: Mapping[str, int] = {"1d": 31, "1h": 168, "1m": 1440}

T = TypeVar("T")


def rfc3339(moment: datetime | date | str) -> str:
    """``2026-11-01T00:00:00Z`` for a datetime (naive = UTC) or a date (its midnight);
    strings are passed through as the caller wrote them."""
    if isinstance(moment, str):
        return moment
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- rows


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TransportError(f"malformed {what}: expected an object")
    return value


def _opt_str(d: Mapping[str, Any], key: str) -> str | None:
    value = d.get(key)
    return value if isinstance(value, str) else None


def _count(d: Mapping[str, Any], key: str, what: str) -> int:
    value = d.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise TransportError(f"malformed {what}: {key!r} is not a whole number")
    return value


def _cents(value: Any, what: str) -> Decimal:
    """A decimal-cent string (or an integer) as an exact Decimal; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TransportError(f"malformed {what}: 'amount' is not a decimal string")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise TransportError(f"malformed {what}: 'amount' {value!r} is not a decimal") from None
    if not amount.is_finite():
        raise TransportError(f"malformed {what}: 'amount' {value!r} is not a decimal")
    return amount


@dataclass(frozen=True, slots=True)
class UsageResult:
    """One usage-report result: token counts, and the dimensions it was grouped by
    (``None`` unless grouped; ``workspace_id`` is ``None`` for the default workspace)."""

    uncached_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_5m_input_tokens: int = 0
    cache_creation_1h_input_tokens: int = 0
    output_tokens: int = 0
    web_search_requests: int = 0
    model: str | None = None
    workspace_id: str | None = None
    api_key_id: str | None = None
    account_id: str | None = None
    service_account_id: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None
    speed: str | None = None

    @property
    def total_tokens(self) -> int:
        """Every token the request was billed for: input (uncached, cache reads, cache
        writes of both lifetimes) and output."""
        return (
            self.uncached_input_tokens
            + self.cache_read_input_tokens
            + self.cache_creation_5m_input_tokens
            + self.cache_creation_1h_input_tokens
            + self.output_tokens
        )

    @classmethod
    def from_api(cls, data: Any) -> UsageResult:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        what = "usage report result"
        d = _obj(data, what)
        creation = d.get("cache_creation")
        creation = creation if isinstance(creation, Mapping) else {}
        tools = d.get("server_tool_use")
        tools = tools if isinstance(tools, Mapping) else {}
        return cls(
            uncached_input_tokens=_count(d, "uncached_input_tokens", what),
            cache_read_input_tokens=_count(d, "cache_read_input_tokens", what),
            cache_creation_5m_input_tokens=_count(creation, "ephemeral_5m_input_tokens", what),
            cache_creation_1h_input_tokens=_count(creation, "ephemeral_1h_input_tokens", what),
            output_tokens=_count(d, "output_tokens", what),
            web_search_requests=_count(tools, "web_search_requests", what),
            model=_opt_str(d, "model"),
            workspace_id=_opt_str(d, "workspace_id"),
            api_key_id=_opt_str(d, "api_key_id"),
            account_id=_opt_str(d, "account_id"),
            service_account_id=_opt_str(d, "service_account_id"),
            service_tier=_opt_str(d, "service_tier"),
            context_window=_opt_str(d, "context_window"),
            inference_geo=_opt_str(d, "inference_geo"),
            speed=_opt_str(d, "speed"),
        )


@dataclass(frozen=True, slots=True)
class CostResult:
    """One cost-report result.  ``amount`` is in **cents** of ``currency`` (``USD``),
    exact.  ``cost_type``, ``model``, ``token_type``, ``service_tier``,
    ``context_window`` and ``inference_geo`` are filled only on rows grouped by
    ``description`` (and the token ones only for token costs)."""

    amount: Decimal
    currency: str | None = None
    workspace_id: str | None = None
    description: str | None = None
    cost_type: str | None = None
    model: str | None = None
    token_type: str | None = None
    service_tier: str | None = None
    context_window: str | None = None
    inference_geo: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> CostResult:
        """Parse the API's object tolerantly (unknown fields ignored)."""
        what = "cost report result"
        d = _obj(data, what)
        return cls(
            amount=_cents(d.get("amount"), what),
            currency=_opt_str(d, "currency"),
            workspace_id=_opt_str(d, "workspace_id"),
            description=_opt_str(d, "description"),
            cost_type=_opt_str(d, "cost_type"),
            model=_opt_str(d, "model"),
            token_type=_opt_str(d, "token_type"),
            service_tier=_opt_str(d, "service_tier"),
            context_window=_opt_str(d, "context_window"),
            inference_geo=_opt_str(d, "inference_geo"),
        )


@dataclass(frozen=True, slots=True)
class Bucket(Generic[T]):
    """One time bucket: ``[starting_at, ending_at)`` as the API wrote them, and its
    results (empty for an interval without usage)."""

    starting_at: str
    ending_at: str | None
    results: tuple[T, ...]

    @property
    def day(self) -> str:
        """The bucket's UTC date, ``YYYY-MM-DD`` (the start's date part)."""
        return self.starting_at[:10]


def _bucket(data: Any, parse: Callable[[Any], T], what: str) -> Bucket[T]:
    d = _obj(data, f"{what} bucket")
    start = d.get("starting_at")
    if not isinstance(start, str) or not start:
        raise TransportError(f"malformed {what}: a bucket without 'starting_at'")
    results = d.get("results")
    if results is None:
        results = []
    if not isinstance(results, list):
        raise TransportError(f"malformed {what}: a bucket's 'results' is not a list")
    return Bucket(start, _opt_str(d, "ending_at"), tuple(parse(r) for r in results))


# --------------------------------------------------------------------------- queries


def _window(starting_at: datetime | date | str, ending_at: datetime | date | str | None) -> Query:
    return [
        ("starting_at", rfc3339(starting_at)),
        ("ending_at", None if ending_at is None else rfc3339(ending_at)),
    ]


def _list(values: Sequence[str]) -> list[str] | None:
    return list(values) or None


def usage_query(
    starting_at: datetime | date | str,
    ending_at: datetime | date | str | None = None,
    *,
    bucket_width: str = "1d",
    group_by: Sequence[str] = (),
    limit: int | None = None,
    models: Sequence[str] = (),
    workspace_ids: Sequence[str] = (),
    api_key_ids: Sequence[str] = (),
    account_ids: Sequence[str] = (),
    service_account_ids: Sequence[str] = (),
    inference_geos: Sequence[str] = (),
    service_tiers: Sequence[str] = (),
    context_windows: Sequence[str] = (),
    speeds: Sequence[str] = (),
) -> tuple[Query, str | None]:
    """The usage report's query (``limit`` defaults to the width's maximum) and the beta
    header it needs (fast mode, for ``speed``), if any."""
    query: Query = [
        *_window(starting_at, ending_at),
        ("bucket_width", bucket_width),
        ("limit", limit if limit is not None else MAX_BUCKETS.get(bucket_width, 7)),
        ("group_by[]", _list(group_by)),
        ("models[]", _list(models)),
        ("workspace_ids[]", _list(workspace_ids)),
        ("api_key_ids[]", _list(api_key_ids)),
        ("account_ids[]", _list(account_ids)),
        ("service_account_ids[]", _list(service_account_ids)),
        ("inference_geos[]", _list(inference_geos)),
        ("service_tiers[]", _list(service_tiers)),
        # Singular on the wire (usage-cost-api §2), unlike every other filter.
        ("context_window[]", _list(context_windows)),
        ("speeds[]", _list(speeds)),
    ]
    beta = FAST_MODE_BETA if "speed" in group_by or speeds else None
    return query, beta


def cost_query(
    starting_at: datetime | date | str,
    ending_at: datetime | date | str | None = None,
    *,
    group_by: Sequence[str] = (),
    limit: int | None = None,
) -> Query:
    """The cost report's query: daily buckets only, ``limit`` defaulting to 31."""
    return [
        *_window(starting_at, ending_at),
        ("bucket_width", "1d"),
        ("limit", limit if limit is not None else MAX_BUCKETS["1d"]),
        ("group_by[]", _list(group_by)),
    ]


# --------------------------------------------------------------------------- paging


def buckets(
    fetch: Fetch, params: Query, parse: Callable[[Any], T], *, what: str
) -> Iterator[Bucket[T]]:
    """Every bucket of a report, page after page (``page`` = the previous ``next_page``,
    the other parameters repeated).  ``has_more`` without a ``next_page`` is refused
    rather than read as the end: the report would silently be cut short."""

    def checked(query: Query) -> dict[str, Any]:
        body = fetch(query)
        if body.get("has_more") is True and not body.get("next_page"):
            raise TransportError(f"malformed page of {what}: has_more without a next_page")
        return body

    for page in opaque_cursor_pages(checked, params, what=what):
        for item in page.items:
            yield _bucket(item, parse, what)
