"""Grouping usage events and cost lines into the results of one report bucket
(usage-cost-api.md §2–3, decisions 5, 6, 9 and 13).

* One result per combination of the grouped dimensions that has non-zero usage (or a
  non-zero amount); ungrouped, one result for the whole bucket, or none when it is empty.
* Every key is present; a dimension is null unless grouped by it; ``workspace_id`` is
  null for the default workspace.
* Results are sorted by their grouped values, nulls last: usage results by the
  dimensions in the order ``group_by[]`` named them; cost results by workspace, then
  description (then model, token type, context window, tier, geo).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reconciler.emulator.costs import CostLine, cents_text
from reconciler.emulator.model import UsageEvent

USAGE_DIMENSIONS = (
    "account_id",
    "api_key_id",
    "context_window",
    "inference_geo",
    "model",
    "service_account_id",
    "service_tier",
    "speed",
    "workspace_id",
)
COST_DIMENSIONS = ("workspace_id", "description")
# The fields a description-grouped cost row fills (besides the description itself).
DESCRIPTION_FIELDS = (
    "model",
    "token_type",
    "context_window",
    "service_tier",
    "inference_geo",
    "cost_type",
)
COUNTS = (
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "cache_creation_5m_input_tokens",
    "cache_creation_1h_input_tokens",
    "output_tokens",
    "web_search_requests",
)

Key = tuple[Any, ...]


def _sort_key(key: Key) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, "" if value is None else str(value)) for value in key)


@dataclass(frozen=True)
class UsageGrouping:
    """How a usage request groups: its dimensions, the default workspace's id (shown as
    null), and whether rows carry ``speed`` (the fast-mode beta was sent)."""

    dimensions: Sequence[str]
    default_workspace: str | None
    with_speed: bool = False

    def _value(self, event: UsageEvent, dimension: str) -> Any:
        value = getattr(event, dimension)
        return None if dimension == "workspace_id" and value == self.default_workspace else value

    def results(self, events: Iterable[UsageEvent]) -> list[dict[str, Any]]:
        grouped = list(dict.fromkeys(self.dimensions))
        sums: dict[Key, list[int]] = {}
        for event in events:
            key = tuple(self._value(event, d) for d in grouped)
            totals = sums.setdefault(key, [0] * len(COUNTS))
            for index, name in enumerate(COUNTS):
                totals[index] += getattr(event, name)
        rows = []
        for key in sorted(sums, key=_sort_key):
            totals = sums[key]
            if any(totals):
                rows.append(self._row(dict(zip(grouped, key, strict=True)), totals))
        return rows

    def _row(self, values: dict[str, Any], totals: list[int]) -> dict[str, Any]:
        count = dict(zip(COUNTS, totals, strict=True))
        row: dict[str, Any] = {
            "uncached_input_tokens": count["uncached_input_tokens"],
            "cache_creation": {
                "ephemeral_1h_input_tokens": count["cache_creation_1h_input_tokens"],
                "ephemeral_5m_input_tokens": count["cache_creation_5m_input_tokens"],
            },
            "cache_read_input_tokens": count["cache_read_input_tokens"],
            "output_tokens": count["output_tokens"],
            "server_tool_use": {"web_search_requests": count["web_search_requests"]},
        }
        for dimension in USAGE_DIMENSIONS:
            if dimension != "speed" or self.with_speed:
                row[dimension] = values.get(dimension)
        return row


@dataclass(frozen=True)
class CostGrouping:
    """How a cost request groups (``workspace_id`` and/or ``description``)."""

    dimensions: Sequence[str]
    default_workspace: str | None

    def _key(self, line: CostLine) -> Key:
        workspace: str | None = None
        if "workspace_id" in self.dimensions and line.workspace_id != self.default_workspace:
            workspace = line.workspace_id
        if "description" not in self.dimensions:
            return (workspace,)
        return (workspace, line.description, *(getattr(line, f) for f in DESCRIPTION_FIELDS))

    def results(self, lines: Iterable[CostLine], currency: str = "USD") -> list[dict[str, Any]]:
        sums: dict[Key, Decimal] = {}
        for line in lines:
            key = self._key(line)
            sums[key] = sums.get(key, Decimal(0)) + line.amount
        rows = []
        for key in sorted(sums, key=_sort_key):
            if sums[key]:
                rows.append(self._row(key, sums[key], currency))
        return rows

    def _row(self, key: Key, amount: Decimal, currency: str) -> dict[str, Any]:
        row: dict[str, Any] = {
            "amount": cents_text(amount),
            "currency": currency,
            "workspace_id": key[0],
            "description": None,
            **dict.fromkeys(DESCRIPTION_FIELDS),
        }
        if len(key) > 1:
            row["description"] = key[1]
            row.update(zip(DESCRIPTION_FIELDS, key[2:], strict=True))
        return row
