"""Benchmark: claude-policy side by side with a plain script over the official SDK.

    python benchmarks/bench_vs_sdk.py [--scale F] [--writes N] [--latency-ms MS]
                                      [--contention R] [--explicit-rates] [--json]

The rate-bound case: an organization of N members (default 300, no overrides; the seed
of ``bench_pacing.py``) and one job — give every member a $200 monthly cap, N spend-limit
writes — done by each tool against its own **fresh emulator on the same seed**, one after
the other in one run, the real limits scaled by F (default 2: 200 and 120 requests a
minute) with ``--latency-ms MS`` on every request (default 50).

Why a scaled equivalent and that latency: the limiter's window stays 60 s whatever the
scale, so F = 2 with N writes and latency ℓ takes the same wall time as the real limits
with N/2 writes and latency 2ℓ — 300 caps at F = 2 and 50 ms are 150 caps against the
real API answering in 100 ms, in half the machine time of running 300 at the real
limits; the ratio of the rate to the latency is the real one.  ``--latency-ms 0`` is the
bare loopback (a few ms), ``--scale 1`` the real limits.

1. **claude-policy**: ``apply --policies DIR --auto-approve`` — one process that reads,
   plans and writes, the same work the script does.  No rates are given: the emulator's
   rate-limit headers pace it, with the default ``--max-api-share`` of 80 %.
2. **The SDK script** ``benchmarks/sdk_script.py`` (see its docstring: SDK defaults — two
   retries honouring ``retry-after`` — auto-paginating reads at ``limit=1000``, a diff
   before writing, one ``set`` per change, no pacing of its own: the SDK has none).

Reported for each: wall time, CPU, requests the emulator served and the 429s among them
(its ``/_emulator/stats``, the meter for both), writes, failed changes, whether a
following ``plan --detailed-exitcode`` finds the org converged, and wall ÷ the floor
``(writes − B) ÷ rate`` (rate = 60F spend requests a minute, B = 80 % of a fresh
minute's: the SPEC §9 floor).  Targets for claude-policy: never slower than the script,
0 × 429, ≤ 1.10 × the floor.

With ``--contention R`` another client uses R × the spend rate during both runs (a
thread sending ``GET /spend_limits/effective?limit=1`` at a steady pace; its requests
and 429s are reported apart, with the fewest requests it ever found free).  claude-policy
slows down so that the reserve stays free for it; the script does not.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pacing import AMOUNT_DOLLARS, seed, write_policy
from common import ENTERPRISE_KEY, Emulator, emulator, run_cli, run_process, write_seed

from reconciler.ratebudget import DEFAULT_SHARE, reserve_for, usable_for

SDK_SCRIPT = Path(__file__).resolve().parent / "sdk_script.py"
DEFAULT_SCALE = 2.0
DEFAULT_WRITES = 300
DEFAULT_LATENCY_MS = 50.0
TARGET_RATIO = 1.10
REMAINING = "anthropic-ratelimit-requests-remaining"


class Background:
    """Someone else using the org's spend budget at a steady ``per_minute``."""

    def __init__(self, url: str, per_minute: float) -> None:
        self.url = url
        self.per_minute = per_minute
        self.statuses: Counter[int] = Counter()
        self.lowest: int | None = None  # fewest requests free after one of its own
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Background:
        if self.per_minute > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(30)

    def _run(self) -> None:
        headers = {"x-api-key": ENTERPRISE_KEY, "anthropic-version": "2023-06-01"}
        interval = 60.0 / self.per_minute
        with httpx.Client(base_url=self.url, headers=headers, trust_env=False) as http:
            due = time.monotonic()
            while not self._stop.is_set():
                response = http.get("/v1/organizations/spend_limits/effective", params={"limit": 1})
                self.statuses[response.status_code] += 1
                if response.status_code == 200 and REMAINING in response.headers:
                    free = int(response.headers[REMAINING])
                    self.lowest = free if self.lowest is None else min(self.lowest, free)
                due += interval
                self._stop.wait(max(0.0, due - time.monotonic()))

    def figures(self) -> dict[str, Any]:
        return {
            "requests": sum(self.statuses.values()),
            "status_429": self.statuses.get(429, 0),
            "lowest_free": self.lowest,
        }


def _own(stats: dict[str, Any], other: Background) -> tuple[int, int]:
    """(requests, 429s) of the tool: the emulator's totals less the other client's."""
    return (
        stats["requests_total"] - sum(other.statuses.values()),
        stats["by_status"].get("429", 0) - other.statuses.get(429, 0),
    )


def _converged(emu: Emulator, policy: Path, workdir: Path, name: str) -> bool:
    check = run_cli(
        ["plan", str(policy), "--detailed-exitcode", "--api-url", emu.url],
        key=ENTERPRISE_KEY,
        workdir=workdir,
        name=name,
    )
    return check.exit == 0


def run_claude_policy(
    emu: Emulator, policy: Path, workdir: Path, other: Background, rates: tuple[str, ...] = ()
) -> dict[str, Any]:
    report_file = workdir / "report.json"
    apply = run_cli(
        [
            "apply",
            *rates,
            "--policies",
            str(policy),
            "--auto-approve",
            "--report",
            str(report_file),
            "--api-url",
            emu.url,
        ],
        key=ENTERPRISE_KEY,
        workdir=workdir,
        name="cp-apply",
        timeout=3600,
    )
    stats = emu.stats()
    requests, status_429 = _own(stats, other)
    report = json.loads(report_file.read_text("utf-8")) if report_file.exists() else {}
    return {
        "requests": requests,
        "status_429": status_429,
        "writes": stats["by_route"].get("POST /v1/organizations/spend_limits", 0),
        "failures": len(report.get("failed", [])) if report else None,
        "exit": apply.exit,
        "wall": apply.wall,
        "cpu": apply.cpu,
        "converged": _converged(emu, policy, workdir, "cp-check"),
    }


def run_sdk(
    emu: Emulator, members: int, policy: Path, workdir: Path, other: Background
) -> dict[str, Any]:
    desired = {f"user{n:05d}@example.com": str(AMOUNT_DOLLARS * 100) for n in range(1, members + 1)}
    desired_file = workdir / "desired.json"
    desired_file.write_text(json.dumps(desired), encoding="utf-8")
    script = run_process(
        [sys.executable, str(SDK_SCRIPT), emu.url, str(desired_file)],
        key=ENTERPRISE_KEY,
        workdir=workdir,
        name="sdk",
        timeout=3600,
    )
    stats = emu.stats()
    requests, status_429 = _own(stats, other)
    own = json.loads(script.out()) if script.exit == 0 else {}
    return {
        "requests": requests,
        "status_429": status_429,
        "writes": stats["by_route"].get("POST /v1/organizations/spend_limits", 0),
        "failures": own.get("failures"),
        "exit": script.exit,
        "wall": script.wall,
        "cpu": script.cpu,
        "converged": _converged(emu, policy, workdir, "sdk-check"),
    }


def run(
    workdir: Path,
    *,
    scale: float = DEFAULT_SCALE,
    writes: int = DEFAULT_WRITES,
    latency_ms: float = DEFAULT_LATENCY_MS,
    contention: float = 0.0,
    explicit_rates: bool = False,
) -> dict[str, Any]:
    seed_file = write_seed(workdir / "seed.json", seed(writes))
    policy = workdir / "policy"
    policy.mkdir()
    write_policy(policy, writes)
    args = ("--rate-scale", f"{scale:g}", "--latency-ms", f"{latency_ms:g}")
    rate = 60 * scale  # spend requests a minute: the binding bucket
    # --explicit-rates tells claude-policy the scaled limits as hard caps, as a user who
    # knows their organization's limits might (they bind no earlier than the headers do).
    rates = ("--admin-rpm", f"{100 * scale:g}", "--spend-rpm", f"{rate:g}")
    rates = rates if explicit_rates else ()
    floor = (writes - usable_for(rate, DEFAULT_SHARE)) * 60 / rate
    result: dict[str, Any] = {
        "scale": scale,
        "members": writes,
        "latency_ms": latency_ms,
        "contention": contention,
        "explicit_rates": explicit_rates,
        "rate_per_min": rate,
        "usable": usable_for(rate, DEFAULT_SHARE),
        "reserve": reserve_for(rate, DEFAULT_SHARE),
        "floor": floor,
    }
    for name in ("claude-policy", "sdk"):
        with emulator(seed_file, *args) as emu, Background(emu.url, contention * rate) as other:
            if name == "sdk":
                figures = run_sdk(emu, writes, policy, workdir, other)
            else:
                figures = run_claude_policy(emu, policy, workdir, other, rates)
        figures["ratio_floor"] = figures["wall"] / floor
        figures["other"] = other.figures()
        result[name] = figures
    return result


def report(r: dict[str, Any]) -> None:
    shared = (
        f"; another client uses {r['contention']:.0%} of the spend budget"
        if r["contention"]
        else ""
    )
    print(
        f"== {r['members']} monthly caps to set, limits × {r['scale']:g} "
        f"({r['rate_per_min']:g} spend requests/min), {r['latency_ms']:g} ms a request{shared}"
    )
    print(
        f"   floor (writes − B) ÷ rate = {r['floor']:.1f} s "
        f"(B = {r['usable']}: 80 % of a fresh minute; reserve {r['reserve']})"
    )
    print(
        f"   {'':<15}{'wall s':>8}{'÷ floor':>9}{'CPU s':>7}{'requests':>10}{'429s':>6}"
        f"{'writes':>8}{'failed':>8}  converged"
    )
    for name in ("claude-policy", "sdk"):
        x = r[name]
        failed = "?" if x["failures"] is None else str(x["failures"])
        label = "claude-policy" if name == "claude-policy" else "SDK script"
        print(
            f"   {label:<15}{x['wall']:>8.1f}{x['ratio_floor']:>9.3f}{x['cpu']:>7.2f}"
            f"{x['requests']:>10}{x['status_429']:>6}{x['writes']:>8}{failed:>8}  "
            f"{'yes' if x['converged'] else 'NO'}"
        )
    if r["contention"]:
        for name in ("claude-policy", "sdk"):
            o = r[name]["other"]
            print(
                f"   the other client during {name}: {o['requests']} requests, "
                f"{o['status_429']} × 429, fewest free it saw: {o['lowest_free']}"
            )
    ours, theirs = r["claude-policy"]["wall"], r["sdk"]["wall"]
    print(f"   claude-policy ÷ SDK script = {ours / theirs:.3f} (wall)")
    print("   (requests and 429s from /_emulator/stats; a fresh emulator for each tool)")


def met(r: dict[str, Any]) -> bool:
    ours, theirs = r["claude-policy"], r["sdk"]
    return (
        ours["exit"] == 0
        and ours["converged"]
        and ours["failures"] == 0
        and ours["status_429"] == 0
        and ours["wall"] <= theirs["wall"]
        and ours["ratio_floor"] <= TARGET_RATIO
    )


@pytest.mark.bench
@pytest.mark.timeout(1800)
def test_vs_sdk(tmp_path: Path) -> None:
    result = run(tmp_path)
    report(result)
    ours = result["claude-policy"]
    assert ours["exit"] == 0 and ours["converged"] and ours["failures"] == 0
    assert ours["writes"] == DEFAULT_WRITES
    assert ours["status_429"] == 0
    assert ours["ratio_floor"] <= TARGET_RATIO
    assert ours["wall"] <= result["sdk"]["wall"]


@pytest.mark.bench
@pytest.mark.timeout(1800)
def test_with_a_competing_client(tmp_path: Path) -> None:
    """Another client spends 30 % of the spend budget during the apply."""
    result = run(tmp_path, contention=0.3)
    report(result)
    ours = result["claude-policy"]
    assert ours["exit"] == 0 and ours["converged"] and ours["failures"] == 0
    assert ours["status_429"] + ours["other"]["status_429"] <= 3  # a handful at most
    assert ours["other"]["lowest_free"] >= result["reserve"] - 2


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--writes", type=int, default=DEFAULT_WRITES)
    parser.add_argument("--latency-ms", type=float, default=DEFAULT_LATENCY_MS)
    parser.add_argument("--contention", type=float, default=0.0, metavar="R")
    parser.add_argument(
        "--explicit-rates",
        action="store_true",
        help="Give claude-policy --admin-rpm 100F --spend-rpm 60F (hard caps) as well.",
    )
    parser.add_argument("--json", action="store_true", help="Also print the raw figures.")
    args = parser.parse_args()
    if args.writes <= usable_for(60 * args.scale, DEFAULT_SHARE):
        parser.error("--writes must exceed a fresh minute's usable share (the floor would be 0)")
    with tempfile.TemporaryDirectory(prefix="bench-vs-sdk-") as tmp:
        result = run(
            Path(tmp),
            scale=args.scale,
            writes=args.writes,
            latency_ms=args.latency_ms,
            contention=args.contention,
            explicit_rates=args.explicit_rates,
        )
    report(result)
    if args.json:
        print(json.dumps(result, indent=2))
    sys.exit(0 if met(result) else 1)


if __name__ == "__main__":
    main()
