"""Markdown for pull-request comments: summary table first, details folded, and never
more than GitHub's 65,536-character comment limit (long plans are summarised)."""

from __future__ import annotations

from typing import Any

from reconciler.plan.model import SUMMARY_KEYS, Action
from reconciler.plan.render.values import estimate_line, field_line, md_cell
from reconciler.plan.residency_cost import change_line

COMMENT_LIMIT = 65_536
_RESERVE = 2_000  # room for the closing lines and the truncation note


def render_markdown(doc: dict[str, Any], *, color: bool = False, limit: int = COMMENT_LIMIT) -> str:
    org = doc["organization"]
    currency = org.get("currency")
    summary = doc["summary"]
    head = [
        f"### claude-policy plan — {org.get('name') or org['id']} ({org['kind']})",
        "",
        "| " + " | ".join(SUMMARY_KEYS) + " |",
        "|" + "---:|" * len(SUMMARY_KEYS),
        "| " + " | ".join(str(summary[k]) for k in SUMMARY_KEYS) + " |",
        "",
    ]
    if not doc["changes"]:
        head.append("**No changes.** The organization matches the policy.")
    est = estimate_line(doc.get("estimate") or {})
    if est:
        head.append(f"_{est}_")
    if summary.get("blocked"):
        head.append("")
        head.append("> [!CAUTION]")
        head.append(f"> {summary['blocked']} blocked change(s): apply will refuse this plan.")
    for note in doc.get("notes") or []:
        head.extend(["", note])
    if doc.get("warnings"):
        head.append("")
        head.append("<details><summary>Warnings (" + str(len(doc["warnings"])) + ")</summary>")
        head.append("")
        head.extend(f"- {md_cell(w)}" for w in doc["warnings"])
        head.append("")
        head.append("</details>")
    head.extend(["", ""])
    text = "\n".join(head)

    if not doc["changes"]:
        return text + "\n"
    budget = limit - len(text) - _RESERVE
    rows: list[str] = []
    shown = 0
    for change in doc["changes"]:
        row = _row(change, currency, change_line(doc, change["address"]))
        if budget - len(row) - 1 < 0:
            break
        rows.append(row)
        budget -= len(row) + 1
        shown += 1
    body = [
        f"<details><summary>Changes ({len(doc['changes'])})</summary>",
        "",
        "| | Address | Change | Source |",
        "|---|---|---|---|",
        *rows,
        "",
    ]
    hidden = len(doc["changes"]) - shown
    if hidden:
        body.append(
            f"… and {hidden:,} more change(s) not shown here (comment size limit): "
            "see the JSON plan file for the full list."
        )
        body.append("")
    body.append("</details>")
    return text + "\n".join(body) + "\n"


def _row(change: dict[str, Any], currency: str | None, note: str | None = None) -> str:
    action = change["action"]
    diffs = "<br>".join(md_cell(field_line(f, action, currency)) for f in change["fields"])
    if note:
        diffs += ("<br>" if diffs else "") + f"_{md_cell(note)}_"
    if change.get("reason"):
        diffs += ("<br>" if diffs else "") + f"_{md_cell(change['reason'])}_"
    sources = sorted({f["source"] for f in change["fields"] if f.get("source")})
    src = "<br>".join(f"`{md_cell(s)}`" for s in sources)
    symbol = Action(action).symbol
    return f"| `{symbol}` {action} | `{md_cell(change['address'])}` | {diffs} | {src} |"
