"""Pacing against the emulator's own sliding windows, over a real socket.

The in-process emulator and the client share a virtual clock, so hundreds of requests
cross many 60-second windows in a fraction of a second of real time: the emulator is the
judge (its 429 count must stay zero), and nothing is asserted about wall-clock time.
"""

from __future__ import annotations

import math

import pytest

from reconciler.adminapi import ADMIN, SPEND, rate_for
from tests.adminapi.emulated import served
from tests.support.orgs import ENTERPRISE_KEY

CONSOLE_SEED = "examples/seeds/console.yaml"
ENTERPRISE_SEED = "examples/seeds/enterprise.yaml"


def test_sustained_mixed_load_never_provokes_a_429() -> None:
    with served(ENTERPRISE_SEED) as emu:
        client = emu.client(ENTERPRISE_KEY)
        start = emu.clock.monotonic()
        for i in range(240):
            if i % 3 == 0:
                client.me()
            else:
                next(iter(client.list_spend_limits(["organization"])))
        stats = emu.stats()
        assert stats["by_status"] == {"200": 240}
        assert stats["requests_total"] == client.requests.total == 240
        assert client.requests.by_group == {"admin": 240, "spend": 160}
        # Close to the floor: 160 spend requests at the spend pace bound the run.
        elapsed = emu.clock.monotonic() - start
        floor = (160 - 1) / (60 / 60)
        assert floor <= elapsed <= 1.05 * floor


def test_a_scaled_down_emulator_is_followed_by_its_headers() -> None:
    """Configured for the documented 100/60 but facing 10/6 (``--rate-scale 0.1``): the
    advertised limits slow the client down before the emulator has to say 429."""
    with served(ENTERPRISE_SEED, rate_scale=0.1) as emu:
        client = emu.client(ENTERPRISE_KEY)
        for i in range(40):
            if i % 2:
                client.me()
            else:
                next(iter(client.list_spend_limits(["organization"])))
        stats = emu.stats()
        assert stats["by_status"] == {"200": 40}
        assert client.pacer.limit(ADMIN) == 10 and client.pacer.limit(SPEND) <= 10


@pytest.mark.parametrize("limit", [10, 60])
def test_writes_at_the_spend_limit(limit: int) -> None:
    """An apply's shape: spend-limit writes back to back at the configured rate."""
    with served(ENTERPRISE_SEED, rate_scale=limit / 60) as emu:
        client = emu.client(ENTERPRISE_KEY, admin_rpm=limit * 100 / 60, spend_rpm=limit)
        user = next(u for u in client.list_users() if u.email == "dan@globex.example")
        scope = {"type": "user", "user_id": user.id}
        writes = 3 * limit
        client.set_spend_limit(scope, "weekly", "100")
        start = emu.clock.monotonic()  # from the first write's release to the last's
        for i in range(1, writes):
            client.set_spend_limit(scope, "weekly", str(100 + i))
        stats = emu.stats()
        assert stats["by_status"] == {"200": writes + 1}
        elapsed = emu.clock.monotonic() - start
        assert elapsed >= (writes - 1) / (limit / 60) * 0.999
        # SPEC §9: within 10 % of the floor (writes - capacity) / rate.
        assert elapsed <= 1.10 * (writes - 1) / (limit / 60)
        assert math.isclose(elapsed, (writes - 1) / rate_for(limit), rel_tol=0.01)
