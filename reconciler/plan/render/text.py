"""Terraform-like text rendering of a plan (colour only when asked)."""

from __future__ import annotations

from reconciler.plan.model import Change, Plan
from reconciler.plan.render.values import ACTION_WORDS, estimate_line, field_line, summary_line
from reconciler.plan.sentences import residency_line

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


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The whole plan as a person reads it in a terminal or a CI log."""
    org, currency = plan.organization, plan.currency
    lines = [
        f"Organization: {org.name or '?'} ({org.kind}, {org.id}"
        + (f", {currency})" if currency else ")"),
        "",
    ]
    if not plan.changes:
        lines.append("No changes. The organization matches the policy.")
    else:
        lines += ["claude-policy will perform the following actions:", ""]
    for change in plan.changes:
        lines.extend(_change(change, currency, color))
        cost = residency_line(plan.residency_cost, change.address)
        if cost:
            lines.append(f"      {cost}")
        lines.append("")
    if plan.unmanaged:
        lines.append("Unmanaged (live, declared nowhere; management: authoritative):")
        lines += [f"  {a}" for a in plan.unmanaged] + [""]
    notes = plan.notes()
    lines += [*notes, ""] if notes else []
    if plan.warnings:
        lines += ["Warnings:", *(f"  - {w}" for w in plan.warnings), ""]
    lines.append(summary_line(plan.summary()))
    est = estimate_line(plan.estimate)
    if est:
        lines.append(est)
    return "\n".join(lines) + "\n"


def _change(change: Change, currency: str | None, color: bool) -> list[str]:
    action = change.action.value
    ident = f" ({change.id})" if change.id else ""
    head = f"  {change.action.symbol} {change.address}{ident} {ACTION_WORDS[action]}"
    out = [_paint(head, _COLORS[action], color)]
    rows = [(field_line(f, action, currency), f.source) for f in change.fields]
    width = max((len(text) for text, _ in rows), default=0)
    for text, source in rows:
        out.append(f"      {text.ljust(width)}    # {source}" if source else f"      {text}")
    for dep in change.depends_on:
        out.append(f"      (id known after apply of {dep})")
    if change.reason:
        out.append(f"      reason: {change.reason}")
    return out
