"""``--expires-in`` and other durations: any text ends in a usage error or a duration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reconciler.cli.output import parse_duration
from reconciler.errors import UsageError


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("90s", timedelta(seconds=90)),
        ("24h", timedelta(hours=24)),
        ("5200w", timedelta(weeks=5200)),
    ],
)
def test_durations(text: str, duration: timedelta) -> None:
    assert parse_duration(text) == duration


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0h", "use a positive number"),
        ("1y", "use a positive number"),
        ("9" * 5000 + "h", "use a positive number"),  # never int() of 5,000 digits
        ("1234567890s", "use a positive number"),
        ("99999999h", "longer than 100 years"),  # past datetime's year 9999 from now
        ("999999999d", "longer than 100 years"),  # past timedelta's own range
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_duration(text)
