"""Markdown for pull-request comments: summary table first, details folded, and never
more than GitHub's 65,536-character comment limit (long plans are summarised)."""

from __future__ import annotations

from reconciler.plan.model import SUMMARY_KEYS, Change, Plan
from reconciler.plan.render.values import estimate_line, field_line, md_cell
from reconciler.plan.sentences import residency_line

COMMENT_LIMIT = 65_536
_RESERVE = 2_000  # room for the closing lines and the truncation note


def render_markdown(plan: Plan, *, color: bool = False, limit: int = COMMENT_LIMIT) -> str:
    """A pull-request comment: the summary table, notes and warnings, then the changes
    folded, as many as fit under ``limit`` characters."""
    text = "\n".join(_head(plan))
    if not plan.changes:
        return text + "\n"
    budget = limit - len(text) - _RESERVE
    rows: list[str] = []
    for change in plan.changes:
        row = _row(change, plan.currency, residency_line(plan.residency_cost, change.address))
        if budget - len(row) - 1 < 0:
            break
        rows.append(row)
        budget -= len(row) + 1
    body = [
        f"<details><summary>Changes ({len(plan.changes)})</summary>",
        "",
        "| | Address | Change | Source |",
        "|---|---|---|---|",
        *rows,
        "",
    ]
    hidden = len(plan.changes) - len(rows)
    if hidden:
        body.append(
            f"… and {hidden:,} more change(s) not shown here (comment size limit): "
            "see the JSON plan file for the full list."
        )
        body.append("")
    body.append("</details>")
    return text + "\n".join(body) + "\n"


def _head(plan: Plan) -> list[str]:
    org, summary = plan.organization, plan.summary()
    head = [
        f"### claude-policy plan — {org.name or org.id} ({org.kind})",
        "",
        "| " + " | ".join(SUMMARY_KEYS) + " |",
        "|" + "---:|" * len(SUMMARY_KEYS),
        "| " + " | ".join(str(summary[k]) for k in SUMMARY_KEYS) + " |",
        "",
    ]
    if not plan.changes:
        head.append("**No changes.** The organization matches the policy.")
    est = estimate_line(plan.estimate)
    if est:
        head.append(f"_{est}_")
    if summary["blocked"]:
        head += ["", "> [!CAUTION]"]
        head.append(f"> {summary['blocked']} blocked change(s): apply will refuse this plan.")
    for note in plan.notes():
        head.extend(["", note])
    if plan.warnings:
        head += ["", f"<details><summary>Warnings ({len(plan.warnings)})</summary>", ""]
        head.extend(f"- {md_cell(w)}" for w in plan.warnings)
        head += ["", "</details>"]
    return [*head, "", ""]


def _row(change: Change, currency: str | None, note: str | None = None) -> str:
    action = change.action.value
    diffs = "<br>".join(md_cell(field_line(f, action, currency)) for f in change.fields)
    if note:
        diffs += ("<br>" if diffs else "") + f"_{md_cell(note)}_"
    if change.reason:
        diffs += ("<br>" if diffs else "") + f"_{md_cell(change.reason)}_"
    sources = sorted({f.source for f in change.fields if f.source})
    src = "<br>".join(f"`{md_cell(s)}`" for s in sources)
    return f"| `{change.action.symbol}` {action} | `{md_cell(change.address)}` | {diffs} | {src} |"
