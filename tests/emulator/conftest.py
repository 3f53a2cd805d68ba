"""In-process emulators for the rule tests: the example seeds behind a TestClient, with a
fake clock (nothing here sleeps) and rate limits scaled out of the way unless a test
asks for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from reconciler.emulator import EmulatorApp, FakeClock, Options, load_seed, seed_from_text

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"
CONSOLE_KEY = "sk-ant-admin01-demo-console-key"
ENTERPRISE_KEY = "sk-ant-api01-demo-enterprise-key"
REVOKED_KEY = "sk-ant-api01-demo-revoked-key"
ORG = "/v1/organizations"


class Api(TestClient):
    """A TestClient on an emulator, sending one org's key; ``app`` is the EmulatorApp."""

    emulator: EmulatorApp
    clock: FakeClock

    def store(self) -> Any:
        return self.emulator.runtime.store


def make_api(
    source: Any, key: str | None, options: Options | None = None, clock: FakeClock | None = None
) -> Api:
    clock = clock or FakeClock()
    app = EmulatorApp(source, options or Options(control=True, rate_scale=1000), clock=clock)
    headers = {"x-api-key": key} if key else {}
    api = Api(app, headers=headers)
    api.emulator = app
    api.clock = clock
    return api


@pytest.fixture
def console() -> Iterator[Api]:
    with make_api(load_seed(SEEDS / "console.yaml"), CONSOLE_KEY) as api:
        yield api


@pytest.fixture
def enterprise() -> Iterator[Api]:
    with make_api(load_seed(SEEDS / "enterprise.yaml"), ENTERPRISE_KEY) as api:
        yield api


@pytest.fixture
def api_for() -> Iterator[Callable[..., Api]]:
    """``api_for(seed_yaml_text, key, options=…)``: an emulator on an inline seed."""
    opened: list[Api] = []

    def make(text: str, key: str | None, options: Options | None = None) -> Api:
        api = make_api(seed_from_text(text), key, options)
        opened.append(api)
        return api

    yield make
    for api in opened:
        api.close()


def error_of(response: Any) -> tuple[int, str, str | None]:
    """(status, error.type, details.error_code) of an error response, checking the envelope."""
    body = response.json()
    assert body["type"] == "error", body
    assert body["request_id"] == response.headers["request-id"]
    details = body["error"].get("details")
    return response.status_code, body["error"]["type"], (details or {}).get("error_code")
