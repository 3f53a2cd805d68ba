"""Hygiene (SPEC §9): the API key never appears in any output, file, log or traceback.

A canary key goes through every command that takes one — ``plan`` (plan file, JSON and
Markdown copies), ``apply`` (a saved plan, and plan-and-apply; ``--report``), ``drift``
(JSON and Markdown), ``import --out``, ``explain``, ``audit`` — at every verbosity
(``-v``, ``-vv``, ``-vvv``, ``--debug``) and with failures forced:

``ok``       the emulator, which knows the canary
``faults``   the emulator with injected 500/529/429s, dropped connections and lost
             write responses (retries and their log lines)
``401``      the emulator, which does not know the key
``echo``     a server that answers 502 with an HTML page quoting the key it was sent
             (the error message quotes unexpected bodies: it must be redacted)
``refused``  nothing listening on the port (connection errors, retried)
``bad-url``  an unparseable API URL (a configuration error before any request)

After each run the canary's secret part must be absent from stdout, stderr and every
file the command wrote.  The matrix runs in-process (click's runner, the real error
boundary; back-off waits switched off), and the nastiest case — ``--debug -vvv`` against
the echoing server — once more per command as a real subprocess, where the interpreter
itself prints any traceback.  ``validate`` is run with the key in the environment too.
Plain ``http://`` to a host that is not loopback is refused before any connection.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.adminapi.pacing import Pacer
from reconciler.adminapi.retry import Backoff
from tests.conftest import REPO, SEEDS
from tests.robustness.fakeserver import FakeServer, Reply
from tests.support.cli import Result, invoke
from tests.support.emulator import Emulator, running_emulator
from tests.support.orgs import FAST_FLAGS

# The part after the prefix is what must never show; it is distinctive enough to grep.
SECRET = "C4n4ryHygieneTail7Zq8Xw3Lp0Vb5"
ENTERPRISE_CANARY = f"sk-ant-api01-{SECRET}-ent"
CONSOLE_CANARY = f"sk-ant-admin01-{SECRET}-con"
UNKNOWN_CANARY = f"sk-ant-api01-{SECRET}-unknown"  # a key the emulator has never seen
ENTERPRISE_POLICY = REPO / "examples" / "enterprise"
CONSOLE_POLICY = REPO / "policies"
VERBOSITY = (("-v",), ("-vv",), ("-vvv",), ("--debug",))
SCENARIOS = ("ok", "faults", "401", "echo", "refused", "bad-url")
COMMANDS = ("plan", "apply-saved", "apply-fresh", "drift", "import", "explain")


# --------------------------------------------------------------------------- servers


def _seed(source: Path, key: str, target: Path) -> Path:
    data = yaml.safe_load(source.read_text("utf-8"))
    for entry in data["admin_keys"]:
        if not entry.get("revoked"):
            entry["key"] = key
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Servers:
    urls: dict[str, str]
    keys: dict[str, str]
    console: Emulator


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    tmp = tmp_path_factory.mktemp("hygiene-seeds")
    enterprise = _seed(SEEDS / "enterprise.yaml", ENTERPRISE_CANARY, tmp / "enterprise.json")
    console = _seed(SEEDS / "console.yaml", CONSOLE_CANARY, tmp / "console.json")
    fast = ("--rate-scale", "1000")
    faults = ("--fault-rate", "0.3", "--fault-after-write-rate", "0.3", "--fault-seed", "11")

    def echo(query: dict[str, list[str]]) -> Reply:
        sent = api.headers.get("x-api-key") or api.headers.get("authorization", "")
        page = f"<html><body>502 Bad Gateway: upstream refused key {sent}</body></html>"
        return Reply(502, page.encode(), "text/html", {"retry-after": "0"})

    api = FakeServer({}, fallback=echo)
    with (
        running_emulator(enterprise, *fast) as ok,
        running_emulator(enterprise, *fast, *faults) as faulty,
        running_emulator(console, *fast) as console_emu,
        api,
    ):
        yield Servers(
            urls={
                "ok": ok.url,
                "faults": faulty.url,
                "401": ok.url,
                "echo": api.url,
                "refused": f"http://127.0.0.1:{_closed_port()}",
                "bad-url": "http://[::1",
            },
            keys={"401": UNKNOWN_CANARY},
            console=console_emu,
        )


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without back-off or retry-after holds: the content of what is printed is
    under test here, not the timing."""
    monkeypatch.setattr(Backoff, "delay", lambda self, index, retry_after=None: 0.0)
    monkeypatch.setattr(Pacer, "hold", lambda self, seconds: None)


# --------------------------------------------------------------------------- checks


def leaks(texts: dict[str, str], root: Path, *, skip: tuple[Path, ...] = ()) -> list[str]:
    """Where the canary's secret part shows: in the given texts or any file under root."""
    found = [name for name, text in texts.items() if SECRET in text]
    for path in sorted(root.rglob("*")):
        if (
            path.is_file()
            and path not in skip
            and SECRET in path.read_text("utf-8", errors="replace")
        ):
            found.append(str(path.relative_to(root)))
    return found


def command_args(command: str, work: Path, policy: Path, subject: str) -> list[str]:
    plan_file = work / "plan.json"
    return {
        "plan": [
            "plan",
            str(policy),
            "--out",
            str(plan_file),
            "--json-out",
            str(work / "plan-copy.json"),
            "--markdown-out",
            str(work / "plan.md"),
        ],
        "apply-saved": [
            "apply",
            str(plan_file),
            "--auto-approve",
            "--report",
            str(work / "r.json"),
        ],
        "apply-fresh": [
            "apply",
            "--policies",
            str(policy),
            "--auto-approve",
            "--report",
            str(work / "r2.json"),
        ],
        "drift": [
            "drift",
            str(policy),
            "--json-out",
            str(work / "drift.json"),
            "--markdown-out",
            str(work / "drift.md"),
        ],
        "import": ["import", "--out", str(work / f"imported-{next(_counter)}")],
        "explain": ["explain", subject, str(policy)],
        "audit": ["audit", str(policy), "--json-out", str(work / "audit.json")],
    }[command]


_counter = itertools.count()


PENDING = """\
version: 1
organization: {id: 5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10, kind: enterprise, currency: USD}
spend_limits:
  users:
    erin@globex.example: {weekly: 77}
"""


def a_saved_plan(work: Path, url: str, key: str, policy: Path | None = None) -> None:
    """A plan file with something to apply, made against a healthy emulator.  Without a
    policy: one change no test ever applies (so the plan always has work in it)."""
    if policy is None:
        policy = work / "pending"
        policy.mkdir(exist_ok=True)
        (policy / "policy.yaml").write_text(PENDING, encoding="utf-8")
    made = invoke(["plan", str(policy), "--out", str(work / "plan.json")], url=url, key=key)
    assert made.code in (0, 2), made.err
    assert json.loads((work / "plan.json").read_text("utf-8"))["changes"], made.out


def run(args: list[str], url: str, key: str, env: dict[str, str] | None = None) -> Result:
    return invoke(args, url=url, key=key, env=env)


# --------------------------------------------------------------------------- the matrix


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_command_ever_shows_the_key(
    scenario: str, servers: Servers, tmp_path: Path, no_waiting: None
) -> None:
    url, key = servers.urls[scenario], servers.keys.get(scenario, ENTERPRISE_CANARY)
    a_saved_plan(tmp_path, servers.urls["ok"], ENTERPRISE_CANARY)
    outcomes: dict[str, int] = {}
    # Each round plans before it applies the saved plan, so that plan is never stale.
    for verbosity, command in itertools.product(VERBOSITY, COMMANDS):
        args = command_args(command, tmp_path, ENTERPRISE_POLICY, "alice@globex.example")
        result = run([*args, *verbosity], url, key)
        label = f"{command} {' '.join(verbosity)}"
        outcomes[label] = result.code
        found = leaks({"stdout": result.out, "stderr": result.err}, tmp_path)
        assert not found, f"{label} ({scenario}): the key shows in {found}\n{result.err[-3000:]}"
        if scenario in ("401", "echo", "refused", "bad-url"):
            assert result.code == 1, f"{label} ({scenario}) exit {result.code}\n{result.err}"
            assert "Error:" in result.err
            if verbosity != ("--debug",):
                assert "Traceback" not in result.err
    if scenario in ("ok", "faults"):
        assert set(outcomes.values()) <= {0, 2}, outcomes


def test_console_commands_and_audit_never_show_the_key(
    servers: Servers, tmp_path: Path, no_waiting: None
) -> None:
    url = servers.console.url
    a_saved_plan(tmp_path, url, CONSOLE_CANARY, CONSOLE_POLICY)
    for command in (*COMMANDS, "audit"):
        args = command_args(command, tmp_path, CONSOLE_POLICY, "claims-processing")
        result = run([*args, "--debug", "-vvv"], url, CONSOLE_CANARY)
        assert result.code in (0, 2), f"{command}: exit {result.code}\n{result.err[-3000:]}"
        found = leaks({"stdout": result.out, "stderr": result.err}, tmp_path)
        assert not found, f"{command}: the key shows in {found}"


def test_the_key_from_a_file_is_kept_as_secret(servers: Servers, tmp_path: Path) -> None:
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    key_file = secrets_dir / "admin-key"
    key_file.write_text(ENTERPRISE_CANARY + "\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    for url in (servers.urls["ok"], servers.urls["echo"]):
        args = command_args("plan", work, ENTERPRISE_POLICY, "")
        result = invoke(
            [*args, "--api-key-file", str(key_file), "--debug", "-vvv", "--api-url", url],
            env={"ANTHROPIC_ADMIN_API_KEY": ""},
        )
        assert result.code in (0, 1, 2), result.err
        assert not leaks({"stdout": result.out, "stderr": result.err}, work)


def test_plan_files_hold_no_credentials(servers: Servers, tmp_path: Path) -> None:
    a_saved_plan(tmp_path, servers.urls["ok"], ENTERPRISE_CANARY)
    text = (tmp_path / "plan.json").read_text("utf-8")
    lowered = text.lower()
    for needle in ("sk-ant-", "x-api-key", "authorization", "bearer", SECRET.lower()):
        assert needle not in lowered, needle


def test_validate_never_shows_the_key(tmp_path: Path) -> None:
    for policy in (ENTERPRISE_POLICY, REPO / "tests" / "policies" / "bad"):
        result = invoke(
            ["validate", str(policy), "--format", "json"],
            env={"ANTHROPIC_ADMIN_API_KEY": ENTERPRISE_CANARY},
        )
        assert result.code in (0, 1)
        assert SECRET not in result.out + result.err


# --------------------------------------------------------------------------- real processes


@pytest.mark.parametrize("command", [*COMMANDS, "validate"])
def test_a_real_process_with_debug_never_shows_the_key(
    command: str, servers: Servers, tmp_path: Path
) -> None:
    if command == "apply-saved":
        a_saved_plan(tmp_path, servers.urls["ok"], ENTERPRISE_CANARY)
    if command == "validate":
        args = ["validate", str(ENTERPRISE_POLICY)]
    else:
        args = [
            *command_args(command, tmp_path, ENTERPRISE_POLICY, "alice@globex.example"),
            "--api-url",
            servers.urls["echo"],
            "--debug",
            "-vvv",
            *FAST_FLAGS,
        ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_"))}
    env["ANTHROPIC_ADMIN_API_KEY"] = ENTERPRISE_CANARY
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    found = leaks({"stdout": done.stdout, "stderr": done.stderr}, tmp_path)
    assert not found, f"the key shows in {found}\n{done.stderr[-3000:]}"
    if command != "validate":
        assert done.returncode == 1, done.stderr
        assert "[REDACTED]" in done.stderr  # the echoed key was there, and was replaced
        assert "Traceback" in done.stderr  # --debug shows it, key-free


# --------------------------------------------------------------------------- plain http


class NoConnections:
    """Fails the test if anything resolves a name or opens a connection."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[Any] = []

        def refuse(*args: Any, **kwargs: Any) -> Any:
            self.attempts.append(args)
            raise AssertionError(f"a connection was attempted: {args!r}")

        monkeypatch.setattr(socket, "getaddrinfo", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
        monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "http://192.0.2.10:8300", "http://[2001:db8::1]", "http://10.0.0.7"],
)
@pytest.mark.parametrize("command", ["plan", "drift", "import", "explain", "apply-fresh"])
def test_plain_http_off_loopback_is_refused_before_any_request(
    url: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guard = NoConnections(monkeypatch)
    args = command_args(command, tmp_path, ENTERPRISE_POLICY, "alice@globex.example")
    result = invoke([*args, "--api-url", url], key=ENTERPRISE_CANARY)
    assert guard.attempts == []
    assert result.code == 1, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "refusing plain http://" in lines[0], result.err
    assert SECRET not in result.out + result.err


def test_the_environment_url_is_held_to_the_same_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guard = NoConnections(monkeypatch)
    result = invoke(
        ["plan", str(ENTERPRISE_POLICY)], url="http://example.com", key=ENTERPRISE_CANARY
    )
    assert guard.attempts == [] and result.code == 1
    assert "refusing plain http://" in result.err
