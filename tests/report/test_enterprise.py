"""Enterprise figures from hand-made effective rows: percentages, the 80 % and 100 %
thresholds on exact values, projection, headroom, grouping by the scope of the cap."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from reconciler.live import Effective, LiveMember
from reconciler.report.enterprise import build_enterprise, period_bounds

# 2026-12-11 00:00 UTC: ten days of December's 31 gone.
NOW = datetime(2026, 12, 11, tzinfo=timezone.utc)
EMAILS = ["ann", "ben", "cat", "dee", "eve", "fay", "gus"]
MEMBERS = {f"{n}@x.example": LiveMember(f"user_{n}", f"{n}@x.example", n.title()) for n in EMAILS}


def eff(name: str, amount: str | None, spend: str, source: str, source_id: str | None = None,
        period: str = "monthly") -> Effective:  # fmt: skip
    return Effective(f"user_{name}", period, amount, source, source_id, "spl_x", spend)


ROWS = [
    eff("ann", "10000", "7999.999", "seat_tier", "enterprise_standard"),  # just under 80 %
    eff("ben", "10000", "8000", "seat_tier", "enterprise_standard"),  # exactly 80 %
    eff("cat", "10000", "10000", "seat_tier", "enterprise_standard"),  # exactly 100 %
    eff("dee", "150000", "160000.5", "rbac_group", "rbac_group_r"),  # over
    eff("eve", None, "12050.5", "user"),  # an explicit no-limit override
    eff("fay", "0", "0", "user"),  # a cap of 0: nothing more can be spent
    eff("gus", "75000", "1000", "organization"),
    eff("ann", "600", "300", "user", period="daily"),
]


def figures() -> dict[str, Any]:
    effective = {(e.user_id, e.period): e for e in ROWS}
    return build_enterprise(
        NOW, "USD", MEMBERS, True, effective, {"rbac_group_r": "research"}
    ).to_json()


def member(doc: dict[str, Any], name: str, period: str = "monthly") -> dict[str, Any]:
    return next(
        m for m in doc["members"] if m["email"] == f"{name}@x.example" and m["period"] == period
    )


def test_percent_used_and_the_thresholds() -> None:
    doc = figures()
    expected = {
        "ann": ("80.00", False, False),  # 79.99999 shows as 80.00 but is not at 80 %
        "ben": ("80.00", True, False),
        "cat": ("100.00", True, True),
        "dee": ("106.67", True, True),
        "eve": (None, False, False),
        "fay": (None, True, True),
        "gus": ("1.33", False, False),
    }
    got = {
        n: (member(doc, n)["percent_used"], member(doc, n)["at_80"], member(doc, n)["at_100"])
        for n in expected
    }
    assert got == expected
    monthly = doc["periods"][0]
    assert (monthly["period"], monthly["members"], monthly["capped"]) == ("monthly", 7, 6)
    assert (monthly["at_80"], monthly["at_100"], monthly["uncapped"]) == (4, 3, 1)


def test_headroom_counts_only_what_capped_members_may_still_spend() -> None:
    doc = figures()
    monthly = doc["periods"][0]
    # ann 2000.001, ben 2000, gus 74000; the others are at or over their cap (never
    # negative headroom) or have no cap.
    assert Decimal(monthly["headroom"]) == Decimal("78000.001")
    assert member(doc, "dee")["headroom"] == "0"
    assert member(doc, "eve")["headroom"] is None


def test_projection_is_a_straight_line_to_the_period_end() -> None:
    doc = figures()
    monthly = doc["periods"][0]
    assert monthly["elapsed_percent"] == "32.26"  # 10 of 31 days
    assert member(doc, "gus")["projected"] == "3100.000"  # 1000 × 31 / 10
    assert member(doc, "ben")["projected"] == "24800.000"
    daily = doc["periods"][1]
    assert daily["period"] == "daily"
    # The day has only begun (a second at least is counted): the line is steep.
    assert Decimal(member(doc, "ann", "daily")["projected"]) == Decimal(300 * 86400)
    total = sum(Decimal(m["projected"]) for m in doc["members"] if m["period"] == "monthly")
    assert Decimal(monthly["projected"]) == total
    # Not yet at their cap but will be at this pace: ann and ben (×3.1 ≥ 10000); gus
    # reaches 3100 of 75000.
    assert monthly["projected_over_cap"] == 2


def test_members_are_grouped_by_the_scope_that_sets_their_cap() -> None:
    doc = figures()
    groups = {
        (s["label"], s["cap"], s["members"], s["at_80"], s["at_100"])
        for s in doc["by_source"]
        if s["period"] == "monthly"
    }
    assert groups == {
        ("seat tier enterprise_standard", "10000", 3, 2, 1),
        ("group research", "150000", 1, 1, 1),
        ("own override", None, 2, 1, 1),
        ("organization default", "75000", 1, 0, 0),
    }
    assert member(doc, "ann")["seat_tier"] == "enterprise_standard"
    assert member(doc, "dee")["groups"] == ["research"]
    assert member(doc, "eve")["source"] == "own override"


def test_the_distribution_counts_capped_members_by_band() -> None:
    bands = figures()["periods"][0]["distribution"]
    counts = {(b["low"], b["high"]): b["members"] for b in bands}
    assert counts[(70, 80)] == 1 and counts[(80, 90)] == 1 and counts[(100, None)] == 3
    assert counts[(0, 10)] == 1 and sum(counts.values()) == 6


def test_members_without_a_row_in_a_period_have_no_cap_there() -> None:
    daily = figures()["periods"][1]
    assert (daily["members"], daily["uncapped_without_row"], daily["uncapped"]) == (1, 6, 6)


@pytest.mark.parametrize(
    ("period", "now", "start", "end"),
    [
        ("monthly", "2026-12-31T23:00:00", "2026-12-01", "2027-01-01"),
        ("monthly", "2026-02-10T00:00:00", "2026-02-01", "2026-03-01"),
        ("weekly", "2026-12-02T17:00:00", "2026-11-30", "2026-12-07"),  # a Wednesday
        ("weekly", "2026-11-30T00:00:00", "2026-11-30", "2026-12-07"),  # a Monday
        ("daily", "2026-12-02T17:00:00", "2026-12-02", "2026-12-03"),
    ],
)
def test_period_bounds(period: str, now: str, start: str, end: str) -> None:
    moment = datetime.fromisoformat(now).replace(tzinfo=timezone.utc)
    bounds = period_bounds(period, moment)
    assert bounds is not None
    assert (bounds[0].date().isoformat(), bounds[1].date().isoformat()) == (start, end)
    assert period_bounds("fortnightly", moment) is None
