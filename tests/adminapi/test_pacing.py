"""Pacing decisions on a fake clock, against simulated limiters and header sequences.

The server side is either the emulator's own limiter (token buckets, continuous refill)
or a sliding-window log (the other model a real limiter might follow); the pacer must be
safe against both.  Times below are the fake clock's: nothing waits on real time.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.adminapi import ADMIN, SPEND, Pacer, apply_seconds, reserve_for
from reconciler.adminapi.pacing import parse_rfc3339
from reconciler.emulator.ratelimit import RateLimiter
from tests.adminapi.fakes import FakeClock


def rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def max_in_window(times: list[float], window: float = 60.0) -> int:
    """Most requests in any closed window [t, t + window]: the strictest way to count."""
    times = sorted(times)
    return max((bisect_right(times, t + window) - bisect_left(times, t) for t in times), default=0)


class SlidingLog:
    """A limiter counting requests in a sliding 60 s window, with the same headers."""

    def __init__(self, admin: int, spend: int) -> None:
        self.limits = {ADMIN: admin, SPEND: spend}
        self.times: dict[str, deque[float]] = {ADMIN: deque(), SPEND: deque()}

    def _remaining(self, name: str, now: float) -> int:
        log = self.times[name]
        while log and log[0] <= now - 60:
            log.popleft()
        return self.limits[name] - len(log)

    def admit(self, now: float, spend: bool) -> tuple[bool, int, int, float]:
        names = [ADMIN, SPEND] if spend else [ADMIN]
        for name in names:
            if self._remaining(name, now) <= 0:
                return False, self.limits[name], 0, self.times[name][0] + 60 - now
        for name in names:
            self.times[name].append(now)
        name = min(names, key=lambda n: (self._remaining(n, now), self.limits[n]))
        log = self.times[name]
        return True, self.limits[name], self._remaining(name, now), log[0] + 60 - now


class TokenBucket:
    """The emulator's limiter (``reconciler.emulator.ratelimit``), scaled."""

    def __init__(self, scale: float) -> None:
        self.limiter = RateLimiter(scale)

    def admit(self, now: float, spend: bool) -> tuple[bool, int, int, float]:
        v = self.limiter.admit(now, spend)
        return v.admitted, v.limit, v.remaining, v.resets_in


@dataclass
class Sim:
    """Our requests, one after another with no latency, against ``server``; another
    client's requests (``competitor``: monotonic times) are sent whenever time passes
    them, while we wait."""

    server: SlidingLog | TokenBucket
    pacer: Pacer
    clock: FakeClock
    headers: bool = True
    competitor: list[tuple[float, bool]] = field(default_factory=list)
    sent: dict[str, list[float]] = field(default_factory=lambda: {ADMIN: [], SPEND: []})
    remaining_after_ours: list[int] = field(default_factory=list)
    ours_429: int = 0
    theirs: dict[bool, int] = field(default_factory=lambda: {True: 0, False: 0})

    def _competitor_until(self, moment: float) -> None:
        while self.competitor and self.competitor[0][0] <= moment:
            at, spend = self.competitor.pop(0)
            admitted, *_ = self.server.admit(at, spend)
            self.theirs[admitted] += 1

    def sleep(self, seconds: float) -> None:
        self._competitor_until(self.clock.now + seconds)
        self.clock.sleep(seconds)

    def request(self, group: str) -> None:
        while True:
            ticket = self.pacer.acquire(group)
            self._competitor_until(self.clock.now)
            now = self.clock.now
            admitted, limit, remaining, resets_in = self.server.admit(now, group == SPEND)
            headers = {}
            if self.headers:
                headers = {
                    "anthropic-ratelimit-requests-limit": str(limit),
                    "anthropic-ratelimit-requests-remaining": str(remaining),
                    "anthropic-ratelimit-requests-reset": rfc3339(self.clock.wall() + resets_in),
                }
            self.pacer.observe(ticket, headers)
            if admitted:
                self.sent[ADMIN].append(now)
                if group == SPEND:
                    self.sent[SPEND].append(now)
                self.remaining_after_ours.append(remaining)
                return
            self.ours_429 += 1
            self.pacer.hold(60.0)


def sim(
    server: SlidingLog | TokenBucket,
    admin: float = 100,
    spend: float = 60,
    **kwargs: object,
) -> Sim:
    clock = FakeClock()
    box: list[Sim] = []
    pacer_args = {k: kwargs.pop(k) for k in ("share", "admin_cap", "spend_cap") if k in kwargs}
    pacer = Pacer(
        admin,
        spend,
        clock=clock,
        sleep=lambda s: box[0].sleep(s),
        wall=clock.wall,
        **pacer_args,  # type: ignore[arg-type]
    )
    box.append(Sim(server, pacer, clock, **kwargs))  # type: ignore[arg-type]
    return box[0]


START = 1000.0  # FakeClock's monotonic start


def test_the_reserve_is_the_rest_of_the_share_and_never_the_whole_bucket() -> None:
    assert [reserve_for(limit, 0.8) for limit in (60, 100, 120, 7, 1)] == [12, 20, 24, 2, 0]
    assert reserve_for(60, 1.0) == 0
    assert reserve_for(60, 0.001) == 59  # one request is always ours to send


def test_a_fresh_minute_goes_at_once_then_the_limiter_pace_and_the_reserve_stays_free() -> None:
    s = sim(TokenBucket(2.0), admin=100, spend=60)  # the limiter: 200 and 120 a minute
    for _ in range(300):
        s.request(SPEND)
    spend = s.sent[SPEND]
    # The first answer teaches the limits (120), the first 96 = 80 % go without a wait.
    assert spend[:96] == [START] * 96
    assert spend[96] > START
    # Then one request every 0.5 s, as the limiter frees them: the floor (300 − 96) ÷ 2/s.
    assert spend[-1] - START == pytest.approx((300 - 96) * 0.5, abs=0.5)
    assert s.ours_429 == 0
    assert min(s.remaining_after_ours) == 24  # 20 % of 120 always left free


@pytest.mark.parametrize("share", [0.5, 0.8, 1.0])
def test_against_a_sliding_window_the_reserve_holds_in_every_window(share: float) -> None:
    s = sim(SlidingLog(100, 60), share=share)
    for i in range(400):
        s.request(SPEND if i % 3 else ADMIN)
    assert s.ours_429 == 0
    assert max_in_window(s.sent[SPEND]) <= math.floor(60 * share)
    assert max_in_window(s.sent[ADMIN]) <= math.floor(100 * share)
    assert min(s.remaining_after_ours) >= reserve_for(60, share)


def test_without_headers_the_configured_rate_is_the_pace() -> None:
    s = sim(SlidingLog(30, 30), admin=30, spend=30, headers=False)
    for _ in range(200):
        s.request(ADMIN)
    assert s.ours_429 == 0
    times = s.sent[ADMIN]
    assert times[:24] == [START] * 24  # 80 % of the configured 30 at once
    assert max_in_window(times, 61.0 - 1e-6) <= 24
    # ... and then 24 every 61 s: the configured rate less the reserve.
    assert times[-1] - START == pytest.approx(61.0 * (200 // 24 - (200 % 24 == 0)), abs=0.01)


def within_cap(times: list[float], cap: float) -> bool:
    """No stretch of time holds more than a token bucket of ``cap`` a minute allows:
    ``cap`` at once plus ``cap`` a minute (one request of slack for float rounding)."""
    return all(
        j - i + 1 <= cap + (times[j] - times[i]) * cap / 60.0 + 1e-6
        for i in range(len(times))
        for j in range(i, len(times))
    )


def test_an_explicit_rate_is_a_hard_cap_whatever_the_headers_say() -> None:
    s = sim(TokenBucket(100.0), admin=30, spend=20, admin_cap=30, spend_cap=20)
    for i in range(150):
        s.request(SPEND if i % 2 else ADMIN)
    assert s.ours_429 == 0
    admin, spend = s.sent[ADMIN], s.sent[SPEND]
    assert within_cap(admin, 30) and within_cap(spend, 20)
    # ... and the long-run pace is the tighter cap: all 150 count in the admin bucket,
    # 30 of them at once, then 30 a minute.
    assert max(admin[-1], spend[-1]) - START == pytest.approx((150 - 30) * 2.0, abs=0.01)


def test_a_cap_equal_to_the_limit_costs_nothing_against_the_floor() -> None:
    """``--spend-rpm 120`` against a limiter of 120 a minute: the cap never binds before
    the reserve does, so 300 writes still take the floor (300 − 96) ÷ 2 a second."""
    s = sim(TokenBucket(2.0), admin=200, spend=120, admin_cap=200, spend_cap=120)
    for _ in range(300):
        s.request(SPEND)
    assert s.ours_429 == 0
    assert s.sent[SPEND][-1] - START == pytest.approx((300 - 96) * 0.5, abs=0.5)


def test_a_competitor_draining_the_budget_slows_us_down_and_keeps_its_reserve() -> None:
    """Another client spends 30 spend requests a minute (one every 2 s) for ten
    minutes; we want 600.  The limiter (60 a minute) serves both: no one gets a 429,
    and after every one of ours at least the reserve minus what the other client took
    since is free."""
    other = [(START + 2.0 * k, True) for k in range(300)]
    s = sim(TokenBucket(1.0), competitor=other)
    for _ in range(600):
        s.request(SPEND)
    assert s.ours_429 == 0
    assert s.theirs == {True: 300, False: 0}  # every request of the other client served
    assert min(s.remaining_after_ours) >= reserve_for(60, 0.8) - 1
    # We got what the other client left: (600 + 300 − 48) requests at 60 a minute.
    assert s.sent[SPEND][-1] - START == pytest.approx((600 + 300 - 48) * 1.0, rel=0.02)


def test_a_greedy_competitor_takes_everything_and_we_wait_for_the_reserve() -> None:
    """Someone bursts 70 spend requests half a second after our fresh minute's share:
    the bucket is empty.  Our next request (due when the limiter frees one) cannot know
    and lands below the reserve; its answer says so, and the one after waits until the
    limiter has freed the reserve again."""
    other = [(START + 0.5, True)] * 70
    s = sim(TokenBucket(1.0), competitor=other)
    for _ in range(48):
        s.request(SPEND)  # our fresh minute's share, at once
    assert s.sent[SPEND][-1] == START
    for _ in range(5):
        s.request(SPEND)
    assert s.theirs == {True: 12, False: 58}  # the reserve was there for the other client
    assert s.ours_429 == 0
    below = [r for r in s.remaining_after_ours if r < 12]
    assert below == [0]  # the one request sent before an answer could tell
    assert s.sent[SPEND][48] == pytest.approx(START + 1.0, abs=0.01)
    assert s.sent[SPEND][49] == pytest.approx(START + 14.0, abs=0.01)  # 13 free again
    assert s.remaining_after_ours[49:] == [12] * 4


def test_spend_requests_count_in_both_buckets_and_the_tighter_one_binds() -> None:
    s = sim(TokenBucket(1.0))
    for _ in range(70):
        s.request(ADMIN)  # admin bucket: 30 left, reserve 20 → 10 usable
    for _ in range(20):
        s.request(SPEND)  # spend bucket fresh (48 usable), but the admin one is not
    assert s.ours_429 == 0
    assert s.sent[ADMIN][:80] == [START] * 80
    assert s.sent[ADMIN][80] > START
    assert min(s.remaining_after_ours) >= 20


def test_a_lower_advertised_limit_is_followed_at_once() -> None:
    s = sim(TokenBucket(0.1))  # 10 and 6 a minute, while 100 and 60 are configured
    for i in range(60):
        s.request(SPEND if i % 2 else ADMIN)
    assert s.ours_429 == 0
    assert (s.pacer.limit(ADMIN), s.pacer.limit(SPEND)) == (10, 6)


def test_answers_without_or_with_garbage_headers_fall_back_to_the_configured_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    for headers in (
        {},
        {"anthropic-ratelimit-requests-limit": "lots"},
        {
            "anthropic-ratelimit-requests-limit": "100",
            "anthropic-ratelimit-requests-remaining": "-3",
            "anthropic-ratelimit-requests-reset": "tomorrow-ish",
        },
    ):
        pacer.observe(pacer.acquire(ADMIN), headers)
    assert pacer.limit(ADMIN) == 100
    for _ in range(77):
        assert pacer.acquire(ADMIN).waited == 0.0  # 80 of 100 in the window
    assert pacer.acquire(ADMIN).waited == pytest.approx(61.0)


def test_a_bad_reset_time_never_holds_longer_than_a_minute() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    ticket = pacer.acquire(ADMIN)
    pacer.observe(
        ticket,
        {
            "anthropic-ratelimit-requests-limit": "100",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": rfc3339(clock.wall() + 86_400),
        },
    )
    assert pacer.acquire(ADMIN).waited == pytest.approx(61.0)


def test_remaining_zero_waits_for_the_reset_and_the_reserve() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    pacer.observe(
        pacer.acquire(ADMIN),
        {
            "anthropic-ratelimit-requests-limit": "100",
            "anthropic-ratelimit-requests-remaining": "0",
            "anthropic-ratelimit-requests-reset": rfc3339(clock.wall() + 12.5),
        },
    )
    # One request frees at the reset, then one every 0.6 s: 21 are needed (20 + ours).
    assert pacer.acquire(ADMIN).waited == pytest.approx(12.5 + 20 * 0.6, abs=0.01)


def test_hold_delays_every_group_and_is_capped() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    pacer.hold(7)
    assert pacer.acquire(ADMIN).waited == pytest.approx(7)
    pacer.hold(10_000)
    assert pacer.acquire(SPEND).waited == pytest.approx(61)


def test_an_older_answer_arriving_late_does_not_overwrite_a_newer_one() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    first, second = pacer.acquire(ADMIN), pacer.acquire(ADMIN)

    def said(remaining: int) -> dict[str, str]:
        return {
            "anthropic-ratelimit-requests-limit": "100",
            "anthropic-ratelimit-requests-remaining": str(remaining),
            "anthropic-ratelimit-requests-reset": rfc3339(clock.wall() + 30),
        }

    pacer.observe(second, said(21))  # someone else used 77
    pacer.observe(first, said(99))  # stale: counted before the others
    assert pacer.acquire(ADMIN).waited == 0.0  # 21 − 1 = 20 still free after it
    assert pacer.acquire(ADMIN).waited == pytest.approx(30.0, abs=0.01)


def test_threads_share_the_buckets() -> None:
    clock = FakeClock()
    pacer = Pacer(60, 60, clock=clock, sleep=clock.sleep, wall=clock.wall)
    releases: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(40):
            pacer.acquire(SPEND)
            with lock:
                releases.append(clock.now)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(releases) == 160
    assert max_in_window(releases, 61.0 - 1e-6) <= 48


@settings(max_examples=40, deadline=None)
@given(
    scale=st.sampled_from([0.1, 0.5, 1.0, 2.0]),
    share=st.sampled_from([0.3, 0.8, 1.0]),
    window=st.booleans(),
    plan=st.lists(
        st.tuples(st.floats(min_value=0.0, max_value=40.0), st.sampled_from([ADMIN, SPEND])),
        min_size=1,
        max_size=150,
    ),
)
def test_alone_never_a_429_and_never_into_the_reserve(
    scale: float, share: float, window: bool, plan: list[tuple[float, str]]
) -> None:
    """Any demand (bursts, idle gaps, mixed groups) against either limiter model."""
    admin, spend = max(1, int(100 * scale)), max(1, int(60 * scale))
    server = SlidingLog(admin, spend) if window else TokenBucket(scale)
    s = sim(server, share=share)
    for idle, group in plan:
        s.clock.sleep(idle)
        s.request(group)
    assert s.ours_429 == 0
    assert min(s.remaining_after_ours) >= min(reserve_for(admin, share), reserve_for(spend, share))


def test_apply_seconds_is_the_floor_from_a_fresh_minute() -> None:
    limits = {ADMIN: 100.0, SPEND: 60.0}
    assert apply_seconds({ADMIN: 40, SPEND: 40}, limits, 0.8) == 0.0
    assert apply_seconds({ADMIN: 302, SPEND: 300}, limits, 0.8) == pytest.approx(252.0)
    assert apply_seconds({ADMIN: 300, SPEND: 0}, limits, 0.8) == pytest.approx(132.0)
    # 50,000 user caps at the real limits: (50,000 − 48) ÷ 60 a minute ≈ 13.9 h.
    hours = apply_seconds({ADMIN: 50_000, SPEND: 50_000}, limits, 0.8) / 3600
    assert hours == pytest.approx(13.87, abs=0.01)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21T10:00:00Z", datetime(2026, 11, 21, 10, tzinfo=timezone.utc)),
        ("2026-11-21T10:00:00.123456789Z", datetime(2026, 11, 21, 10, 0, 0, 123456, timezone.utc)),
        ("2026-11-21T10:00:00.5+00:00", datetime(2026, 11, 21, 10, 0, 0, 500000, timezone.utc)),
    ],
)
def test_parse_rfc3339(text: str, expected: datetime) -> None:
    assert parse_rfc3339(text) == pytest.approx(expected.timestamp())


def test_the_time_left_counts_what_is_free_now() -> None:
    s = sim(TokenBucket(1.0))
    assert s.pacer.seconds_for({ADMIN: 100, SPEND: 100}) == pytest.approx((100 - 48) * 1.0)
    for _ in range(48):
        s.request(SPEND)  # the fresh minute's share is spent: 12 free, all reserved
    assert s.pacer.seconds_for({ADMIN: 10, SPEND: 10}) == pytest.approx(10.0)
    s.clock.sleep(30.0)  # the limiter frees one at the reset, then one a second
    assert s.pacer.seconds_for({ADMIN: 40, SPEND: 40}) == pytest.approx(40 - 30)
