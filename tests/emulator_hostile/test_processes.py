"""The ``emulator`` command against hostile files and a second emulator: one line on
stderr and exit 1 before it serves anything, never a traceback, never a hang.  (The
in-process suites hold the larger corpora of damaged states and seeds.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from reconciler.emulator.state import document
from tests.emulator_hostile.harness import KEYS, SEEDS, seed
from tests.support.emulator import running_emulator

COMMAND = [sys.executable, "-m", "reconciler", "emulator", "--port", "0"]


def _refused(*args: str) -> str:
    """Run the command, expecting a refusal; its one line on stderr."""
    done = subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 1, done
    assert done.stdout == "", done.stdout  # no URL: it never served
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    return lines[0]


def test_a_second_emulator_on_the_same_state_file_refuses_to_start(tmp_path: Path) -> None:
    state = tmp_path / "org.json"
    with running_emulator(SEEDS / "console.yaml", state=state) as first:
        made = httpx.post(
            f"{first.url}/v1/organizations/workspaces",
            headers={"x-api-key": KEYS["console"]},
            json={"name": "first-writer"},
        )
        assert made.status_code == 200
        written = state.read_bytes()
        line = _refused("--seed", str(SEEDS / "console.yaml"), "--state", str(state))
        assert f"in use by another emulator (pid {first.pid})" in line and str(state) in line
        # The symlinked path to the same file is the same file.
        alias = tmp_path / "alias.json"
        alias.symlink_to(state)
        assert "in use by another emulator" in _refused("--state", str(alias))
        assert state.read_bytes() == written
        listed = httpx.get(
            f"{first.url}/v1/organizations/workspaces", headers={"x-api-key": KEYS["console"]}
        )
        assert listed.json()["data"][0]["name"] == "first-writer"
    with running_emulator(None, state=state) as second:  # the lock went with the first
        listed = httpx.get(
            f"{second.url}/v1/organizations/workspaces", headers={"x-api-key": KEYS["console"]}
        )
        assert listed.json()["data"][0]["name"] == "first-writer"


def test_the_lock_goes_with_a_killed_emulator(tmp_path: Path) -> None:
    state = tmp_path / "org.json"
    process = subprocess.Popen(
        [*COMMAND, "--seed", str(SEEDS / "console.yaml"), "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    with process.stdout:
        try:
            assert process.stdout.readline().startswith(b"http://")
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(30)
    with running_emulator(None, state=state) as again:
        assert again.stats()["requests_total"] == 0


def _sound_state() -> dict[str, object]:
    return document(seed("enterprise").build())


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("next_seq", "counters.next_seq: expected an integer, got 'x'"),
        ("surrogate", "lone surrogate"),
        ("device", "not a regular file"),
        ("fifo", "not a regular file"),
    ],
)
def test_a_damaged_state_file_stops_the_command(tmp_path: Path, what: str, expected: str) -> None:
    state = tmp_path / "org.json"
    text = json.dumps(_sound_state())
    if what == "next_seq":
        text = text.replace('"next_seq": ', '"next_seq": "x", "was": ')
    elif what == "surrogate":
        text = text.replace('"name": "Alice"', '"name": "Al\\ud800ice"')
    if what == "device":
        state.symlink_to("/dev/zero")
    elif what == "fifo":
        os.mkfifo(state)
    else:
        state.write_text(text, "utf-8")
    line = _refused("--state", str(state))
    assert expected in line, line


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("zero", None, "not a regular file"),
        ("fifo", None, "not a regular file"),
        ("nan.yaml", "spend: {a@b.c: {monthly: .nan}}", "nan is not a finite number"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_a_hostile_seed_stops_the_command(
    tmp_path: Path, name: str, content: str | None, expected: str
) -> None:
    path = tmp_path / name
    if name == "zero":
        path.symlink_to("/dev/zero")
    elif name == "fifo":
        os.mkfifo(path)
    else:
        assert content is not None
        path.write_text(content, "utf-8")
    line = _refused("--seed", str(path))
    assert expected in line, line
