"""Run one generated case end to end against an emulator process, checking as it goes.

    check_case(case, workdir)

1. Start the emulator on the case's seed (``--rate-scale 1000``) and read its raw state.
2. Plan twice through the library with one fixed clock: the two documents must be
   byte-identical (determinism).
3. ``plan --out plan.json --format json`` through the CLI: no error, nothing blocked, the
   same changes as the library's plan.
4. ``apply plan.json --auto-approve --allow-archive --force``: exit 0, no 429, and the
   emulator saw exactly one write per applicable change, on the route that change needs.
5. The raw state again: every object that differs (value *or* ``updated_at``) is one the
   policy selects (an entry or a rule names it, or an authoritative mode covers it);
   verify-only rows never change; no two active workspaces share a name.
6. ``plan --detailed-exitcode`` exits 0: apply converged.

The raw state is read with plain HTTP, not with claude-policy's client, so a
misunderstanding shared by our reader and planner cannot hide a difference.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import yaml

from reconciler.adminapi import AdminClient
from reconciler.plan.planner import PlanOptions
from reconciler.plan.render.jsonout import dumps_document
from reconciler.workflow import plan_policy
from tests.convergence.cases import Case, console_selection, enterprise_selection
from tests.support.cli import Result, invoke
from tests.support.emulator import Emulator, running_emulator

FIXED_CLOCK = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
PREFIX = "/v1/organizations"

WRITE_ROUTES = {
    ("workspace", "create"): f"POST {PREFIX}/workspaces",
    ("workspace", "update"): f"POST {PREFIX}/workspaces/{{workspace_id}}",
    ("workspace", "archive"): f"POST {PREFIX}/workspaces/{{workspace_id}}/archive",
    ("spend_limit", "create"): f"POST {PREFIX}/spend_limits",
    ("spend_limit", "update"): f"POST {PREFIX}/spend_limits",
    ("spend_limit", "delete"): f"DELETE {PREFIX}/spend_limits/{{spend_limit_id}}",
}

RawState = dict[tuple[str, ...], dict[str, Any]]


class CaseFailed(AssertionError):
    pass


def _fail(case: Case, what: str, *results: Result) -> CaseFailed:
    shown = "".join(
        f"\n--- exit {r.code}\n{r.out[-4000:]}\n--- stderr\n{r.err[-4000:]}" for r in results
    )
    return CaseFailed(f"{what}{shown}\n{case!r}")


# --------------------------------------------------------------------------- raw state


def _get(http: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = http.get(PREFIX + path, params=params)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    assert not body.get("has_more") and not body.get("next_page"), f"{path}: more than a page"
    return body


def raw_state(emu: Emulator, key: str, kind: str) -> RawState:
    """Every workspace (by id), member (by id) and spend-limit row (by scope and period),
    exactly as the API returns them."""
    headers = {
        "x-api-key": key,
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "spend-limit-reads-2026-09-26",
    }
    state: RawState = {}
    with httpx.Client(base_url=emu.url, headers=headers, trust_env=False, timeout=30) as http:
        if kind == "console":
            body = _get(http, "/workspaces", limit=1000, include_archived="true")
            for ws in body["data"]:
                state[("workspace", ws["id"])] = ws
        else:
            for user in _get(http, "/users", limit=1000)["data"]:
                state[("user", user["id"])] = user
        for row in _get(http, "/spend_limits", limit=1000)["data"]:
            scope = row["scope"]
            target = next((str(v) for k, v in sorted(scope.items()) if k != "type"), "")
            state[("spend_limit", scope["type"], target, row["period"])] = row
    return state


def _changed(before: RawState, after: RawState) -> list[tuple[str, ...]]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# --------------------------------------------------------------------------- checks


def _library_plans_match(emu: Emulator, case: Case, policy: Path) -> dict[str, Any]:
    """Plan twice through the library with one clock; return the document."""
    texts = []
    with httpx.Client(trust_env=False, timeout=30) as http:
        for _ in range(2):
            client = AdminClient(http, case.key, base_url=emu.url, admin_rpm=1e5, spend_rpm=6e4)
            run = plan_policy([policy], client, options=PlanOptions(now=FIXED_CLOCK))
            texts.append(dumps_document(run.plan.to_document()))
    if texts[0] != texts[1]:
        raise CaseFailed(f"two plans of one state differ\n{texts[0]}\n{texts[1]}\n{case!r}")
    doc: dict[str, Any] = json.loads(texts[0])
    return doc


def _expected_writes(doc: dict[str, Any]) -> Counter[str]:
    expected: Counter[str] = Counter()
    for change in doc["changes"]:
        route = WRITE_ROUTES.get((change["resource_type"], change["action"]))
        if route is not None:
            expected[route] += 1
    return expected


def _writes(before: dict[str, Any], after: dict[str, Any]) -> Counter[str]:
    seen: Counter[str] = Counter()
    for route, count in after["by_route"].items():
        if not route.startswith("GET "):
            seen[route] = count - before["by_route"].get(route, 0)
    return +seen


def _check_touched(case: Case, before: RawState, after: RawState) -> list[str]:
    """Objects that changed although the policy does not select them."""
    wrong: list[str] = []
    changed = _changed(before, after)
    if case.kind == "console":
        sel = console_selection(case)
        new_ids = {k[1] for k in changed if k[0] == "workspace" and k not in before}
        for key in changed:
            if key[0] == "workspace":
                wid = key[1]
                if key not in before:
                    if after[key]["name"] not in sel.new_names:
                        wrong.append(f"created {after[key]['name']!r}, which no entry declares")
                elif wid not in sel.workspace_ids:
                    wrong.append(f"changed workspace {wid}, which nothing selects")
                elif key in after and before[key].get("archived_at") != after[key].get(
                    "archived_at"
                ):
                    if wid not in sel.archivable:
                        wrong.append(f"archived {wid} without `archived: true`")
                elif key not in after:
                    wrong.append(f"workspace {wid} disappeared")
            elif key[0] == "spend_limit":
                _, scope, target, _period = key
                if scope == "organization" and sel.org_row:
                    continue
                if scope == "workspace" and (target in sel.workspace_ids or target in new_ids):
                    continue
                wrong.append(f"changed spend limit {key[1:]}, which nothing selects")
    else:
        selected = enterprise_selection(case)
        emails = {k[1]: v["email"].lower() for k, v in before.items() if k[0] == "user"}
        for key in changed:
            if key[0] == "spend_limit" and key[1] == "user":
                row = (emails.get(key[2], key[2]), key[3])
                if selected is None or row in selected:
                    continue
                wrong.append(f"changed the {row[1]} override of {row[0]}, which nothing selects")
            else:
                wrong.append(f"changed {key}, which the API key may not write or nothing selects")
    if case.kind == "console":
        names = Counter(
            ws["name"]
            for k, ws in after.items()
            if k[0] == "workspace" and not ws.get("archived_at")
        )
        wrong += [
            f"{count} active workspaces named {n!r}" for n, count in names.items() if count > 1
        ]
    return wrong


# --------------------------------------------------------------------------- the run


def check_case(case: Case, workdir: Path) -> dict[str, Any]:
    """Run every check; return the plan that was applied."""
    seed = workdir / "seed.json"
    seed.write_text(json.dumps(case.seed), encoding="utf-8")
    policy = workdir / "policy"
    policy.mkdir()
    (policy / "policy.yaml").write_text(yaml.safe_dump(case.policy, sort_keys=False), "utf-8")
    plan_file = workdir / "plan.json"
    with running_emulator(seed, "--rate-scale", "1000") as emu:
        before = raw_state(emu, case.key, case.kind)
        library_doc = _library_plans_match(emu, case, policy)

        planned = invoke(
            ["plan", str(policy), "--out", str(plan_file), "--format", "json"],
            url=emu.url,
            key=case.key,
        )
        if planned.code != 0:
            raise _fail(case, "plan did not succeed", planned)
        doc = json.loads(plan_file.read_text("utf-8"))
        if doc["changes"] != library_doc["changes"]:
            raise _fail(case, "the CLI's plan differs from the library's", planned)

        stats_before = emu.stats()
        applied = invoke(
            ["apply", str(plan_file), "--auto-approve", "--allow-archive", "--force"],
            url=emu.url,
            key=case.key,
        )
        if applied.code != 0:
            raise _fail(case, "apply did not succeed", planned, applied)
        stats_after = emu.stats()
        after = raw_state(emu, case.key, case.kind)

        if stats_after["by_status"].get("429", 0):
            raise _fail(case, "the apply provoked a 429", applied)
        seen, expected = _writes(stats_before, stats_after), _expected_writes(doc)
        if seen != expected:
            raise _fail(case, f"writes {dict(seen)} != one per change {dict(expected)}", applied)
        wrong = _check_touched(case, before, after)
        if wrong:
            raise _fail(
                case,
                "apply touched what the policy does not select:\n  " + "\n  ".join(wrong),
                planned,
            )

        again = invoke(["plan", str(policy), "--detailed-exitcode"], url=emu.url, key=case.key)
        if again.code != 0:
            raise _fail(
                case, "plan after apply still has changes (or failed)", planned, applied, again
            )
    return doc
