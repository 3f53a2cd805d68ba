"""Terraform-like text rendering of a plan document (colour only when asked)."""

from __future__ import annotations

from typing import Any

from reconciler.plan.model import Action
from reconciler.plan.render.values import ACTION_WORDS, estimate_line, field_line, summary_line
from reconciler.plan.residency_cost import change_line

_COLORS = {
    "create": "32",
    "update": "33",
    "delete": "31",
    "archive": "1;31",
    "manual": "36",
    "blocked": "1;31",
}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render_text(doc: dict[str, Any], *, color: bool = False) -> str:
    org = doc["organization"]
    currency = org.get("currency")
    lines = [
        f"Organization: {org.get('name') or '?'} ({org['kind']}, {org['id']}"
        + (f", {currency})" if currency else ")"),
        "",
    ]
    changes = doc["changes"]
    if not changes:
        lines.append("No changes. The organization matches the policy.")
    else:
        lines.append("claude-policy will perform the following actions:")
        lines.append("")
    for change in changes:
        lines.extend(_change(change, currency, color))
        cost = change_line(doc, change["address"])
        if cost:
            lines.append(f"      {cost}")
        lines.append("")

    if doc.get("unmanaged"):
        lines.append("Unmanaged (live, declared nowhere; management: authoritative):")
        lines.extend(f"  {a}" for a in doc["unmanaged"])
        lines.append("")
    for extra in _extras(doc):
        lines.append(extra)
    if doc.get("warnings"):
        lines.append("Warnings:")
        lines.extend(f"  - {w}" for w in doc["warnings"])
        lines.append("")
    lines.append(summary_line(doc["summary"]))
    est = estimate_line(doc.get("estimate") or {})
    if est:
        lines.append(est)
    return "\n".join(lines) + "\n"


def _change(change: dict[str, Any], currency: str | None, color: bool) -> list[str]:
    action = change["action"]
    symbol = Action(action).symbol
    ident = f" ({change['id']})" if change.get("id") else ""
    head = f"  {symbol} {change['address']}{ident} {ACTION_WORDS[action]}"
    out = [_paint(head, _COLORS[action], color)]
    rows = [(field_line(f, action, currency), f.get("source")) for f in change["fields"]]
    width = max((len(text) for text, _ in rows), default=0)
    for text, source in rows:
        out.append(f"      {text.ljust(width)}    # {source}" if source else f"      {text}")
    for dep in change.get("depends_on") or []:
        out.append(f"      (id known after apply of {dep})")
    if change.get("reason"):
        out.append(f"      reason: {change['reason']}")
    return out


def _extras(doc: dict[str, Any]) -> list[str]:
    """Plan-level facts other modules add (money headroom, residency cost)."""
    lines: list[str] = []
    for note in doc.get("notes") or []:
        lines.append(note)
    if lines:
        lines.append("")
    return lines
