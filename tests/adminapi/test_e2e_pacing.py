"""Pacing against the emulator's own limiter, over a real socket.

The in-process emulator and the client share a virtual clock, so hundreds of requests
cross many minutes in a fraction of a second of real time: the emulator is the judge
(its counters: requests and 429s), and nothing is asserted about wall-clock time.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from reconciler.adminapi import ADMIN, SPEND
from tests.adminapi.emulated import Served, served
from tests.support.orgs import ENTERPRISE_KEY

ENTERPRISE_SEED = "examples/seeds/enterprise.yaml"
EFFECTIVE = "/v1/organizations/spend_limits/effective"
REMAINING = "anthropic-ratelimit-requests-remaining"


class Competitor:
    """Another client of the same organization: one spend request every ``every``
    virtual seconds, sent whenever our client's waiting moves the clock past it."""

    def __init__(self, emu: Served, every: float) -> None:
        self.emu = emu
        self.every = every
        self.due = emu.clock.monotonic()
        self.statuses: Counter[int] = Counter()
        self.lowest = 10**9  # fewest requests free after one of its own
        self._http = httpx.Client(
            base_url=emu.url, headers={"x-api-key": ENTERPRISE_KEY}, trust_env=False
        )

    def close(self) -> None:
        self._http.close()

    def run_until(self, moment: float) -> None:
        clock = self.emu.clock
        while self.due <= moment:
            step = self.due - clock.monotonic()
            if step > 0:
                clock.advance(step)
            response = self._http.get(EFFECTIVE, params={"limit": 1})
            self.statuses[response.status_code] += 1
            if response.status_code == 200:
                self.lowest = min(self.lowest, int(response.headers[REMAINING]))
            self.due += self.every

    def sleep(self, seconds: float) -> None:
        """Our client's sleep: the other client works meanwhile."""
        self.run_until(self.emu.clock.monotonic() + max(seconds, 0.0))
        self.emu.clock.sleep(seconds)


def test_a_fresh_minute_at_once_then_the_limiter_pace_and_never_a_429() -> None:
    with served(ENTERPRISE_SEED, rate_scale=2.0) as emu:  # 200 and 120 a minute
        client = emu.client(ENTERPRISE_KEY)
        start = emu.clock.monotonic()
        client.me()
        for _ in range(95):
            next(iter(client.list_spend_limits(["organization"])))
        assert emu.clock.monotonic() == start  # 96 of 120 (80 %): nothing waited
        for _ in range(200):
            next(iter(client.list_spend_limits(["organization"])))
        stats = emu.stats()
        assert stats["by_status"] == {"200": 296}
        assert client.requests.by_group == {"admin": 296, "spend": 295}
        assert (client.pacer.limit(ADMIN), client.pacer.limit(SPEND)) == (200, 120)
        # Then the limiter's pace, 2 a second: the floor (295 − 95 usable) ÷ 2/s, here
        # read on the virtual clock the emulator counts with.
        assert emu.clock.monotonic() - start == pytest.approx(200 * 0.5, abs=1.0)


def test_a_scaled_down_emulator_is_followed_by_its_headers() -> None:
    """Configured for the documented 100/60 but facing 10/6 (``--rate-scale 0.1``)."""
    with served(ENTERPRISE_SEED, rate_scale=0.1) as emu:
        client = emu.client(ENTERPRISE_KEY)
        for i in range(40):
            if i % 2:
                client.me()
            else:
                next(iter(client.list_spend_limits(["organization"])))
        assert emu.stats()["by_status"] == {"200": 40}
        assert (client.pacer.limit(ADMIN), client.pacer.limit(SPEND)) == (10, 6)


@pytest.mark.parametrize("every", [2.0, 5.0])
def test_a_competing_client_keeps_the_reserve_and_neither_gets_a_429(every: float) -> None:
    """Another client sends a spend request every ``every`` s while we send 150 at the
    real limits: we slow down to what it leaves, it is never refused, and what is free
    after its requests never falls far below our reserve (12 of 60)."""
    with served(ENTERPRISE_SEED) as emu:
        other = Competitor(emu, every)
        client = emu.client(ENTERPRISE_KEY, sleep=other.sleep)
        try:
            client.me()
            for _ in range(150):
                next(iter(client.list_spend_limits(["organization"])))
        finally:
            other.close()
        ours = client.requests.total
        stats = emu.stats()
        theirs = sum(other.statuses.values())
        assert ours == 151 and theirs > 0
        assert stats["requests_total"] == ours + theirs
        assert stats["by_status"] == {"200": ours + theirs}  # no 429, for anyone
        assert other.statuses == {200: theirs}
        # The other client always found the reserve (12), less what it itself took
        # since our last request — at most one or two at these rates.
        assert other.lowest >= 12 - 2
