"""The beta Analytics reports: ``GET /analytics/usage`` and ``GET /analytics/cost``
(usage-cost-api.md §6, decisions 3, 4, 12).

Console and Enterprise orgs; the ``analytics-usage-cost-2026-08-24`` beta header is
required (else 400); Enterprise keys need ``read:analytics``.  Rows are built by
:mod:`~reconciler.emulator.analytics`.  The answer is ``{data, has_more, next_page,
data_refreshed_at}``; ``data_refreshed_at`` is the freshness cutoff (now minus
``Options.usage_delay``): newer usage is not reported yet.

Parameters (400 for anything out of range, no clamping):

* ``starting_at`` — required, RFC 3339, not before 2026-01-01T00:00:00Z, within the
  last 365 days and not in the future.
* ``time_bucket_width`` — ``1d``/``1h``/``1m``; with it, ``ending_at`` is required, rows
  are per bucket (``starting_at`` floored, whole buckets starting before ``ending_at``)
  and ``1m`` allows at most 24 hours.  Without it, ``ending_at`` defaults to the earlier
  of now and ``starting_at`` + 31 days, and a row covers ``[starting_at, ending_at)``,
  both rounded down to the hour.  The range is at most 31 days.
* ``limit`` 1–1000 (default 20) rows; ``page`` = base64 of the row offset.
* ``order`` ``asc``/``desc`` (default ``desc``); ``order_by`` — usage: ``total_tokens``
  (default), ``output_tokens``, ``uncached_input_tokens``, ``requests``, ``time``; cost:
  ``amount`` (default), ``list_amount``, ``time``.
* ``group_by[]`` — at most 5 dimensions (cost: ``cost_type``/``token_type`` besides);
  ``claude_tag_user_id`` not with ``rbac_group_id`` or ``rbac_group_ids[]``.
* ``exclude_deleted_users`` — needs ``group_by[]=actor``.
* Filters, at most 100 values each: ``workspace_ids``, ``service_tiers``,
  ``api_key_ids`` (an empty value matches usage without a key), ``agent_ids``,
  ``deployment_ids``, ``environment_ids`` (Console orgs only: 400 elsewhere), ``models``,
  ``inference_geos`` (``not_available`` = unset), ``context_windows``, ``speeds``,
  ``actor_ids``, ``actor_types``, ``products``, ``organization_ids``, and the dimensions
  the emulated organization never has values for (they match nothing).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.emulator import analytics
from reconciler.emulator.analytics import FAN_OUT, GROUP_KEYS, Dimensions, Report, Span
from reconciler.emulator.buckets import WIDTHS, parse_time
from reconciler.emulator.clock import timestamp
from reconciler.emulator.costs import Pricer
from reconciler.emulator.errors import invalid
from reconciler.emulator.model import UsageEvent
from reconciler.emulator.routing import Call, Endpoint

BETA = "analytics-usage-cost-2026-08-24"
SCOPE = "read:analytics"
EARLIEST = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400
HOUR = 3_600
MAX_SPAN = 31 * DAY
MAX_MINUTE_SPAN = DAY
MAX_LOOKBACK = 365 * DAY
MAX_GROUPS = 5
MAX_VALUES = 100
USAGE_ORDER = ("total_tokens", "output_tokens", "uncached_input_tokens", "requests", "time")
COST_ORDER = ("amount", "list_amount", "time")
ENUMS = {
    "actor_types": ("api_actor", "federated_actor", "service_account_actor", "user_actor"),
    "context_windows": ("0-200k", "200k-1M"),
    "inference_geos": ("global", "not_available", "us"),
    "service_tiers": (
        "batch",
        "flex",
        "flex_discount",
        "priority",
        "priority_on_demand",
        "standard",
    ),
    "speeds": ("fast", "standard"),
    "products": (
        "chat",
        "chat_cowork_unified",
        "claude_code",
        "claude_console",
        "claude_design",
        "claude_in_chrome",
        "claude_tag",
        "cowork",
        "managed_agents_api",
        "message_batches_api",
        "messages_api",
        "office_agent",
    ),
    "claude_tag_categories": ("dm", "engaged", "monitoring", "proactive", "scheduled"),
}
# Filter array → the dimension it matches.
FILTERS = {
    "workspace_ids": "workspace_id",
    "service_tiers": "service_tier",
    "api_key_ids": "api_key_id",
    "agent_ids": "agent_id",
    "deployment_ids": "deployment_id",
    "environment_ids": "environment_id",
    "models": "model",
    "inference_geos": "inference_geo",
    "context_windows": "context_window",
    "speeds": "speed",
    "actor_ids": "actor",
    "actor_types": "actor_type",
    "products": "product",
    "organization_ids": "organization_id",
    "user_profile_ids": "user_profile_id",
    "rbac_group_ids": "rbac_group_id",
    "slack_channel_ids": "slack_channel_id",
    "claude_tag_categories": "claude_tag_category",
    "claude_tag_user_ids": "claude_tag_user_id",
    "session_ids": "session_id",
}
CONSOLE_ONLY = (
    "workspace_ids",
    "service_tiers",
    "api_key_ids",
    "agent_ids",
    "deployment_ids",
    "environment_ids",
)

Predicate = Callable[[UsageEvent], bool]


def _choice(call: Call, name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = call.query.one(name)
    if raw is None:
        return default
    if raw not in allowed:
        raise invalid(f"{name}: must be one of {', '.join(allowed)}, got {raw!r}.")
    return raw


def _limit(call: Call) -> int:
    raw = call.query.one("limit")
    if raw is None:
        return 20
    if not re.fullmatch(r"[0-9]{1,7}", raw) or not 1 <= int(raw) <= 1000:
        raise invalid(f"limit: must be an integer from 1 to 1000, got {raw!r}.")
    return int(raw)


def _offset(call: Call) -> int:
    raw = call.query.one("page")
    if raw is None:
        return 0
    try:
        text = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True).decode("ascii")
        if not re.fullmatch(r"0|[1-9][0-9]{0,9}", text):
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid("page: not a cursor this API returned.") from None
    return int(text)


def next_page(offset: int) -> str:
    return base64.b64encode(str(offset).encode("ascii")).decode("ascii")


def _spans(call: Call, cutoff: int) -> tuple[list[Span], bool]:
    """The periods rows are computed over, with their visible events, and whether the
    report is bucketed."""
    query = call.query
    now = int(call.wall)
    raw_start = query.one("starting_at")
    if raw_start is None:
        raise invalid("starting_at: Field required.")
    start = parse_time(raw_start, "starting_at")
    if start < EARLIEST:
        raise invalid("starting_at: must be no earlier than 2026-01-01T00:00:00Z.")
    if start < now - MAX_LOOKBACK or start > now:
        raise invalid("starting_at: must be within the last 365 days.")
    raw_width = query.one("time_bucket_width")
    if raw_width is not None and raw_width not in WIDTHS:
        raise invalid(f"time_bucket_width: must be one of 1d, 1h, 1m, got {raw_width!r}.")
    raw_end = query.one("ending_at")
    if raw_width is not None and raw_end is None:
        raise invalid("ending_at: required when time_bucket_width is set.")
    end = min(now, start + MAX_SPAN) if raw_end is None else parse_time(raw_end, "ending_at")
    if end <= start:
        raise invalid("ending_at: must be after starting_at.")
    if end - start > MAX_SPAN:
        raise invalid("ending_at: the range may span at most 31 days.")
    if raw_width == "1m" and end - start > MAX_MINUTE_SPAN:
        raise invalid("ending_at: with time_bucket_width 1m the range may span at most 24 hours.")
    store = call.store
    if raw_width is None:
        low, high = start - start % HOUR, end - end % HOUR
        return [Span(low, high, store.usage_between(low, min(high, cutoff + 1)))], False
    width = WIDTHS[raw_width]
    spans = []
    bucket = start - start % width
    while bucket < end:
        events = store.usage_between(bucket, min(bucket + width, cutoff + 1))
        spans.append(Span(bucket, bucket + width, events))
        bucket += width
    return spans, True


def _groups(call: Call, allowed: tuple[str, ...]) -> list[str]:
    groups = list(dict.fromkeys(call.query.array("group_by", MAX_VALUES, allowed)))
    if len([g for g in groups if g not in FAN_OUT]) > MAX_GROUPS:
        raise invalid(f"group_by[]: at most {MAX_GROUPS} dimensions.")
    if "claude_tag_user_id" in groups and (
        "rbac_group_id" in groups or call.query.array("rbac_group_ids", MAX_VALUES)
    ):
        raise invalid("group_by[]: claude_tag_user_id cannot be combined with rbac_group_id.")
    return groups


def _filters(call: Call, dims: Dimensions) -> Predicate:
    """All the request's filters as one predicate over events."""
    tests: list[tuple[str, frozenset[Any]]] = []
    for name, dimension in FILTERS.items():
        values = call.query.array(name, MAX_VALUES, ENUMS.get(name))
        if not values:
            continue
        if name in CONSOLE_ONLY and call.store.kind != "console":
            raise invalid(f"{name}[]: available to Claude Console organizations only.")
        wanted: set[Any] = set(values)
        if name == "api_key_ids" and "" in wanted:  # an empty entry: usage without a key
            wanted.add(None)
        if name == "inference_geos" and "not_available" in wanted:  # unset
            wanted.add(None)
        tests.append((dimension, frozenset(wanted)))

    def keep(event: UsageEvent) -> bool:
        for dimension, wanted in tests:
            value = dims.value(event, dimension)
            if dimension == "actor":
                if value is None or value[1] not in wanted:
                    return False
            elif value not in wanted:
                return False
        return True

    return keep


@dataclass(frozen=True)
class _Request:
    """A checked analytics request: the report to build, over which periods, and how
    to rank and page its rows."""

    report: Report
    spans: list[Span]
    offset: int
    limit: int
    order_by: str
    descending: bool
    cutoff: int

    def answer(self, rows: list[analytics.Row]) -> dict[str, Any]:
        ranked = self.report.rank(rows, self.order_by, self.descending)
        data, more = analytics.page(ranked, self.offset, self.limit)
        return {
            "data": data,
            "has_more": more,
            "next_page": next_page(self.offset + self.limit) if more else None,
            "data_refreshed_at": timestamp(self.cutoff),
        }


def _request(call: Call, group_options: tuple[str, ...], orders: tuple[str, ...]) -> _Request:
    cutoff = int(call.wall - call.usage_delay)
    spans, bucketed = _spans(call, cutoff)
    limit = _limit(call)
    order = _choice(call, "order", ("asc", "desc"), "desc")
    order_by = _choice(call, "order_by", orders, orders[0])
    groups = _groups(call, group_options)
    exclude_deleted = call.query.boolean("exclude_deleted_users")
    if exclude_deleted and "actor" not in groups:
        raise invalid("exclude_deleted_users: needs group_by[]=actor.")
    keep = _filters(call, Dimensions(call.store))
    report = Report(
        call.store,
        groups,
        keep,
        timestamp,
        always_one=not bucketed and not [g for g in groups if g not in FAN_OUT],
        exclude_deleted=exclude_deleted,
    )
    return _Request(report, spans, _offset(call), limit, order_by, order == "desc", cutoff)


def usage(call: Call) -> dict[str, Any]:
    request = _request(call, GROUP_KEYS, USAGE_ORDER)
    return request.answer(request.report.usage_rows(request.spans))


def cost(call: Call) -> dict[str, Any]:
    request = _request(call, (*GROUP_KEYS, *FAN_OUT), COST_ORDER)
    return request.answer(request.report.cost_rows(request.spans, Pricer(call.store.prices)))


ENDPOINTS = (
    Endpoint("GET", "/analytics/usage", usage, scope=SCOPE, beta=BETA),
    Endpoint("GET", "/analytics/cost", cost, scope=SCOPE, beta=BETA),
)
