"""Run the real emulator command as a subprocess, for end-to-end tests over loopback.

    from tests.support.emulator import running_emulator

    with running_emulator(Path("examples/seeds/enterprise.yaml"), "--rate-scale", "100") as emu:
        client = anthropic.Anthropic(api_key=KEY, base_url=emu.url)
        ...
        assert emu.stats()["by_route"]["GET /v1/organizations/users"] == 1
        emu.control("POST", "/_emulator/spend", json={"email": …, "amount": "100"})

The process is ``python -m reconciler emulator --seed SEED --port 0 --control …``; the
helper waits (with a timeout) for the first stdout line, the base URL, and on exit sends
SIGTERM, waits, and fails the test unless the process stopped cleanly (exit 0).  Its
stderr is captured to a file and shown in every failure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

STARTUP_TIMEOUT = 60.0  # a 50,000-member seed takes a few seconds on a small machine
STOP_TIMEOUT = 15.0


class EmulatorFailed(AssertionError):
    """The emulator process did not start, or did not stop cleanly."""


class Emulator:
    """A running emulator process: its base URL and ways to look inside and stop it."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, workdir: Path) -> None:
        self.process = process
        self.url = url
        self.pid = process.pid
        self._workdir = workdir
        self._http = httpx.Client(base_url=url, trust_env=False, timeout=30.0)

    def stderr(self) -> str:
        """Everything the process wrote to stderr so far."""
        return (self._workdir / "stderr").read_text("utf-8", errors="replace")

    def control(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """Call a control endpoint: ``/_emulator/reset`` (or just ``reset``)."""
        if not path.startswith("/"):
            path = "/_emulator/" + path
        return self._http.request(method, path, json=json)

    def stats(self) -> dict[str, Any]:
        """``GET /_emulator/stats``: requests_total, by_route, by_status."""
        response = self.control("GET", "/_emulator/stats")
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        """Send ``sig``, wait, and return the exit status; fail unless it is 0."""
        self._http.close()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise EmulatorFailed(
                    f"emulator did not stop within {STOP_TIMEOUT}s of {sig.name}\n{self.stderr()}"
                ) from None
        code = self.process.returncode
        if code != 0:
            raise EmulatorFailed(f"emulator exited with {code}\n--- stderr ---\n{self.stderr()}")
        return code


def _first_line(path: Path, process: subprocess.Popen[bytes], deadline: float) -> str | None:
    while time.monotonic() < deadline:
        text = path.read_text("utf-8", errors="replace")
        if "\n" in text:
            return text.split("\n", 1)[0].strip()
        if process.poll() is not None:
            return None
        time.sleep(0.02)
    return None


@contextmanager
def running_emulator(
    seed_path: str | Path | None,
    *extra_args: str,
    state: str | Path | None = None,
    startup_timeout: float = STARTUP_TIMEOUT,
    command: Sequence[str] = (sys.executable, "-m", "reconciler"),
    env: dict[str, str] | None = None,
) -> Iterator[Emulator]:
    """Start the emulator on a free loopback port with ``--control``; stop it on exit.

    ``seed_path`` may be None when ``state`` names an existing state file.
    ``extra_args`` go to the command as they are (``"--rate-scale", "100"``).  ``command``
    is how ``claude-policy`` is launched (an installed console script, say), with ``env``.
    """
    args = [*command, "emulator", "--port", "0", "--control"]
    if seed_path is not None:
        args += ["--seed", str(seed_path)]
    if state is not None:
        args += ["--state", str(state)]
    args += list(extra_args)
    with tempfile.TemporaryDirectory(prefix="emulator-") as tmp:
        workdir = Path(tmp)
        with (workdir / "stdout").open("wb") as out, (workdir / "stderr").open("wb") as err:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=dict(os.environ) if env is None else env,
            )
        try:
            url = _first_line(workdir / "stdout", process, time.monotonic() + startup_timeout)
        except BaseException:
            process.kill()
            process.wait()
            raise
        if url is None or not url.startswith("http://"):
            process.kill()
            process.wait()
            stderr = (workdir / "stderr").read_text("utf-8", errors="replace")
            raise EmulatorFailed(
                f"emulator did not announce its URL (exit {process.returncode}): "
                f"{' '.join(args)}\n--- stderr ---\n{stderr}"
            )
        emulator = Emulator(process, url, workdir)
        try:
            yield emulator
        finally:
            emulator.stop()
