"""Benchmark: page 50,000 members, then their effective limits, from the emulator.

    python benchmarks/bench_emulator_listing.py [--seed examples/seeds/enterprise-50k.yaml]

Starts ``python -m reconciler emulator`` on the 50,000-member seed with rate limits
scaled out of the way (``--rate-scale 1000``), pages ``GET /users`` and then
``GET /spend_limits/effective`` at ``limit=1000`` with plain httpx, and prints pages,
requests (from ``/_emulator/stats``), wall time, pages per second and the emulator's
peak resident memory (``VmHWM``), and the emulator's own CPU per page (``/proc``: what a
page costs it, however busy the machine is).  The target: both passes ≤ 3 s each on a
2-core machine.

Also collected by ``pytest -m bench benchmarks/bench_emulator_listing.py`` (never by
``make test``).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seeds" / "enterprise-50k.yaml"
KEY = "sk-ant-api01-demo-enterprise-key"
TARGET_SECONDS = 3.0


def start(seed: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "--seed",
            str(seed),
            "--port",
            "0",
            "--control",
            "--rate-scale",
            "1000",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        raise SystemExit(f"emulator did not start (exit {process.wait()})")
    return process, url


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (``/proc/PID/stat``): the emulator's own work,
    whatever else the machine is doing."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def page_users(client: httpx.Client) -> tuple[int, int]:
    pages, members, params = 0, 0, {"limit": "1000"}
    while True:
        body = client.get("/v1/organizations/users", params=params).raise_for_status().json()
        pages += 1
        members += len(body["data"])
        if not body["has_more"]:
            return pages, members
        params = {"limit": "1000", "after_id": body["last_id"]}


def page_effective(client: httpx.Client) -> tuple[int, int]:
    pages, rows, params = 0, 0, {"limit": "1000"}
    while True:
        body = client.get("/v1/organizations/spend_limits/effective", params=params)
        data = body.raise_for_status().json()
        pages += 1
        rows += len(data["data"])
        if data["next_page"] is None:
            return pages, rows
        params = {"limit": "1000", "page": data["next_page"]}


def run(seed: Path) -> dict[str, Any]:
    process, url = start(seed)
    results: dict[str, Any] = {}
    try:
        headers = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}
        with httpx.Client(base_url=url, headers=headers, trust_env=False, timeout=60) as client:
            for name, walk in (("users", page_users), ("effective", page_effective)):
                began, cpu = time.perf_counter(), cpu_seconds(process.pid)
                pages, items = walk(client)
                seconds = time.perf_counter() - began
                used = cpu_seconds(process.pid) - cpu
                results[name] = {"pages": pages, "items": items, "seconds": seconds, "cpu": used}
            stats = client.get(f"{url}/_emulator/stats").json()
        results["requests"] = stats["requests_total"]
        results["peak_rss_mib"] = peak_rss_mib(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        results["exit"] = process.wait(30)
        if process.stdout is not None:
            process.stdout.close()
    return results


def report(results: dict[str, Any]) -> None:
    for name in ("users", "effective"):
        r = results[name]
        print(
            f"{name:>9}: {r['pages']} pages, {r['items']} items, {r['seconds']:.2f} s wall, "
            f"{r['pages'] / r['seconds']:.1f} pages/s; emulator CPU "
            f"{r['cpu'] / r['pages'] * 1000:.1f} ms per 1,000-row page"
        )
    print(f" requests: {results['requests']} (from /_emulator/stats)")
    print(f" peak RSS: {results['peak_rss_mib']:.0f} MiB (emulator VmHWM)")
    print(f"     cpus: {os.cpu_count()}")


@pytest.mark.bench
def test_emulator_listing() -> None:
    results = run(SEED)
    report(results)
    assert results["exit"] == 0
    assert results["users"]["items"] == 50_000 and results["users"]["pages"] == 50
    assert results["effective"]["pages"] == 50
    assert results["users"]["seconds"] <= TARGET_SECONDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=Path, default=SEED)
    report(run(parser.parse_args().seed))


if __name__ == "__main__":
    main()
