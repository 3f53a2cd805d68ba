"""Usage facts shared by ``audit`` and the plan's residency cost (usage-cost-api §8).

* :func:`usage_window` — whole UTC days: ``D1`` = today 00:00Z (yesterday is the last
  complete day, clear of the reports' freshness lag), ``D0`` = ``D1`` − N days.
* :func:`geo_capable` — whether a model can be pinned to a geo (Claude 4.6 and later);
  reports say ``not_available`` for the others.
* :func:`global_token_cents` — the cost of tokens that ran with ``inference_geo: global``
  per workspace, from a cost report grouped by ``workspace_id`` and ``description``:
  the cost a move to US-only inference makes 10 % dearer.

Pure functions over parsed report rows; nothing here sends a request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from reconciler.adminapi.reports import Bucket, CostResult

__all__ = [
    "DEFAULT_DAYS",
    "GLOBAL",
    "NOT_AVAILABLE",
    "US",
    "UsageWindow",
    "geo_capable",
    "global_token_cents",
    "is_global_token_cost",
    "plain",
    "usage_window",
]

DEFAULT_DAYS = 30
GLOBAL, US, NOT_AVAILABLE = "global", "us", "not_available"


@dataclass(frozen=True, slots=True)
class UsageWindow:
    """``[starting_at, ending_at)``, both midnight UTC, ``days`` apart."""

    starting_at: datetime
    ending_at: datetime
    days: int

    def to_json(self) -> dict[str, object]:
        return {
            "days": self.days,
            "starting_at": _iso(self.starting_at),
            "ending_at": _iso(self.ending_at),
        }


def usage_window(days: int, now: datetime | date | None = None) -> UsageWindow:
    """The last ``days`` whole UTC days before today (``now`` defaults to the clock)."""
    if days < 1:
        raise ValueError(f"a usage window needs at least one day, not {days}")
    if now is None:
        now = datetime.now(timezone.utc)
    if isinstance(now, datetime):
        today = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        today_date = today.date()
    else:
        today_date = now
    end = datetime(today_date.year, today_date.month, today_date.day, tzinfo=timezone.utc)
    return UsageWindow(end - timedelta(days=days), end, days)


def plain(amount: Decimal) -> str:
    """An exact decimal as JSON carries it: positional, never ``1E-7``."""
    return f"{amount:f}"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# Claude version numbers in a model id: the new style `claude-opus-4-6`, `claude-sonnet-4-5-
# 20250929`, `claude-sonnet-4-20250514`, and the old `claude-3-5-haiku-20241022`.  Short
# numbers only: an 8-digit snapshot date is not a version.
_NUMBER = re.compile(r"(?<![0-9])([0-9]{1,2})(?![0-9])")


def geo_capable(model: str | None) -> bool:
    """Can requests to ``model`` choose their inference geo?  Claude 4.6 and every later
    model can; 4.5 and older cannot.  A model id this function cannot read is taken to
    be a newer one (every model after 4.6 supports it), so its ``global`` usage counts."""
    if not model:
        return True
    name = model.lower()
    if not name.startswith("claude-"):
        return True
    numbers = [int(n) for n in _NUMBER.findall(name[len("claude-") :])]
    if not numbers:
        return True
    major = numbers[0]
    minor = numbers[1] if len(numbers) > 1 else 0
    return (major, minor) >= (4, 6)


def is_global_token_cost(row: CostResult) -> bool:
    """A token cost that ran on ``global`` inference of a geo-capable model (the cost a
    US-only move raises by 10 %; web search, code execution, sessions are unaffected)."""
    return row.cost_type == "tokens" and row.inference_geo == GLOBAL and geo_capable(row.model)


def global_token_cents(buckets: Iterable[Bucket[CostResult]]) -> dict[str | None, Decimal]:
    """Cents of ``global`` token cost per workspace id (``None``: the default workspace),
    summed exactly across the window's buckets."""
    totals: dict[str | None, Decimal] = {}
    for bucket in buckets:
        for row in bucket.results:
            if is_global_token_cost(row):
                totals[row.workspace_id] = totals.get(row.workspace_id, Decimal(0)) + row.amount
    return totals
