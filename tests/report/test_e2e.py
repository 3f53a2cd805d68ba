"""``claude-policy report`` end to end: the real CLI against the emulator process over a
socket, checked against figures computed by hand from the seeds (:mod:`tests.report.expected`).

The Console example seed has 28 days of usage, days −28 … −1 relative to the emulator's
today; reports read ``--days 29`` so that the figures hold even when the emulator and the
command see different dates around midnight.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from reconciler.schemas import load as load_schema
from tests.conftest import REPO, SEEDS
from tests.report.expected import (
    GEO_CENTS,
    GEO_TOKENS,
    PREMIUM_CENTS,
    TOTAL_CENTS,
    WORKSPACE_CENTS,
)
from tests.support.cli import CONSOLE_KEY, ENTERPRISE_KEY, Result, invoke
from tests.support.emulator import Emulator, running_emulator

D = Decimal


@pytest.fixture(scope="module")
def console() -> Iterator[Emulator]:
    with running_emulator(SEEDS / "console.yaml", "--rate-scale", "100") as emu:
        yield emu


@pytest.fixture(scope="module")
def enterprise() -> Iterator[Emulator]:
    with running_emulator(SEEDS / "enterprise.yaml", "--rate-scale", "100") as emu:
        yield emu


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def fresh(emu: Emulator) -> Emulator:
    assert emu.control("POST", "reset").status_code == 200
    return emu


def report(emu: Emulator, key: str, *args: str) -> Result:
    return invoke(["report", *args], url=emu.url, key=key)


def console_report(emu: Emulator, *args: str) -> Result:
    return report(emu, CONSOLE_KEY, str(REPO / "policies"), *args)


def enterprise_report(emu: Emulator, *args: str) -> Result:
    return report(emu, ENTERPRISE_KEY, str(REPO / "examples" / "enterprise"), *args)


def routes(emu: Emulator) -> dict[str, int]:
    return dict(emu.stats()["by_route"])


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- Console


def test_console_figures_equal_the_hand_computed_ones(console: Emulator) -> None:
    result = console_report(fresh(console), "--days", "29", "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    jsonschema.validate(doc, load_schema("report"))
    c = doc["console"]
    assert D(c["totals"]["cost_cents"]) == TOTAL_CENTS
    assert D(c["totals"]["us_premium_cents"]) == PREMIUM_CENTS.quantize(D("0.000001"))
    by_ws = {w["workspace"]: D(w["cost_cents"]) for w in c["by_workspace"]}
    assert by_ws == WORKSPACE_CENTS
    by_geo = {g["inference_geo"] or "": D(g["cost_cents"]) for g in c["by_geo"]}
    assert by_geo == GEO_CENTS
    tokens = {g["inference_geo"]: g["tokens"]["total_tokens"] for g in c["by_geo"]}
    assert {k: tokens[k] for k in GEO_TOKENS} == GEO_TOKENS
    held = {h["workspace"]: h for h in c["held"]}
    assert held["claims-processing"]["global_share_percent"] == "95.66"  # 283.64M of 296.52M
    assert held["claims-processing"]["global_tokens"] == 283_640_000
    assert held["patient-portal"]["global_share_percent"] == "0.00"
    assert held["fraud-detection"]["workspace_id"] is None  # the policy would create it
    assert doc["requests"] == 4


def test_console_reads_one_usage_and_one_cost_query(console: Emulator) -> None:
    result = console_report(fresh(console), "--days", "29", "--format", "csv")
    assert result.code == 0, result.err
    assert routes(console) == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/workspaces": 1,
        "GET /v1/organizations/usage_report/messages": 1,
        "GET /v1/organizations/cost_report": 1,
    }


def test_the_csv_is_the_finance_export(console: Emulator) -> None:
    result = console_report(fresh(console), "--days", "29", "--format", "csv")
    assert result.code == 0, result.err
    header = result.out.splitlines()[0]
    assert header == (
        "date,workspace_id,workspace,model,inference_geo,uncached_input_tokens,"
        "cache_read_input_tokens,cache_creation_input_tokens,output_tokens,cost_usd"
    )
    rows = csv_rows(result.out)
    assert len(rows) == 7 * 28 + 14 + 10
    by_geo: dict[str, Decimal] = defaultdict(Decimal)
    by_ws: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        by_geo[row["inference_geo"]] += D(row["cost_usd"])
        by_ws[row["workspace"]] += D(row["cost_usd"])
    assert dict(by_geo) == {geo: cents / 100 for geo, cents in GEO_CENTS.items()}
    assert dict(by_ws) == {ws: cents / 100 for ws, cents in WORKSPACE_CENTS.items()}
    assert sum(by_ws.values()) == TOTAL_CENTS / 100  # to the cent and beyond: exact
    portal = next(r for r in rows if r["workspace"] == "patient-portal")
    assert (portal["model"], portal["inference_geo"], portal["cost_usd"]) == (
        "claude-sonnet-4-6",
        "us",
        "10.857",
    )
    assert (portal["uncached_input_tokens"], portal["cache_read_input_tokens"]) == (
        "1600000",
        "900000",
    )
    default = next(r for r in rows if r["workspace"] == "Default")
    assert default["workspace_id"].startswith("wrkspc_")  # the null id, mapped


def test_text_and_markdown_say_the_same_figures(console: Emulator) -> None:
    text = console_report(fresh(console), "--days", "29")
    assert text.code == 0, text.err
    assert "$1,890.33" in text.out and "US-only premium   $31.54" in text.out
    assert "95.66% global" in text.out and "claude-policy audit" in text.out
    md = console_report(console, "--days", "29", "--format", "markdown")
    assert md.code == 0, md.err
    assert md.out.startswith("### 💰 claude-policy report — Acme Health (console), the last 29")
    assert "| **$1,890.33** | 512,360,000 | $31.54 | 1 of 3 |" in md.out
    assert "```mermaid\npie showData title Cost by inference geo (USD)" in md.out
    assert '    "global" : 1470.63' in md.out
    assert "```mermaid\nxychart-beta" in md.out


def test_out_writes_the_file_and_nothing_else(console: Emulator, tmp_path: Path) -> None:
    result = console_report(fresh(console), "--days", "29", "--format", "html", "--out", "r.html")
    assert result.code == 0, result.err
    assert result.out == ""
    page = (tmp_path / "r.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert 'id="total-cost">$1,890.33<' in page


def test_out_through_a_symlink_replaces_its_target(console: Emulator, tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "latest.csv").write_text("old\n")
    (tmp_path / "latest.csv").symlink_to("reports/latest.csv")
    result = console_report(
        fresh(console), "--days", "29", "--format", "csv", "--out", "latest.csv"
    )
    assert result.code == 0, result.err
    assert (tmp_path / "latest.csv").is_symlink()
    assert (tmp_path / "reports" / "latest.csv").read_text().startswith("date,workspace_id,")


def test_out_to_a_pipe_is_written_through(console: Emulator, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    try:
        result = console_report(fresh(console), "--days", "29", "--format", "markdown",
                                "--out", str(fifo))  # fmt: skip
    finally:
        if reader.is_alive():  # never leave the reader blocked on an unopened pipe
            with fifo.open("wb"):
                pass
        reader.join(10)
    assert result.code == 0, result.err
    assert received[0].decode().startswith("### 💰 claude-policy report")
    assert fifo.exists() and stat.S_ISFIFO(fifo.stat().st_mode)


# --------------------------------------------------------------------------- windows


def _month_seed(tmp_path: Path) -> Path:
    """The example org with usage on fixed dates around March 2025, and 45 days ago."""
    seed = yaml.safe_load((SEEDS / "console.yaml").read_text())
    row = {
        "workspace": "marketing-copy",
        "model": "claude-sonnet-4-6",
        "inference_geo": "global",
        "input_tokens": 1_000_000,
        "output_tokens": 0,
    }  # $3
    seed["usage"] = [
        {**row, "date": "2025-02-28", "hour": 23},
        {**row, "date": "2025-03-01", "hour": 0},
        {**row, "date": "2025-03-31", "hour": 23, "input_tokens": 2_000_000},
        {**row, "date": "2025-04-01", "hour": 0},
        {**row, "date": -45, "input_tokens": 5_000_000},
        {**row, "date": -3, "input_tokens": 7_000_000},
    ]  # fmt: skip
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    return path


def test_a_calendar_month_covers_its_days_and_no_others(tmp_path: Path) -> None:
    with running_emulator(_month_seed(tmp_path), "--rate-scale", "100") as emu:
        result = console_report(emu, "--month", "2025-03", "--format", "json")
        assert result.code == 0, result.err
        c = result.json()["console"]
        assert c["window"]["starting_at"] == "2025-03-01T00:00:00Z"
        assert c["window"]["ending_at"] == "2025-04-01T00:00:00Z"
        assert (c["window"]["days"], c["window"]["complete"]) == (31, True)
        assert D(c["totals"]["cost_cents"]) == 300 + 600
        assert sorted({r["date"] for r in c["rows"]}) == ["2025-03-01", "2025-03-31"]
        assert len(c["daily"]) == 31
        assert routes(emu)["GET /v1/organizations/usage_report/messages"] == 1

        # 62 days: two pages of each report (31 daily buckets a page), nothing twice.
        fresh(emu)
        result = console_report(emu, "--days", "62", "--format", "json")
        assert result.code == 0, result.err
        assert D(result.json()["console"]["totals"]["cost_cents"]) == 1500 + 2100
        counted = routes(emu)
        assert counted["GET /v1/organizations/usage_report/messages"] == 2
        assert counted["GET /v1/organizations/cost_report"] == 2
        assert result.json()["requests"] == 6


# --------------------------------------------------------------------------- Enterprise


def test_enterprise_spend_against_caps(enterprise: Emulator) -> None:
    emu = fresh(enterprise)
    for email, amount in (("heidi@globex.example", "10000"), ("frank@globex.example", "8000")):
        body = {"email": email, "period": "monthly", "amount": amount}
        assert emu.control("POST", "spend", json=body).status_code == 200
    stats_before = emu.stats()["requests_total"]
    result = enterprise_report(emu, "--format", "json")
    assert result.code == 0, result.err
    doc = result.json()
    jsonschema.validate(doc, load_schema("report"))
    e = doc["enterprise"]
    members = {(m["email"], m["period"]): m for m in e["members"]}
    expected = {
        ("bob@globex.example", "monthly"): ("75000", "61000", "81.33", True, False),
        ("ivan@contractors.globex.example", "monthly"): ("20000", "15000", "75.00", False, False),
        ("heidi@globex.example", "monthly"): ("10000", "10000", "100.00", True, True),
        ("frank@globex.example", "monthly"): ("10000", "8000", "80.00", True, False),
        ("alice@globex.example", "monthly"): (None, "12050.5", None, False, False),
        ("carol@globex.example", "daily"): ("6000", "2000", "33.33", False, False),
        ("dan@globex.example", "monthly"): ("150000", "0", "0.00", False, False),
    }
    got = {
        k: (m["cap"], m["spent"], m["percent_used"], m["at_80"], m["at_100"])
        for k, m in members.items()
        if k in expected
    }
    assert got == expected
    monthly = next(p for p in e["periods"] if p["period"] == "monthly")
    assert (monthly["members"], monthly["at_80"], monthly["at_100"]) == (12, 3, 1)
    # Headroom: every capped member's cap − spent, never below zero (alice has no cap).
    caps_left = 140_00 + 50_00 + 1500_00 * 2 + 500_00 + 100_00 * 6 - 100_00 - 80_00
    assert D(monthly["headroom"]) == caps_left
    sources = {(s["period"], s["label"]): (s["members"], s["at_80"], s["at_100"])
               for s in e["by_source"]}  # fmt: skip
    assert sources[("monthly", "seat tier enterprise_standard")] == (6, 2, 1)
    assert sources[("monthly", "group research")] == (2, 0, 0)
    assert sources[("monthly", "own override")] == (3, 1, 0)
    # The projection is the straight line through spend so far.
    as_of = datetime.fromisoformat(e["as_of"].replace("Z", "+00:00"))
    start = datetime.fromisoformat(monthly["starting_at"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(monthly["ending_at"].replace("Z", "+00:00"))
    line = D(61000) * D((end - start).total_seconds()) / D((as_of - start).total_seconds())
    bob = D(members[("bob@globex.example", "monthly")]["projected"])
    assert abs(bob - line) / line < D("0.0001")
    # /me, the non-user limits, one page of the effective report, the group names.
    assert emu.stats()["requests_total"] - stats_before == 4
    assert routes(emu) == {
        "GET /v1/organizations/me": 1,
        "GET /v1/organizations/spend_limits": 1,
        "GET /v1/organizations/spend_limits/effective": 1,
        "GET /v1/organizations/rbac_groups": 1,
    }


def test_the_enterprise_csv_has_one_row_per_member_and_period(enterprise: Emulator) -> None:
    result = enterprise_report(fresh(enterprise), "--format", "csv")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        "email,seat_tier,groups,period,cap_usd,spent_usd,percent_used,projected_usd"
    )
    rows = {(r["email"], r["period"]): r for r in csv_rows(result.out)}
    assert len(rows) == 13  # 12 members monthly, carol daily too
    bob = rows[("bob@globex.example", "monthly")]
    assert (bob["cap_usd"], bob["spent_usd"], bob["percent_used"]) == ("750.00", "610.00", "81.33")
    alice = rows[("alice@globex.example", "monthly")]
    assert (alice["cap_usd"], alice["spent_usd"], alice["percent_used"]) == ("", "120.505", "")
    assert rows[("dan@globex.example", "monthly")]["groups"] == "research"
    assert rows[("oscar@globex.example", "monthly")]["seat_tier"] == "enterprise_standard"
    assert rows[("carol@globex.example", "daily")]["cap_usd"] == "60.00"


def test_without_an_organization_row_members_are_listed_too(tmp_path: Path) -> None:
    """No organization row: the effective report lists only members something caps, so
    the members are listed as well (the plan's read), and the others have no cap."""
    seed = yaml.safe_load((SEEDS / "enterprise.yaml").read_text())
    seed["spend_limits"] = [
        {"scope": {"type": "seat_tier", "seat_tier": "enterprise_standard"}, "amount": "10000"}
    ]
    seed["spend"] = {"bob@globex.example": {"monthly": "9000"}}
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    with running_emulator(path, "--rate-scale", "100") as emu:
        result = enterprise_report(emu, "--format", "json")
        assert result.code == 0, result.err
        e = result.json()["enterprise"]
        (monthly,) = e["periods"]
        standard = sum(1 for u in seed["users"] if u["seat_tier"] == "enterprise_standard")
        assert (monthly["members"], monthly["capped"]) == (standard, standard)
        assert monthly["uncapped"] == monthly["uncapped_without_row"] == 12 - standard
        assert (monthly["at_80"], e["members_total"]) == (1, 12)
        assert routes(emu) == {
            "GET /v1/organizations/me": 1,
            "GET /v1/organizations/spend_limits": 1,
            "GET /v1/organizations/users": 1,
            "GET /v1/organizations/spend_limits/effective": 1,
        }


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--month", "2025-03", "--days", "3"], 64, "--month and --days cannot be combined"),
        (["--month", "March"], 64, "invalid month 'March'"),
        (["--month", "2999-01"], 64, "has not begun yet"),
        (["--days", "0"], 64, "--days"),
        (["--format", "pdf"], 64, "'pdf' is not one of"),
        (
            ["--out", "no/such/dir/r.csv"],
            1,
            "no/such/dir/r.csv: cannot write: no such file or directory",
        ),
    ],
)
def test_bad_requests_fail_before_any_request(
    console: Emulator, args: list[str], code: int, message: str
) -> None:
    fresh(console)
    result = console_report(console, *args)
    assert result.code == code, result.out + result.err
    assert message in result.err
    assert "Traceback" not in result.err and result.out == ""
    assert console.stats()["requests_total"] == 0


def test_an_enterprise_report_has_no_usage_window(enterprise: Emulator) -> None:
    result = enterprise_report(fresh(enterprise), "--days", "30")
    assert result.code == 64
    assert "an Enterprise report shows each member's spend in the current period" in result.err
    assert enterprise.stats()["requests_total"] == 0


def test_a_key_for_another_organization_is_refused(console: Emulator, tmp_path: Path) -> None:
    policies = tmp_path / "other"
    policies.mkdir()
    (policies / "org.yaml").write_text(
        "version: 1\norganization: {id: 00000000-0000-4000-8000-000000000000, kind: console}\n"
    )
    result = report(fresh(console), CONSOLE_KEY, str(policies), "--days", "3")
    assert result.code == 1
    assert "refusing to read or change another organization" in result.err
    assert console.stats()["by_route"] == {"GET /v1/organizations/me": 1}


def test_the_key_never_appears_in_any_output(console: Emulator) -> None:
    fresh(console)
    for fmt in ("text", "json", "markdown", "csv", "html"):
        result = console_report(console, "--days", "29", "--format", fmt)
        assert result.code == 0, result.err
        assert CONSOLE_KEY not in result.out + result.err


def test_two_reports_into_one_file_at_once_leave_a_whole_file(
    console: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    command = [sys.executable, "-m", "reconciler", "report", str(REPO / "policies"),
               "--days", "29", "--format", "json", "--out", str(out)]  # fmt: skip
    env = {"ANTHROPIC_ADMIN_API_KEY": CONSOLE_KEY, "ANTHROPIC_BASE_URL": console.url,
           "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}  # fmt: skip
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err.decode()
    doc: dict[str, Any] = json.loads(out.read_text("utf-8"))
    assert D(doc["console"]["totals"]["cost_cents"]) == TOTAL_CENTS
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
