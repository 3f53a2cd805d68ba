"""Display forms shared by the report's renderings.  Display only: exact amounts stay in
the document; everything here rounds (money to the cent, half-even, as ``money`` does)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from reconciler.money import format_major, format_minor

__all__ = [
    "AUDIT_HINT",
    "cents",
    "compact",
    "count",
    "geo_label",
    "hottest_first",
    "last_day",
    "minor",
    "model_label",
    "pct",
    "period_label",
    "plural",
    "title",
]

AUDIT_HINT = "claude-policy audit"
_GEO_LABELS = {"global": "global", "us": "us", "not_available": "not available", None: "—"}


def cents(value: str | Decimal, currency: str = "USD") -> str:
    """Decimal cents → ``$1,234.57``."""
    return format_major(Decimal(value) / 100, currency)


def minor(value: str | None, currency: str) -> str:
    """A minor-unit amount → ``$1,234.57``; None → ``no limit``."""
    return "no limit" if value is None else format_minor(value, currency)


def count(value: int) -> str:
    return f"{value:,}"


def compact(value: float | int | Decimal) -> str:
    """``1234567`` → ``1.2M`` (axis labels and tight spaces)."""
    number = float(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            scaled = number / limit
            text = f"{scaled:.1f}".rstrip("0").rstrip(".") if scaled < 100 else f"{scaled:.0f}"
            return f"{text}{suffix}"
    if number == int(number):
        return f"{int(number)}"
    return f"{number:.2f}".rstrip("0").rstrip(".")


def plural(n: int, noun: str) -> str:
    """``1 member``, ``2 members``, ``1,200 members``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def pct(value: str | None) -> str:
    """The document's percentage string (two decimals) → ``81.33%``; None → ``—``."""
    return "—" if value is None else f"{Decimal(value):.2f}%"


def geo_label(geo: str | None) -> str:
    return _GEO_LABELS.get(geo, str(geo))


def model_label(model: str | None, cost_types: list[str] | None = None) -> str:
    """A model id, or for costs without one what they were (web search …)."""
    if model is not None:
        return model
    kinds = [k.replace("_", " ") for k in cost_types or [] if k != "tokens"]
    return f"({', '.join(kinds)})" if kinds else "(other costs)"


def hottest_first(member: dict[str, Any]) -> tuple[int, Decimal, str]:
    """Sort key for members at a threshold: caps of 0 first, then the most used."""
    used = member["percent_used"]
    return (0 if used is None else 1, -Decimal(used or 0), member["email"])


def last_day(window: dict[str, Any]) -> str:
    """The last date a window covers (its end is exclusive)."""
    return date.fromordinal(
        date.fromisoformat(window["ending_at"][:10]).toordinal() - 1
    ).isoformat()


def period_label(period: dict[str, Any]) -> str:
    """``monthly, 2026-12-01 to 2026-12-31`` (the end shown inclusive)."""
    start, end = period.get("starting_at"), period.get("ending_at")
    if not start or not end:
        return str(period["period"])
    last = date.fromordinal(date.fromisoformat(end[:10]).toordinal() - 1)
    if start[:10] == last.isoformat():
        return f"{period['period']}, {start[:10]}"
    return f"{period['period']}, {start[:10]} to {last.isoformat()}"


def title(doc: dict[str, Any]) -> str:
    org = doc["organization"]
    name = org.get("name") or org["id"]
    if doc["console"] is not None:
        return f"{name}: usage and cost, {doc['console']['window']['label']}"
    return f"{name}: spend against caps"
