"""The real command over a real socket: URL line, SDK, stats, state, signals, faults."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import anthropic
import httpx
import pytest

from tests.emulator.conftest import CONSOLE_KEY, ENTERPRISE_KEY, SEEDS
from tests.support.emulator import Emulator, running_emulator

URL = re.compile(r"^http://127\.0\.0\.1:\d+$")


def sdk(emulator: Emulator, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=key,
        base_url=emulator.url,
        max_retries=0,
        http_client=anthropic.DefaultHttpxClient(trust_env=False),
    )


def test_the_official_sdk_works_unchanged(start_emulator: Any) -> None:
    emulator: Emulator = start_emulator(SEEDS / "enterprise.yaml", "--rate-scale", "100")
    assert URL.match(emulator.url)
    with sdk(emulator, ENTERPRISE_KEY) as client:
        assert client.organization.retrieve().name == "Globex"
        users = list(client.organization.users.list(limit=5))
        assert len(users) == 12 and users[-1].email == "alice@globex.example"
        bob = next(u for u in users if u.email == "bob@globex.example")
        row = client.beta.organization.spend_limits.set(
            amount="80000", scope={"type": "user", "user_id": bob.id}
        )
        assert (row.amount, row.period) == ("80000", "monthly")
        listed = list(client.beta.organization.spend_limits.list(limit=3))
        assert row.id in {r.id for r in listed} and len(listed) == 8
        effective = list(client.organization.spend_limits.effective.list(limit=4))
        assert {e.actor.user_id for e in effective} == {u.id for u in users}  # type: ignore[union-attr]
        with pytest.raises(anthropic.NotFoundError) as info:
            client.organization.users.retrieve("user_nobody")
        assert info.value.request_id and info.value.request_id.startswith("req_")
    stats = emulator.stats()
    assert stats["by_route"]["GET /v1/organizations/users"] == 3
    assert stats["by_route"]["GET /v1/organizations/users/{user_id}"] == 1
    assert stats["by_route"]["GET /v1/organizations/spend_limits"] == 3
    assert stats["by_status"]["404"] == 1
    assert stats["requests_total"] == sum(stats["by_status"].values())


def test_console_sdk_workspace_round_trip(start_emulator: Any) -> None:
    emulator: Emulator = start_emulator(SEEDS / "console.yaml")
    with sdk(emulator, CONSOLE_KEY) as client:
        made = client.organization.workspaces.create(
            name="sdk-made",
            data_residency={"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
        )
        updated = client.organization.workspaces.update(made.id, tags={"team": "sdk"})
        assert updated.tags == {"team": "sdk"}
        archived = client.organization.workspaces.archive(made.id)
        assert archived.archived_at is not None
        with pytest.raises(anthropic.BadRequestError):
            client.organization.spend_limits.effective.list()


def test_state_persists_across_two_processes(tmp_path: Path) -> None:
    state = tmp_path / "org.json"
    with running_emulator(SEEDS / "console.yaml", state=state) as first:
        response = httpx.post(
            f"{first.url}/v1/organizations/workspaces",
            headers={"x-api-key": CONSOLE_KEY},
            json={"name": "survives"},
        )
        assert response.status_code == 200
    # The state file now wins over any seed, and no seed is needed at all.
    for seed in (None, SEEDS / "console-100.yaml"):
        with running_emulator(seed, state=state) as second:
            page = httpx.get(
                f"{second.url}/v1/organizations/workspaces",
                headers={"x-api-key": CONSOLE_KEY},
            ).json()
            assert page["data"][0]["name"] == "survives"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_it_cleanly(sig: signal.Signals) -> None:
    with running_emulator(SEEDS / "console.yaml") as emulator:
        assert emulator.stats()["requests_total"] == 0
        assert emulator.stop(sig) == 0
        assert "Traceback" not in emulator.stderr()


def test_port_zero_picks_distinct_free_ports() -> None:
    with (
        running_emulator(SEEDS / "console.yaml") as one,
        running_emulator(SEEDS / "enterprise.yaml") as two,
    ):
        assert one.url != two.url


def test_a_dropped_connection_is_a_closed_socket(start_emulator: Any) -> None:
    emulator: Emulator = start_emulator(SEEDS / "console.yaml", "--fault-after-write-rate", "1")
    with pytest.raises(httpx.TransportError):
        httpx.post(
            f"{emulator.url}/v1/organizations/workspaces",
            headers={"x-api-key": CONSOLE_KEY},
            json={"name": "written-then-lost"},
        )
    page = httpx.get(
        f"{emulator.url}/v1/organizations/workspaces", headers={"x-api-key": CONSOLE_KEY}
    ).json()
    assert page["data"][0]["name"] == "written-then-lost"
    assert emulator.stats()["by_status"] == {"200": 1, "dropped": 1}
    assert "Error" not in emulator.stderr()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--seed", "missing.yaml"], 1, "missing.yaml: cannot read"),
        (["--seed", str(SEEDS / "console.yaml"), "--host", "10.0.0.1"], 64, "loopback"),
        (["--seed", str(SEEDS / "console.yaml"), "--fault-rate", "2"], 64, "fault-rate"),
    ],
)
def test_refusals_exit_without_a_traceback(args: list[str], code: int, message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
