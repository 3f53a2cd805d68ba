"""Injected faults (SPEC §8): reproducible from the seed, before or after the write."""

from __future__ import annotations

from collections import Counter

import pytest

from reconciler.emulator import ConnectionDropped, Options, load_seed
from reconciler.emulator.faults import FaultInjector
from tests.emulator.conftest import CONSOLE_KEY, ORG, SEEDS, Api, error_of, make_api


def outcomes(api: Api, count: int) -> list[str]:
    seen = []
    for _ in range(count):
        try:
            seen.append(str(api.get(f"{ORG}/me").status_code))
        except ConnectionDropped:
            seen.append("dropped")
    return seen


def faulty(**options: float) -> Api:
    return make_api(
        load_seed(SEEDS / "console.yaml"),
        CONSOLE_KEY,
        Options(control=True, rate_scale=1000, **options),  # type: ignore[arg-type]
    )


def test_the_same_seed_gives_the_same_faults() -> None:
    first = outcomes(faulty(fault_rate=0.5, fault_seed=7), 60)
    again = outcomes(faulty(fault_rate=0.5, fault_seed=7), 60)
    other = outcomes(faulty(fault_rate=0.5, fault_seed=8), 60)
    assert first == again != other
    assert set(first) == {"200", "500", "529", "429", "dropped"}


def test_fault_rate_is_roughly_honoured() -> None:
    injector = FaultInjector(rate=0.25, seed=1)
    kinds = Counter(injector.before() for _ in range(4000))
    assert 900 < 4000 - kinds[None] < 1100
    assert FaultInjector(rate=0.0).before() is None


def test_injected_errors_carry_the_envelope_and_headers() -> None:
    api = faulty(fault_rate=1.0, fault_seed=3)
    seen: set[int] = set()
    for _ in range(40):
        try:
            response = api.get(f"{ORG}/me")
        except ConnectionDropped:
            continue
        status, error_type, _ = error_of(response)
        seen.add(status)
        assert (
            error_type
            == {500: "api_error", 529: "overloaded_error", 429: "rate_limit_error"}[status]
        )
        assert "anthropic-ratelimit-requests-limit" in response.headers
        if status == 429:
            assert int(response.headers["retry-after"]) >= 1
    assert seen == {500, 529, 429}
    stats = api.get("/_emulator/stats").json()
    assert stats["requests_total"] == 40
    assert "dropped" in stats["by_status"]


def test_faults_never_touch_the_control_endpoints() -> None:
    api = faulty(fault_rate=1.0)
    for _ in range(20):
        assert api.get("/_emulator/stats").status_code == 200


def test_after_write_faults_lose_the_response_but_keep_the_write() -> None:
    api = faulty(fault_after_write_rate=1.0)
    with pytest.raises(ConnectionDropped):
        api.post(f"{ORG}/workspaces", json={"name": "made-anyway"})
    names = [w["name"] for w in api.get(f"{ORG}/workspaces").json()["data"]]
    assert names[0] == "made-anyway"
    assert api.get(f"{ORG}/workspaces").status_code == 200  # reads are never lost
    assert api.get("/_emulator/stats").json()["by_status"] == {"200": 2, "dropped": 1}


def test_latency_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr("reconciler.emulator.pipeline.asyncio.sleep", fake_sleep)
    api = faulty(latency_ms=250)
    api.get(f"{ORG}/me")
    api.get("/_emulator/stats")
    assert delays == [0.25]
