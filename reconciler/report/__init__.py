"""The FinOps view: ``claude-policy report`` (SPEC §7d).

    report_policy(paths, client, month=…, days=…)   → Report   (reads: :mod:`.read`)
    build_report(organization=…, console=… | enterprise=…) → Report   (pure: :mod:`.model`)
    Report.to_document()                            → the versioned document
    RENDERERS[fmt](document)                        → text, json, markdown, csv, html

Modules: :mod:`.window` (the month or the last N days), :mod:`.console` (tokens and cost
by workspace × model × geo, the US-only premium, held workspaces' global share),
:mod:`.enterprise` (spend against effective caps, thresholds, projection, headroom),
:mod:`.model` (the report and its document), :mod:`.read` (the API reads), and
:mod:`.render` (one module per format; :mod:`.render.svg` draws the HTML's charts).
Nothing here prints or imports click.
"""

from reconciler.report.model import (
    FORMAT_VERSION,
    ConsoleReads,
    EnterpriseReads,
    Report,
    build_report,
)
from reconciler.report.read import report_policy, report_window
from reconciler.report.window import ReportWindow, days_window, month_window

__all__ = [
    "FORMAT_VERSION",
    "ConsoleReads",
    "EnterpriseReads",
    "Report",
    "ReportWindow",
    "build_report",
    "days_window",
    "month_window",
    "report_policy",
    "report_window",
]
