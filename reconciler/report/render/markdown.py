"""The report as Markdown for a CI job summary or a pull-request comment.

Summary table and a Mermaid chart first (GitHub draws ```` ```mermaid ```` blocks:
``pie`` for shares, ``xychart-beta`` for the daily tokens), details after.  Kept under
GitHub's 65,536-character comment limit: long tables are cut with a note pointing to the
CSV and JSON outputs, which hold every row.  Names from the organization are escaped as
plain text (no Markdown, no HTML).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from reconciler.report.enterprise import BANDS
from reconciler.report.render.common import (
    AUDIT_HINT,
    cents,
    count,
    geo_label,
    hottest_first,
    last_day,
    minor,
    model_label,
    pct,
    period_label,
)

__all__ = ["COMMENT_LIMIT", "cell", "render_markdown"]

COMMENT_LIMIT = 65_536
_RESERVE = 2_000  # room kept for the closing notes
_ESCAPE = re.compile(r"([\\`*_\[\]|<>#~])")


def cell(text: str) -> str:
    """Plain text safe in a table cell or a sentence: Markdown and HTML characters
    escaped, line breaks flattened."""
    return _ESCAPE.sub(r"\\\1", text.replace("\r", " ").replace("\n", " ")).replace("&", "&amp;")


def _label(text: str) -> str:
    """Text safe inside a Mermaid quoted label."""
    return re.sub(r'["\\`#;]', "", text.replace("\n", " "))[:60] or "?"


def render_markdown(doc: dict[str, Any], *, color: bool = False, limit: int = COMMENT_LIMIT) -> str:
    org = doc["organization"]
    name = cell(org.get("name") or org["id"])
    if doc["console"] is not None:
        head = (
            f"### 💰 claude-policy report — {name} (console), {doc['console']['window']['label']}"
        )
        body = _console(doc["console"], doc["currency"], limit - _RESERVE)
    else:
        head = f"### 💰 claude-policy report — {name} (enterprise), spend against caps"
        body = _enterprise(doc["enterprise"], doc["currency"], limit - _RESERVE)
    tail: list[str] = []
    if doc["warnings"]:
        tail += ["**Warnings**", "", *(f"- {cell(w)}" for w in doc["warnings"]), ""]
    if doc["notes"]:
        tail += [*(f"_Note: {cell(n)}_" for n in doc["notes"]), ""]
    tail.append(
        f"<sub>claude-policy {cell(doc['tool']['version'])} · {doc['generated_at']} · "
        f"{doc['requests']} API request(s)</sub>"
    )
    return "\n".join([head, "", *body, *tail]) + "\n"


def _budgeted(rows: list[str], budget: int) -> tuple[list[str], int]:
    """As many rows as fit in ``budget`` characters, and how many were left out."""
    kept: list[str] = []
    for row in rows:
        budget -= len(row) + 1
        if budget < 0:
            break
        kept.append(row)
    return kept, len(rows) - len(kept)


# --------------------------------------------------------------------------- Console


def _console(c: dict[str, Any], currency: str, budget: int) -> list[str]:
    w, t = c["window"], c["totals"]
    held = c["held"]
    leaking = [h for h in held if h["global_tokens"]]
    out = [
        f"_{w['starting_at'][:10]} to {last_day(w)}, {w['days']} whole UTC days"
        f"{'' if w['complete'] else ', month to date'}_",
        "",
        "| total cost | tokens | US-only premium | held to US-only, ran global |",
        "|---:|---:|---:|---:|",
        f"| **{cents(t['cost_cents'], currency)}** | {count(t['tokens']['total_tokens'])} | "
        f"{cents(t['us_premium_cents'], currency)} | {len(leaking)} of {len(held)} |",
        "",
        *_geo_pie(c),
        *_daily_chart(c),
    ]
    if held:
        out += [
            "**Workspaces held to US-only inference** — share of tokens that ran global "
            f"(details: `{AUDIT_HINT}`)",
            "",
            "| workspace | global share | global tokens | all tokens | global cost |",
            "|---|---:|---:|---:|---:|",
        ]
        for h in held:
            status = "not created" if h["workspace_id"] is None else pct(h["global_share_percent"])
            flag = " 🚨" if h["global_tokens"] else ""
            out.append(
                f"| {cell(h['workspace'])}{flag} | {status} | {count(h['global_tokens'])} | "
                f"{count(h['total_tokens'])} | {cents(h['global_cost_cents'], currency)} |"
            )
        out.append("")
    spent = len("\n".join(out))
    ws_rows = [
        f"| {cell(ws['workspace'])}{' (US-only)' if ws['held_us_only'] else ''} | "
        f"{count(ws['tokens']['total_tokens'])} | {count(ws['tokens_by_geo'].get('global', 0))} | "
        f"{count(ws['tokens_by_geo'].get('us', 0))} | {cents(ws['cost_cents'], currency)} | "
        f"{cents(ws['us_premium_cents'], currency)} |"
        for ws in c["by_workspace"]
    ]
    kept, cut = _budgeted(ws_rows, (budget - spent) // 2)
    out += [
        "**Cost by workspace**",
        "",
        "| workspace | tokens | global | us | cost | US-only premium |",
        "|---|---:|---:|---:|---:|---:|",
        *kept,
    ]
    if cut:
        out.append(f"| … {cut} more (see the CSV) | | | | | |")
    out.append("")
    spent = len("\n".join(out))
    line_rows = [
        f"| {cell(ln['workspace'])} | {cell(model_label(ln['model'], ln['cost_types']))} | "
        f"{geo_label(ln['inference_geo'])} | {count(ln['tokens']['total_tokens'])} | "
        f"{cents(ln['cost_cents'], currency)} |"
        for ln in c["lines"]
    ]
    kept, cut = _budgeted(line_rows, budget - spent - 200)
    out += [
        f"<details><summary>By workspace, model and inference geo ({len(line_rows)} rows)"
        "</summary>",
        "",
        "| workspace | model | geo | tokens | cost |",
        "|---|---|---|---:|---:|",
        *kept,
    ]
    if cut:
        out.append(f"| … {cut} more (see the CSV) | | | | |")
    out += ["", "</details>", ""]
    return out


def _geo_pie(c: dict[str, Any]) -> list[str]:
    slices = [
        (
            geo_label(g["inference_geo"]) if g["inference_geo"] else "other costs",
            Decimal(g["cost_cents"]) / 100,
        )
        for g in c["by_geo"]
    ]
    slices = [(name, value) for name, value in slices if value > 0]
    if not slices:
        return []
    return [
        "```mermaid",
        "pie showData title Cost by inference geo (USD)",
        *(f'    "{_label(name)}" : {value.quantize(Decimal("0.01"))}' for name, value in slices),
        "```",
        "",
    ]


def _daily_chart(c: dict[str, Any]) -> list[str]:
    days = c["daily"]
    if not days or not any(sum(d["tokens_by_geo"].values()) for d in days):
        return []
    totals = [sum(d["tokens_by_geo"].values()) for d in days]
    peak = max(totals)
    scale, unit = _scale(peak)
    labels = ", ".join(f'"{d["date"][5:]}"' for d in days)
    values = ", ".join(f"{v / scale:.2f}".rstrip("0").rstrip(".") for v in totals)
    return [
        "```mermaid",
        "xychart-beta",
        f'    title "Tokens per day ({unit})"',
        f"    x-axis [{labels}]",
        f'    y-axis "tokens ({unit})"',
        f"    bar [{values}]",
        "```",
        "",
    ]


def _scale(peak: int) -> tuple[float, str]:
    for factor, unit in ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands")):
        if peak >= factor:
            return factor, unit
    return 1.0, "tokens"


# --------------------------------------------------------------------------- Enterprise


def _enterprise(e: dict[str, Any], currency: str, budget: int) -> list[str]:
    out = [f"_As of {e['as_of']}_", ""]
    if not e["periods"]:
        return [*out, "No member has a spend limit in any period.", ""]
    out += [
        "| period | members | at ≥ 80 % | at ≥ 100 % | no cap | spent | caps | headroom | "
        "projected by the end |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in e["periods"]:
        projected = "—" if p["projected"] is None else minor(p["projected"], currency)
        out.append(
            f"| {cell(period_label(p))} | {count(p['members'])} | **{count(p['at_80'])}** | "
            f"**{count(p['at_100'])}** | {count(p['uncapped'])} | {minor(p['spent'], currency)} | "
            f"{minor(p['caps'], currency)} | {minor(p['headroom'], currency)} | {projected} |"
        )
    out.append("")
    first = e["periods"][0]
    out += _band_pie(first)
    out += [
        "**By the scope that sets the cap** (seat tier, group, own override, organization)",
        "",
        "| period | scope | cap | members | at ≥ 80 % | at ≥ 100 % | spent | headroom |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in e["by_source"]:
        cap = "per member" if s["source_type"] == "user" else minor(s["cap"], currency)
        out.append(
            f"| {cell(s['period'])} | {cell(s['label'])} | {cap} | {count(s['members'])} | "
            f"{count(s['at_80'])} | {count(s['at_100'])} | {minor(s['spent'], currency)} | "
            f"{minor(s['headroom'], currency)} |"
        )
    out.append("")
    hot = sorted((m for m in e["members"] if m["at_80"]), key=hottest_first)
    rows = [
        f"| {cell(m['email'])} | {cell(m['period'])} | {minor(m['cap'], currency)} | "
        f"{minor(m['spent'], currency)} | "
        f"{pct(m['percent_used']) if m['percent_used'] else 'at cap'} | "
        f"{minor(m['projected'], currency) if m['projected'] else '—'} | {cell(m['source'])} |"
        for m in hot
    ]
    kept, cut = _budgeted(rows, budget - len("\n".join(out)))
    out += [
        f"<details open><summary>Members at ≥ 80 % of their cap ({len(hot)})</summary>",
        "",
        "| member | period | cap | spent | used | projected | cap from |",
        "|---|---|---:|---:|---:|---:|---|",
        *kept,
    ]
    if cut:
        out.append(f"| … {cut} more (see the CSV) | | | | | | |")
    if not rows:
        out.append("| none | | | | | | |")
    out += ["", "</details>", ""]
    return out


def _band_pie(period: dict[str, Any]) -> list[str]:
    bands = period["distribution"]
    below = sum(b["members"] for b in bands if b["high"] is not None and b["high"] <= 80)
    near = sum(b["members"] for b in bands if b["high"] is not None and b["low"] >= 80)
    over = sum(b["members"] for b in bands if b["high"] is None)
    assert len(bands) == len(BANDS)
    slices = [
        ("below 80 %", below),
        ("80 to 100 %", near),
        ("at or over 100 %", over),
        ("no cap", period["uncapped"]),
    ]
    slices = [(name, value) for name, value in slices if value > 0]
    if not slices:
        return []
    return [
        "```mermaid",
        f"pie showData title Members by share of their {_label(period['period'])} cap used",
        *(f'    "{name}" : {value}' for name, value in slices),
        "```",
        "",
    ]
