"""The report as one self-contained HTML page: inline CSS and SVG charts, no scripts,
nothing fetched (a Content-Security-Policy of ``default-src 'none'`` says so to the
browser too), readable at 1280 px and on paper (print CSS).

Accessible: a ``<title>``, one ``<h1>`` and a heading per section, every chart an
``<svg role="img">`` with its own ``<title>`` and ``<desc>``, labelled axes, and a table
with the chart's numbers beside it.  Key figures carry ids (``total-cost``,
``us-premium``, ``at-80`` …) so that people and tests can find them.  Every name from
the organization is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape
from typing import Any

from reconciler.report.render import cells, svg
from reconciler.report.render.cells import Column
from reconciler.report.render.common import (
    AUDIT_HINT,
    band_class,
    cents,
    compact,
    count,
    geo_label,
    hot_members,
    minor,
    of_period,
    org_name,
    pct,
    period_label,
    plural,
    subject,
    window_span,
)
from reconciler.report.render.svg import Bar, Series

__all__ = ["render_html"]

GEO_COLORS = {"global": "#0072B2", "us": "#E69F00", "not_available": "#8C8C8C"}
OTHER_COLOR = "#CC79A7"
COST_COLOR = "#009E73"
PREMIUM_COLOR = "#D55E00"
BAND_COLORS = ("#56B4E9", "#E69F00", "#D55E00")  # below 80 %, 80–100 %, at or over 100 %
TOP_WORKSPACES = 15  # bars in a workspace chart; the table below it lists every one
MEMBER_ROWS = 1000  # members at ≥ 80 % listed on the page; the CSV lists every member

CSS = """
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --warn: #9a6700;
  --bad: #b42318; --ok: #1a7f37; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
.page { max-width: 1200px; margin: 0 auto; padding: 28px 32px 48px; }
header { border-bottom: 2px solid var(--ink); padding-bottom: 12px; margin-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 20px 0 8px; }
.meta { color: var(--muted); margin: 0; font-size: 13px; }
.kpis { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px;
  margin: 16px 0 0; }
.kpi { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
  background: var(--soft); }
.kpi dt { color: var(--muted); font-size: 13px; }
.kpi dd { margin: 2px 0 0; font-size: 24px; font-weight: 650;
  font-variant-numeric: tabular-nums; }
.kpi .sub { display: block; font-size: 12px; font-weight: 400; color: var(--muted); }
.bad { color: var(--bad); } .warn { color: var(--warn); } .ok { color: var(--ok); }
figure { margin: 8px 0 4px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
svg.chart { display: block; width: 100%; height: auto; max-width: 1136px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 8px 0; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding: 4px 0; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; border-bottom: 1px solid #afb8c1; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tfoot td { font-weight: 650; border-top: 2px solid var(--ink); border-bottom: none; }
details { margin: 6px 0 10px; }
summary { cursor: pointer; color: var(--muted); font-size: 13px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--soft); padding: 1px 4px; border-radius: 4px; }
.note { color: var(--muted); font-size: 13px; }
.callout { border-left: 4px solid var(--warn); background: #fff8c5; padding: 8px 12px;
  margin: 10px 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin-right: 6px; vertical-align: baseline; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px;
  border-top: 1px solid var(--line); padding-top: 8px; }
tbody td:first-child { white-space: nowrap; }
.badge { display: inline-block; font-size: 11px; line-height: 1.3; padding: 0 6px;
  margin-left: 6px; border-radius: 9px; border: 1px solid #d4a72c; background: #fff8c5;
  color: #7d4e00; white-space: nowrap; vertical-align: 1px; }
@media screen and (max-width: 900px) {
  .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@page { margin: 14mm 12mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  .page { max-width: none; padding: 0; }
  h2 { break-after: avoid; margin-top: 18px; }
  figure, .kpis, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  details:not([open]) { display: none; }
  .kpis { grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px; }
  .kpi { padding: 8px 10px; }
  .kpi dd { font-size: 14pt; }
  table { font-size: 8.5pt; }
  th, td { padding: 3px 6px; }
  tbody td:first-child { white-space: normal; }
  svg.chart { font-size: 14.5px; }
}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


# --------------------------------------------------------------------------- page parts


def _numeric(numeric: bool) -> str:
    return " class=n" if numeric else ""


def _cells(headers: Sequence[tuple[str, bool]], row: Sequence[str]) -> str:
    return "".join(f"<td{_numeric(headers[j][1])}>{cell}</td>" for j, cell in enumerate(row))


def _table(
    ident: str | None,
    caption: str,
    headers: Sequence[tuple[str, bool]],
    rows: Sequence[Sequence[str]],
    foot: Sequence[str] | None = None,
    row_attrs: Sequence[str] | None = None,
) -> str:
    """A table; cells are HTML already (escape text before); ``headers`` are (label,
    numeric) pairs."""
    attr = f' id="{_e(ident)}"' if ident else ""
    out = [f"<table{attr}>", f"<caption>{_e(caption)}</caption>", "<thead><tr>"]
    out += [f'<th scope="col"{_numeric(n)}>{_e(h)}</th>' for h, n in headers]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        out.append(f"<tr{row_attrs[i] if row_attrs else ''}>{_cells(headers, row)}</tr>")
    out.append("</tbody>")
    if foot is not None:
        out.append(f"<tfoot><tr>{_cells(headers, foot)}</tr></tfoot>")
    out.append("</table>")
    return "\n".join(out)


def _columns_table(
    ident: str,
    caption: str,
    columns: Sequence[Column],
    items: Sequence[dict[str, Any]],
    currency: str,
    *,
    foot: dict[str, Any] | None = None,
    attrs: Callable[[dict[str, Any]], str] | None = None,
) -> str:
    """``items`` as a table by their columns (:mod:`.cells`); ``foot`` is one more row of
    the same shape, ``attrs`` gives each row's attributes."""
    return _table(
        ident,
        caption,
        [(c.header, c.numeric) for c in columns],
        cells.rows(columns, items, currency, _e),
        None if foot is None else cells.rows(columns, [foot], currency, _e)[0],
        None if attrs is None else [attrs(item) for item in items],
    )


def _section(ident: str, heading: str, *body: str) -> list[str]:
    """A section headed by ``heading`` (HTML) and labelled by it."""
    return [
        f'<section aria-labelledby="{ident}-h">',
        f'<h2 id="{ident}-h">{heading}</h2>',
        *body,
        "</section>",
    ]


def _numbers(table: str) -> list[str]:
    """A chart's numbers, folded away under it."""
    return ["<details><summary>The numbers behind this chart</summary>", table, "</details>"]


def _kpi(ident: str, label: str, value: str, sub: str = "", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    extra = f'<span class="sub">{sub}</span>' if sub else ""
    return (
        f'<div class="kpi"><dt>{_e(label)}</dt>'
        f'<dd id="{_e(ident)}"{klass}>{_e(value)}</dd>{extra}</div>'
    )


def _kpis(kpis: Sequence[str]) -> str:
    return f'<dl class="kpis">{"".join(kpis)}</dl>'


# --------------------------------------------------------------------------- the page


def render_html(doc: dict[str, Any], *, color: bool = False) -> str:
    """The whole report as one HTML page (``color`` is the renderers' common signature)."""
    if doc["console"] is not None:
        return _page(doc, _console(doc["console"], doc["currency"]))
    return _page(doc, _enterprise(doc["enterprise"], doc["currency"]))


def _page(doc: dict[str, Any], body: list[str]) -> str:
    heading = f"{_e(org_name(doc))}: {_e(subject(doc))}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            *_head(heading),
            "<body>",
            '<div class="page">',
            *_header(doc, heading),
            "<main>",
            *body,
            *_notes(doc),
            "</main>",
            "<footer>Amounts are exact in the data (JSON, CSV) and rounded to the cent here. "
            "Made by <code>claude-policy report</code>.</footer>",
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _head(heading: str) -> list[str]:
    return [
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="generator" content="claude-policy">',
        f"<title>{heading} — claude-policy report</title>",
        f"<style>{CSS}</style>",
        "</head>",
    ]


def _header(doc: dict[str, Any], heading: str) -> list[str]:
    org = doc["organization"]
    return [
        "<header>",
        f"<h1>{heading}</h1>",
        f'<p class="meta">{_e(org["kind"].capitalize())} organization '
        f"<code>{_e(org['id'])}</code> · generated {_e(doc['generated_at'])} by "
        f"claude-policy {_e(doc['tool']['version'])} from {doc['requests']} API request(s)"
        "</p>",
        "</header>",
    ]


def _notes(doc: dict[str, Any]) -> list[str]:
    notes = [f"<li>{_e(n)}</li>" for n in [*doc["warnings"], *doc["notes"]]]
    if not notes:
        return []
    return [
        '<section aria-labelledby="notes-h"><h2 id="notes-h">Warnings and notes</h2>',
        f"<ul>{''.join(notes)}</ul></section>",
    ]


# --------------------------------------------------------------------------- Console


def _console(c: dict[str, Any], currency: str) -> list[str]:
    w = c["window"]
    partial = "" if w["complete"] else " (month to date)"
    return [
        *_section(
            "summary",
            "Summary",
            f'<p class="meta" id="window">{_e(window_span(w))}: {w["days"]} whole UTC days'
            f"{partial}.</p>",
            _kpis(_console_kpis(c, currency)),
        ),
        *_daily(c, currency),
        *_workspaces(c, currency),
        *_premium(c, currency),
        *_held(c, currency),
        *_lines(c, currency),
    ]


def _console_kpis(c: dict[str, Any], currency: str) -> list[str]:
    t, held = c["totals"], c["held"]
    leaking = [h for h in held if h["global_tokens"]]
    return [
        _kpi(
            "total-cost",
            "Total cost",
            cents(t["cost_cents"], currency),
            f"tokens {_e(cents(t['token_cost_cents'], currency))} · other "
            f"{_e(cents(t['other_cost_cents'], currency))}",
        ),
        _kpi(
            "total-tokens",
            "Tokens",
            count(t["tokens"]["total_tokens"]),
            f"{_e(count(t['tokens']['output_tokens']))} output",
        ),
        _kpi(
            "us-premium",
            "US-only premium paid",
            cents(t["us_premium_cents"], currency),
            f"10% in {_e(cents(t['us_premium_base_cents'], currency))} of us cost",
        ),
        _kpi(
            "held-global",
            "US-only workspaces that ran global",
            f"{len(leaking)} of {len(held)}",
            "held to US-only by the policy",
            "bad" if leaking else "ok",
        ),
    ]


def _geo_color(geo: str | None) -> str:
    return GEO_COLORS.get(geo or "", OTHER_COLOR)


def _daily(c: dict[str, Any], currency: str) -> list[str]:
    days = c["daily"]
    geos = [g["inference_geo"] for g in c["by_geo"] if g["inference_geo"]]
    series = [
        Series(geo_label(geo), _geo_color(geo), [d["tokens_by_geo"].get(geo, 0) for d in days])
        for geo in geos
    ]
    chart = svg.columns(
        "chart-daily",
        title="Tokens per day by inference geo",
        desc=_daily_desc(days, series),
        categories=[d["date"][5:] for d in days],
        series=series,
        x_label="date (UTC, month-day)",
        y_label="tokens per day",
        fmt=compact,
    )
    columns = [
        Column("date", cells.text("date")),
        *(Column(geo_label(g), cells.geo_tokens(g), numeric=True) for g in geos),
        Column("all", lambda d, _: count(sum(d["tokens_by_geo"].values())), numeric=True),
        Column("cost", cells.cost, numeric=True),
    ]
    caption = "Tokens per day by inference geo, and cost"
    return _section(
        "daily",
        "Tokens per day by inference geo",
        f"<figure>{chart}<figcaption>Each column is one UTC day; colours are inference geos"
        " (global, us, and not available for models that cannot be pinned).</figcaption>"
        "</figure>",
        *_numbers(_columns_table("table-daily", caption, columns, days, currency)),
    )


def _daily_desc(days: list[dict[str, Any]], series: list[Series]) -> str:
    if not days:
        return "No days in the window."
    totals = [sum(d["tokens_by_geo"].values()) for d in days]
    busiest = max(range(len(days)), key=lambda i: totals[i])
    return (
        f"Stacked columns, one per day from {days[0]['date']} to {days[-1]['date']}, of the "
        f"tokens that ran on each inference geo ({', '.join(s.name for s in series)}). "
        f"The busiest day was {days[busiest]['date']} with {count(totals[busiest])} tokens."
    )


def _ws_label(ws: dict[str, Any]) -> str:
    return str(ws["workspace"]) + (" (default workspace)" if ws["is_default"] else "")


def _ws_id(row: dict[str, Any]) -> str:
    return f' data-workspace-id="{_e(row["workspace_id"] or "")}"'


def _ws_bars(spaces: Sequence[dict[str, Any]], key: str, currency: str, color: str) -> list[Bar]:
    """One bar per workspace of the amount (cents) under ``key``."""
    return [
        Bar(_ws_label(ws), float(Decimal(ws[key]) / 100), cents(ws[key], currency), color)
        for ws in spaces
    ]


def _ws_chart(ident: str, title: str, desc: str, bars: list[Bar], x_label: str) -> str:
    return svg.hbars(
        ident,
        title=title,
        desc=desc,
        bars=bars,
        x_label=x_label,
        y_label="workspace",
        fmt=lambda v: "$" + compact(v),
    )


def _others(rest: Sequence[dict[str, Any]], key: str, currency: str) -> str:
    """``86 more workspaces: $9,351.90 together`` (charts show the largest only: one bar
    summing the rest would dwarf every other)."""
    total = sum((Decimal(ws[key]) for ws in rest), Decimal(0))
    return f"{plural(len(rest), 'more workspace')}: {cents(total, currency)} together"


def _caption(shown: str, others: str) -> str:
    return f"<figcaption>{shown}; {_e(others)}.</figcaption>"


def _geo_tokens(c: dict[str, Any], geo: str) -> int:
    return sum(g["tokens"]["total_tokens"] for g in c["by_geo"] if g["inference_geo"] == geo)


def _ws_name(ws: dict[str, Any], _: str) -> str:
    badge = '<span class="badge">US-only</span>' if ws["held_us_only"] else ""
    return _e(_ws_label(ws)) + badge


WORKSPACE_COLUMNS = cells.workspace_columns(
    Column("workspace", _ws_name, markup=True), not_available=True
)


def _workspaces(c: dict[str, Any], currency: str) -> list[str]:
    spaces = c["by_workspace"]
    top, rest = spaces[:TOP_WORKSPACES], spaces[TOP_WORKSPACES:]
    others = _others(rest, "cost_cents", currency)
    bars = _ws_bars(top, "cost_cents", currency, COST_COLOR)
    desc = (
        "Horizontal bars of each workspace's cost in the window, most expensive first"
        + (f" (the {len(top)} most expensive; {others})" if rest else "")
        + ". "
        + (
            f"{_ws_label(spaces[0])} cost the most: {cents(spaces[0]['cost_cents'], currency)}."
            if spaces
            else "No workspace had any cost."
        )
    )
    chart = _ws_chart("chart-workspaces", "Cost by workspace", desc, bars, f"cost ({currency})")
    caption = _caption(f"The {len(top)} most expensive", others) if rest else ""
    table = _columns_table(
        "table-workspaces",
        "Tokens by inference geo and cost, per workspace",
        WORKSPACE_COLUMNS,
        spaces,
        currency,
        foot=_totals_row(c),
        attrs=_ws_id,
    )
    return _section("workspaces", "Cost by workspace", f"<figure>{chart}{caption}</figure>", table)


def _totals_row(c: dict[str, Any]) -> dict[str, Any]:
    """The window's totals as a row of the workspace table."""
    t = c["totals"]
    return {
        "workspace": "Total",
        "is_default": False,
        "held_us_only": False,
        "tokens": t["tokens"],
        "tokens_by_geo": {g: _geo_tokens(c, g) for g in ("global", "us", "not_available")},
        "cost_cents": t["cost_cents"],
        "us_premium_cents": t["us_premium_cents"],
    }


PREMIUM_COLUMNS = (
    Column("workspace", lambda ws, _: _ws_label(ws)),
    cells.PREMIUM.titled("premium"),
)


def _premium(c: dict[str, Any], currency: str) -> list[str]:
    t = c["totals"]
    intro = (
        f"<p>Requests pinned to <strong>us</strong> inference on models priced 1.1× there "
        f"(Claude 4.6 and later) cost 10% more than global ones. In this window that "
        f'added <strong id="us-premium-total">{_e(cents(t["us_premium_cents"], currency))}'
        f"</strong> to {_e(cents(t['us_premium_base_cents'], currency))} of us cost "
        "(premium = cost − cost ÷ 1.1).</p>"
    )
    paying = sorted(
        (ws for ws in c["by_workspace"] if Decimal(ws["us_premium_cents"]) > 0),
        key=lambda ws: -Decimal(ws["us_premium_cents"]),
    )
    if not paying:
        none = (
            '<p class="note">No workspace ran us inference on a model priced 1.1×: '
            "no premium was paid.</p>"
        )
        return _section("premium", "US-only premium", intro, none)
    return _section("premium", "US-only premium", intro, *_premium_chart(paying, currency))


def _premium_chart(paying: list[dict[str, Any]], currency: str) -> list[str]:
    bars = _ws_bars(paying, "us_premium_cents", currency, PREMIUM_COLOR)
    rest = paying[TOP_WORKSPACES:]
    desc = (
        f"Horizontal bars of the premium each workspace paid for us inference; "
        f"{plural(len(bars), 'workspace')} paid one, {bars[0].label} the most "
        f"({bars[0].text})" + (f"; the {TOP_WORKSPACES} largest are drawn" if rest else "") + "."
    )
    title, top = "US-only premium by workspace", bars[:TOP_WORKSPACES]
    chart = _ws_chart("chart-premium", title, desc, top, f"premium paid ({currency})")
    others = _others(rest, "us_premium_cents", currency)
    caption = _caption(f"The {TOP_WORKSPACES} largest", others) if rest else ""
    table = _columns_table("table-premium", title, PREMIUM_COLUMNS, paying, currency)
    return [f"<figure>{chart}{caption}</figure>", *_numbers(table)]


def _held_share(h: dict[str, Any], _: str) -> str:
    if h["workspace_id"] is None:
        return '<span class="note">not created yet</span>'
    if not h["total_tokens"]:
        return '<span class="note">no usage</span>'
    klass = "bad" if h["global_tokens"] else "ok"
    return f'<span class="{klass}">{_e(pct(h["global_share_percent"]))}</span>'


HELD_COLUMNS = (
    cells.WORKSPACE,
    Column("global share", _held_share, numeric=True, markup=True),
    cells.GLOBAL_TOKENS,
    cells.ALL_TOKENS,
    cells.GLOBAL_COST,
    Column("held by", lambda h, _: f"<code>{_e(h['source'])}</code>", markup=True),
)


def _held(c: dict[str, Any], currency: str) -> list[str]:
    held, heading = c["held"], "Workspaces held to US-only inference"
    if not held:
        none = (
            '<p class="note">The policy holds no workspace to US-only inference '
            "(<code>allowed_inference_geos: [us]</code>).</p>"
        )
        return _section("held", heading, none)
    intro = (
        "<p>The share of each workspace's tokens that ran on <strong>global</strong> "
        "inference in the window although the policy holds it to US-only."
    )
    if any(h["global_tokens"] for h in held):
        intro += f" Run <code>{AUDIT_HINT}</code> for the details, day by day and by model."
    caption = "Global share of workspaces held to US-only inference"
    table = _columns_table("table-held", caption, HELD_COLUMNS, held, currency, attrs=_ws_id)
    return _section("held", heading, intro + "</p>", table)


def _swatch(ln: dict[str, Any], _: str) -> str:
    geo = ln["inference_geo"]
    if not geo:
        return "—"
    return f'<span class="swatch" style="background:{_geo_color(geo)}"></span>{_e(geo_label(geo))}'


LINE_COLUMNS = (
    cells.WORKSPACE,
    cells.MODEL,
    Column("geo", _swatch, markup=True),
    Column("input", cells.tokens("uncached_input_tokens"), numeric=True),
    Column("cache reads", cells.tokens("cache_read_input_tokens"), numeric=True),
    Column("cache writes", cells.tokens("cache_creation_input_tokens"), numeric=True),
    Column("output", cells.tokens("output_tokens"), numeric=True),
    cells.COST,
)


def _lines(c: dict[str, Any], currency: str) -> list[str]:
    heading = "By workspace, model and inference geo"
    caption = "Tokens and cost by workspace, model and inference geo"
    table = _columns_table("table-lines", caption, LINE_COLUMNS, c["lines"], currency)
    return _section("lines", heading, table)


# --------------------------------------------------------------------------- Enterprise


def _enterprise(e: dict[str, Any], currency: str) -> list[str]:
    periods = e["periods"]
    as_of = f'<p class="meta">As of {_e(e["as_of"])}.</p>'
    if not periods:
        return _section(
            "summary", "Summary", as_of, "<p>No member has a spend limit in any period.</p>"
        )
    out = _section("summary", "Summary", as_of, _kpis(_enterprise_kpis(periods[0], currency)))
    for index, p in enumerate(periods):
        out += _period(e, p, f"p{index}", currency)
    return out


def _enterprise_kpis(main: dict[str, Any], currency: str) -> list[str]:
    return [
        _kpi(
            "members",
            "Members with a cap",
            count(main["capped"]),
            f"{_e(count(main['uncapped']))} without one · {_e(main['period'])}",
        ),
        _kpi(
            "at-80",
            "At ≥ 80 % of their cap",
            count(main["at_80"]),
            f"{_e(count(main['at_100']))} at ≥ 100 %",
            "warn" if main["at_80"] else "ok",
        ),
        _kpi(
            "headroom",
            "Headroom left",
            minor(main["headroom"], currency),
            f"of {_e(minor(main['caps'], currency))} in caps",
        ),
        _kpi(
            "projected",
            "Projected spend by the end",
            cells.projected(main, currency),
            f"{_e(minor(main['spent'], currency))} so far, "
            f"{_e(main['elapsed_percent'] or '?')}% of the period gone",
        ),
    ]


def _period(e: dict[str, Any], p: dict[str, Any], ident: str, currency: str) -> list[str]:
    return _section(
        ident,
        _e(period_label(p).capitalize()),
        _period_summary(p, ident, currency),
        *_bands(p, ident),
        *_scopes(of_period(e["by_source"], p["period"]), ident, currency),
        *_hot(hot_members(e, p["period"]), ident, currency),
    )


def _period_summary(p: dict[str, Any], ident: str, currency: str) -> str:
    over = (
        f", and {_e(plural(p['projected_over_cap'], 'more member'))} would reach their cap"
        if p["projected_over_cap"]
        else ""
    )
    return (
        f'<p id="{ident}-summary">{_e(plural(p["members"], "member"))} with a limit row, '
        f"{_e(count(p['capped']))} capped; <strong>{_e(count(p['at_80']))}</strong> at ≥ 80 % "
        f"and <strong>{_e(count(p['at_100']))}</strong> at ≥ 100 % of their cap. Spent "
        f"{_e(minor(p['spent'], currency))} of {_e(minor(p['caps'], currency))} in caps "
        f"(headroom {_e(minor(p['headroom'], currency))}); at this pace "
        f"{_e(cells.projected(p, currency))} by the period's end{over}.</p>"
    )


def _bands(p: dict[str, Any], ident: str) -> list[str]:
    bands = p["distribution"]
    labels = [
        f"{b['low']}–{b['high']}%" if b["high"] is not None else f"≥ {b['low']}%" for b in bands
    ]
    values = [b["members"] for b in bands]
    chart = svg.columns(
        f"chart-caps-{ident}",
        title=f"Spend against cap, {p['period']}: members by share of their cap used",
        desc=(
            f"Columns counting the {count(p['capped'])} capped members by the share of their "
            f"{p['period']} cap spent so far, in bands of 10 percent; the last column is "
            f"members at or over their cap ({count(p['at_100'])}). {count(p['at_80'])} "
            "members are at 80 percent or more."
        ),
        categories=labels,
        series=[Series("members", BAND_COLORS[0], values)],
        colors=[BAND_COLORS[band_class(b)] for b in bands],
        x_label="share of the cap spent so far",
        y_label="members",
        fmt=compact,
        whole=True,
        height=320,
    )
    rows = [[_e(label), _e(count(v))] for label, v in zip(labels, values, strict=True)]
    headers = [("share of cap", False), ("members", True)]
    return [
        f"<figure>{chart}<figcaption>Blue: below 80 %; orange: 80 to 100 %; red: at or over "
        "the cap.</figcaption></figure>",
        *_numbers(
            _table(f"table-bands-{ident}", "Members by share of their cap used", headers, rows)
        ),
    ]


def _scopes(sources: list[dict[str, Any]], ident: str, currency: str) -> list[str]:
    caption = "Members, thresholds and headroom by the scope of their cap"
    return [
        "<h3>By the scope that sets the cap</h3>",
        '<p class="note">The Admin API tells a member\'s seat tier and groups through the '
        "limit that caps them: members are grouped by it.</p>",
        _columns_table(f"table-sources-{ident}", caption, cells.SCOPE_COLUMNS, sources, currency),
    ]


def _used(m: dict[str, Any], currency: str) -> str:
    return f'<span class="{"bad" if m["at_100"] else "warn"}">{_e(cells.used(m, currency))}</span>'


MEMBER_COLUMNS = (
    cells.MEMBER,
    cells.CAP,
    cells.SPENT,
    Column("used", _used, numeric=True, markup=True),
    cells.PROJECTED,
    cells.HEADROOM,
    cells.CAP_FROM,
)


def _hot(hot: list[dict[str, Any]], ident: str, currency: str) -> list[str]:
    out = [f"<h3>Members at ≥ 80 % of their cap ({_e(count(len(hot)))})</h3>"]
    if not hot:
        return [*out, '<p class="note">None.</p>']
    shown = hot[:MEMBER_ROWS]
    out.append(
        _columns_table(
            f"table-members-{ident}",
            "Members at 80 percent of their cap or more, most used first",
            MEMBER_COLUMNS,
            shown,
            currency,
            attrs=lambda m: f' data-email="{_e(m["email"])}"',
        )
    )
    if len(hot) > len(shown):
        out.append(
            f'<p class="note">… and {_e(count(len(hot) - len(shown)))} more: the '
            "CSV lists every member.</p>"
        )
    return out
