"""Sorting a window of usage and cost into what an audit reports (usage-cost-api §8.3–8.5).

Only workspaces held to US-only inference are looked at (``held_ids``); default-workspace
rows (``workspace_id: null``) never are.  Per result row:

* ``inference_geo: us`` — compliant, counted;
* ``global`` on a model that can be pinned (Claude 4.6 and later) — a **violation**,
  kept by (workspace, day, model) with its tokens, service tiers and cost;
* ``not_available`` — usage on a model that cannot be pinned: a **warning** (a model
  upgrade is needed), kept by (workspace, model); a ``global`` row on such a model (the
  reports should never send one) is treated the same, never as a violation;
* any other geo (a value newer than this client) — a warning naming it, never a
  violation: the audit does not guess what a geo it does not know means.

Cost comes from a cost report grouped by ``workspace_id`` and ``description`` (token
rows carry ``model`` and ``inference_geo``); Priority Tier usage has no cost there.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.adminapi.reports import Bucket, CostResult, UsageResult
from reconciler.usage import GLOBAL, NOT_AVAILABLE, US, geo_capable, plain

__all__ = ["Findings", "GlobalUsage", "Tokens", "Unpinnable", "collect"]

UNKNOWN_MODEL = "(model not reported)"


@dataclass
class Tokens:
    uncached_input: int = 0
    cache_read: int = 0
    cache_creation: int = 0
    output: int = 0

    def add(self, row: UsageResult) -> None:
        self.uncached_input += row.uncached_input_tokens
        self.cache_read += row.cache_read_input_tokens
        self.cache_creation += row.cache_creation_5m_input_tokens
        self.cache_creation += row.cache_creation_1h_input_tokens
        self.output += row.output_tokens

    @property
    def total(self) -> int:
        return self.uncached_input + self.cache_read + self.cache_creation + self.output

    def to_json(self) -> dict[str, int]:
        """The JSON form."""
        return {
            "uncached_input_tokens": self.uncached_input,
            "cache_read_input_tokens": self.cache_read,
            "cache_creation_input_tokens": self.cache_creation,
            "output_tokens": self.output,
            "total_tokens": self.total,
        }


@dataclass
class GlobalUsage:
    """One workspace's ``global`` usage of one model on one day: a violation."""

    workspace_id: str
    day: str
    model: str
    tokens: Tokens = field(default_factory=Tokens)
    cost_cents: Decimal = Decimal(0)
    service_tiers: set[str] = field(default_factory=set)

    @property
    def unpriced_tiers(self) -> list[str]:
        """Tiers whose cost the cost report never carries (Priority Tier)."""
        return sorted(t for t in self.service_tiers if t.startswith("priority"))


@dataclass
class Unpinnable:
    """One workspace's usage of a model that cannot be pinned to a geo: a warning."""

    workspace_id: str
    model: str
    tokens: Tokens = field(default_factory=Tokens)
    cost_cents: Decimal = Decimal(0)
    days: set[str] = field(default_factory=set)


@dataclass
class Findings:
    violations: dict[tuple[str, str, str], GlobalUsage] = field(default_factory=dict)
    unpinnable: dict[tuple[str, str], Unpinnable] = field(default_factory=dict)
    unknown_geos: dict[tuple[str, str], Tokens] = field(default_factory=dict)
    us_tokens: dict[str, int] = field(default_factory=dict)

    def global_usage(self, workspace_id: str) -> list[GlobalUsage]:
        return sorted(
            (v for v in self.violations.values() if v.workspace_id == workspace_id),
            key=lambda v: (v.day, v.model),
        )

    def unpinnable_usage(self, workspace_id: str) -> list[Unpinnable]:
        return sorted(
            (u for u in self.unpinnable.values() if u.workspace_id == workspace_id),
            key=lambda u: u.model,
        )

    def line(self, workspace_id: str, day: str, model: str) -> GlobalUsage:
        key = (workspace_id, day, model)
        found = self.violations.get(key)
        if found is None:
            found = self.violations[key] = GlobalUsage(workspace_id, day, model)
        return found

    def unpinned(self, workspace_id: str, model: str) -> Unpinnable:
        key = (workspace_id, model)
        found = self.unpinnable.get(key)
        if found is None:
            found = self.unpinnable[key] = Unpinnable(workspace_id, model)
        return found


def _class(geo: str | None, model: str | None) -> str | None:
    """``"violation"``, ``"unpinnable"``, ``"us"``, ``"unknown"``, or None (no geo)."""
    if geo == US:
        return "us"
    if geo == NOT_AVAILABLE or (geo == GLOBAL and not geo_capable(model)):
        return "unpinnable"
    if geo == GLOBAL:
        return "violation"
    return None if geo is None else "unknown"


def collect(
    usage: Iterable[Bucket[UsageResult]],
    cost: Iterable[Bucket[CostResult]],
    held_ids: Collection[str],
) -> Findings:
    """Sort a window's usage and cost rows for the held workspaces (see the module doc)."""
    found = Findings()
    for bucket in usage:
        for row in bucket.results:
            if row.workspace_id in held_ids and row.total_tokens:  # nothing ran: no finding
                _add_usage(found, bucket.day, row)
    for priced in cost:
        for item in priced.results:
            ws = item.workspace_id
            if ws not in held_ids or item.cost_type != "tokens" or item.amount <= 0:
                continue  # nothing was charged: never a finding
            _add_cost(found, priced.day, item)
    return found


def _add_usage(found: Findings, day: str, row: UsageResult) -> None:
    ws = str(row.workspace_id)
    model = row.model or UNKNOWN_MODEL
    kind = _class(row.inference_geo, row.model)
    if kind == "violation":
        line = found.line(ws, day, model)
        line.tokens.add(row)
        if row.service_tier:
            line.service_tiers.add(row.service_tier)
    elif kind == "unpinnable":
        unpinned = found.unpinned(ws, model)
        unpinned.tokens.add(row)
        unpinned.days.add(day)
    elif kind == "us":
        found.us_tokens[ws] = found.us_tokens.get(ws, 0) + row.total_tokens
    elif kind == "unknown":
        assert row.inference_geo is not None
        found.unknown_geos.setdefault((ws, row.inference_geo), Tokens()).add(row)


def _add_cost(found: Findings, day: str, item: CostResult) -> None:
    ws = str(item.workspace_id)
    model = item.model or UNKNOWN_MODEL
    kind = _class(item.inference_geo, item.model)
    if kind == "violation":
        found.line(ws, day, model).cost_cents += item.amount
    elif kind == "unpinnable":
        unpinned = found.unpinned(ws, model)
        unpinned.cost_cents += item.amount
        unpinned.days.add(day)


def usage_json(line: GlobalUsage) -> dict[str, Any]:
    """One day's global usage of one model, as the audit document carries it."""
    return {
        "date": line.day,
        "model": line.model,
        "service_tiers": sorted(line.service_tiers),
        "tokens": line.tokens.to_json(),
        "cost_cents": plain(line.cost_cents),
    }
