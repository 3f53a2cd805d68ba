"""How values look to a person: amounts in currency, geos and tags as written."""

from __future__ import annotations

import json
from typing import Any

from reconciler.money import format_minor
from reconciler.plan.facts import Estimate
from reconciler.plan.model import FieldChange

ACTION_WORDS = {
    "create": "will be created",
    "update": "will be updated in place",
    "delete": "will be deleted (the scope inherits again)",
    "archive": "will be ARCHIVED (irreversible)",
    "manual": "must be changed by hand",
    "blocked": "cannot be changed",
}


def show(path: str, value: Any, currency: str | None, *, absent: str = "(none)") -> str:
    """One value in a field diff."""
    if path == "amount":
        return absent if value is None and absent == "(removed)" else format_minor(value, currency)
    if value is None:
        return absent
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def field_line(f: FieldChange, action: str, currency: str | None) -> str:
    """``path: before → after`` (or ``path = after`` for a create)."""
    path = f.path
    if action == "create" or (f.before is None and path != "amount"):
        return f"{path} = {show(path, f.after, currency)}"
    if action == "delete":
        return f"{path}: {show(path, f.before, currency)} → (inherits)"
    after_absent = "(removed)" if path.startswith("tags.") else "unlimited"
    before = show(path, f.before, currency, absent="(no row)")
    after = show(path, f.after, currency, absent=after_absent)
    return f"{path}: {before} → {after}"


def summary_line(summary: dict[str, int]) -> str:
    """``Plan: 1 to create, 2 to update, …; 0 manual, 0 blocked, 4 unchanged.``"""
    return (
        f"Plan: {summary['create']} to create, {summary['update']} to update, "
        f"{summary['delete']} to delete, {summary['archive']} to archive; "
        f"{summary['manual']} manual, {summary['blocked']} blocked, "
        f"{summary['unchanged']} unchanged."
    )


def duration(seconds: float) -> str:
    """Seconds as a person reads them: ``45 s``, ``12 min``, ``2.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"


def estimate_line(est: Estimate) -> str | None:
    """What apply will send and how long it takes (``None`` when it writes nothing)."""
    writes = est.writes
    if not writes:
        return None
    rpm = est.spend_rpm if est.spend_writes else est.admin_rpm
    noun = "write" if writes == 1 else "writes"
    seconds = float(est.seconds)
    # The pacing's wait: nothing when the requests fit in a fresh minute's free budget.
    when = f"≈ {duration(seconds)}" if seconds >= 1 else "within the free budget"
    return (
        f"Apply sends ~{writes:,} {noun} (~{est.requests:,} requests with the "
        f"re-reads that check nothing moved), {when} at {rpm:g} requests/min."
    )


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
