"""Pacing against the real emulator process with scaled-down limits (``--rate-scale``).

No test waits on a window: the client's ``sleep`` really sleeps short waits and, when the
client asks to wait longer, records the wish and stops the test there.  The emulator's
counters are the judge: how many requests it served, and how many 429s.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from reconciler.adminapi import ADMIN, AdminClient
from reconciler.live import ReadNeeds
from reconciler.live.reader import read_snapshot
from tests.conftest import SEEDS
from tests.support.emulator import Emulator, running_emulator
from tests.support.orgs import ENTERPRISE_KEY

SEED = SEEDS / "enterprise.yaml"


class WouldWait(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def short_sleeps_only(seconds: float) -> None:
    if seconds > 1.0:
        raise WouldWait(seconds)
    time.sleep(seconds)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, trust_env=False) as client:
        yield client


def client_for(emu: Emulator, http: httpx.Client, **kwargs: float) -> AdminClient:
    return AdminClient(http, ENTERPRISE_KEY, base_url=emu.url, sleep=short_sleeps_only, **kwargs)


def test_a_snapshot_under_real_pacing(http: httpx.Client) -> None:
    """Scale 2 (200 and 120 a minute) and a client told so: the burst carries the read."""
    with running_emulator(SEED, "--rate-scale", "2") as emu:
        client = client_for(emu, http, admin_rpm=200, spend_rpm=120)
        needs = ReadNeeds(
            kind="enterprise",
            all_members=True,
            periods=frozenset({"monthly"}),
            user_overrides=True,
            groups=True,
            group_members=frozenset({"research"}),
        )
        snap = read_snapshot(client, needs)
        stats = emu.stats()
        assert stats["by_status"] == {"200": snap.requests_sent}
        assert stats["requests_total"] == snap.requests_sent == 5


def test_a_client_configured_too_fast_slows_to_the_advertised_limit(
    http: httpx.Client,
) -> None:
    """Scale 0.05 (5 a minute) against a client configured for 100: after one answer the
    client knows, sends its 80 % (4) and would then wait rather than take the reserve."""
    with running_emulator(SEED, "--rate-scale", "0.05") as emu:
        client = client_for(emu, http)
        for _ in range(4):
            client.me()
        with pytest.raises(WouldWait) as info:
            client.me()
        assert client.pacer.limit(ADMIN) == 5
        assert info.value.seconds > 5  # until the limiter frees one (12 s a request)
        assert emu.stats()["by_status"] == {"200": 4}


def test_a_budget_spent_by_someone_else_is_respected(http: httpx.Client) -> None:
    """Another tool used 4 of the 5 requests: our one request sees ``remaining: 0``, and
    the client then holds until the limiter has freed the reserve and one more."""
    with running_emulator(SEED, "--rate-scale", "0.05") as emu:
        for _ in range(4):
            http.get(emu.url + "/v1/organizations/me", headers={"x-api-key": ENTERPRISE_KEY})
        client = client_for(emu, http, admin_rpm=6000, spend_rpm=6000)
        client.me()
        with pytest.raises(WouldWait) as info:
            client.me()
        assert info.value.seconds > 20  # two requests freed: 12 s each at 5 a minute
        assert emu.stats()["by_status"] == {"200": 5}


def test_a_429_is_retried_only_after_retry_after(http: httpx.Client) -> None:
    """The window is already full: the 429 is answered with ``retry-after`` and the
    client's next attempt waits for it (capped at 60 s), not a moment less."""
    with running_emulator(SEED, "--rate-scale", "0.05") as emu:
        for _ in range(5):
            http.get(emu.url + "/v1/organizations/me", headers={"x-api-key": ENTERPRISE_KEY})
        client = client_for(emu, http, admin_rpm=6000, spend_rpm=6000)
        with pytest.raises(WouldWait) as info:
            client.me()
        assert 30 < info.value.seconds <= 61
        stats = emu.stats()
        assert stats["by_status"] == {"200": 5, "429": 1}
        assert client.requests.total == 1
