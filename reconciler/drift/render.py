"""Renderings of a drift report: text, JSON and Markdown (like the plan's)."""

from __future__ import annotations

from reconciler.drift import GROUP_NAMES, DriftReport
from reconciler.plan.render.jsonout import render_json
from reconciler.plan.render.values import field_line, md_cell

_TITLES = {
    "fixable": "Fixable (apply would fix it)",
    "manual": "Manual (verify-only settings: change them by hand)",
    "blocked": "Blocked (cannot be fixed as declared)",
}


def _verdict(report: DriftReport) -> str:
    s = report.summary()
    if not report.drifted:
        extra = f" ({s['acknowledged']} acknowledged difference(s))" if s["acknowledged"] else ""
        return f"In sync: the organization matches the policy{extra}."
    total = s["fixable"] + s["manual"] + s["blocked"]
    return (
        f"Drift: {total} difference(s) — {s['fixable']} fixable, {s['manual']} manual, "
        f"{s['blocked']} blocked; {s['acknowledged']} acknowledged."
    )


def render_text(report: DriftReport, *, color: bool = False) -> str:
    """Drift grouped as fixable / manual / blocked, then what is acknowledged."""
    org, currency = report.plan.organization, report.plan.currency
    lines = [f"Organization: {org.name or '?'} ({org.kind}, {org.id})", ""]
    for group in GROUP_NAMES:
        changes = report.group(group)
        if not changes:
            continue
        lines.append(f"{_TITLES[group]}:")
        for c in changes:
            lines.append(f"  {c.action.symbol} {c.address}")
            lines += [f"      {field_line(f, c.action.value, currency)}" for f in c.fields]
            if c.reason:
                lines.append(f"      reason: {c.reason}")
        lines.append("")
    if report.acknowledged:
        lines.append("Acknowledged (not counted):")
        for a in report.acknowledged:
            until = a.ack.expires.isoformat()
            lines.append(f"  {a.change.address} — {a.ack.reason} (until {until})")
        lines.append("")
    warnings = report.warnings()
    if warnings:
        lines += ["Warnings:", *(f"  - {w}" for w in warnings), ""]
    lines.append(_verdict(report))
    return "\n".join(lines) + "\n"


def render_markdown(report: DriftReport, *, color: bool = False) -> str:
    """The summary table and verdict, then each group folded."""
    org, currency = report.plan.organization, report.plan.currency
    s = report.summary()
    icon = "⚠️" if report.drifted else "✅"
    out = [
        f"### {icon} claude-policy drift — {org.name or org.id} ({org.kind})",
        "",
        "| fixable | manual | blocked | acknowledged |",
        "|---:|---:|---:|---:|",
        f"| {s['fixable']} | {s['manual']} | {s['blocked']} | {s['acknowledged']} |",
        "",
        _verdict(report),
        "",
    ]
    for group in GROUP_NAMES:
        changes = report.group(group)
        if not changes:
            continue
        out += [f"<details><summary>{_TITLES[group]}: {len(changes)}</summary>", ""]
        out += ["| Address | Difference |", "|---|---|"]
        for c in changes:
            diff = "<br>".join(field_line(f, c.action.value, currency) for f in c.fields)
            if c.reason:
                diff += f"<br>_{c.reason}_"
            out.append(f"| `{c.address}` | {md_cell(diff)} |")
        out += ["", "</details>", ""]
    warnings = report.warnings()
    if warnings:
        out += ["**Warnings**", ""] + [f"- {w}" for w in warnings] + [""]
    return "\n".join(out)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
