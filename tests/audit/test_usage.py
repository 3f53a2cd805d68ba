"""The usage window, which models can be pinned, and the global token cost per workspace."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from reconciler.adminapi import Bucket, CostResult
from reconciler.usage import geo_capable, global_token_cents, usage_window
from tests.audit.fakes import cost_row

UTC = timezone.utc


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        # Mid-afternoon: the window ends at today's midnight, whole days only.
        (datetime(2026, 11, 21, 15, 30, tzinfo=UTC), "2026-10-22", "2026-11-21"),
        # Just after midnight UTC: still today's midnight.
        (datetime(2026, 11, 21, 0, 0, 1, tzinfo=UTC), "2026-10-22", "2026-11-21"),
        # Another zone: 01:00 in UTC+5 is still the day before in UTC.
        (
            datetime(2026, 11, 21, 1, 0, tzinfo=timezone(timedelta(hours=5))),
            "2026-10-21",
            "2026-11-20",
        ),
        (datetime(2026, 3, 1, 12, 0), "2026-01-30", "2026-03-01"),  # naive = UTC
        (date(2026, 3, 1), "2026-01-30", "2026-03-01"),
    ],
)
def test_the_window_is_the_last_whole_utc_days_before_today(
    now: datetime | date, start: str, end: str
) -> None:
    window = usage_window(30, now)
    assert window.to_json() == {
        "days": 30,
        "starting_at": f"{start}T00:00:00Z",
        "ending_at": f"{end}T00:00:00Z",
    }
    assert window.ending_at - window.starting_at == timedelta(days=30)


def test_a_one_day_window_is_yesterday() -> None:
    window = usage_window(1, datetime(2026, 11, 21, 9, tzinfo=UTC))
    assert (window.starting_at.day, window.ending_at.day) == (20, 21)
    with pytest.raises(ValueError):
        usage_window(0)


@pytest.mark.parametrize(
    ("model", "capable"),
    [
        ("claude-opus-4-6", True),
        ("claude-sonnet-4-6", True),
        ("claude-sonnet-4-6-20260201", True),
        ("claude-opus-5", True),
        ("claude-haiku-5-1-20270101", True),
        ("claude-opus-4-5", False),
        ("claude-sonnet-4-5-20250929", False),
        ("claude-haiku-4-5", False),
        ("claude-opus-4-1-20250805", False),
        ("claude-sonnet-4-20250514", False),  # 4.0: the date is not a minor version
        ("claude-3-7-sonnet-20250219", False),
        ("claude-3-5-haiku-20241022", False),
        ("claude-next", True),  # unreadable: a newer model, held to the rules
        ("some-other-model", True),
        (None, True),
    ],
)
def test_which_models_can_be_pinned_to_a_geo(model: str | None, capable: bool) -> None:
    assert geo_capable(model) is capable


def bucket(day: str, *rows: CostResult) -> Bucket[CostResult]:
    return Bucket(f"{day}T00:00:00Z", None, rows)


def test_global_token_cost_keeps_only_global_tokens_of_pinnable_models() -> None:
    rows = [
        cost_row("2026-10-01", "wrkspc_1", "claude-opus-4-6", "global", "1234.5"),
        cost_row("2026-10-01", "wrkspc_1", "claude-opus-4-6", "us", "999"),
        cost_row("2026-10-01", "wrkspc_1", "claude-sonnet-4-5", "not_available", "50"),
        cost_row("2026-10-01", "wrkspc_1", None, None, "75", cost_type="web_search"),
        cost_row("2026-10-01", "wrkspc_1", "claude-haiku-4-5", "global", "8"),  # guard
        cost_row("2026-10-01", None, "claude-opus-4-6", "global", "300"),  # default ws
    ]
    day2 = [cost_row("2026-10-02", "wrkspc_1", "claude-sonnet-4-6", "global", "0.000001")]
    got = global_token_cents(
        [
            bucket("2026-10-01", *map(CostResult.from_api, rows)),
            bucket("2026-10-02", *map(CostResult.from_api, day2)),
        ]
    )
    assert got == {"wrkspc_1": Decimal("1234.500001"), None: Decimal("300")}
