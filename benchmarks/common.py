"""What the benchmarks share: the repository, the seeds, the emulator, running the CLI.

Everything runs on loopback, every process started here is stopped here, and every
wait is bounded.  ``run_cli`` measures the command's own CPU time (user + system) from
the kernel's accounting of that one child (``os.wait4``), so the emulator and the
benchmark process never count, and its peak resident memory from its own ``VmHWM``
(read by the process as it exits).  Not ``ru_maxrss``: on Linux a child's ``ru_maxrss``
includes the parent's resident size at the fork, so a benchmark that has just parsed a
large plan would report its own size for a small command.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tests.support` importable
    sys.path.insert(0, str(ROOT))

from tests.support.emulator import Emulator, running_emulator  # noqa: E402

__all__ = [
    "CONSOLE_KEY",
    "CONSOLE_ORG",
    "ENTERPRISE_KEY",
    "ENTERPRISE_ORG",
    "ROOT",
    "SEEDS",
    "CliRun",
    "Emulator",
    "emulator",
    "run_cli",
    "run_process",
    "write_seed",
]

SEEDS = ROOT / "examples" / "seeds"
ENTERPRISE_KEY = "sk-ant-api01-demo-enterprise-key"
CONSOLE_KEY = "sk-ant-admin01-demo-console-key"
ENTERPRISE_ORG = "5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10"
CONSOLE_ORG = "8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37"

# ``python -m reconciler ARGS…`` that writes its peak resident memory (KiB) to a file as
# it exits (atexit runs after the CLI's sys.exit).
_LAUNCH = """\
import atexit, runpy, sys
_peak_file = sys.argv[1]
def _peak():
    with open("/proc/self/status") as status:
        hwm = next((line.split()[1] for line in status if line.startswith("VmHWM:")), "")
    with open(_peak_file, "w") as out:
        out.write(hwm)
atexit.register(_peak)
sys.argv = ["claude-policy", *sys.argv[2:]]
runpy.run_module("reconciler", run_name="__main__", alter_sys=True)
"""

# Variables that would change what the command does behind the benchmark's back.
_CLEARED = (
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_ADMIN_API_KEY",
    "CLAUDE_POLICY_ADMIN_RPM",
    "CLAUDE_POLICY_SPEND_RPM",
    "CLAUDE_POLICY_DEBUG",
)


@dataclass
class CliRun:
    """One finished ``claude-policy`` process."""

    args: list[str]
    exit: int
    wall: float  # seconds, start to exit
    user: float  # CPU seconds in user mode
    system: float  # CPU seconds in the kernel
    peak_rss_mib: float  # VmHWM of the process (nan if it could not tell)
    stdout: Path
    stderr: Path

    @property
    def cpu(self) -> float:
        return self.user + self.system

    def err(self) -> str:
        return self.stderr.read_text("utf-8", errors="replace")

    def out(self) -> str:
        return self.stdout.read_text("utf-8", errors="replace")


def run_cli(
    args: Sequence[str],
    *,
    key: str,
    workdir: Path,
    name: str = "run",
    timeout: float = 600.0,
    env: dict[str, str] | None = None,
) -> CliRun:
    """Run ``python -m reconciler ARGS`` with the key in its environment; stdout and
    stderr go to ``workdir/NAME.stdout`` / ``.stderr``.  Killed (and reported as exit
    -9) if it outlives ``timeout``."""
    peak = workdir / f"{name}.peak"
    run = run_process(
        [sys.executable, "-c", _LAUNCH, str(peak), *args],
        key=key,
        workdir=workdir,
        name=name,
        timeout=timeout,
        env=env,
    )
    run.args = list(args)
    run.peak_rss_mib = _peak_mib(peak)
    return run


def run_process(
    argv: Sequence[str],
    *,
    key: str,
    workdir: Path,
    name: str = "run",
    timeout: float = 600.0,
    env: dict[str, str] | None = None,
) -> CliRun:
    """Run any command with the key in ``ANTHROPIC_ADMIN_API_KEY`` (and none of the
    variables that would redirect it), measuring wall and CPU time."""
    environ = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environ.update(env or {})
    environ["ANTHROPIC_ADMIN_API_KEY"] = key
    environ["NO_COLOR"] = "1"
    out, err = workdir / f"{name}.stdout", workdir / f"{name}.stderr"
    with out.open("wb") as fo, err.open("wb") as fe:
        began = time.perf_counter()
        process = subprocess.Popen(
            list(argv), stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=environ
        )
        deadline = began + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.send_signal(signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - began
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code  # reaped here: keep Popen from waiting again
    return CliRun(
        args=list(argv),
        exit=code,
        wall=wall,
        user=usage.ru_utime,
        system=usage.ru_stime,
        peak_rss_mib=math.nan,
        stdout=out,
        stderr=err,
    )


def _peak_mib(path: Path) -> float:
    try:
        return int(path.read_text().strip()) / 1024
    except (OSError, ValueError):
        return math.nan


@contextmanager
def emulator(seed: Path, *args: str, state: Path | None = None) -> Iterator[Emulator]:
    """The emulator process on a free loopback port, with ``--control``; stopped after."""
    with running_emulator(seed, *args, state=state, startup_timeout=120.0) as emu:
        yield emu


def write_seed(path: Path, seed: dict[str, Any]) -> Path:
    """Write a seed as JSON (the emulator reads YAML or JSON)."""
    path.write_text(json.dumps(seed, indent=1), encoding="utf-8")
    return path
