"""Benchmark: how close an apply runs to the floor, and that it provokes no 429.

    python benchmarks/bench_pacing.py [--scale F] [--writes N] [--share P]

An Enterprise org of N members (default 1,800) without overrides; a policy declaring a
monthly override for each: N creates, every one a spend-limit write, so the spend bucket
(60 requests/min, counted in the Admin bucket too) binds.  The emulator's limits are
scaled by F (default 10: 600 spend requests a minute); the client is given no rates —
the emulator's rate-limit headers pace it, with ``--max-api-share`` P (default 80 %).

Steps: ``plan --out plan.json``; ``POST /_emulator/reset`` (the plan wrote nothing; this
refills the buckets and clears the stats, so the apply starts on a fresh minute with
nothing else using the org); ``apply plan.json --auto-approve``, timed (process start to
exit, the re-reads of a saved plan included); ``plan --detailed-exitcode`` must then
exit 0.

Reported, with ``rate = 60F`` requests/min and ``B`` = the usable share of a fresh
minute (``⌊P × rate⌋``, see ``reconciler.ratebudget``):

* wall ÷ ((writes − B) ÷ rate), the SPEC §9 floor — target ≤ 1.10;
* 429s the emulator served during the apply (``/_emulator/stats``) — target 0.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ENTERPRISE_KEY, ENTERPRISE_ORG, emulator, run_cli, write_seed

from reconciler.ratebudget import DEFAULT_SHARE, usable_for

TARGET_RATIO = 1.10
DEFAULT_SCALE = 10.0
DEFAULT_WRITES = 1800
AMOUNT_DOLLARS = 200


def seed(members: int) -> dict[str, Any]:
    return {
        "organization": {
            "id": ENTERPRISE_ORG,
            "name": "Pacing",
            "kind": "enterprise",
            "currency": "USD",
            "extra_usage_enabled": True,
            "spend_limits_api": True,
        },
        "admin_keys": [
            {
                "key": ENTERPRISE_KEY,
                "scopes": [
                    "read:spend_limits",
                    "write:spend_limits",
                    "read:members",
                    "read:rbac_groups",
                ],
            }
        ],
        "spend_limits": [
            {"scope": {"type": "organization"}, "period": "monthly", "amount": "5000000"}
        ],
        "generate": {"users": members},
    }


def write_policy(root: Path, members: int) -> None:
    lines = [
        "version: 1",
        "organization:",
        f"  id: {ENTERPRISE_ORG}",
        "  kind: enterprise",
        "  currency: USD",
        "spend_limits:",
        "  users:",
    ]
    lines += [
        f"    user{n:05d}@example.com: {{monthly: {AMOUNT_DOLLARS}}}" for n in range(1, members + 1)
    ]
    (root / "users.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def rates(scale: float) -> tuple[str, str]:
    return f"{100 * scale:g}", f"{60 * scale:g}"


def run(
    workdir: Path, *, scale: float, writes: int, share: float = DEFAULT_SHARE
) -> dict[str, Any]:
    seed_file = write_seed(workdir / "seed.json", seed(writes))
    policy = workdir / "policy"
    policy.mkdir()
    write_policy(policy, writes)
    with emulator(seed_file, "--rate-scale", f"{scale:g}") as emu:
        api = ["--api-url", emu.url, "--max-api-share", f"{share * 100:g}%"]
        plan_file = workdir / "plan.json"
        plan = run_cli(
            ["plan", str(policy), "--out", str(plan_file), *api],
            key=ENTERPRISE_KEY,
            workdir=workdir,
            name="plan",
        )
        if plan.exit != 0:
            raise SystemExit(f"plan exited {plan.exit}\n{plan.err()[-3000:]}")
        emu.control("POST", "reset").raise_for_status()
        apply = run_cli(
            ["apply", str(plan_file), "--auto-approve", *api],
            key=ENTERPRISE_KEY,
            workdir=workdir,
            name="apply",
            timeout=max(600.0, 4 * 60 * writes / (60 * scale)),
        )
        stats = emu.stats()
        again = run_cli(
            ["plan", str(policy), "--detailed-exitcode", *api],
            key=ENTERPRISE_KEY,
            workdir=workdir,
            name="replan",
        )
    if apply.exit != 0:
        raise SystemExit(f"apply exited {apply.exit}\n{apply.err()[-3000:]}")
    rate_per_s = 60 * scale / 60
    usable = usable_for(60 * scale, share)
    by_route = stats["by_route"]
    sent_writes = by_route.get("POST /v1/organizations/spend_limits", 0)
    return {
        "scale": scale,
        "writes": writes,
        "sent_writes": sent_writes,
        "requests": stats["requests_total"],
        "by_route": by_route,
        "status_429": stats["by_status"].get("429", 0),
        "wall": apply.wall,
        "cpu": apply.cpu,
        "rate_per_min": 60 * scale,
        "share": share,
        "usable": usable,
        "floor": (writes - usable) / rate_per_s,
        "ratio_floor": apply.wall / ((writes - usable) / rate_per_s),
        "replan_exit": again.exit,
    }


def report(r: dict[str, Any]) -> None:
    ok = lambda good: "ok" if good else "MISSED"  # noqa: E731
    print(f"== apply of {r['writes']} spend-limit writes, limits × {r['scale']:g}")
    print(
        f"   rate      {r['rate_per_min']:g} spend requests/min (the binding bucket); "
        f"B = {r['usable']} at once ({r['share']:.0%} of a fresh minute)"
    )
    print(f"   requests  {r['requests']} during the apply ({r['sent_writes']} writes)")
    for route, count in sorted(r["by_route"].items()):
        print(f"             {count:>5}  {route}")
    print(f"   wall      {r['wall']:.1f} s (process start to exit; CPU {r['cpu']:.2f} s)")
    print(
        f"   floor     (writes − B) ÷ rate = {r['floor']:.1f} s; wall ÷ floor = "
        f"{r['ratio_floor']:.3f} (target ≤ {TARGET_RATIO}) "
        f"[{ok(r['ratio_floor'] <= TARGET_RATIO)}]"
    )
    print(f"   429s      {r['status_429']} (target 0) [{ok(r['status_429'] == 0)}]")
    print(f"   replan    --detailed-exitcode exit {r['replan_exit']} (0 = converged)")


def met(r: dict[str, Any]) -> bool:
    return (
        r["status_429"] == 0
        and r["ratio_floor"] <= TARGET_RATIO
        and r["sent_writes"] == r["writes"]
        and r["replan_exit"] == 0
    )


@pytest.mark.bench
@pytest.mark.timeout(900)
def test_pacing(tmp_path: Path) -> None:
    result = run(tmp_path, scale=DEFAULT_SCALE, writes=DEFAULT_WRITES)
    report(result)
    assert result["status_429"] == 0
    assert result["sent_writes"] == DEFAULT_WRITES
    assert result["replan_exit"] == 0
    assert result["ratio_floor"] <= TARGET_RATIO


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE)
    parser.add_argument("--writes", type=int, default=DEFAULT_WRITES)
    parser.add_argument("--share", type=float, default=DEFAULT_SHARE, help="0 < P ≤ 1")
    args = parser.parse_args()
    if not math.isfinite(args.scale) or args.scale <= 0 or not 0 < args.share <= 1:
        parser.error("a positive --scale and 0 < --share ≤ 1")
    if args.writes <= usable_for(60 * args.scale, args.share):
        parser.error("--writes must exceed a fresh minute's usable share, or the floor is 0")
    with tempfile.TemporaryDirectory(prefix="bench-pacing-") as tmp:
        result = run(Path(tmp), scale=args.scale, writes=args.writes, share=args.share)
    report(result)
    sys.exit(0 if met(result) else 1)


if __name__ == "__main__":
    main()
