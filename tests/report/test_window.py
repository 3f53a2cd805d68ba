"""The report's window: a calendar month (default the last complete one) or the last N
whole days, always whole UTC days."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from reconciler.errors import UsageError
from reconciler.report import days_window, month_window, report_window


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("now", "start", "end", "month"),
    [
        ("2026-12-02T17:00:00", "2026-11-01", "2026-12-01", "2026-11"),
        ("2026-12-01T00:00:00", "2026-11-01", "2026-12-01", "2026-11"),
        ("2027-01-15T09:30:00", "2026-12-01", "2027-01-01", "2026-12"),
        ("2026-03-31T23:59:59", "2026-02-01", "2026-03-01", "2026-02"),
    ],
    ids=["mid-month", "first-day", "over-new-year", "last-second"],
)
def test_the_default_is_the_last_complete_month(now: str, start: str, end: str, month: str) -> None:
    w = month_window(None, at(now))
    assert (w.starting_at.date().isoformat(), w.ending_at.date().isoformat()) == (start, end)
    assert w.month == month and w.complete
    assert w.label() == w.starting_at.strftime("%B %Y")


def test_a_named_month_covers_every_day_of_it() -> None:
    w = month_window("2024-02", at("2026-12-02T10:00:00"))
    assert w.days == 29 and w.dates[0] == "2024-02-01" and w.dates[-1] == "2024-02-29"
    assert w.last_date == "2024-02-29"
    assert w.to_json()["starting_at"] == "2024-02-01T00:00:00Z"
    assert w.to_json()["ending_at"] == "2024-03-01T00:00:00Z"


def test_the_current_month_runs_to_today_and_says_so() -> None:
    w = month_window("2026-12", at("2026-12-05T10:00:00"))
    assert (w.days, w.complete) == (4, False)
    assert w.ending_at == at("2026-12-05T00:00:00")
    assert w.label() == "December 2026 to date"


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2027-01", "has not begun yet"),
        ("2026-12", "no complete day yet"),
        ("2026-13", "invalid month"),
        ("26-11", "invalid month"),
        ("2026-1", "invalid month"),
        ("november", "invalid month"),
    ],
)
def test_months_that_cannot_be_reported_are_usage_errors(month: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        month_window(month, at("2026-12-01T08:00:00"))
    assert caught.value.exit_code == 64


def test_days_end_at_today_midnight() -> None:
    w = days_window(30, at("2026-12-02T17:00:00"))
    assert w.starting_at == at("2026-11-02T00:00:00") and w.ending_at == at("2026-12-02T00:00:00")
    assert w.month is None and w.label() == "the last 30 days"
    assert w.to_json()["kind"] == "days"


def test_month_and_days_together_are_refused() -> None:
    with pytest.raises(UsageError, match="cannot be combined"):
        report_window("2026-11", 30)
    assert report_window(None, 7, at("2026-12-02T00:00:00")).days == 7
