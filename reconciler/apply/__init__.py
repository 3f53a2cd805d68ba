"""Apply: exactly what was reviewed, paced, resumable and safe (SPEC §5, §6).

``apply_plan`` makes every refusal before the first write — expired plan, blocked
changes, the safety rail, archives without permission (``check_plan``, no API), then for
a saved plan another organization and objects that changed since the plan (values, rows
replaced, members who left, workspaces archived: :mod:`.verify`) — then writes one call
per change through the client (which paces and retries) and returns the closing
:class:`ApplyReport`.  A failed change skips only its dependants; a stop request lets
the change in flight finish.  Nothing here prints: the CLI renders the report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from reconciler.adminapi import AdminClient
from reconciler.apply import checks
from reconciler.apply.executor import Progress, execute
from reconciler.apply.report import ApplyReport, Failure
from reconciler.apply.verify import stale_objects
from reconciler.plan import planfile
from reconciler.plan.model import Plan

__all__ = ["ApplyOptions", "ApplyReport", "Failure", "Progress", "apply_plan", "check_plan"]


@dataclass
class ApplyOptions:
    """How to apply: the overrides given, and whether the plan was saved earlier."""

    force: bool = False
    allow_archive: bool = False
    from_file: bool = True  # a saved plan: check expiry, organization, fingerprints
    source: str = "plan"  # how to name the plan in messages (its path)
    stop: threading.Event | None = None
    progress: Callable[[Progress], None] | None = None
    now: datetime | None = None


def check_plan(plan: Plan, options: ApplyOptions) -> None:
    """The refusals that need no API: expiry (saved plans), blocked changes, the safety
    rail, archives without permission.  Raises :class:`~reconciler.errors.PlanFileError`."""
    if options.from_file:
        planfile.check_expiry(plan, options.source, options.now)
    checks.refuse_blocked(plan)
    plan.raise_if_unsafe(force=options.force)
    checks.refuse_archives(plan, allow_archive=options.allow_archive)


def apply_plan(plan: Plan, client: AdminClient, options: ApplyOptions) -> ApplyReport:
    """Refuse (before any write) or write the plan; see the module docstring."""
    check_plan(plan, options)
    if options.from_file:
        planfile.check_organization(plan, client.me().id, options.source)
        checks.refuse_moved(stale_objects(plan, client))
    return execute(plan, client, stop=options.stop, progress=options.progress)
