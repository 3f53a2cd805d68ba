"""Renderings of an audit document: text, JSON and Markdown (like drift's).

Pure functions of the versioned document (:meth:`AuditReport.to_document`), so every
output says the same thing.  Markdown stays under GitHub's comment limit: past it, usage
rows are summarised and the JSON output holds them all.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from reconciler.money import format_major
from reconciler.plan.render.jsonout import render_json
from reconciler.plan.render.values import md_cell

COMMENT_LIMIT = 65_536
_RESERVE = 4_000  # the sections after the violations, and the truncation note


def usd(cents: str | Decimal, currency: str = "USD") -> str:
    """Decimal cents → ``$1,234.57`` (rounded to the cent for display only)."""
    return format_major(Decimal(cents) / 100, currency)


def _days(doc: dict[str, Any]) -> str:
    """``2026-10-04 through 2026-11-02 (the last 30 whole days, UTC)``."""
    w = doc["window"]
    last = date.fromisoformat(w["ending_at"][:10]) - timedelta(days=1)
    return (
        f"{w['starting_at'][:10]} through {last.isoformat()} (the last {w['days']} whole days, UTC)"
    )


def _geos(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def verdict(doc: dict[str, Any]) -> str:
    """The audit's one-line conclusion."""
    s = doc["summary"]
    tail = []
    if s["unpinnable"]:
        tail.append(f"{s['unpinnable']} warning(s) (models that cannot be pinned)")
    if s["config_drift"]:
        tail.append(f"{s['config_drift']} setting(s) drifted")
    extra = f"; {', '.join(tail)}" if tail else ""
    days = doc["window"]["days"]
    if not doc["compliant"]:
        return (
            f"Violations: {s['violations']} of {s['held']} workspace(s) held to US-only "
            f"inference ran {s['global_tokens']:,} tokens "
            f"({usd(s['global_cost_cents'], doc['currency'])}) on global inference in the last "
            f"{days} day(s){extra}."
        )
    if not s["held"]:
        return "Nothing to audit: the policy holds no workspace to US-only inference."
    return (
        f"Compliant: no global inference in the {s['held']} workspace(s) held to US-only "
        f"inference over the last {days} day(s){extra}."
    )


def _tiers(usage: dict[str, Any]) -> str:
    return ", ".join(usage["service_tiers"]) or "-"


def render_text(doc: dict[str, Any], *, color: bool = False) -> str:
    """The audit as a person reads it: held workspaces, violations, warnings, drift."""
    org = doc["organization"]
    lines = [
        f"Organization: {org.get('name') or '?'} ({org['kind']}, {org['id']})",
        f"Window: {_days(doc)}",
        "",
    ]
    for section in (_held_text, _violations_text, _unpinnable_text, _drift_text):
        lines += section(doc)
    if doc["warnings"]:
        lines += ["Warnings:", *(f"  - {w}" for w in doc["warnings"]), ""]
    lines += [f"Note: {note}" for note in doc["notes"]]
    if doc["notes"]:
        lines.append("")
    lines.append(verdict(doc))
    return "\n".join(lines) + "\n"


def _held_text(doc: dict[str, Any]) -> list[str]:
    if not doc["workspaces"]:
        return []
    lines = ["Held to US-only inference (allowed_inference_geos: [us]):"]
    for ws in doc["workspaces"]:
        ident = f" ({ws['workspace_id']})" if ws["workspace_id"] else ""
        status = ws["status"].replace("_", " ")
        lines.append(f"  {ws['address']}{ident}: {status}    # {ws['source']}")
    return [*lines, ""]


def _violations_text(doc: dict[str, Any]) -> list[str]:
    if not doc["violations"]:
        return []
    currency = doc["currency"]
    lines = ["Violations (usage that ran with inference_geo: global):"]
    for v in doc["violations"]:
        lines.append(
            f"  x {v['address']} ({v['workspace_id']}): {v['tokens']:,} tokens, "
            f"{usd(v['cost_cents'], currency)}    # {v['source']}"
        )
        for u in v["usage"]:
            lines.append(
                f"      {u['date']}  {u['model']:<28} {u['tokens']['total_tokens']:>14,} tokens"
                f"  {usd(u['cost_cents'], currency):>12}  {_tiers(u)}"
            )
    return [*lines, ""]


def _unpinnable_text(doc: dict[str, Any]) -> list[str]:
    if not doc["unpinnable"]:
        return []
    lines = ["Warnings (models that cannot be pinned to a geo: upgrade to Claude 4.6+):"]
    for u in doc["unpinnable"]:
        lines.append(
            f"  ! {u['address']}: {u['model']}: {u['tokens']:,} tokens, "
            f"{usd(u['cost_cents'], doc['currency'])} on {u['days']} day(s) "
            f"({u['first_date']} to {u['last_date']})"
        )
    return [*lines, ""]


def _drift_text(doc: dict[str, Any]) -> list[str]:
    if not doc["config_drift"]:
        return []
    lines = ["Configuration drift (live residency differs; `plan` shows the fix):"]
    for d in doc["config_drift"]:
        lines.append(f"  ~ {d['address']}: {d['field']}: {_geos(d['live'])} → {_geos(d['wanted'])}")
    return [*lines, ""]


def render_markdown(doc: dict[str, Any], *, color: bool = False, limit: int = COMMENT_LIMIT) -> str:
    """The Markdown rendering, kept under GitHub's comment limit."""
    org = doc["organization"]
    currency = doc["currency"]
    s = doc["summary"]
    icon = "✅" if doc["compliant"] else "🚨"
    out = [
        f"### {icon} claude-policy audit — {org.get('name') or org['id']} ({org['kind']})",
        "",
        f"_{_days(doc)}_",
        "",
        "| held | violations | global tokens | global cost | warnings | drift |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {s['held']} | {s['violations']} | {s['global_tokens']:,} | "
        f"{usd(s['global_cost_cents'], currency)} | {s['unpinnable']} | {s['config_drift']} |",
        "",
        verdict(doc),
        "",
    ]
    tail = _tail(doc, currency)
    if doc["violations"]:
        budget = limit - len("\n".join(out)) - len("\n".join(tail)) - _RESERVE
        out += _violations(doc, currency, budget)
    out += tail
    return "\n".join(out)


def _violations(doc: dict[str, Any], currency: str, budget: int) -> list[str]:
    rows = ["| Workspace | Date | Model | Tokens | Cost | Tiers |", "|---|---|---|---:|---:|---|"]
    total = sum(len(v["usage"]) for v in doc["violations"])
    shown = 0
    for v in doc["violations"]:
        for u in v["usage"]:
            row = (
                f"| `{md_cell(v['address'])}` | {u['date']} | `{md_cell(u['model'])}` | "
                f"{u['tokens']['total_tokens']:,} | {usd(u['cost_cents'], currency)} | "
                f"{md_cell(_tiers(u))} |"
            )
            budget -= len(row) + 1
            if budget < 0:
                break
            rows.append(row)
            shown += 1
    out = [
        f"<details open><summary>Violations: {len(doc['violations'])} workspace(s), "
        f"{total} usage row(s)</summary>",
        "",
        *[
            f"- `{md_cell(v['address'])}`: {v['tokens']:,} tokens, "
            f"{usd(v['cost_cents'], currency)} — held by `{md_cell(v['source'])}`"
            for v in doc["violations"]
        ],
        "",
        *rows,
        "",
    ]
    if shown < total:
        out += [
            f"… and {total - shown:,} more row(s) not shown here (comment size limit): see the "
            "JSON report for all of them.",
            "",
        ]
    return [*out, "</details>", ""]


def _tail(doc: dict[str, Any], currency: str) -> list[str]:
    out: list[str] = []
    if doc["unpinnable"]:
        out += [
            f"<details><summary>Warnings: {len(doc['unpinnable'])} model(s) that cannot be "
            "pinned to a geo</summary>",
            "",
            "| Workspace | Model | Tokens | Cost | Days |",
            "|---|---|---:|---:|---|",
        ]
        out += [
            f"| `{md_cell(u['address'])}` | `{md_cell(u['model'])}` | {u['tokens']:,} | "
            f"{usd(u['cost_cents'], currency)} | {u['days']} ({u['first_date']} to "
            f"{u['last_date']}) |"
            for u in doc["unpinnable"]
        ]
        out += ["", "</details>", ""]
    if doc["config_drift"]:
        out += [
            f"<details><summary>Configuration drift: {len(doc['config_drift'])}</summary>",
            "",
            "| Workspace | Setting | Live | Policy |",
            "|---|---|---|---|",
        ]
        out += [
            f"| `{md_cell(d['address'])}` | `{d['field']}` | `{md_cell(_geos(d['live']))}` | "
            f"`{md_cell(_geos(d['wanted']))}` |"
            for d in doc["config_drift"]
        ]
        out += ["", "</details>", ""]
    if doc["warnings"]:
        out += ["**Warnings**", "", *[f"- {md_cell(w)}" for w in doc["warnings"]], ""]
    if doc["notes"]:
        out += [*[f"_Note: {md_cell(n)}_" for n in doc["notes"]], ""]
    return out


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
