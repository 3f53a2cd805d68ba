"""The filesystem corpus: hostile trees under a policy path, through the real command.

Each case builds a policy directory holding one valid file and one hostile entry — a
named pipe called ``p.yaml``, a socket, a device, a directory or file that cannot be read,
a symbolic link loop, a broken link — and runs ``claude-policy validate`` and
``claude-policy plan`` on it as a subprocess (``python -m reconciler``), as a user would.
Each must end, within the test's timeout, with exactly one located problem line naming
the entry (then the count), exit 1, no traceback, and no request sent to the API.  A
named pipe nobody writes to would block a plain ``open()`` forever: the timeout marker
catches a hang, and the subprocess is killed rather than left behind.

Cases that follow links (a linked directory, a linked file, one file reached twice) must
instead be read, exactly once each.

Permission bits do not stop root from reading.  When the suite runs as root, the cases
that need an unreadable entry run the command with the two capabilities that bypass them
(``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``) dropped from its bounding set before it
starts, so root then meets the same permission checks as anyone; where that cannot be
done, those cases (and only those) are skipped with the reason.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.support.emulator import Emulator, running_emulator

CONSOLE_KEY = "sk-ant-admin01-demo-console-key"
ORG = "organization: {id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37, kind: console, currency: USD}\n"
RUN_TIMEOUT = 60  # seconds before a hung command is killed; a case takes well under one
LOCATED = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<column>\d+): ")
WITHOUT_DAC = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
        sys.exit(97)
os.execv(sys.executable, [sys.executable, "-m", "reconciler", *sys.argv[1:]])
"""
CANNOT_DROP = 97


@dataclass(frozen=True)
class Case:
    """``build(root)`` makes the tree under ``root`` (the working directory) and returns
    the command's path arguments; ``line`` is the one problem line expected (``None``: the
    policy is valid); ``unreadable``: the case relies on permission bits."""

    name: str
    build: Callable[[Path], list[str]]
    line: str | None
    unreadable: bool = False
    files: int = 0  # for valid cases: how many files are read


def _policies(root: Path) -> Path:
    (root / "policies").mkdir()
    (root / "policies" / "org.yaml").write_text(ORG, encoding="utf-8")
    return root / "policies"


def _fifo(root: Path) -> list[str]:
    os.mkfifo(_policies(root) / "p.yaml")
    return ["policies"]


def _fifo_nested(root: Path) -> list[str]:
    (_policies(root) / "team").mkdir()
    os.mkfifo(root / "policies" / "team" / "q.yml")
    return ["policies"]


def _fifo_named(root: Path) -> list[str]:
    _policies(root)
    os.mkfifo(root / "p.yaml")
    return ["policies", "p.yaml"]


def _socket(root: Path) -> list[str]:
    target = _policies(root) / "s.yaml"
    # A socket path is limited to ~100 bytes: bind in a short directory, then move it.
    short = Path(tempfile.mkdtemp(prefix="s", dir="/tmp"))
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(short / "s"))
            os.rename(short / "s", target)
    finally:
        short.rmdir()
    return ["policies"]


def _device_link(root: Path) -> list[str]:
    (_policies(root) / "zero.yaml").symlink_to("/dev/zero")
    return ["policies"]


def _device_named(root: Path) -> list[str]:
    _policies(root)
    return ["policies", "/dev/null"]


def _unreadable_directory(root: Path) -> list[str]:
    private = _policies(root) / "private"
    private.mkdir()
    (private / "users.yaml").write_text("workspaces: {x: {}}\n", encoding="utf-8")
    private.chmod(0)
    return ["policies"]


def _untraversable_directory(root: Path) -> list[str]:
    private = _policies(root) / "listed"
    private.mkdir()
    (private / "users.yaml").write_text("workspaces: {x: {}}\n", encoding="utf-8")
    private.chmod(0o444)  # names can be listed, entries cannot be looked at
    return ["policies"]


def _unreadable_file(root: Path) -> list[str]:
    secret = _policies(root) / "secret.yaml"
    secret.write_text("workspaces: {x: {}}\n", encoding="utf-8")
    secret.chmod(0)
    return ["policies"]


def _loop(root: Path) -> list[str]:
    (_policies(root) / "team").mkdir()
    (root / "policies" / "team" / "again").symlink_to("..")
    return ["policies"]


def _self_loop(root: Path) -> list[str]:
    (_policies(root) / "self.yaml").symlink_to("self.yaml")
    return ["policies"]


def _broken_file_link(root: Path) -> list[str]:
    (_policies(root) / "gone.yaml").symlink_to("moved-away.yaml")
    return ["policies"]


def _broken_directory_link(root: Path) -> list[str]:
    (_policies(root) / "shared").symlink_to("../common")
    return ["policies"]


def _missing_default(root: Path) -> list[str]:
    return []


def _missing_named(root: Path) -> list[str]:
    _policies(root)
    return ["policies", "polcies-extra"]


def _linked_directory_with_a_problem(root: Path) -> list[str]:
    (root / "common").mkdir()
    (root / "common" / "limits.yaml").write_text("spend_limits: {organisation: {}}\n", "utf-8")
    (_policies(root) / "shared").symlink_to("../common")
    return ["policies"]


def _linked_directory(root: Path) -> list[str]:
    (root / "common").mkdir()
    (root / "common" / "ws.yaml").write_text("workspaces: {claims: {}}\n", "utf-8")
    (_policies(root) / "shared").symlink_to("../common")
    return ["policies"]


def _linked_file(root: Path) -> list[str]:
    (root / "real").mkdir()
    (root / "real" / "org.yaml").write_text(ORG, encoding="utf-8")
    (root / "policies").mkdir()
    (root / "policies" / "org.yaml").symlink_to("../real/org.yaml")
    return ["policies"]


def _reached_twice(root: Path) -> list[str]:
    (root / "common").mkdir()
    (root / "common" / "ws.yaml").write_text("workspaces: {claims: {}}\n", "utf-8")
    (_policies(root) / "a").symlink_to("../common")
    (root / "policies" / "b").symlink_to("../common")
    (root / "policies" / "c.yaml").symlink_to("../common/ws.yaml")
    return ["policies", "common"]


CASES = [
    Case(
        "fifo-named-like-a-policy",
        _fifo,
        "policies/p.yaml:1:1: cannot read: a named pipe, not a regular file "
        "hint: policy files must be regular files",
    ),
    Case(
        "fifo-in-a-subdirectory",
        _fifo_nested,
        "policies/team/q.yml:1:1: cannot read: a named pipe, not a regular file "
        "hint: policy files must be regular files",
    ),
    Case(
        "fifo-named-on-the-command-line",
        _fifo_named,
        "p.yaml:1:1: cannot read: a named pipe, not a regular file "
        "hint: policy files must be regular files",
    ),
    Case(
        "socket-named-like-a-policy",
        _socket,
        "policies/s.yaml:1:1: cannot read: a socket, not a regular file "
        "hint: policy files must be regular files",
    ),
    Case(
        "device-behind-a-link",
        _device_link,
        "policies/zero.yaml:1:1: cannot read: a character device, not a regular file "
        "hint: policy files must be regular files",
    ),
    Case(
        "device-named-on-the-command-line",
        _device_named,
        "{null}:1:1: cannot read: a character device, not a regular file "
        "hint: policy files must be regular files",
    ),
    Case(
        "unreadable-directory",
        _unreadable_directory,
        "policies/private:1:1: cannot read the directory: permission denied hint: nothing "
        "under it was read: fix its permissions, or move it out of the policy path",
        unreadable=True,
    ),
    Case(
        "untraversable-directory",
        _untraversable_directory,
        "policies/listed:1:1: cannot read the directory: permission denied hint: nothing "
        "under it was read: fix its permissions, or move it out of the policy path",
        unreadable=True,
    ),
    Case(
        "unreadable-file",
        _unreadable_file,
        "policies/secret.yaml:1:1: cannot read the file: permission denied",
        unreadable=True,
    ),
    Case(
        "symlink-loop",
        _loop,
        "policies/team/again:1:1: symbolic link loop: `policies/team/again` leads back to "
        "`policies` hint: remove the link, or point it outside the directories it is in",
    ),
    Case(
        "symlink-to-itself",
        _self_loop,
        "policies/self.yaml:1:1: cannot read: a symbolic link loop "
        "(too many levels of symbolic links)",
    ),
    Case(
        "broken-link-to-a-file",
        _broken_file_link,
        "policies/gone.yaml:1:1: cannot read: a broken symbolic link "
        "(its target `moved-away.yaml` does not exist)",
    ),
    Case(
        "broken-link-to-a-directory",
        _broken_directory_link,
        "policies/shared:1:1: cannot read: a broken symbolic link "
        "(its target `../common` does not exist)",
    ),
    Case(
        "missing-default-directory",
        _missing_default,
        "policies:1:1: no policy directory found: looked for `policies/` in the current "
        "directory ({cwd}) hint: run from the directory that holds it, or name the policy "
        "files or directories to read",
    ),
    Case(
        "missing-named-path",
        _missing_named,
        "polcies-extra:1:1: no such file or directory",
    ),
    Case(
        "linked-directory-is-read",
        _linked_directory_with_a_problem,
        "policies/shared/limits.yaml:1:16: unknown key `organisation` "
        "(path: spend_limits.organisation) hint: did you mean `organization`?",
    ),
    Case("linked-directory-is-followed", _linked_directory, None, files=2),
    Case("linked-file-is-read", _linked_file, None, files=1),
    Case("one-file-reached-four-ways-is-read-once", _reached_twice, None, files=2),
]


# --------------------------------------------------------------------------- running


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """A real API on loopback for ``plan``: it must receive no request at all."""
    with running_emulator(SEEDS / "console.yaml", "--rate-scale", "1000") as emu:
        yield emu


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for path in [tmp_path, *tmp_path.rglob("*")]:  # let pytest remove what a case locked
        if not path.is_symlink() and path.is_dir():
            path.chmod(0o755)


def run(
    args: list[str], cwd: Path, url: str, *, without_dac: bool
) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_"))},
        "NO_COLOR": "1",
        "ANTHROPIC_ADMIN_API_KEY": CONSOLE_KEY,
        "ANTHROPIC_BASE_URL": url,
    }
    launcher = ["-c", WITHOUT_DAC] if without_dac else ["-m", "reconciler"]
    result = subprocess.run(
        [sys.executable, *launcher, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    if without_dac and result.returncode == CANNOT_DROP:
        pytest.skip("running as root, and root's permission override cannot be dropped here")
    return result


@pytest.mark.timeout(RUN_TIMEOUT * 2 + 30)
@pytest.mark.parametrize("command", ["validate", "plan"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case(case: Case, command: str, root: Path, emulator: Emulator) -> None:
    paths = case.build(root)
    without_dac = case.unreadable and os.geteuid() == 0
    before = emulator.stats()["requests_total"]
    result = run([command, *paths], root, emulator.url, without_dac=without_dac)
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    if case.line is None:
        if command == "validate":
            assert result.returncode == 0, out
            noun = "file" if case.files == 1 else "files"
            assert result.stdout.startswith(f"Policy valid: {case.files} {noun}, "), out
        else:
            assert result.returncode in (0, 2), out  # a plan: the policy was read
            assert emulator.stats()["requests_total"] > before
        return
    assert result.returncode == 1, out
    # validate reports on stdout; plan's error boundary on stderr.
    text = result.stdout if command == "validate" else result.stderr
    lines = text.splitlines()
    located = [line for line in lines if LOCATED.match(line)]
    cwd = os.path.realpath(root)
    assert located == [case.line.format(cwd=cwd, null=os.path.relpath("/dev/null", cwd))], out
    assert lines == [*located, "1 problem found."], out
    assert emulator.stats()["requests_total"] == before, "a refused policy sent a request"


def test_corpus_size() -> None:
    refused = [c for c in CASES if c.line is not None]
    assert len(refused) >= 15
    assert len(CASES) - len(refused) >= 3
