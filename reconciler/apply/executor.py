"""Writing a reviewed plan: one call per change, in the plan's order.

* Ids of workspaces created in this run are filled into the limits that name them.
* A failed change does not stop independent ones; changes that depend on it are skipped.
* Only idempotent requests are retried (by the client).  A workspace create whose outcome
  is unknown is resolved by re-reading the workspace list — never by resending blindly —
  so a workspace is never duplicated; only when the list shows it was not created is it
  sent again (a bounded number of times).
* A stop request (Ctrl-C, SIGTERM) lets the request in flight finish; the rest is skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reconciler.adminapi import AdminClient
from reconciler.apply.report import ApplyReport, Failure
from reconciler.errors import ApiError, UnknownOutcome
from reconciler.plan.model import Action

# Rounds of "create; outcome unknown; re-list; not there" before a create is reported failed.
CREATE_ATTEMPTS = 3


@dataclass
class Progress:
    done: int
    total: int
    elapsed: float
    address: str
    pacing_left: float | None = None  # what the pacer says the rest needs, in seconds

    @property
    def rate_per_min(self) -> float:
        return 60.0 * self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining_seconds(self) -> float | None:
        """The pacer's figure when known (a fresh minute's burst makes the rate so far a
        poor guide), else the rate so far carried forward."""
        if self.pacing_left is not None:
            return self.pacing_left
        if not self.done or self.elapsed <= 0:
            return None
        return (self.total - self.done) * self.elapsed / self.done


def execute(
    doc: dict[str, Any],
    writer: AdminClient,
    *,
    stop: threading.Event | None = None,
    progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ApplyReport:
    """Write every applicable change of ``doc`` in order; never raises for a change.

    A set ``stop`` lets the change in flight finish and skips the rest.  A
    ``KeyboardInterrupt`` (a second Ctrl-C) stops at once: the change in flight is
    reported failed with an unknown outcome, the rest skipped — the report is still whole.
    """
    report = ApplyReport()
    report.not_attempted = [c["address"] for c in doc["changes"] if c["action"] == "manual"]
    todo = [c for c in doc["changes"] if Action(c["action"]).applicable]
    created: dict[str, str] = {}
    unavailable: set[str] = set()  # failed or skipped: their dependants cannot run
    started = clock()
    in_flight: str | None = None
    spend_left = sum(1 for c in todo if c["resource_type"] == "spend_limit")
    try:
        for index, change in enumerate(todo):
            address = change["address"]
            if stop is not None and stop.is_set():
                report.interrupted = True
                break
            missing = [d for d in change.get("depends_on") or [] if d in unavailable]
            if missing:
                report.skipped.append(address)
                report.notes.append(f"{address} skipped: {', '.join(missing)} was not applied")
                unavailable.add(address)
            else:
                in_flight = address
                try:
                    _apply_one(change, writer, created)
                except ApiError as error:
                    report.failed.append(Failure.from_error(address, error))
                    unavailable.add(address)
                else:
                    report.applied.append(address)
                in_flight = None
            spend_left -= change["resource_type"] == "spend_limit"
            if progress is not None:
                left = {"admin": len(todo) - index - 1, "spend": spend_left}
                progress(
                    Progress(
                        index + 1,
                        len(todo),
                        clock() - started,
                        address,
                        writer.pacer.seconds_for(left),
                    )
                )
    except KeyboardInterrupt:
        report.interrupted = True
        if in_flight is not None:
            report.failed.append(Failure.interrupted(in_flight))
    accounted = {*report.applied, *report.skipped, *(f.address for f in report.failed)}
    report.skipped += [c["address"] for c in todo if c["address"] not in accounted]
    return report


def _apply_one(change: dict[str, Any], writer: AdminClient, created: dict[str, str]) -> None:
    action = change["action"]
    if change["resource_type"] == "workspace":
        if action == Action.CREATE.value:
            created[change["address"]] = _create_workspace(change, writer)
        elif action == Action.UPDATE.value:
            writer.update_workspace(change["id"], workspace_update_body(change))
        elif action == Action.ARCHIVE.value:
            writer.archive_workspace(change["id"])
        return
    if action == Action.DELETE.value:
        _delete_limit(change["id"], writer)
        return
    after = change["after"]
    scope = dict(after["scope"])
    if scope.get("type") == "workspace" and not scope.get("workspace_id"):
        scope["workspace_id"] = created[change["depends_on"][0]]
    writer.set_spend_limit(scope, after["period"], after["amount"])


def workspace_create_body(change: dict[str, Any]) -> dict[str, Any]:
    after = change["after"]
    body: dict[str, Any] = {"name": after["name"], "data_residency": after["data_residency"]}
    if after.get("tags"):
        body["tags"] = after["tags"]
    return body


def workspace_update_body(change: dict[str, Any]) -> dict[str, Any]:
    """Absolute values for the fields that change; tags as a merge patch (null removes)."""
    body: dict[str, Any] = {}
    for f in change["fields"]:
        path: str = f["path"]
        if path == "name":
            body["name"] = f["after"]
        elif path.startswith("data_residency."):
            body.setdefault("data_residency", {})[path.split(".", 1)[1]] = f["after"]
        elif path.startswith("tags."):
            body.setdefault("tags", {})[path[5:]] = f["after"]
    return body


def _create_workspace(change: dict[str, Any], writer: AdminClient) -> str:
    """Create, and when the outcome is unknown, look before creating again: the request
    may have created the workspace.  A few rounds at most; the last unknown outcome is
    reported as the change's failure (the next plan re-reads and knows)."""
    body = workspace_create_body(change)
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            return writer.create_workspace(body).id
        except UnknownOutcome:
            found = [
                w.id
                for w in writer.list_workspaces(include_archived=False, include_default=False)
                if w.name == body["name"]
            ]
            if found:
                return found[0]  # newest first: the one this request made
            if attempt == CREATE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _delete_limit(spend_limit_id: str, writer: AdminClient) -> None:
    try:
        writer.delete_spend_limit(spend_limit_id)
    except ApiError as error:
        if error.status != 404:  # already gone: the scope inherits, as planned
            raise
