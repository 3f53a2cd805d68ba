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
from dataclasses import dataclass, field
from typing import Any

from reconciler.adminapi import AdminClient
from reconciler.apply.report import ApplyReport, Failure
from reconciler.errors import ApiError, RequestError, UnknownOutcome
from reconciler.plan.model import Action, Change, Plan

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
    plan: Plan,
    writer: AdminClient,
    *,
    stop: threading.Event | None = None,
    progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ApplyReport:
    """Write every applicable change of ``plan`` in order; never raises for a change.

    A set ``stop`` lets the change in flight finish and skips the rest.  A
    ``KeyboardInterrupt`` (a second Ctrl-C) stops at once: the change in flight is
    reported failed with an unknown outcome, the rest skipped — the report is still whole.
    """
    run = _Run(writer, ApplyReport(not_attempted=[c.address for c in plan.manual()]))
    todo = plan.applicable()
    started = clock()
    spend_left = sum(1 for c in todo if c.resource_type == "spend_limit")
    try:
        for index, change in enumerate(todo):
            if stop is not None and stop.is_set():
                run.report.interrupted = True
                break
            run.one(change)
            spend_left -= change.resource_type == "spend_limit"
            if progress is not None:
                left = {"admin": len(todo) - index - 1, "spend": spend_left}
                progress(
                    Progress(
                        index + 1,
                        len(todo),
                        clock() - started,
                        change.address,
                        writer.pacer.seconds_for(left),
                    )
                )
    except KeyboardInterrupt:
        run.report.interrupted = True
        if run.in_flight is not None:
            run.report.failed.append(Failure.interrupted(run.in_flight))
    report = run.report
    accounted = {*report.applied, *report.skipped, *(f.address for f in report.failed)}
    report.skipped += [c.address for c in todo if c.address not in accounted]
    return report


@dataclass
class _Run:
    """One apply in progress: what was created, what cannot be relied on, the report."""

    writer: AdminClient
    report: ApplyReport
    created: dict[str, str] = field(default_factory=dict)  # workspace address → new id
    unavailable: set[str] = field(default_factory=set)  # failed or skipped: no dependants
    in_flight: str | None = None

    def one(self, change: Change) -> None:
        """Write one change, or skip it when a change it depends on was not applied."""
        address = change.address
        missing = [d for d in change.depends_on if d in self.unavailable]
        if missing:
            self.report.skipped.append(address)
            self.report.notes.append(f"{address} skipped: {', '.join(missing)} was not applied")
            self.unavailable.add(address)
            return
        self.in_flight = address
        try:
            _apply_one(change, self.writer, self.created)
        except RequestError as error:
            self.report.failed.append(Failure.from_error(address, error))
            self.unavailable.add(address)
        else:
            self.report.applied.append(address)
        self.in_flight = None


def _apply_one(change: Change, writer: AdminClient, created: dict[str, str]) -> None:
    action = change.action
    if change.resource_type == "workspace":
        if action is Action.CREATE:
            created[change.address] = _create_workspace(change, writer)
        elif action is Action.UPDATE:
            writer.update_workspace(str(change.id), workspace_update_body(change))
        elif action is Action.ARCHIVE:
            writer.archive_workspace(str(change.id))
        return
    if action is Action.DELETE:
        _delete_limit(str(change.id), writer)
        return
    after = change.after or {}
    scope = dict(after["scope"])
    if scope.get("type") == "workspace" and not scope.get("workspace_id"):
        scope["workspace_id"] = created[change.depends_on[0]]
    writer.set_spend_limit(scope, after["period"], after["amount"])


def workspace_create_body(change: Change) -> dict[str, Any]:
    """The body of ``POST /workspaces`` for a create: name, residency, tags if any."""
    after = change.after or {}
    body: dict[str, Any] = {"name": after["name"], "data_residency": after["data_residency"]}
    if after.get("tags"):
        body["tags"] = after["tags"]
    return body


def workspace_update_body(change: Change) -> dict[str, Any]:
    """Absolute values for the fields that change; tags as a merge patch (null removes)."""
    body: dict[str, Any] = {}
    for f in change.fields:
        path = f.path
        if path == "name":
            body["name"] = f.after
        elif path.startswith("data_residency."):
            body.setdefault("data_residency", {})[path.split(".", 1)[1]] = f.after
        elif path.startswith("tags."):
            body.setdefault("tags", {})[path[5:]] = f.after
    return body


def _create_workspace(change: Change, writer: AdminClient) -> str:
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
