"""``--state FILE`` in process: every mutation written atomically, read back whole."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.emulator import EmulatorApp, FakeClock, Options, StateFile, load_seed
from tests.emulator.conftest import CONSOLE_KEY, ENTERPRISE_KEY, ORG, SEEDS, Api

BETA = {"anthropic-beta": "spend-limit-reads-2026-09-26"}


def served(app: EmulatorApp, key: str) -> Api:
    api = Api(app, headers={"x-api-key": key})
    api.emulator = app
    return api


def snapshot(api: Api) -> dict[str, object]:
    """Everything a client can read of an Enterprise org."""
    return {
        path: api.get(f"{ORG}/{path}", params={"limit": 1000}, headers=BETA).json()
        for path in (
            "users",
            "rbac_groups",
            "spend_limits",
            "spend_limits/effective",
            "spend_limit_increase_requests",
        )
    }


def test_every_mutation_is_persisted_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    options = Options(control=True, rate_scale=1000)
    app = EmulatorApp(
        load_seed(SEEDS / "enterprise.yaml"), options, clock=FakeClock(), state=StateFile(path)
    )
    api = served(app, ENTERPRISE_KEY)
    assert json.loads(path.read_text())["format"] == "claude-policy-emulator-state"
    heidi = api.get(f"{ORG}/users", params={"email": "heidi@globex.example"}).json()["data"][0]
    api.post(
        f"{ORG}/spend_limits",
        json={"scope": {"type": "user", "user_id": heidi["id"]}, "amount": "4242"},
    )
    api.post("/_emulator/spend", json={"email": "heidi@globex.example", "amount": "17.5"})
    pending = api.get(f"{ORG}/spend_limit_increase_requests").json()["data"][-1]
    api.post(f"{ORG}/spend_limit_increase_requests/{pending['id']}/deny")
    before = snapshot(api)
    # No temporary files left; the lock file beside the state stays (it is never removed).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["org.json", "org.json.lock"]

    again = served(EmulatorApp(StateFile(path).read(), options, clock=FakeClock()), ENTERPRISE_KEY)
    assert snapshot(again) == before


def test_reset_goes_back_to_the_first_load(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    options = Options(control=True, rate_scale=1000)
    EmulatorApp(load_seed(SEEDS / "console.yaml"), options, state=StateFile(path))
    state = StateFile(path)
    api = served(EmulatorApp(state.read(), options, state=state), CONSOLE_KEY)
    api.post(f"{ORG}/workspaces", json={"name": "first-run"})
    api.post("/_emulator/reset")
    reloaded = served(EmulatorApp(StateFile(path).read(), options), CONSOLE_KEY)
    names = [w["name"] for w in reloaded.get(f"{ORG}/workspaces").json()["data"]]
    assert "first-run" not in names and "claims-processing" in names


def test_runtime_ids_continue_after_a_reload(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    options = Options(control=True, rate_scale=1000)
    first = served(
        EmulatorApp(load_seed(SEEDS / "console.yaml"), options, state=StateFile(path)), CONSOLE_KEY
    )
    made = first.post(f"{ORG}/workspaces", json={"name": "a"}).json()["id"]
    state = StateFile(path)
    second = served(EmulatorApp(state.read(), options, state=state), CONSOLE_KEY)
    assert second.post(f"{ORG}/workspaces", json={"name": "b"}).json()["id"] != made
