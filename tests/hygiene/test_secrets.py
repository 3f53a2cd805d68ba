"""Hostile secrets: credentials in the API URL, malformed keys, key files that are not files.

Every case runs the real command (``python -m reconciler plan``) as a subprocess against
an emulator on loopback, with ``--debug`` as well as without (a traceback, if one were
printed, would be the interpreter's own), and must end in one ``Error:`` line on stderr,
the documented exit code, no traceback, no secret in any output, and no request sent: an
error that no retry can fix is never retried.  Key files that never end (``/dev/zero``),
are huge, or are named pipes nobody writes to must be refused without waiting; the
timeout marker catches a hang, and the subprocess is killed rather than left behind.

Pipes that do carry a key (``--api-key-file <(pass show …)``, a named pipe with a writer)
must work: the plan is made.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, SEEDS
from tests.support.emulator import Emulator, running_emulator

CONSOLE_KEY = "sk-ant-admin01-demo-console-key"
SECRET = "Pw7Hyg13neS3cretTa1lQx"  # what must never show, wherever it was put
RUN_TIMEOUT = 60


@dataclass(frozen=True)
class Setup:
    """What a case gives the command: extra arguments, the key variable, file paths."""

    args: list[str]
    key: str | None = CONSOLE_KEY
    url: str | None = None  # None: the emulator's, through ANTHROPIC_BASE_URL
    pass_fds: tuple[int, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path, str], Setup]
    message: str  # expected in the one error line
    code: int = 1


def _url(url: str) -> Callable[[Path, str], Setup]:
    return lambda work, emulator_url: Setup(
        ["--api-url", url.replace("{port}", emulator_url.rsplit(":", 1)[1])]
    )


def _env_url(url: str) -> Callable[[Path, str], Setup]:
    return lambda work, emulator_url: Setup([], url=url)


def _key(key: str) -> Callable[[Path, str], Setup]:
    return lambda work, emulator_url: Setup([], key=key)


def _key_file(content: bytes) -> Callable[[Path, str], Setup]:
    def setup(work: Path, emulator_url: str) -> Setup:
        (work / "key").write_bytes(content)
        return Setup(["--api-key-file", str(work / "key")], key=None)

    return setup


def _named(path: str) -> Callable[[Path, str], Setup]:
    return lambda work, emulator_url: Setup(["--api-key-file", path], key=None)


def _huge_file(work: Path, emulator_url: str) -> Setup:
    with open(work / "key", "wb") as fh:
        fh.truncate(10 * 1024**3)  # 10 GiB, sparse: refused by its size, never read
    return Setup(["--api-key-file", str(work / "key")], key=None)


def _fifo_without_writer(work: Path, emulator_url: str) -> Setup:
    os.mkfifo(work / "key")
    return Setup(["--api-key-file", str(work / "key")], key=None)


CREDENTIAL_HINT = "the API URL carries credentials"
CASES = [
    # Credentials in the URL: refused, never echoed (the secret is in the password part).
    Case("userinfo-bad-port", _url(f"http://x:{SECRET}@127.0.0.1:P"), CREDENTIAL_HINT),
    Case("userinfo-good-port", _url(f"http://x:{SECRET}@127.0.0.1:{{port}}"), CREDENTIAL_HINT),
    Case("userinfo-user-only", _url(f"https://{SECRET}@api.example.com"), CREDENTIAL_HINT),
    Case("userinfo-no-scheme", _url(f"x:{SECRET}@127.0.0.1"), CREDENTIAL_HINT),
    Case("userinfo-ipv6", _url(f"http://u:{SECRET}@[::1]:{{port}}"), CREDENTIAL_HINT),
    Case("userinfo-from-environment", _env_url(f"http://u:{SECRET}@127.0.0.1:1"), CREDENTIAL_HINT),
    Case(
        "key-in-query",
        _url(f"https://api.example.com/?key=sk-ant-admin01-{SECRET}"),
        "no credentials, query or fragment allowed",
    ),
    # Keys that could never be sent: one line, no retry.
    Case("key-non-ascii", _key(f"sk-ant-admin01-{SECRET}\u00e9"), "a non-ASCII character"),
    Case("key-zero-width", _key(f"sk-ant-admin01-{SECRET}\u200b"), "a non-ASCII character"),
    Case("key-escape", _key(f"sk-ant-admin01-{SECRET}\x1b[0m"), "a control character"),
    Case("key-inner-space", _key(f"sk-ant-admin01-{SECRET} x"), "a space or line break"),
    Case("key-file-nul", _key_file(f"sk-ant-admin01-{SECRET}\0x\n".encode()), "a NUL character"),
    Case(
        "key-file-two-lines",
        _key_file(f"sk-ant-admin01-{SECRET}\nsecond\n".encode()),
        "a space or line break",
    ),
    Case(
        "key-file-not-utf8",
        _key_file(f"sk-ant-admin01-{SECRET}\xff".encode("latin-1")),
        "is not UTF-8 text",
    ),
    Case("key-file-empty", _key_file(b"\n"), "is empty"),
    # Key files that are not key files: read with a bound, never waited on.
    Case("key-file-dev-zero", _named("/dev/zero"), "too large to hold a key"),
    Case("key-file-dev-null", _named("/dev/null"), "is empty"),
    Case("key-file-huge", _huge_file, "too large to hold a key"),
    Case("key-file-fifo-without-writer", _fifo_without_writer, "had no writer within 10 s"),
    Case("key-file-missing", _named("/nonexistent/key"), "no such file or directory"),
    Case("key-file-directory", _named("/"), "is a directory", code=64),
]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with running_emulator(SEEDS / "console.yaml", "--rate-scale", "1000") as emu:
        yield emu


def run(setup: Setup, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_"))}
    env.update({"NO_COLOR": "1", "ANTHROPIC_BASE_URL": setup.url or url})
    if setup.key is not None:
        env["ANTHROPIC_ADMIN_API_KEY"] = setup.key
    return subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", str(REPO / "policies"), *setup.args, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        stdin=subprocess.DEVNULL,
        pass_fds=setup.pass_fds,
    )


@pytest.mark.timeout(RUN_TIMEOUT * 2 + 30)
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_refused_in_one_line_without_a_request(
    case: Case, debug: bool, tmp_path: Path, emulator: Emulator
) -> None:
    setup = case.setup(tmp_path, emulator.url)
    before = emulator.stats()["requests_total"]
    result = run(setup, emulator.url, *(["--debug"] if debug else []))
    out = result.stdout + result.stderr
    assert result.returncode == case.code, out
    assert SECRET not in out
    assert emulator.stats()["requests_total"] == before, "a hopeless request was sent"
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and case.message in errors[0], out
    if not debug:
        assert "Traceback" not in out
        assert result.stdout == ""
        if case.code == 1:  # a usage error (64) shows click's usage lines first
            assert result.stderr == errors[0] + "\n"


@pytest.mark.timeout(RUN_TIMEOUT + 30)
def test_a_key_through_an_anonymous_pipe_is_read(emulator: Emulator) -> None:
    """``--api-key-file <(pass show admin-key)``: a pipe whose writer already wrote."""
    read_end, write_end = os.pipe()
    os.write(write_end, CONSOLE_KEY.encode() + b"\n")
    os.close(write_end)
    try:
        setup = Setup(["--api-key-file", f"/dev/fd/{read_end}"], key=None, pass_fds=(read_end,))
        result = run(setup, emulator.url)
    finally:
        os.close(read_end)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(RUN_TIMEOUT + 30)
def test_a_key_through_a_named_pipe_with_a_writer_is_read(
    tmp_path: Path, emulator: Emulator
) -> None:
    fifo = tmp_path / "key"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "wb") as fh:  # blocks until the command opens the pipe
            fh.write(CONSOLE_KEY.encode() + b"\n")

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    result = run(Setup(["--api-key-file", str(fifo)], key=None), emulator.url)
    thread.join(RUN_TIMEOUT)
    assert not thread.is_alive()
    assert result.returncode == 0, result.stderr


def test_corpus_size() -> None:
    assert len(CASES) >= 20
