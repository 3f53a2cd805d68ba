"""Benchmark: ``claude-policy report`` — requests per report, render time, output sizes.

    python benchmarks/bench_report.py [--scenario NAME]… [--keep DIR]

Each scenario starts the emulator on a seed (``--rate-scale 1000``), then

1. runs ``claude-policy report POLICY --format F --out FILE`` in a subprocess for every
   format, and reports the requests each run sent (``/_emulator/stats``) against the
   minimum, its wall time, CPU time and peak resident memory, and the output's size;
2. in this process, reads once (``report_policy``) and times building the document and
   each rendering from it, best of five (the part of a run that is ours alone: no
   emulator, no process start).

Scenarios:

``console-example``
    ``examples/seeds/console.yaml`` (the sample org: 6 workspaces, 28 days of usage) and
    the sample policy; ``--days 28``.  Minimum: ``GET /me``, one workspace listing, one
    usage query, one cost query = 4.
``console-100``
    ``examples/seeds/console-100.yaml``: 100 workspaces (and the default one), 30 days of
    usage on two models and three geos; a policy holding ``ws-00*`` to US-only;
    ``--days 30`` (a month).  Minimum: 4.
``enterprise-50k``
    ``examples/seeds/enterprise-50k.yaml``: 50,000 members, each with an override.
    Minimum: ``GET /me``, one listing of the non-user limits, 50 pages of the effective
    report at ``limit=1000`` = 52.

Targets: requests = minimum (one usage and one cost read per ≤ 31 days); the document and
each rendering of a Console report ≤ 1 s of CPU (a 100-workspace month), of the 50,000-member
Enterprise report ≤ 3 s.  Collected by ``make bench``
(``pytest -m bench``), never by ``make test``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CONSOLE_KEY,
    CONSOLE_ORG,
    ENTERPRISE_KEY,
    ENTERPRISE_ORG,
    ROOT,
    SEEDS,
    emulator,
    run_cli,
)

from reconciler.adminapi import AdminClient
from reconciler.adminapi.config import resolve_config
from reconciler.report import report_policy
from reconciler.report.render import RENDERERS

FORMATS = ("text", "json", "markdown", "csv", "html")
FAST = ("--admin-rpm", "100000", "--spend-rpm", "60000")


def _console_100_policy(root: Path) -> None:
    (root / "policy.yaml").write_text(
        f"version: 1\norganization: {{id: {CONSOLE_ORG}, kind: console, currency: USD}}\n"
        "workspace_rules:\n"
        '  - match: {name: "ws-00*"}\n'
        "    data_residency: {allowed_inference_geos: [us], default_inference_geo: us}\n"
    )


def _enterprise_policy(root: Path) -> None:
    (root / "policy.yaml").write_text(
        f"version: 1\norganization: {{id: {ENTERPRISE_ORG}, kind: enterprise, currency: USD}}\n"
    )


def _sample_policy(root: Path) -> None:
    for path in (ROOT / "policies").glob("*.yaml"):
        (root / path.name).write_bytes(path.read_bytes())


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: Path
    key: str
    write_policy: Callable[[Path], None]
    window: tuple[str, ...]
    minimum: int
    minimum_note: str
    render_target: float = 1.0  # CPU seconds for the document and for each rendering


SCENARIOS = {
    s.name: s
    for s in (
        Scenario(
            "console-example",
            SEEDS / "console.yaml",
            CONSOLE_KEY,
            _sample_policy,
            ("--days", "28"),
            4,
            "GET /me + 1 workspace listing + 1 usage query + 1 cost query",
        ),
        Scenario(
            "console-100",
            SEEDS / "console-100.yaml",
            CONSOLE_KEY,
            _console_100_policy,
            ("--days", "30"),
            4,
            "GET /me + 1 workspace listing + 1 usage query + 1 cost query",
        ),
        Scenario(
            "enterprise-50k",
            SEEDS / "enterprise-50k.yaml",
            ENTERPRISE_KEY,
            _enterprise_policy,
            (),
            2 + math.ceil(50_000 / 1000),
            "GET /me + 1 limits listing + 50 effective-report pages",
            render_target=3.0,
        ),
    )
}


def _in_process(scenario: Scenario, policy: Path, url: str) -> dict[str, Any]:
    """One read, then the document and every rendering timed (best of five)."""
    env = {"ANTHROPIC_ADMIN_API_KEY": scenario.key}
    config = resolve_config(api_url=url, admin_rpm=100000, spend_rpm=60000, env=env)
    days = int(scenario.window[1]) if scenario.window else None
    with httpx.Client(trust_env=False, timeout=60) as http:
        client = AdminClient.from_config(http, config)
        began = time.perf_counter()
        report = report_policy([policy], client, days=days)
        read = time.perf_counter() - began
    timings: dict[str, float] = {}

    def best(fn: Callable[[], object]) -> float:
        runs = []
        for _ in range(5):
            began = time.process_time()
            fn()
            runs.append(time.process_time() - began)
        return min(runs)

    timings["document"] = best(report.to_document)
    doc = report.to_document()
    for fmt in FORMATS:
        timings[fmt] = best(lambda fmt=fmt: RENDERERS[fmt](doc))  # type: ignore[misc]
    return {"read_wall": read, "render_cpu": timings}


def run(scenario: Scenario, workdir: Path) -> dict[str, Any]:
    policy = workdir / "policy"
    policy.mkdir()
    scenario.write_policy(policy)
    runs: dict[str, Any] = {}
    with emulator(scenario.seed, "--rate-scale", "1000") as emu:
        for fmt in FORMATS:
            emu.control("POST", "/_emulator/reset")
            out = workdir / f"report.{fmt}"
            cli = run_cli(
                [
                    "report",
                    str(policy),
                    *scenario.window,
                    "--format",
                    fmt,
                    "--out",
                    str(out),
                    "--api-url",
                    emu.url,
                    *FAST,
                ],
                key=scenario.key,
                workdir=workdir,
                name=f"report-{fmt}",
            )
            if cli.exit != 0:
                raise SystemExit(f"{scenario.name} {fmt}: exit {cli.exit}\n{cli.err()[-3000:]}")
            stats = emu.stats()
            runs[fmt] = {
                "requests": stats["requests_total"],
                "by_route": stats["by_route"],
                "wall": cli.wall,
                "cpu": cli.cpu,
                "peak_rss_mib": cli.peak_rss_mib,
                "bytes": out.stat().st_size,
            }
        emu.control("POST", "/_emulator/reset")
        inside = _in_process(scenario, policy, emu.url)
    return {"scenario": scenario.name, "runs": runs, **inside}


def report(scenario: Scenario, r: dict[str, Any]) -> None:
    ok = lambda good: "ok" if good else "MISSED"  # noqa: E731
    print(f"== {r['scenario']}  (minimum {scenario.minimum}: {scenario.minimum_note})")
    print(
        f"   {'format':<9} {'requests':>8} {'wall s':>7} {'cpu s':>6} {'peak MiB':>9} {'bytes':>10}"
    )
    for fmt, x in r["runs"].items():
        print(
            f"   {fmt:<9} {x['requests']:>8} {x['wall']:>7.2f} {x['cpu']:>6.2f} "
            f"{x['peak_rss_mib']:>9.0f} {x['bytes']:>10,}  "
            f"[{ok(x['requests'] == scenario.minimum)}]"
        )
    routes = r["runs"]["html"]["by_route"]
    for route, count in sorted(routes.items()):
        print(f"             {count:>5}  {route}")
    cpu = r["render_cpu"]
    print(
        "   render    "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in cpu.items())
        + f"  (CPU, best of 5; target ≤ {scenario.render_target:.0f} s each) "
        f"[{ok(max(cpu.values()) <= scenario.render_target)}]"
    )
    print(f"   read      {r['read_wall']:.2f} s wall, in process (emulator serving included)")
    print(f"   machine   {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")


def met(scenario: Scenario, r: dict[str, Any]) -> bool:
    return all(x["requests"] == scenario.minimum for x in r["runs"].values()) and (
        max(r["render_cpu"].values()) <= scenario.render_target
    )


@pytest.mark.bench
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_report(name: str, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    result = run(scenario, tmp_path)
    report(scenario, result)
    assert met(scenario, result), result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--keep", type=Path, help="Keep the policies and reports in DIR.")
    args = parser.parse_args()
    failures = 0
    for name in args.scenario or list(SCENARIOS):
        scenario = SCENARIOS[name]
        if args.keep:
            workdir = args.keep / name
            workdir.mkdir(parents=True, exist_ok=False)
            result = run(scenario, workdir)
        else:
            with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
                result = run(scenario, Path(tmp))
        report(scenario, result)
        failures += not met(scenario, result)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
