"""Start-up cost: what ``claude-policy --version`` and ``validate`` import, and how long it takes.

    python benchmarks/bench_startup.py            # 15 runs of each command
    python benchmarks/bench_startup.py --runs 40

For each command it reports the median and minimum wall time of the whole process
(interpreter start included), the cumulative import time of ``reconciler.cli`` and of
everything the command imported after it (``python -X importtime``), and whether the
emulator's server stack (starlette, uvicorn) was loaded: only ``claude-policy emulator``
may load it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "--version": ["--version"],
    "validate": ["validate", str(ROOT / "policies")],
}
SERVER_STACK = ("starlette", "uvicorn")
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


@dataclass
class Startup:
    command: str
    median_ms: float
    min_ms: float
    imports_ms: float
    modules: int
    server_stack: list[str]


def _importtime(args: list[str]) -> tuple[float, int, list[str]]:
    """Total self import time (ms), the number of modules imported, server modules seen."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reconciler", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    total_us, modules, server = 0, 0, []
    for line in run.stderr.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        total_us += int(m.group(1))
        modules += 1
        name = m.group(4)
        if name.split(".")[0] in SERVER_STACK:
            server.append(name)
    return total_us / 1000, modules, server


def measure(command: str, runs: int) -> Startup:
    """Time ``runs`` launches of one command and read what it imports."""
    args = COMMANDS[command]
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "reconciler", *args],
            capture_output=True,
            check=False,
            cwd=ROOT,
        )
        walls.append((time.perf_counter() - start) * 1000)
    imports_ms, modules, server = _importtime(args)
    return Startup(
        command, statistics.median(walls), min(walls), imports_ms, modules, sorted(set(server))
    )


def report(results: list[Startup]) -> str:
    lines = [
        "| Command | Wall, median | Wall, min | Imports (self, summed) | Modules | Server stack |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        server = ", ".join(s for s in r.server_stack if "." not in s) or "not loaded"
        lines.append(
            f"| `claude-policy {r.command}` | {r.median_ms:.0f} ms | {r.min_ms:.0f} ms "
            f"| {r.imports_ms:.0f} ms | {r.modules} | {server} |"
        )
    return "\n".join(lines)


@pytest.mark.bench
def test_start_up_does_not_load_the_server_stack() -> None:
    results = [measure(command, 3) for command in COMMANDS]
    print("\n" + report(results))
    for r in results:
        assert r.server_stack == [], f"{r.command} loaded {r.server_stack}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(report([measure(command, args.runs) for command in COMMANDS]))


if __name__ == "__main__":
    main()
