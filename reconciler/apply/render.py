"""Renderings of an :class:`~reconciler.apply.report.ApplyReport`: the closing text on
stdout and the JSON report of ``apply --report`` (SPEC §6).  Pure functions."""

from __future__ import annotations

import json

from reconciler.apply.report import ApplyReport

__all__ = ["render_json", "render_text"]


def render_json(report: ApplyReport) -> str:
    """The JSON report, indented, with a trailing newline."""
    return json.dumps(report.to_json(), indent=2) + "\n"


def render_text(report: ApplyReport) -> str:
    """A line per address (applied, failed with the API's answer, skipped, manual), the
    notes, then a one-line verdict with the counts."""
    lines: list[str] = [f"  applied   {a}" for a in report.applied]
    for f in report.failed:
        rid = f" (request-id {f.request_id})" if f.request_id else ""
        status = f"{f.status} " if f.status else ""
        lines.append(f"  FAILED    {f.address}: {status}{f.error_type}: {f.message}{rid}")
    lines += [f"  skipped   {a}" for a in report.skipped]
    lines += [f"  manual    {a} (not attempted: change it by hand)" for a in report.not_attempted]
    lines += [f"  note: {n}" for n in report.notes]
    if report.interrupted:
        head = "Apply interrupted: the rest was skipped; plan again to see what is left."
    elif report.failed:
        head = "Apply finished with failures."
    else:
        head = "Apply complete."
    summary = (
        f"{head} {len(report.applied)} applied, {len(report.failed)} failed, "
        f"{len(report.skipped)} skipped, {len(report.not_attempted)} not attempted (manual)."
    )
    return "\n".join([*lines, summary]) + "\n"
