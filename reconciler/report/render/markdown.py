"""The report as Markdown for a CI job summary or a pull-request comment.

Summary table and a Mermaid chart first (GitHub draws ```` ```mermaid ```` blocks:
``pie`` for shares, ``xychart-beta`` for the daily tokens), details after.  Kept under
GitHub's 65,536-character comment limit: long tables are cut with a note pointing to the
CSV and JSON outputs, which hold every row.  Names from the organization are escaped as
plain text (no Markdown, no HTML).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from reconciler.report.enterprise import BANDS
from reconciler.report.render import cells
from reconciler.report.render.cells import Column
from reconciler.report.render.common import (
    AUDIT_HINT,
    BAND_NAMES,
    band_class,
    geo_label,
    hot_members,
    org_name,
    pct,
    period_label,
    window_span,
)

__all__ = ["COMMENT_LIMIT", "cell", "render_markdown"]

COMMENT_LIMIT = 65_536
_RESERVE = 2_000  # room kept for the closing notes
_ESCAPE = re.compile(r"([\\`*_\[\]|<>#~])")
_MORE = "… {} more (see the CSV)"


def cell(text: str) -> str:
    """Plain text safe in a table cell or a sentence: Markdown and HTML characters
    escaped, line breaks flattened."""
    return _ESCAPE.sub(r"\\\1", text.replace("\r", " ").replace("\n", " ")).replace("&", "&amp;")


def _bold(column: Column) -> Column:
    cell = column.cell
    return replace(column, cell=lambda row, currency: f"**{cell(row, currency)}**", markup=True)


SUMMARY_COLUMNS = (
    _bold(Column("total cost", cells.cost, numeric=True)),
    cells.TOKENS,
    cells.PREMIUM,
    Column("held to US-only, ran global", cells.text("held_global"), numeric=True),
)
HELD_COLUMNS = (
    Column("workspace", cells.flagged("workspace", "global_tokens", " 🚨")),
    Column(
        "global share",
        lambda h, _: "not created" if h["workspace_id"] is None else pct(h["global_share_percent"]),
        numeric=True,
    ),
    cells.GLOBAL_TOKENS,
    cells.ALL_TOKENS,
    cells.GLOBAL_COST,
)
WORKSPACE_COLUMNS = cells.workspace_columns(
    Column("workspace", cells.flagged("workspace", "held_us_only", " (US-only)"))
)
LINE_COLUMNS = (
    cells.WORKSPACE,
    cells.MODEL,
    replace(cells.GEO, markup=True),  # not escaped: an unknown geo shows as the API sent it
    cells.TOKENS,
    cells.COST,
)
PERIOD_COLUMNS = (
    Column("period", lambda p, _: period_label(p)),
    cells.MEMBERS,
    _bold(cells.AT_80),
    _bold(cells.AT_100),
    Column("no cap", cells.counted("uncapped"), numeric=True),
    cells.SPENT,
    Column("caps", cells.in_minor("caps"), numeric=True),
    cells.HEADROOM,
    cells.PROJECTED.titled("projected by the end"),
)
SCOPE_COLUMNS = (cells.PERIOD, *cells.SCOPE_COLUMNS)
MEMBER_COLUMNS = (
    cells.MEMBER,
    cells.PERIOD,
    cells.CAP,
    cells.SPENT,
    cells.USED,
    cells.PROJECTED,
    cells.CAP_FROM,
)


def _label(text: str) -> str:
    """Text safe inside a Mermaid quoted label."""
    return re.sub(r'["\\`#;]', "", text.replace("\n", " "))[:60] or "?"


def render_markdown(doc: dict[str, Any], *, color: bool = False, limit: int = COMMENT_LIMIT) -> str:
    """The whole report as Markdown of at most about ``limit`` characters."""
    name = cell(org_name(doc))
    if doc["console"] is not None:
        head = f"{name} (console), {doc['console']['window']['label']}"
        body = _console(doc["console"], doc["currency"], limit - _RESERVE)
    else:
        head = f"{name} (enterprise), spend against caps"
        body = _enterprise(doc["enterprise"], doc["currency"], limit - _RESERVE)
    return "\n".join([f"### 💰 claude-policy report — {head}", "", *body, *_tail(doc)]) + "\n"


def _tail(doc: dict[str, Any]) -> list[str]:
    tail: list[str] = []
    if doc["warnings"]:
        tail += ["**Warnings**", "", *(f"- {cell(w)}" for w in doc["warnings"]), ""]
    if doc["notes"]:
        tail += [*(f"_Note: {cell(n)}_" for n in doc["notes"]), ""]
    tail.append(
        f"<sub>claude-policy {cell(doc['tool']['version'])} · {doc['generated_at']} · "
        f"{doc['requests']} API request(s)</sub>"
    )
    return tail


# --------------------------------------------------------------------------- tables


def _rows(columns: Sequence[Column], items: Iterable[dict[str, Any]], currency: str) -> list[str]:
    return ["| " + " | ".join(r) + " |" for r in cells.rows(columns, items, currency, cell)]


def _head(columns: Sequence[Column]) -> list[str]:
    return [
        "| " + " | ".join(c.header for c in columns) + " |",
        "|" + "|".join("---:" if c.numeric else "---" for c in columns) + "|",
    ]


def _note_row(columns: Sequence[Column], text: str) -> str:
    """A row with only a first cell (the others empty)."""
    return f"| {text} |" + " |" * (len(columns) - 1)


def _table(columns: Sequence[Column], items: Iterable[dict[str, Any]], currency: str) -> list[str]:
    return [*_head(columns), *_rows(columns, items, currency)]


def _cut_table(columns: Sequence[Column], rows: list[str], budget: int) -> list[str]:
    """The head and as many ``rows`` as fit in ``budget`` characters, then a note of the
    rest."""
    kept, cut = _budgeted(rows, budget)
    return [*_head(columns), *kept, *([_note_row(columns, _MORE.format(cut))] if cut else [])]


def _budgeted(rows: list[str], budget: int) -> tuple[list[str], int]:
    """As many rows as fit in ``budget`` characters, and how many were left out."""
    kept: list[str] = []
    for row in rows:
        budget -= len(row) + 1
        if budget < 0:
            break
        kept.append(row)
    return kept, len(rows) - len(kept)


def _size(lines: list[str]) -> int:
    return len("\n".join(lines))


# --------------------------------------------------------------------------- Console


def _console(c: dict[str, Any], currency: str, budget: int) -> list[str]:
    out = [*_summary(c, currency), *_geo_pie(c), *_daily_chart(c), *_held(c, currency)]
    ws_rows = _rows(WORKSPACE_COLUMNS, c["by_workspace"], currency)
    out += [
        "**Cost by workspace**",
        "",
        *_cut_table(WORKSPACE_COLUMNS, ws_rows, (budget - _size(out)) // 2),
        "",
    ]
    line_rows = _rows(LINE_COLUMNS, c["lines"], currency)
    out += [
        f"<details><summary>By workspace, model and inference geo ({len(line_rows)} rows)"
        "</summary>",
        "",
        *_cut_table(LINE_COLUMNS, line_rows, budget - _size(out) - 200),
    ]
    return [*out, "", "</details>", ""]


def _summary(c: dict[str, Any], currency: str) -> list[str]:
    w, held = c["window"], c["held"]
    leaking = [h for h in held if h["global_tokens"]]
    figures = {**c["totals"], "held_global": f"{len(leaking)} of {len(held)}"}
    return [
        f"_{window_span(w)}, {w['days']} whole UTC days"
        f"{'' if w['complete'] else ', month to date'}_",
        "",
        *_table(SUMMARY_COLUMNS, [figures], currency),
        "",
    ]


def _held(c: dict[str, Any], currency: str) -> list[str]:
    if not c["held"]:
        return []
    return [
        "**Workspaces held to US-only inference** — share of tokens that ran global "
        f"(details: `{AUDIT_HINT}`)",
        "",
        *_table(HELD_COLUMNS, c["held"], currency),
        "",
    ]


def _mermaid(*lines: str) -> list[str]:
    return ["```mermaid", *lines, "```", ""]


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
    return _mermaid(
        "pie showData title Cost by inference geo (USD)",
        *(f'    "{_label(name)}" : {value.quantize(Decimal("0.01"))}' for name, value in slices),
    )


def _daily_chart(c: dict[str, Any]) -> list[str]:
    days = c["daily"]
    totals = [sum(d["tokens_by_geo"].values()) for d in days]
    if not any(totals):
        return []
    scale, unit = _scale(max(totals))
    labels = ", ".join(f'"{d["date"][5:]}"' for d in days)
    values = ", ".join(f"{v / scale:.2f}".rstrip("0").rstrip(".") for v in totals)
    return _mermaid(
        "xychart-beta",
        f'    title "Tokens per day ({unit})"',
        f"    x-axis [{labels}]",
        f'    y-axis "tokens ({unit})"',
        f"    bar [{values}]",
    )


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
        *_table(PERIOD_COLUMNS, e["periods"], currency),
        "",
        *_band_pie(e["periods"][0]),
        "**By the scope that sets the cap** (seat tier, group, own override, organization)",
        "",
        *_table(SCOPE_COLUMNS, e["by_source"], currency),
        "",
    ]
    hot = hot_members(e)
    rows = _rows(MEMBER_COLUMNS, hot, currency)
    out += [
        f"<details open><summary>Members at ≥ 80 % of their cap ({len(hot)})</summary>",
        "",
        *_cut_table(MEMBER_COLUMNS, rows, budget - _size(out)),
    ]
    if not rows:
        out.append(_note_row(MEMBER_COLUMNS, "none"))
    return [*out, "", "</details>", ""]


def _band_pie(period: dict[str, Any]) -> list[str]:
    bands = period["distribution"]
    assert len(bands) == len(BANDS)
    members = [0] * len(BAND_NAMES)
    for band in bands:
        members[band_class(band)] += band["members"]
    slices = [*zip(BAND_NAMES, members, strict=True), ("no cap", period["uncapped"])]
    slices = [(name, value) for name, value in slices if value > 0]
    if not slices:
        return []
    return _mermaid(
        f"pie showData title Members by share of their {_label(period['period'])} cap used",
        *(f'    "{name}" : {value}' for name, value in slices),
    )
