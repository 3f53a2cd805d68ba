"""Rate limits (admin-api.md §4, decisions 11–12) seen through the SDK.

An emulator of its own runs with ``--rate-scale 0.05``: the Admin bucket allows 5 requests
a minute and the spend-limit bucket 3.  Clients never retry, and every count is read from
``GET /_emulator/stats`` and the rate-limit headers — never from a clock.
"""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from tests.conformance.conftest import CONSOLE_ORG_ID, CONSOLE_SEED, ENTERPRISE_KEY
from tests.conformance.harness import Org, check_error, org_session
from tests.support.emulator import Emulator, running_emulator

ADMIN_PER_MINUTE = 5
SPEND_PER_MINUTE = 3


@pytest.fixture(scope="module")
def slow_server() -> Iterator[Emulator]:
    with running_emulator(CONSOLE_SEED, "--rate-scale", "0.05") as server:
        yield server


@pytest.fixture
def slow(slow_server: Emulator) -> Iterator[Org]:
    yield from org_session(
        Org(slow_server, "console", CONSOLE_ORG_ID, "sk-ant-admin01-conformance-console-key")
    )


def ratelimit(org: Org) -> tuple[int, int]:
    headers = org.recorder.exchanges[-1].headers
    return (
        int(headers["anthropic-ratelimit-requests-limit"]),
        int(headers["anthropic-ratelimit-requests-remaining"]),
    )


def assert_rate_limited(org: Org, call: anthropic.Anthropic | None = None) -> None:
    with pytest.raises(anthropic.RateLimitError) as info:
        (call or org.client).organization.retrieve()
    check_error(info.value, 429, "rate_limit_error")
    headers = info.value.response.headers
    assert int(headers["retry-after"]) >= 1
    assert "x-should-retry" not in headers


def test_admin_bucket(slow: Org) -> None:
    for used in range(1, ADMIN_PER_MINUTE + 1):
        slow.client.organization.retrieve()
        assert ratelimit(slow) == (ADMIN_PER_MINUTE, ADMIN_PER_MINUTE - used)
    with pytest.raises(anthropic.RateLimitError) as info:
        slow.client.organization.users.list()
    check_error(info.value, 429, "rate_limit_error")
    assert int(info.value.response.headers["retry-after"]) >= 1
    assert "x-should-retry" not in info.value.response.headers
    # A rejected request does not count, so the bucket is still exactly full.
    assert_rate_limited(slow)
    assert ratelimit(slow) == (ADMIN_PER_MINUTE, 0)
    stats = slow.stats()
    assert stats["requests_total"] == ADMIN_PER_MINUTE + 2
    assert stats["by_status"] == {"200": ADMIN_PER_MINUTE, "429": 2}
    assert stats["by_route"]["GET /v1/organizations/users"] == 1


def test_spend_bucket_is_tighter_and_counts_in_both(slow: Org) -> None:
    limits = slow.client.beta.organization.spend_limits
    for used in range(1, SPEND_PER_MINUTE + 1):
        limits.list()
        assert ratelimit(slow) == (SPEND_PER_MINUTE, SPEND_PER_MINUTE - used)
    with pytest.raises(anthropic.RateLimitError) as info:
        limits.list()
    check_error(info.value, 429, "rate_limit_error")
    # The Admin bucket holds the three spend requests too: two more fit, then 429.
    for _ in range(ADMIN_PER_MINUTE - SPEND_PER_MINUTE):
        slow.client.organization.retrieve()
    assert ratelimit(slow) == (ADMIN_PER_MINUTE, 0)
    assert_rate_limited(slow)
    stats = slow.stats()
    assert stats["by_status"] == {"200": ADMIN_PER_MINUTE, "429": 2}
    assert stats["by_route"]["GET /v1/organizations/spend_limits"] == SPEND_PER_MINUTE + 1


def test_401s_count_against_nothing(slow: Org) -> None:
    stranger = slow.sdk("sk-ant-admin01-no-such-key")
    for _ in range(2 * ADMIN_PER_MINUTE):
        with pytest.raises(anthropic.AuthenticationError):
            stranger.organization.retrieve()
    for _ in range(ADMIN_PER_MINUTE):
        slow.client.organization.retrieve()
    assert_rate_limited(slow)
    assert slow.stats()["by_status"] == {
        "401": 2 * ADMIN_PER_MINUTE,
        "200": ADMIN_PER_MINUTE,
        "429": 1,
    }


def test_other_kind_key_is_refused_before_rate_limiting(slow: Org) -> None:
    for _ in range(ADMIN_PER_MINUTE):
        slow.client.organization.retrieve()
    with pytest.raises(anthropic.AuthenticationError) as info:
        slow.sdk(ENTERPRISE_KEY).organization.retrieve()
    check_error(info.value, 401, "authentication_error")


def test_reset_clears_the_windows(slow: Org) -> None:
    for _ in range(ADMIN_PER_MINUTE):
        slow.client.organization.retrieve()
    assert_rate_limited(slow)
    slow.reset()
    assert slow.stats()["requests_total"] == 0
    slow.client.organization.retrieve()
    assert ratelimit(slow) == (ADMIN_PER_MINUTE, ADMIN_PER_MINUTE - 1)
