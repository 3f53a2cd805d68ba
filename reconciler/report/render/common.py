"""Display forms shared by the report's renderings.  Display only: exact amounts stay in
the document; everything here rounds (money to the cent, half-even, as ``money`` does)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from reconciler.money import format_major, format_minor

__all__ = [
    "AUDIT_HINT",
    "BAND_NAMES",
    "band_class",
    "cents",
    "compact",
    "count",
    "geo_label",
    "hot_members",
    "hottest_first",
    "last_day",
    "minor",
    "model_label",
    "of_period",
    "org_name",
    "pct",
    "period_label",
    "plural",
    "subject",
    "title",
    "window_span",
]

AUDIT_HINT = "claude-policy audit"
BAND_NAMES = ("below 80 %", "80 to 100 %", "at or over 100 %")
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


def band_class(band: dict[str, Any]) -> int:
    """Which of :data:`BAND_NAMES` a band of the distribution falls in."""
    if band["high"] is None:
        return 2
    return 1 if band["low"] >= 80 else 0


def hot_members(e: dict[str, Any], period: str | None = None) -> list[dict[str, Any]]:
    """The members at 80 % of their cap or more (of one period, or all), hottest first."""
    return sorted(
        (m for m in e["members"] if m["at_80"] and (period is None or m["period"] == period)),
        key=hottest_first,
    )


def of_period(rows: list[dict[str, Any]], period: str) -> list[dict[str, Any]]:
    """The rows (scopes, members) of one period."""
    return [row for row in rows if row["period"] == period]


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


def window_span(window: dict[str, Any]) -> str:
    """``2026-11-01 to 2026-11-30`` (the last day shown inclusive)."""
    return f"{window['starting_at'][:10]} to {last_day(window)}"


def org_name(doc: dict[str, Any]) -> str:
    """The organization's name, or its id when it has none."""
    org = doc["organization"]
    return str(org.get("name") or org["id"])


def subject(doc: dict[str, Any]) -> str:
    """What the report is about: ``usage and cost, November 2026``, ``spend against caps``."""
    if doc["console"] is not None:
        return f"usage and cost, {doc['console']['window']['label']}"
    return "spend against caps"


def title(doc: dict[str, Any]) -> str:
    return f"{org_name(doc)}: {subject(doc)}"
