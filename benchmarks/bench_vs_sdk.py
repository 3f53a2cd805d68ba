"""Benchmark: claude-policy side by side with a plain script over the official SDK.

    python benchmarks/bench_vs_sdk.py [--scale F] [--writes N]

One emulator process, one organization (N members, default 600, no overrides; the seed
of ``bench_pacing.py``), the real rate limits scaled by F (default 5: 300 spend-limit
requests a minute, so the job is two windows' worth), and the same job — give every
member a $200 monthly cap — done twice, with ``POST /_emulator/reset`` in between (back
to the seed, stats and rate windows cleared):

1. **claude-policy**: ``plan --out plan.json`` then ``apply plan.json --auto-approve``
   (the reviewed flow; the saved plan's objects are re-read before writing), with
   ``--admin-rpm 100F --spend-rpm 60F``.
2. **The SDK script** ``benchmarks/sdk_script.py`` (see its docstring for its choices: SDK
   defaults — two retries honouring ``retry-after`` — auto-paginating reads at
   ``limit=1000``, a diff before writing, one ``set`` per change, no pacing of its own:
   the SDK has none).

Reported for each: requests the emulator served and the 429s among them (its stats,
the meter for both), writes, failed changes, wall time, and whether a following
``plan --detailed-exitcode`` finds the org converged.

With ``--contention R`` another client shares the org's spend budget during both runs:
a thread sending ``GET /spend_limits/effective?limit=1`` at R × the spend rate (its own
requests and 429s are subtracted from the figures above; both tools are told only the
org's limits, as they would be in production).

What to expect: the script spends the whole window at once, runs into 429s and waits
out ``retry-after``, so when the job is a little more than a window it can finish
sooner than a client that paces from the first request — while leaving nothing of the
org's budget to anyone else in the meantime.
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

from bench_pacing import AMOUNT_DOLLARS, rates, seed, write_policy
from common import ENTERPRISE_KEY, Emulator, emulator, run_cli, run_process, write_seed

SDK_SCRIPT = Path(__file__).resolve().parent / "sdk_script.py"
DEFAULT_SCALE = 5.0
DEFAULT_WRITES = 600


class Background:
    """Someone else using the org's spend budget at a steady ``per_minute``."""

    def __init__(self, url: str, per_minute: float) -> None:
        self.url = url
        self.per_minute = per_minute
        self.statuses: Counter[int] = Counter()
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

    def take(self) -> Counter[int]:
        """The statuses counted since the last call (and reset them)."""
        taken, self.statuses = self.statuses, Counter()
        return taken

    def _run(self) -> None:
        headers = {"x-api-key": ENTERPRISE_KEY, "anthropic-version": "2023-06-01"}
        interval = 60.0 / self.per_minute
        with httpx.Client(base_url=self.url, headers=headers, trust_env=False) as http:
            due = time.monotonic()
            while not self._stop.is_set():
                response = http.get("/v1/organizations/spend_limits/effective", params={"limit": 1})
                self.statuses[response.status_code] += 1
                due += interval
                self._stop.wait(max(0.0, due - time.monotonic()))


def _minus(stats: dict[str, Any], other: Counter[int]) -> tuple[int, int]:
    """(requests, 429s) of the tool: the emulator's totals less the background's."""
    return (
        stats["requests_total"] - sum(other.values()),
        stats["by_status"].get("429", 0) - other.get(429, 0),
    )


def _converged(emu: Emulator, policy: Path, api: list[str], workdir: Path, name: str) -> int:
    check = run_cli(
        ["plan", str(policy), "--detailed-exitcode", *api],
        key=ENTERPRISE_KEY,
        workdir=workdir,
        name=name,
    )
    return check.exit


def run_claude_policy(
    emu: Emulator, policy: Path, api: list[str], workdir: Path, other: Background
) -> dict[str, Any]:
    plan_file = workdir / "plan.json"
    report_file = workdir / "report.json"
    plan = run_cli(
        ["plan", str(policy), "--out", str(plan_file), *api],
        key=ENTERPRISE_KEY,
        workdir=workdir,
        name="cp-plan",
    )
    if plan.exit != 0:
        raise SystemExit(f"plan exited {plan.exit}\n{plan.err()[-3000:]}")
    apply = run_cli(
        ["apply", str(plan_file), "--auto-approve", "--report", str(report_file), *api],
        key=ENTERPRISE_KEY,
        workdir=workdir,
        name="cp-apply",
        timeout=1800,
    )
    stats = emu.stats()
    requests, status_429 = _minus(stats, other.take())
    report = json.loads(report_file.read_text("utf-8")) if report_file.exists() else {}
    return {
        "requests": requests,
        "status_429": status_429,
        "writes": stats["by_route"].get("POST /v1/organizations/spend_limits", 0),
        "failures": len(report.get("failed", [])) if report else None,
        "exit": apply.exit,
        "wall": plan.wall + apply.wall,
        "cpu": plan.cpu + apply.cpu,
        "converged": _converged(emu, policy, api, workdir, "cp-check") == 0,
    }


def run_sdk(
    emu: Emulator, members: int, policy: Path, api: list[str], workdir: Path, other: Background
) -> dict[str, Any]:
    desired = {f"user{n:05d}@example.com": str(AMOUNT_DOLLARS * 100) for n in range(1, members + 1)}
    desired_file = workdir / "desired.json"
    desired_file.write_text(json.dumps(desired), encoding="utf-8")
    script = run_process(
        [sys.executable, str(SDK_SCRIPT), emu.url, str(desired_file)],
        key=ENTERPRISE_KEY,
        workdir=workdir,
        name="sdk",
        timeout=1800,
    )
    stats = emu.stats()
    requests, status_429 = _minus(stats, other.take())
    own = json.loads(script.out()) if script.exit == 0 else {}
    return {
        "requests": requests,
        "status_429": status_429,
        "writes": stats["by_route"].get("POST /v1/organizations/spend_limits", 0),
        "failures": own.get("failures"),
        "seen_429": own.get("status_429"),
        "exit": script.exit,
        "wall": script.wall,
        "cpu": script.cpu,
        "converged": _converged(emu, policy, api, workdir, "sdk-check") == 0,
    }


def run(workdir: Path, *, scale: float, writes: int, contention: float = 0.0) -> dict[str, Any]:
    seed_file = write_seed(workdir / "seed.json", seed(writes))
    policy = workdir / "policy"
    policy.mkdir()
    write_policy(policy, writes)
    admin_rpm, spend_rpm = rates(scale)
    with emulator(seed_file, "--rate-scale", f"{scale:g}") as emu:
        api = ["--api-url", emu.url, "--admin-rpm", admin_rpm, "--spend-rpm", spend_rpm]
        with Background(emu.url, contention * 60 * scale) as other:
            ours = run_claude_policy(emu, policy, api, workdir, other)
        emu.control("POST", "reset").raise_for_status()
        with Background(emu.url, contention * 60 * scale) as other:
            theirs = run_sdk(emu, writes, policy, api, workdir, other)
    return {
        "scale": scale,
        "members": writes,
        "contention": contention,
        "claude-policy": ours,
        "sdk": theirs,
    }


def report(r: dict[str, Any]) -> None:
    shared = (
        f"; another client uses {r['contention']:.0%} of the spend budget"
        if r["contention"]
        else ""
    )
    print(
        f"== {r['members']} monthly caps to set, limits × {r['scale']:g} "
        f"({60 * r['scale']:g} spend requests/min){shared}"
    )
    print(
        f"   {'':<15}{'requests':>9}{'429s':>7}{'writes':>8}{'failed':>8}"
        f"{'wall s':>9}{'CPU s':>7}  converged"
    )
    for name in ("claude-policy", "sdk"):
        x = r[name]
        failed = "?" if x["failures"] is None else str(x["failures"])
        label = "claude-policy" if name == "claude-policy" else "SDK script"
        print(
            f"   {label:<15}{x['requests']:>9}{x['status_429']:>7}{x['writes']:>8}{failed:>8}"
            f"{x['wall']:>9.1f}{x['cpu']:>7.2f}  {'yes' if x['converged'] else 'NO'}"
        )
    print("   (requests and 429s from /_emulator/stats; claude-policy = plan + apply processes)")


@pytest.mark.bench
@pytest.mark.timeout(1800)
def test_vs_sdk(tmp_path: Path) -> None:
    result = run(tmp_path, scale=DEFAULT_SCALE, writes=DEFAULT_WRITES)
    report(result)
    ours = result["claude-policy"]
    assert ours["exit"] == 0 and ours["converged"]
    assert ours["status_429"] == 0 and ours["failures"] == 0
    assert ours["writes"] == DEFAULT_WRITES


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--writes", type=int, default=DEFAULT_WRITES)
    parser.add_argument("--contention", type=float, default=0.0, metavar="R")
    parser.add_argument("--json", action="store_true", help="Also print the raw figures.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-vs-sdk-") as tmp:
        result = run(Path(tmp), scale=args.scale, writes=args.writes, contention=args.contention)
    report(result)
    if args.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
