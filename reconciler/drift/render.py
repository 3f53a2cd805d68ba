"""Renderings of a drift document: text, JSON and Markdown (like the plan's)."""

from __future__ import annotations

from typing import Any

from reconciler.plan.model import Action
from reconciler.plan.render.jsonout import render_json
from reconciler.plan.render.values import field_line, md_cell

_TITLES = {
    "fixable": "Fixable (apply would fix it)",
    "manual": "Manual (verify-only settings: change them by hand)",
    "blocked": "Blocked (cannot be fixed as declared)",
}


def _verdict(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    if doc["in_sync"]:
        extra = f" ({s['acknowledged']} acknowledged difference(s))" if s["acknowledged"] else ""
        return f"In sync: the organization matches the policy{extra}."
    total = s["fixable"] + s["manual"] + s["blocked"]
    return (
        f"Drift: {total} difference(s) — {s['fixable']} fixable, {s['manual']} manual, "
        f"{s['blocked']} blocked; {s['acknowledged']} acknowledged."
    )


def render_text(doc: dict[str, Any], *, color: bool = False) -> str:
    org = doc["organization"]
    currency = org.get("currency")
    lines = [f"Organization: {org.get('name') or '?'} ({org['kind']}, {org['id']})", ""]
    for group in ("fixable", "manual", "blocked"):
        changes = doc[group]
        if not changes:
            continue
        lines.append(f"{_TITLES[group]}:")
        for c in changes:
            symbol = Action(c["action"]).symbol
            lines.append(f"  {symbol} {c['address']}")
            for f in c["fields"]:
                lines.append(f"      {field_line(f, c['action'], currency)}")
            if c.get("reason"):
                lines.append(f"      reason: {c['reason']}")
        lines.append("")
    if doc["acknowledged"]:
        lines.append("Acknowledged (not counted):")
        for a in doc["acknowledged"]:
            lines.append(f"  {a['address']} — {a['reason']} (until {a['expires']})")
        lines.append("")
    if doc["warnings"]:
        lines.append("Warnings:")
        lines.extend(f"  - {w}" for w in doc["warnings"])
        lines.append("")
    lines.append(_verdict(doc))
    return "\n".join(lines) + "\n"


def render_markdown(doc: dict[str, Any], *, color: bool = False) -> str:
    org = doc["organization"]
    currency = org.get("currency")
    s = doc["summary"]
    icon = "✅" if doc["in_sync"] else "⚠️"
    out = [
        f"### {icon} claude-policy drift — {org.get('name') or org['id']} ({org['kind']})",
        "",
        "| fixable | manual | blocked | acknowledged |",
        "|---:|---:|---:|---:|",
        f"| {s['fixable']} | {s['manual']} | {s['blocked']} | {s['acknowledged']} |",
        "",
        _verdict(doc),
        "",
    ]
    for group in ("fixable", "manual", "blocked"):
        if not doc[group]:
            continue
        out += [f"<details><summary>{_TITLES[group]}: {len(doc[group])}</summary>", ""]
        out += ["| Address | Difference |", "|---|---|"]
        for c in doc[group]:
            diff = "<br>".join(field_line(f, c["action"], currency) for f in c["fields"])
            if c.get("reason"):
                diff += f"<br>_{c['reason']}_"
            out.append(f"| `{c['address']}` | {md_cell(diff)} |")
        out += ["", "</details>", ""]
    if doc["warnings"]:
        out += ["**Warnings**", ""] + [f"- {w}" for w in doc["warnings"]] + [""]
    return "\n".join(out)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
