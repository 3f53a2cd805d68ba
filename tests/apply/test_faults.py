"""Apply under injected faults: it converges, never duplicates a workspace, and writes
nothing the plan did not list.

The emulator fails 20 % of requests before doing anything (500, 529, 429 or a dropped
connection) and loses the answer to 20 % of the writes it carries out
(``--fault-after-write-rate``), reproducibly from ``--fault-seed``.  For each seed,
``apply --policies … --auto-approve`` runs until ``plan --detailed-exitcode`` says there
is nothing left, at most three times.  After every run the workspaces are listed with the
SDK: each name is active once at most.  At the end the organization must equal the seed
with the first plan's changes applied — nothing else — and the write routes the emulator
saw must all be routes the plan's actions use.

Waits between retries are shortened for these tests (:class:`QuickBackoff`); what is
retried, and how often, is the client's own logic.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.adminapi import client as client_module
from reconciler.adminapi.retry import Backoff
from tests.apply.conftest import (
    CONSOLE_KEY,
    CONSOLE_POLICY,
    CONSOLE_SEED,
    ENTERPRISE_KEY,
    ENTERPRISE_POLICY,
    ENTERPRISE_SEED,
    FAST,
    CliFor,
    writes,
)
from tests.apply.orgstate import State, read_state
from tests.support.emulator import Emulator

FAULTS = ("--fault-rate", "0.2", "--fault-after-write-rate", "0.2")
MAX_RUNS = 3

# The sample policy plus four more workspaces to create, each with a limit, and one to
# archive (a retried archive is refused by the API: the client must see it is done).
MORE_WORKSPACES = """\
version: 1
workspaces:
{entries}
  legacy-prototype: {{archived: true}}
"""
NEW = [f"intake-{n}" for n in ("a", "b", "c", "d")]


class QuickBackoff(Backoff):
    """The client's backoff with waits cut to milliseconds (retry-after included)."""

    def __init__(self, **_: Any) -> None:
        super().__init__(base=0.002, cap=0.01, retry_after_cap=0.01)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(client_module, "Backoff", QuickBackoff)
    yield


def console_policy(tmp_path: Path) -> Path:
    policy = tmp_path / "policy"
    shutil.copytree(CONSOLE_POLICY, policy)
    entries = "\n".join(
        f"  {name}:\n    tags: {{team: intake, slot: {name[-1]}}}\n"
        f"    spend_limits: {{monthly: {100 * (i + 1)}}}"
        for i, name in enumerate(NEW)
    )
    (policy / "more.yaml").write_text(MORE_WORKSPACES.format(entries=entries))
    return policy


def intended(before: State, doc: dict[str, Any]) -> dict[str, Any]:
    """The seed's objects with the plan's changes applied (ids left out)."""
    out = before.without_ids()
    for change in doc["changes"]:
        address, after = change["address"], change["after"]
        if change["action"] in ("delete", "archive"):
            out.pop(address, None)  # gone, or no longer among the active workspaces
        elif change["resource_type"] == "workspace":
            residency = dict(after["data_residency"])
            out[address] = {"data_residency": residency, "tags": after["tags"]}
        elif change["action"] in ("create", "update"):
            out[address] = after["amount"]
    return out


def routes_for(doc: dict[str, Any]) -> set[str]:
    """The write routes a plan's actions may use."""
    base = "/v1/organizations"
    routes: set[str] = set()
    for change in doc["changes"]:
        action, kind = change["action"], change["resource_type"]
        if kind == "workspace" and action == "create":
            routes.add(f"POST {base}/workspaces")
        elif kind == "workspace" and action == "update":
            routes.add(f"POST {base}/workspaces/{{workspace_id}}")
        elif kind == "workspace" and action == "archive":
            routes.add(f"POST {base}/workspaces/{{workspace_id}}/archive")
        elif action == "delete":
            routes.add(f"DELETE {base}/spend_limits/{{spend_limit_id}}")
        else:
            routes.add(f"POST {base}/spend_limits")
    return routes


def converge(
    emulator: Emulator, cli_for: CliFor, key: str, policy: Path, tmp: Path, *, saved: bool
) -> int:
    """Apply until nothing is left; return how many applies it took.

    Each run plans first (``plan --out``), then applies that saved plan or, with ``saved``
    false, ``--policies … --auto-approve`` (which plans the same changes from the same
    state).  After every run: the report accounts for every change of the plan, no
    workspace name is active twice, and the next plan holds only what failed or was
    skipped."""
    cli = cli_for(emulator, key)
    for run in range(1, MAX_RUNS + 1):
        plan_file, report_file = tmp / f"plan-{run}.json", tmp / f"report-{run}.json"
        planned = cli("plan", policy, "--out", plan_file)
        assert planned.code == 0, planned
        doc = json.loads(plan_file.read_text())
        if saved:
            applied = cli("apply", plan_file, "--allow-archive", "--report", report_file)
        else:
            applied = cli(
                "apply",
                *("--policies", policy, "--auto-approve", "--allow-archive"),
                *("--report", report_file),
            )
        assert report_file.exists(), applied  # every apply that starts writing reports
        report = json.loads(report_file.read_text())
        check_report(doc, report)
        assert applied.code == (1 if report["failed"] else 0), applied
        assert read_state(emulator, key).duplicates() == {}
        left = cli("plan", policy, "--detailed-exitcode", "--format", "json")
        assert left.code in (0, 2), left
        if left.code == 0:
            return run
        remaining = {c["address"] for c in json.loads(left.out)["changes"]}
        failed = {f["address"] for f in report["failed"]}
        definite = {f["address"] for f in report["failed"] if 400 <= f["status"] < 500}
        assert definite | set(report["skipped"]) <= remaining <= failed | set(report["skipped"])
    raise AssertionError(f"not converged after {MAX_RUNS} applies:\n{left}")


def check_report(doc: dict[str, Any], report: dict[str, Any]) -> None:
    """Every applicable change is applied, failed or skipped (once, in plan order); a
    skipped change depends on one that did not happen."""
    changes = [
        c for c in doc["changes"] if c["action"] in ("create", "update", "delete", "archive")
    ]
    failed = [f["address"] for f in report["failed"]]
    done = report["applied"] + failed + report["skipped"]
    assert sorted(done) == sorted(c["address"] for c in changes)
    order = [c["address"] for c in changes]
    assert report["applied"] == [a for a in order if a in report["applied"]]
    for change in changes:
        if change["address"] in report["skipped"]:
            assert set(change["depends_on"]) & {*failed, *report["skipped"]}, change["address"]
    for failure in report["failed"]:
        assert set(failure) == {"address", "status", "error_type", "message", "request_id"}
        assert isinstance(failure["status"], int) and failure["error_type"] and failure["message"]
    assert report["not_attempted"] == [
        c["address"] for c in doc["changes"] if c["action"] == "manual"
    ]


@pytest.mark.parametrize("fault_seed", range(1, 11))
def test_console_converges_under_faults(
    start_emulator: Any, cli_for: CliFor, tmp_path: Path, fault_seed: int
) -> None:
    emulator = start_emulator(CONSOLE_SEED, *FAST, *FAULTS, "--fault-seed", str(fault_seed))
    policy = console_policy(tmp_path)
    before = read_state(emulator, CONSOLE_KEY)

    runs = converge(emulator, cli_for, CONSOLE_KEY, policy, tmp_path, saved=fault_seed % 2 == 0)

    doc = json.loads((tmp_path / "plan-1.json").read_text())
    creates = [c for c in doc["changes"] if c["action"] == "create"]
    assert sum(c["resource_type"] == "workspace" for c in creates) == 5

    after = read_state(emulator, CONSOLE_KEY)
    assert after.duplicates() == {}
    active = {*before.active_names, "fraud-detection", *NEW} - {"legacy-prototype"}
    assert sorted(after.active_names) == sorted(active)
    assert sorted(after.archived) == ["legacy-prototype", "retired-pilot"]
    assert after.without_ids() == intended(before, doc)
    # Workspaces that stay keep their ids: nothing was re-created or replaced.
    for address, value in before.objects.items():
        if address.startswith("workspace:") and address != "workspace:legacy-prototype":
            assert after.objects[address]["id"] == value["id"]
    assert set(writes(emulator.stats())) <= routes_for(doc)
    print(f"fault seed {fault_seed}: converged after {runs} apply run(s)")


@pytest.mark.parametrize("fault_seed", range(1, 6))
def test_enterprise_converges_under_faults(
    start_emulator: Any, cli_for: CliFor, tmp_path: Path, fault_seed: int
) -> None:
    emulator = start_emulator(ENTERPRISE_SEED, *FAST, *FAULTS, "--fault-seed", str(fault_seed))
    before = read_state(emulator, ENTERPRISE_KEY)

    runs = converge(
        emulator, cli_for, ENTERPRISE_KEY, ENTERPRISE_POLICY, tmp_path, saved=fault_seed % 2 == 0
    )

    doc = json.loads((tmp_path / "plan-1.json").read_text())
    assert {c["action"] for c in doc["changes"]} == {"create", "update", "delete"}

    after = read_state(emulator, ENTERPRISE_KEY)
    assert after.objects == intended(before, doc)
    assert set(writes(emulator.stats())) <= routes_for(doc)
    print(f"fault seed {fault_seed}: converged after {runs} apply run(s)")
