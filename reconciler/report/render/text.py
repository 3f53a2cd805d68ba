"""The report as plain text for a terminal or a log: summary first, then tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from reconciler.report.render import cells
from reconciler.report.render.cells import Column
from reconciler.report.render.common import (
    AUDIT_HINT,
    cents,
    count,
    geo_label,
    hot_members,
    minor,
    of_period,
    pct,
    period_label,
    plural,
    title,
    window_span,
)

__all__ = ["render_text", "table"]

MEMBER_ROWS = 50  # members at ≥ 80 % listed in text; the CSV and JSON hold them all

GEO_COLUMNS = (
    Column(
        "geo", lambda g, _: geo_label(g["inference_geo"]) if g["inference_geo"] else "(other costs)"
    ),
    cells.TOKENS,
    cells.COST,
)
WORKSPACE_COLUMNS = cells.workspace_columns(
    Column("workspace", cells.flagged("workspace", "held_us_only", " *")),
    premium_header="us premium",
)
LINE_COLUMNS = (cells.WORKSPACE, cells.MODEL, cells.GEO, cells.TOKENS, cells.COST)
SCOPE_COLUMNS = tuple(
    c.titled({"at ≥ 80 %": "≥80%", "at ≥ 100 %": "≥100%"}.get(c.header, c.header))
    for c in cells.SCOPE_COLUMNS
)
MEMBER_COLUMNS = (
    cells.MEMBER,
    cells.CAP,
    cells.SPENT,
    cells.USED,
    cells.PROJECTED,
    cells.CAP_FROM,
)


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]
) -> list[str]:
    """Aligned columns, two spaces apart, indented by two."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(w) if r else cell.ljust(w)
            for cell, w, r in zip(cells, widths, right, strict=True)
        ]
        return ("  " + "  ".join(parts)).rstrip()

    return [line(headers), *(line(row) for row in rows)]


def _table(
    columns: Sequence[Column], items: Iterable[dict[str, Any]], currency: str, indent: str = ""
) -> list[str]:
    """``items`` laid out by their columns (:mod:`.cells`)."""
    lines = table(
        [c.header for c in columns],
        cells.rows(columns, items, currency),
        [c.numeric for c in columns],
    )
    return [indent + line for line in lines]


def render_text(doc: dict[str, Any], *, color: bool = False) -> str:
    """The whole report as text (no colour: ``color`` is the renderers' common signature)."""
    org = doc["organization"]
    lines = [title(doc), f"Organization: {org.get('name') or '?'} ({org['kind']}, {org['id']})"]
    if doc["console"] is not None:
        lines += _console(doc["console"], doc["currency"])
    if doc["enterprise"] is not None:
        lines += _enterprise(doc["enterprise"], doc["currency"])
    if doc["warnings"]:
        lines += ["", "Warnings:", *(f"  - {w}" for w in doc["warnings"])]
    if doc["notes"]:
        lines += ["", *(f"Note: {n}" for n in doc["notes"])]
    lines += ["", f"Read with {doc['requests']} API request(s)."]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Console


def _console(c: dict[str, Any], currency: str) -> list[str]:
    return [*_totals(c, currency), *_console_tables(c, currency), "", *_held(c, currency)]


def _totals(c: dict[str, Any], currency: str) -> list[str]:
    w, t = c["window"], c["totals"]
    partial = "" if w["complete"] else ", month to date"
    return [
        f"Window: {window_span(w)} ({w['days']} whole UTC days{partial})",
        "",
        f"  Total cost        {cents(t['cost_cents'], currency)}"
        f"   (tokens {cents(t['token_cost_cents'], currency)},"
        f" other {cents(t['other_cost_cents'], currency)})",
        f"  Tokens            {count(t['tokens']['total_tokens'])}",
        f"  US-only premium   {cents(t['us_premium_cents'], currency)}"
        f"   (the 10% in {cents(t['us_premium_base_cents'], currency)} of us cost on models"
        " priced 1.1x)",
    ]


def _console_tables(c: dict[str, Any], currency: str) -> list[str]:
    out = [
        "",
        "By inference geo:",
        *_table(GEO_COLUMNS, c["by_geo"], currency),
        "",
        "By workspace:",
        *_table(WORKSPACE_COLUMNS, c["by_workspace"], currency),
    ]
    if any(ws["held_us_only"] for ws in c["by_workspace"]):
        out.append("  * held to US-only inference by the policy")
    return [
        *out,
        "",
        "By workspace, model and inference geo:",
        *_table(LINE_COLUMNS, c["lines"], currency),
    ]


def _held(c: dict[str, Any], currency: str) -> list[str]:
    if not c["held"]:
        return ["Held to US-only inference: none (the policy holds no workspace to [us])."]
    out = ["Held to US-only inference: the share of each workspace's tokens that ran global:"]
    out += [_held_line(h, currency) for h in c["held"]]
    if any(h["global_tokens"] for h in c["held"]):
        out.append(f"  Details, day by day and by model: `{AUDIT_HINT}`.")
    return out


def _held_line(h: dict[str, Any], currency: str) -> str:
    if h["workspace_id"] is None:
        return f"  -  {h['address']}: not created yet    # {h['source']}"
    share = pct(h["global_share_percent"]) if h["total_tokens"] else "no usage"
    mark = "x" if h["global_tokens"] else "ok"
    return (
        f"  {mark:<2} {h['address']}: {share} global "
        f"({count(h['global_tokens'])} of {count(h['total_tokens'])} tokens, "
        f"{cents(h['global_cost_cents'], currency)})    # {h['source']}"
    )


# --------------------------------------------------------------------------- Enterprise


def _enterprise(e: dict[str, Any], currency: str) -> list[str]:
    out = [f"As of {e['as_of'].replace('T', ' ').replace('Z', ' UTC')}"]
    if not e["periods"]:
        return [*out, "", "No member has a spend limit in any period."]
    for p in e["periods"]:
        out += _period(p, currency)
        out += _scopes(of_period(e["by_source"], p["period"]), currency)
        out += _hot(hot_members(e, p["period"]), currency)
    return out


def _period(p: dict[str, Any], currency: str) -> list[str]:
    elapsed = f", {p['elapsed_percent']}% elapsed" if p["elapsed_percent"] else ""
    projected = (
        f" · projected {minor(p['projected'], currency)} by the period's end"
        if p["projected"] is not None
        else ""
    )
    out = [
        "",
        f"{period_label(p)}{elapsed}:",
        f"  members {count(p['members'])} · capped {count(p['capped'])} · "
        f"at ≥80% {count(p['at_80'])} · at ≥100% {count(p['at_100'])} · "
        f"no cap {count(p['uncapped'])}",
        f"  spent {minor(p['spent'], currency)} · caps {minor(p['caps'], currency)} · "
        f"headroom {minor(p['headroom'], currency)}{projected}",
    ]
    if p["projected_over_cap"]:
        out.append(
            f"  {plural(p['projected_over_cap'], 'more member')} would reach their cap at this pace"
        )
    return out


def _scopes(sources: list[dict[str, Any]], currency: str) -> list[str]:
    return [
        "",
        "  By the scope that sets the cap (seat tier, group, own override, organization):",
        *_table(SCOPE_COLUMNS, sources, currency, indent="  "),
    ]


def _hot(hot: list[dict[str, Any]], currency: str) -> list[str]:
    if not hot:
        return []
    shown = hot[:MEMBER_ROWS]
    out = [
        "",
        f"  Members at ≥ 80% of their cap ({count(len(hot))}):",
        *_table(MEMBER_COLUMNS, shown, currency, indent="  "),
    ]
    if len(hot) > len(shown):
        out.append(
            f"    … and {count(len(hot) - len(shown))} more (the CSV and JSON list every member)"
        )
    return out
