"""Rate limits (admin-api.md §4, decisions 11–12) on a fake clock: nothing sleeps."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from reconciler.emulator import Options, load_seed
from reconciler.emulator.ratelimit import RateLimiter
from tests.emulator.conftest import ENTERPRISE_KEY, ORG, SEEDS, Api, error_of, make_api

LIMIT = "anthropic-ratelimit-requests-limit"
REMAINING = "anthropic-ratelimit-requests-remaining"
RESET = "anthropic-ratelimit-requests-reset"


@pytest.fixture
def slow() -> Api:
    return make_api(load_seed(SEEDS / "enterprise.yaml"), ENTERPRISE_KEY, Options(control=True))


def test_admin_bucket_is_100_a_minute_and_429s_do_not_count(slow: Api) -> None:
    for number in range(100):
        response = slow.get(f"{ORG}/me")
        assert response.status_code == 200
        assert (response.headers[LIMIT], response.headers[REMAINING]) == ("100", str(99 - number))
    refused = slow.get(f"{ORG}/me")
    assert error_of(refused) == (429, "rate_limit_error", None)
    assert refused.json()["error"]["message"] == "Too Many Requests"
    assert refused.headers["retry-after"] == "60"  # until the bucket is full again
    assert refused.headers[REMAINING] == "0"
    assert "x-should-retry" not in refused.headers
    for _ in range(50):
        assert slow.get(f"{ORG}/me").status_code == 429  # refusals take nothing
    slow.clock.advance(0.5)
    late = slow.get(f"{ORG}/me")
    assert late.status_code == 429 and late.headers["retry-after"] == "60"  # ceil(59.5)
    slow.clock.advance(0.1)
    assert slow.get(f"{ORG}/me").status_code == 200  # one request freed after 60/100 s
    assert slow.get(f"{ORG}/me").status_code == 429


def test_the_bucket_refills_continuously_up_to_the_limit(slow: Api) -> None:
    for _ in range(100):
        slow.get(f"{ORG}/me")
    slow.clock.advance(30)  # half a minute: half the bucket
    assert slow.get(f"{ORG}/me").headers[REMAINING] == "49"
    slow.clock.advance(600)  # never more than the limit
    assert slow.get(f"{ORG}/me").headers[REMAINING] == "99"


def test_spend_endpoints_count_in_both_buckets(slow: Api) -> None:
    for _ in range(60):
        response = slow.get(f"{ORG}/spend_limits/effective")
        assert response.headers[LIMIT] == "60"
    assert slow.get(f"{ORG}/spend_limits/effective").status_code == 429
    me = slow.get(f"{ORG}/me")
    assert me.status_code == 200
    assert (me.headers[LIMIT], me.headers[REMAINING]) == ("100", "39")


def test_the_header_names_the_most_constrained_bucket(slow: Api) -> None:
    for _ in range(50):
        slow.get(f"{ORG}/me")
    spend = slow.get(f"{ORG}/spend_limit_increase_requests")
    assert (spend.headers[LIMIT], spend.headers[REMAINING]) == ("100", "49")
    for _ in range(20):
        slow.get(f"{ORG}/spend_limit_increase_requests")
    spend = slow.get(f"{ORG}/spend_limit_increase_requests")
    assert (spend.headers[LIMIT], spend.headers[REMAINING]) == ("100", "28")
    slow.clock.advance(61)
    spend = slow.get(f"{ORG}/spend_limit_increase_requests")
    assert (spend.headers[LIMIT], spend.headers[REMAINING]) == ("60", "59")


def test_401s_count_against_nothing(slow: Api) -> None:
    for _ in range(150):
        assert slow.get(f"{ORG}/me", headers={"x-api-key": "sk-ant-api01-nope"}).status_code == 401
    assert slow.get(f"{ORG}/me").headers[REMAINING] == "99"
    stats = slow.get("/_emulator/stats").json()
    assert stats["by_status"] == {"200": 1, "401": 150}


def reset_of(response: httpx.Response) -> float:
    return datetime.fromisoformat(response.headers[RESET].replace("Z", "+00:00")).timestamp()


def test_reset_header_is_when_the_bucket_frees_a_request(slow: Api) -> None:
    first = slow.get(f"{ORG}/me")  # 99 free: the next one frees 0.6 s after this
    assert abs(reset_of(first) - (slow.clock.wall() + 0.6)) < 1e-3
    for _ in range(99):
        last = slow.get(f"{ORG}/me")
    assert last.headers[REMAINING] == "0"
    assert abs(reset_of(last) - (slow.clock.wall() + 0.6)) < 1e-3
    slow.clock.advance(60)
    full = slow.post("/_emulator/reset")  # control routes carry no rate headers
    assert RESET not in full.headers
    again = slow.get(f"{ORG}/me")
    assert again.headers[REMAINING] == "99"


@pytest.mark.parametrize(("scale", "admin", "spend"), [(1, 100, 60), (10, 1000, 600), (0.05, 5, 3)])
def test_rate_scale_multiplies_both_buckets(scale: float, admin: int, spend: int) -> None:
    limiter = RateLimiter(scale)
    assert (limiter.admin.capacity, limiter.spend.capacity) == (admin, spend)
    admitted = sum(limiter.admit(0.0, spend=True).admitted for _ in range(spend + 5))
    assert admitted == spend


def test_reset_clears_the_windows(slow: Api) -> None:
    for _ in range(100):
        slow.get(f"{ORG}/me")
    assert slow.get(f"{ORG}/me").status_code == 429
    assert slow.post("/_emulator/reset").status_code == 200
    assert slow.get(f"{ORG}/me").headers[REMAINING] == "99"
