"""The Usage & Cost reports of a Claude Console org (usage-cost-api.md §2–5, §7).

``GET /usage_report/messages`` and ``GET /cost_report``: Console orgs only (Enterprise →
400 ``organization_type_not_supported``), counted against the Admin API bucket like every
other Admin API call.  Answer ``{data, has_more, next_page}``; ``data`` is one bucket per
interval, oldest first, empty ones included (:mod:`~reconciler.emulator.buckets`), each
``{starting_at, ending_at, results}`` (:mod:`~reconciler.emulator.aggregate`).

Validation (400, no clamping): an unknown ``bucket_width``, ``group_by[]``, or filter
enum value; a ``limit`` outside the width's range; ``ending_at`` ≤ ``starting_at``; more
than 100 values in one array; ``speed`` in ``group_by[]`` or ``speeds[]`` without the
``fast-mode-2026-02-01`` beta; on the cost report any width but ``1d`` and any grouping
but ``workspace_id`` / ``description`` (``inference_geo`` included, decision 13).  Other
query parameters are ignored, the usage filters on the cost report too.

Results in a bucket are sorted by their grouped values, nulls last (usage: in the order
``group_by[]`` names the dimensions; cost: workspace, then description).

Freshness (decision 3): usage newer than now minus ``Options.usage_delay`` (5 minutes by
default) is not reported yet; the current, partial bucket is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.emulator import buckets
from reconciler.emulator.aggregate import (
    COST_DIMENSIONS,
    USAGE_DIMENSIONS,
    CostGrouping,
    UsageGrouping,
)
from reconciler.emulator.costs import Pricer
from reconciler.emulator.errors import invalid
from reconciler.emulator.model import UsageEvent
from reconciler.emulator.routing import Call, Endpoint

CONSOLE = ("console",)
FAST_MODE_BETA = "fast-mode-2026-02-01"
MAX_VALUES = 100
GEOS = ("global", "us", "not_available")
SERVICE_TIERS = ("standard", "batch", "priority", "priority_on_demand", "flex", "flex_discount")
CONTEXT_WINDOWS = ("0-200k", "200k-1M")
SPEEDS = ("standard", "fast")
# Usage filters: query array name → the event field it matches and its allowed values.
ENUM_FILTERS = {
    "inference_geos": ("inference_geo", GEOS),
    "service_tiers": ("service_tier", SERVICE_TIERS),
    "context_window": ("context_window", CONTEXT_WINDOWS),  # singular on the wire
    "speeds": ("speed", SPEEDS),
}
ID_FILTERS = {
    "models": "model",
    "workspace_ids": "workspace_id",
    "api_key_ids": "api_key_id",
    "account_ids": "account_id",
    "service_account_ids": "service_account_id",
}

Predicate = Callable[[UsageEvent], bool]


def _needs_fast_mode(call: Call, what: str) -> None:
    if FAST_MODE_BETA not in call.betas:
        raise invalid(f"{what}: speed needs the `anthropic-beta` header with `{FAST_MODE_BETA}`.")


def _group_by(call: Call, allowed: tuple[str, ...]) -> list[str]:
    groups = call.query.array("group_by", MAX_VALUES, allowed)
    if "speed" in groups:
        _needs_fast_mode(call, "group_by[]")
    return groups


def _member(field: str, values: set[str]) -> Predicate:
    """Events whose ``field`` is one of ``values`` (None never is)."""
    chosen = frozenset(values)
    return lambda event: getattr(event, field) in chosen


def _filters(call: Call) -> list[Predicate]:
    """The usage report's filters, each a predicate over events (all must hold)."""
    query = call.query
    default = call.store.default_workspace_id()
    tests: list[Predicate] = []
    for name, field in ID_FILTERS.items():
        wanted = set(query.array(name, MAX_VALUES))
        if not wanted:
            continue
        if field == "workspace_id":  # never the default workspace (decision 6)
            wanted.discard(default or "")
        tests.append(_member(field, wanted))
    for name, (field, allowed) in ENUM_FILTERS.items():
        chosen = set(query.array(name, MAX_VALUES, allowed))
        if not chosen:
            continue
        if name == "speeds":
            _needs_fast_mode(call, "speeds[]")
        tests.append(_member(field, chosen))
    return tests


class _Page:
    """One page of a report's buckets and the usage visible in them."""

    def __init__(self, call: Call, widths: tuple[str, ...], limits: tuple[int, int] | None) -> None:
        width = buckets.bucket_width(call.query, widths)
        self.window = buckets.window(call.query, width, int(call.wall))
        self.limit = buckets.limit(call.query, width, limits)
        self.call = call
        self.cutoff = int(call.wall - call.usage_delay)  # events after it are hidden

    def run(self, results: Callable[[list[UsageEvent]], list[dict[str, Any]]]) -> dict[str, Any]:
        window = self.window
        cursor = window.cursor(self.call.query.one("page"))
        starts, following = window.starts(cursor, self.limit)
        data = []
        for start in starts:
            end = start + window.width
            events = self.call.store.usage_between(start, min(end, self.cutoff + 1))
            data.append(
                {
                    "starting_at": buckets.show_time(start),
                    "ending_at": buckets.show_time(end),
                    "results": results(events),
                }
            )
        return {
            "data": data,
            "has_more": following is not None,
            "next_page": buckets.next_page(following),
        }


def usage_report(call: Call) -> dict[str, Any]:
    page = _Page(call, tuple(buckets.WIDTHS), None)
    grouping = UsageGrouping(
        _group_by(call, USAGE_DIMENSIONS),
        call.store.default_workspace_id(),
        with_speed=FAST_MODE_BETA in call.betas,
    )
    tests = _filters(call)
    return page.run(lambda events: grouping.results(e for e in events if all(t(e) for t in tests)))


def cost_report(call: Call) -> dict[str, Any]:
    page = _Page(call, ("1d",), (7, 31))
    groups = call.query.array("group_by", MAX_VALUES)
    for group in groups:
        if group not in COST_DIMENSIONS:
            raise invalid(
                f"group_by[]: {group!r} is not one of {', '.join(COST_DIMENSIONS)} "
                "(group by description to see each row's model and inference_geo)."
            )
    grouping = CostGrouping(groups, call.store.default_workspace_id())
    pricer = Pricer(call.store.prices)
    return page.run(
        lambda events: grouping.results(line for e in events for line in pricer.lines(e))
    )


ENDPOINTS = (
    Endpoint("GET", "/usage_report/messages", usage_report, CONSOLE),
    Endpoint("GET", "/cost_report", cost_report, CONSOLE),
)
