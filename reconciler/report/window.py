"""The stretch of time a Console report covers: a calendar month or the last N whole days.

Both are whole UTC days, ``[starting_at, ending_at)``, so the reports' freshness lag
never cuts a day short (usage-cost-api §8.1):

* ``--month 2026-11`` — 2026-11-01 00:00Z to 2026-12-01 00:00Z.  Without ``--month``
  or ``--days``: the last *complete* calendar month.  The current month may be asked
  for: it runs to today 00:00Z (month to date) and says so (``complete`` false).
* ``--days N`` — the N whole days before today 00:00Z (as ``audit`` reads).

A month in the future, or the current month on its first day (no whole day yet), is a
usage error: there is nothing to report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from reconciler.errors import UsageError
from reconciler.usage import usage_window

__all__ = ["ReportWindow", "days_window", "month_window", "parse_month", "today_utc"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class ReportWindow:
    """``[starting_at, ending_at)``, midnight UTC at both ends.

    ``month`` is ``YYYY-MM`` for a month window (else None); ``complete`` is false for
    a month still running (month to date)."""

    starting_at: datetime
    ending_at: datetime
    month: str | None = None
    complete: bool = True

    @property
    def days(self) -> int:
        return (self.ending_at - self.starting_at).days

    @property
    def dates(self) -> list[str]:
        """Every date of the window, ``YYYY-MM-DD``, oldest first."""
        first = self.starting_at.date()
        return [(first + timedelta(days=i)).isoformat() for i in range(self.days)]

    @property
    def last_date(self) -> str:
        return (self.ending_at.date() - timedelta(days=1)).isoformat()

    def label(self) -> str:
        """``November 2026``, ``December 2026 to date``, ``the last 30 days``."""
        if self.month is not None:
            name = self.starting_at.strftime("%B %Y")
            return name if self.complete else f"{name} to date"
        return f"the last {self.days} day{'s' if self.days != 1 else ''}"

    def to_json(self) -> dict[str, object]:
        """The document's ``window`` object: kind, bounds, length and label."""
        return {
            "kind": "month" if self.month is not None else "days",
            "month": self.month,
            "days": self.days,
            "complete": self.complete,
            "starting_at": _iso(self.starting_at),
            "ending_at": _iso(self.ending_at),
            "label": self.label(),
        }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def today_utc(now: datetime | None = None) -> date:
    if now is None:
        now = datetime.now(timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc).date()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def parse_month(text: str) -> date:
    """``2026-11`` → 2026-11-01; anything else is a :class:`UsageError`."""
    match = _MONTH.match(text.strip())
    if match is not None:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and year >= 1:
            return date(year, month, 1)
    raise UsageError(f"invalid month {text!r}: use YYYY-MM, e.g. 2026-11")


def month_window(month: str | None = None, now: datetime | None = None) -> ReportWindow:
    """The calendar month ``month`` (``YYYY-MM``), or the last complete one."""
    today = today_utc(now)
    this_month = today.replace(day=1)
    if month is None:
        first = (this_month - timedelta(days=1)).replace(day=1)
    else:
        first = parse_month(month)
    if first > this_month:
        raise UsageError(f"--month {first:%Y-%m} has not begun yet (today is {today})")
    end = _next_month(first)
    complete = end <= today
    if not complete:
        end = today
        if end <= first:
            raise UsageError(
                f"--month {first:%Y-%m} has no complete day yet: reports cover whole UTC "
                "days; ask for the previous month, or try again tomorrow"
            )
    return ReportWindow(_midnight(first), _midnight(end), f"{first:%Y-%m}", complete)


def days_window(days: int, now: datetime | None = None) -> ReportWindow:
    """The last ``days`` whole UTC days before today."""
    if days < 1:
        raise UsageError(f"--days must be at least 1, not {days}")
    window = usage_window(days, now)
    return ReportWindow(window.starting_at, window.ending_at)
