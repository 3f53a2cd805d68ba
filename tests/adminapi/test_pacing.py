"""Pacing: no lone client ever fills a sliding 60-second window, checked with a
simulated clock against a sliding-window counter like the emulator's."""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.adminapi import ADMIN, SPEND, Pacer, burst_for, rate_for
from tests.adminapi.fakes import FakeClock


def max_in_window(times: list[float], window: float = 60.0) -> int:
    """Most requests in any closed window [t, t + window]: the strictest way to count."""
    times = sorted(times)
    return max((bisect_right(times, t + window) - bisect_left(times, t) for t in times), default=0)


def run(
    pacer: Pacer,
    clock: FakeClock,
    plan: list[tuple[float, str]],
) -> dict[str, list[float]]:
    """Issue requests: (idle seconds before, group).  Returns send times per bucket."""
    sent: dict[str, list[float]] = {ADMIN: [], SPEND: []}
    for idle, group in plan:
        clock.sleep(idle)
        pacer.acquire(group)
        sent[ADMIN].append(clock.now)  # every request counts against the admin bucket
        if group == SPEND:
            sent[SPEND].append(clock.now)
    return sent


def test_parameters_for_the_documented_limits() -> None:
    assert burst_for(100) == 2
    assert burst_for(60) == 1
    assert rate_for(100) * 60 == pytest.approx(96.885, abs=0.01)
    assert rate_for(60) * 60 == pytest.approx(58.525, abs=0.01)
    # Within the slack of one second per window, never more than the limit.
    for limit in (1, 2, 6, 10, 59, 60, 100, 1000, 6000):
        assert math.floor(burst_for(limit) + rate_for(limit) * 61.0) <= limit


def test_sustained_load_stays_under_both_limits_and_close_to_them() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    sent = run(pacer, clock, [(0.0, SPEND if i % 2 else ADMIN) for i in range(600)])
    assert max_in_window(sent[ADMIN]) <= 100
    assert max_in_window(sent[SPEND]) <= 60
    # ... and it does not dawdle: the admin bucket (all 600) binds, at ~96.9/min after
    # its burst of 2 — within 4 % of the rate-limit floor (600 - 2) / 100 per minute.
    elapsed = clock.now - 1000.0
    assert elapsed == pytest.approx((600 - 2) / rate_for(100), rel=0.01)
    assert elapsed <= 1.04 * (600 - 2) / (100 / 60)


@settings(max_examples=60, deadline=None)
@given(
    limit_admin=st.integers(min_value=1, max_value=400),
    limit_spend=st.integers(min_value=1, max_value=400),
    plan=st.lists(
        st.tuples(
            st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=90.0)),
            st.sampled_from([ADMIN, SPEND]),
        ),
        min_size=1,
        max_size=300,
    ),
    jitter=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=300, max_size=300),
)
def test_no_window_ever_exceeds_the_limit(
    limit_admin: int,
    limit_spend: int,
    plan: list[tuple[float, str]],
    jitter: list[float],
) -> None:
    """Any demand pattern (bursts, idle gaps that refill the bucket, mixed groups), and
    up to one second between our release and the server's stamp."""
    clock = FakeClock()
    pacer = Pacer(limit_admin, limit_spend, clock=clock, sleep=clock.sleep, wall=clock.wall)
    sent = run(pacer, clock, plan)
    for bucket, limit in ((ADMIN, limit_admin), (SPEND, limit_spend)):
        arrived = [t + jitter[i] for i, t in enumerate(sent[bucket])]
        assert max_in_window(arrived) <= limit, bucket


def test_threads_share_the_buckets() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=lambda s: None, wall=clock.wall)
    releases: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            # Without sleeping, each thread's release time is what acquire reserved.
            with lock:
                now = clock.now
            waited = pacer.acquire(SPEND)
            with lock:
                releases.append(now + waited)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(releases) == 200
    assert max_in_window(releases) <= 60


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def test_remaining_zero_holds_until_reset() -> None:
    clock = FakeClock()
    pacer = Pacer(1000, 1000, clock=clock, sleep=clock.sleep, wall=clock.wall)
    pacer.acquire(ADMIN)
    pacer.observe(
        ADMIN,
        {
            "anthropic-ratelimit-requests-limit": "1000",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": rfc3339(clock.wall() + 12.5),
        },
    )
    assert pacer.acquire(ADMIN) == pytest.approx(12.5)
    # A spend request waits too: it counts in the admin bucket.
    pacer.observe(
        ADMIN,
        {
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": rfc3339(clock.wall() + 3),
        },
    )
    assert pacer.acquire(SPEND) == pytest.approx(3.0)


def test_headers_are_optional_and_garbage_is_ignored() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    pacer.observe(ADMIN, {})
    pacer.observe(
        ADMIN,
        {
            "anthropic-ratelimit-requests-limit": "lots",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": "tomorrow-ish",
        },
    )
    assert pacer.acquire(ADMIN) == 0.0
    assert pacer.limit(ADMIN) == 100


def test_a_lower_advertised_limit_slows_us_down_never_up() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    pacer.observe(ADMIN, {"anthropic-ratelimit-requests-limit": "10"})
    pacer.observe(SPEND, {"anthropic-ratelimit-requests-limit": "6"})
    pacer.observe(ADMIN, {"anthropic-ratelimit-requests-limit": "1000"})
    assert (pacer.limit(ADMIN), pacer.limit(SPEND)) == (10, 6)
    sent = run(pacer, clock, [(0.0, ADMIN)] * 30)
    assert max_in_window(sent[ADMIN]) <= 10


def test_hold_delays_every_group_and_is_capped() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    pacer.hold(7)
    assert pacer.acquire(ADMIN) == pytest.approx(7)
    pacer.hold(10_000)
    assert pacer.acquire(SPEND) == pytest.approx(61)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21T10:00:00Z", datetime(2026, 11, 21, 10, tzinfo=timezone.utc)),
        ("2026-11-21T10:00:00.123456789Z", datetime(2026, 11, 21, 10, 0, 0, 123456, timezone.utc)),
        ("2026-11-21T10:00:00.5+00:00", datetime(2026, 11, 21, 10, 0, 0, 500000, timezone.utc)),
    ],
)
def test_parse_rfc3339(text: str, expected: datetime) -> None:
    from reconciler.adminapi.pacing import parse_rfc3339

    assert parse_rfc3339(text) == pytest.approx(expected.timestamp())


@settings(max_examples=60, deadline=None)
@given(
    before=st.integers(min_value=1, max_value=40),
    lowered=st.integers(min_value=1, max_value=60),
    group=st.sampled_from([ADMIN, SPEND]),
    idle=st.floats(min_value=0.0, max_value=70.0),
)
def test_a_limit_learnt_mid_run_accounts_for_what_was_already_sent(
    before: int, lowered: int, group: str, idle: float
) -> None:
    """Sent at the configured 100/60, then told the real limit is lower: every window
    holding a request sent after that holds no more than the lower limit (as long as the
    requests already sent did not exceed it on their own)."""
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    old = run(pacer, clock, [(0.0, group)] * min(before, lowered))[group]
    clock.sleep(idle / 10)
    pacer.observe(group, {"anthropic-ratelimit-requests-limit": str(lowered)})
    new = run(pacer, clock, [(0.0, group)] * 3 * lowered)[group]
    times = sorted(old + new)
    for t in new:
        # Windows of 61 s (60 s plus the slack) that contain t.
        lo = bisect_left(times, t - 61.0)
        hi = bisect_right(times, t + 61.0)
        window = times[lo:hi]
        for i, start in enumerate(window):
            count = bisect_right(window, start + 61.0) - i
            if start <= t <= start + 61.0:
                assert count <= lowered
