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

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import Any

from reconciler.report.render import svg
from reconciler.report.render.common import (
    AUDIT_HINT,
    cents,
    compact,
    count,
    geo_label,
    hottest_first,
    last_day,
    minor,
    model_label,
    pct,
    period_label,
    plural,
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
    out += [f'<th scope="col"{" class=n" if n else ""}>{_e(h)}</th>' for h, n in headers]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        extra = row_attrs[i] if row_attrs else ""
        cells = "".join(
            f"<td{' class=n' if headers[j][1] else ''}>{cell}</td>" for j, cell in enumerate(row)
        )
        out.append(f"<tr{extra}>{cells}</tr>")
    out.append("</tbody>")
    if foot is not None:
        cells = "".join(
            f"<td{' class=n' if headers[j][1] else ''}>{cell}</td>" for j, cell in enumerate(foot)
        )
        out.append(f"<tfoot><tr>{cells}</tr></tfoot>")
    out.append("</table>")
    return "\n".join(out)


def _kpi(ident: str, label: str, value: str, sub: str = "", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    extra = f'<span class="sub">{sub}</span>' if sub else ""
    return (
        f'<div class="kpi"><dt>{_e(label)}</dt>'
        f'<dd id="{_e(ident)}"{klass}>{_e(value)}</dd>{extra}</div>'
    )


def _page(doc: dict[str, Any], heading: str, body: list[str]) -> str:
    org = doc["organization"]
    name = org.get("name") or org["id"]
    notes = [f"<li>{_e(w)}</li>" for w in doc["warnings"]]
    notes += [f"<li>{_e(n)}</li>" for n in doc["notes"]]
    notes_html = (
        [
            '<section aria-labelledby="notes-h"><h2 id="notes-h">Warnings and notes</h2>',
            f"<ul>{''.join(notes)}</ul></section>",
        ]
        if notes
        else []
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            '<meta name="generator" content="claude-policy">',
            f"<title>{_e(name)}: {_e(heading)} — claude-policy report</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            '<div class="page">',
            "<header>",
            f"<h1>{_e(name)}: {_e(heading)}</h1>",
            f'<p class="meta">{_e(org["kind"].capitalize())} organization '
            f"<code>{_e(org['id'])}</code> · generated {_e(doc['generated_at'])} by "
            f"claude-policy {_e(doc['tool']['version'])} from {doc['requests']} API request(s)"
            "</p>",
            "</header>",
            "<main>",
            *body,
            *notes_html,
            "</main>",
            "<footer>Amounts are exact in the data (JSON, CSV) and rounded to the cent here. "
            "Made by <code>claude-policy report</code>.</footer>",
            "</div>",
            "</body>",
            "</html>",
            "",
        ]
    )


def render_html(doc: dict[str, Any], *, color: bool = False) -> str:
    if doc["console"] is not None:
        heading = f"usage and cost, {doc['console']['window']['label']}"
        return _page(doc, heading, _console(doc["console"], doc["currency"]))
    return _page(doc, "spend against caps", _enterprise(doc["enterprise"], doc["currency"]))


# --------------------------------------------------------------------------- Console


def _console(c: dict[str, Any], currency: str) -> list[str]:
    w, t = c["window"], c["totals"]
    held = c["held"]
    leaking = [h for h in held if h["global_tokens"]]
    span = f"{w['starting_at'][:10]} to {last_day(w)}"
    partial = "" if w["complete"] else " (month to date)"
    kpis = [
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
    return [
        '<section aria-labelledby="summary-h">',
        '<h2 id="summary-h">Summary</h2>',
        f'<p class="meta" id="window">{_e(span)}: {w["days"]} whole UTC days{partial}.</p>',
        f'<dl class="kpis">{"".join(kpis)}</dl>',
        "</section>",
        *_daily(c),
        *_workspaces(c, currency),
        *_premium(c, currency),
        *_held(c, currency),
        *_lines(c, currency),
    ]


def _geo_color(geo: str | None) -> str:
    return GEO_COLORS.get(geo or "", OTHER_COLOR)


def _daily(c: dict[str, Any]) -> list[str]:
    days = c["daily"]
    geos = [g["inference_geo"] for g in c["by_geo"] if g["inference_geo"]]
    series = [
        Series(geo_label(geo), _geo_color(geo), [d["tokens_by_geo"].get(geo, 0) for d in days])
        for geo in geos
    ]
    totals = [sum(d["tokens_by_geo"].values()) for d in days]
    busiest = max(range(len(days)), key=lambda i: totals[i]) if days else None
    desc = (
        f"Stacked columns, one per day from {days[0]['date']} to {days[-1]['date']}, of the "
        f"tokens that ran on each inference geo ({', '.join(s.name for s in series)}). "
        + (
            f"The busiest day was {days[busiest]['date']} with {count(totals[busiest])} tokens."
            if busiest is not None
            else ""
        )
        if days
        else "No days in the window."
    )
    chart = svg.columns(
        "chart-daily",
        title="Tokens per day by inference geo",
        desc=desc,
        categories=[d["date"][5:] for d in days],
        series=series,
        x_label="date (UTC, month-day)",
        y_label="tokens per day",
        fmt=compact,
    )
    rows = [
        [
            _e(d["date"]),
            *(_e(count(d["tokens_by_geo"].get(g, 0))) for g in geos),
            _e(count(total)),
            _e(cents(d["cost_cents"])),
        ]
        for d, total in zip(days, totals, strict=True)
    ]
    headers = [
        ("date", False),
        *((geo_label(g), True) for g in geos),
        ("all", True),
        ("cost", True),
    ]
    return [
        '<section aria-labelledby="daily-h">',
        '<h2 id="daily-h">Tokens per day by inference geo</h2>',
        f"<figure>{chart}<figcaption>Each column is one UTC day; colours are inference geos"
        " (global, us, and not available for models that cannot be pinned).</figcaption>"
        "</figure>",
        "<details><summary>The numbers behind this chart</summary>",
        _table("table-daily", "Tokens per day by inference geo, and cost", headers, rows),
        "</details>",
        "</section>",
    ]


def _ws_label(ws: dict[str, Any]) -> str:
    return str(ws["workspace"]) + (" (default workspace)" if ws["is_default"] else "")


def _workspaces(c: dict[str, Any], currency: str) -> list[str]:
    spaces = c["by_workspace"]
    top = spaces[:TOP_WORKSPACES]
    rest = spaces[TOP_WORKSPACES:]
    bars = [
        Bar(
            _ws_label(ws),
            float(Decimal(ws["cost_cents"]) / 100),
            cents(ws["cost_cents"], currency),
            COST_COLOR,
        )
        for ws in top
    ]
    others = _others(rest, "cost_cents", currency)
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
    chart = svg.hbars(
        "chart-workspaces",
        title="Cost by workspace",
        desc=desc,
        bars=bars,
        x_label=f"cost ({currency})",
        y_label="workspace",
        fmt=lambda v: "$" + compact(v),
    )
    caption = (
        f"<figcaption>The {len(top)} most expensive; {_e(others)}.</figcaption>" if rest else ""
    )
    rows, attrs = [], []
    for ws in spaces:
        held = '<span class="badge">US-only</span>' if ws["held_us_only"] else ""
        rows.append(
            [
                _e(_ws_label(ws)) + held,
                _e(count(ws["tokens"]["total_tokens"])),
                _e(count(ws["tokens_by_geo"].get("global", 0))),
                _e(count(ws["tokens_by_geo"].get("us", 0))),
                _e(count(ws["tokens_by_geo"].get("not_available", 0))),
                _e(cents(ws["cost_cents"], currency)),
                _e(cents(ws["us_premium_cents"], currency)),
            ]
        )
        attrs.append(f' data-workspace-id="{_e(ws["workspace_id"] or "")}"')
    t = c["totals"]
    foot = [
        "Total",
        _e(count(t["tokens"]["total_tokens"])),
        _e(count(_geo_tokens(c, "global"))),
        _e(count(_geo_tokens(c, "us"))),
        _e(count(_geo_tokens(c, "not_available"))),
        _e(cents(t["cost_cents"], currency)),
        _e(cents(t["us_premium_cents"], currency)),
    ]
    headers = [
        ("workspace", False),
        ("tokens", True),
        ("global", True),
        ("us", True),
        ("not available", True),
        ("cost", True),
        ("US-only premium", True),
    ]
    return [
        '<section aria-labelledby="workspaces-h">',
        '<h2 id="workspaces-h">Cost by workspace</h2>',
        f"<figure>{chart}{caption}</figure>",
        _table(
            "table-workspaces",
            "Tokens by inference geo and cost, per workspace",
            headers,
            rows,
            foot,
            attrs,
        ),
        "</section>",
    ]


def _others(rest: Sequence[dict[str, Any]], key: str, currency: str) -> str:
    """``86 more workspaces: $9,351.90 together`` (charts show the largest only: one bar
    summing the rest would dwarf every other)."""
    total = sum((Decimal(ws[key]) for ws in rest), Decimal(0))
    return f"{plural(len(rest), 'more workspace')}: {cents(total, currency)} together"


def _geo_tokens(c: dict[str, Any], geo: str) -> int:
    return sum(g["tokens"]["total_tokens"] for g in c["by_geo"] if g["inference_geo"] == geo)


def _premium(c: dict[str, Any], currency: str) -> list[str]:
    t = c["totals"]
    paying = [ws for ws in c["by_workspace"] if Decimal(ws["us_premium_cents"]) > 0]
    intro = (
        f"<p>Requests pinned to <strong>us</strong> inference on models priced 1.1× there "
        f"(Claude 4.6 and later) cost 10% more than global ones. In this window that "
        f'added <strong id="us-premium-total">{_e(cents(t["us_premium_cents"], currency))}'
        f"</strong> to {_e(cents(t['us_premium_base_cents'], currency))} of us cost "
        "(premium = cost − cost ÷ 1.1).</p>"
    )
    out = [
        '<section aria-labelledby="premium-h">',
        '<h2 id="premium-h">US-only premium</h2>',
        intro,
    ]
    if not paying:
        out += [
            '<p class="note">No workspace ran us inference on a model priced 1.1×: '
            "no premium was paid.</p>",
            "</section>",
        ]
        return out
    paying = sorted(paying, key=lambda ws: -Decimal(ws["us_premium_cents"]))
    bars = [
        Bar(
            _ws_label(ws),
            float(Decimal(ws["us_premium_cents"]) / 100),
            cents(ws["us_premium_cents"], currency),
            PREMIUM_COLOR,
        )
        for ws in paying
    ]
    rest = paying[TOP_WORKSPACES:]
    others = _others(rest, "us_premium_cents", currency)
    caption = (
        f"<figcaption>The {TOP_WORKSPACES} largest; {_e(others)}.</figcaption>" if rest else ""
    )
    chart = svg.hbars(
        "chart-premium",
        title="US-only premium by workspace",
        desc=(
            f"Horizontal bars of the premium each workspace paid for us inference; "
            f"{plural(len(bars), 'workspace')} paid one, {bars[0].label} the most "
            f"({bars[0].text})"
            + (f"; the {TOP_WORKSPACES} largest are drawn" if rest else "")
            + "."
        ),
        bars=bars[:TOP_WORKSPACES],
        x_label=f"premium paid ({currency})",
        y_label="workspace",
        fmt=lambda v: "$" + compact(v),
    )
    rows = [[_e(b.label), _e(b.text)] for b in bars]
    out += [
        f"<figure>{chart}{caption}</figure>",
        "<details><summary>The numbers behind this chart</summary>",
        _table(
            "table-premium",
            "US-only premium by workspace",
            [("workspace", False), ("premium", True)],
            rows,
        ),
        "</details>",
        "</section>",
    ]
    return out


def _held(c: dict[str, Any], currency: str) -> list[str]:
    held = c["held"]
    out = [
        '<section aria-labelledby="held-h">',
        '<h2 id="held-h">Workspaces held to US-only inference</h2>',
    ]
    if not held:
        return [
            *out,
            '<p class="note">The policy holds no workspace to US-only inference '
            "(<code>allowed_inference_geos: [us]</code>).</p>",
            "</section>",
        ]
    rows, attrs = [], []
    for h in held:
        if h["workspace_id"] is None:
            share = '<span class="note">not created yet</span>'
        elif not h["total_tokens"]:
            share = '<span class="note">no usage</span>'
        else:
            klass = "bad" if h["global_tokens"] else "ok"
            share = f'<span class="{klass}">{_e(pct(h["global_share_percent"]))}</span>'
        rows.append(
            [
                _e(h["workspace"]),
                share,
                _e(count(h["global_tokens"])),
                _e(count(h["total_tokens"])),
                _e(cents(h["global_cost_cents"], currency)),
                f"<code>{_e(h['source'])}</code>",
            ]
        )
        attrs.append(f' data-workspace-id="{_e(h["workspace_id"] or "")}"')
    leaking = any(h["global_tokens"] for h in held)
    out += [
        "<p>The share of each workspace's tokens that ran on <strong>global</strong> "
        "inference in the window although the policy holds it to US-only."
        + (
            f" Run <code>{AUDIT_HINT}</code> for the details, day by day and by model.</p>"
            if leaking
            else "</p>"
        ),
        _table(
            "table-held",
            "Global share of workspaces held to US-only inference",
            [
                ("workspace", False),
                ("global share", True),
                ("global tokens", True),
                ("all tokens", True),
                ("global cost", True),
                ("held by", False),
            ],
            rows,
            row_attrs=attrs,
        ),
        "</section>",
    ]
    return out


def _lines(c: dict[str, Any], currency: str) -> list[str]:
    rows = [
        [
            _e(ln["workspace"]),
            _e(model_label(ln["model"], ln["cost_types"])),
            f'<span class="swatch" style="background:{_geo_color(ln["inference_geo"])}"></span>'
            f"{_e(geo_label(ln['inference_geo']))}"
            if ln["inference_geo"]
            else "—",
            _e(count(ln["tokens"]["uncached_input_tokens"])),
            _e(count(ln["tokens"]["cache_read_input_tokens"])),
            _e(count(ln["tokens"]["cache_creation_input_tokens"])),
            _e(count(ln["tokens"]["output_tokens"])),
            _e(cents(ln["cost_cents"], currency)),
        ]
        for ln in c["lines"]
    ]
    headers = [
        ("workspace", False),
        ("model", False),
        ("geo", False),
        ("input", True),
        ("cache reads", True),
        ("cache writes", True),
        ("output", True),
        ("cost", True),
    ]
    return [
        '<section aria-labelledby="lines-h">',
        '<h2 id="lines-h">By workspace, model and inference geo</h2>',
        _table(
            "table-lines", "Tokens and cost by workspace, model and inference geo", headers, rows
        ),
        "</section>",
    ]


# --------------------------------------------------------------------------- Enterprise


def _enterprise(e: dict[str, Any], currency: str) -> list[str]:
    periods = e["periods"]
    out = [
        '<section aria-labelledby="summary-h">',
        '<h2 id="summary-h">Summary</h2>',
        f'<p class="meta">As of {_e(e["as_of"])}.</p>',
    ]
    if not periods:
        return [*out, "<p>No member has a spend limit in any period.</p>", "</section>"]
    main = periods[0]
    kpis = [
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
            "—" if main["projected"] is None else minor(main["projected"], currency),
            f"{_e(minor(main['spent'], currency))} so far, "
            f"{_e(main['elapsed_percent'] or '?')}% of the period gone",
        ),
    ]
    out += [f'<dl class="kpis">{"".join(kpis)}</dl>', "</section>"]
    for index, p in enumerate(periods):
        out += _period(e, p, index, currency)
    return out


def _period(e: dict[str, Any], p: dict[str, Any], index: int, currency: str) -> list[str]:
    ident = f"p{index}"
    bands = p["distribution"]
    labels = [
        f"{b['low']}–{b['high']}%" if b["high"] is not None else f"≥ {b['low']}%" for b in bands
    ]
    colors = [
        BAND_COLORS[2]
        if b["high"] is None
        else BAND_COLORS[1]
        if b["low"] >= 80
        else BAND_COLORS[0]
        for b in bands
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
        colors=colors,
        x_label="share of the cap spent so far",
        y_label="members",
        fmt=compact,
        whole=True,
        height=320,
    )
    sources = [s for s in e["by_source"] if s["period"] == p["period"]]
    src_rows = [
        [
            _e(s["label"]),
            "per member" if s["source_type"] == "user" else _e(minor(s["cap"], currency)),
            _e(count(s["members"])),
            _e(count(s["at_80"])),
            _e(count(s["at_100"])),
            _e(minor(s["spent"], currency)),
            _e(minor(s["headroom"], currency)),
        ]
        for s in sources
    ]
    hot = sorted(
        (m for m in e["members"] if m["period"] == p["period"] and m["at_80"]), key=hottest_first
    )
    shown = hot[:MEMBER_ROWS]
    member_rows = [
        [
            _e(m["email"]),
            _e(minor(m["cap"], currency)),
            _e(minor(m["spent"], currency)),
            f'<span class="{"bad" if m["at_100"] else "warn"}">'
            f"{_e(pct(m['percent_used']) if m['percent_used'] else 'at cap')}</span>",
            _e(minor(m["projected"], currency) if m["projected"] else "—"),
            _e(minor(m["headroom"], currency)),
            _e(m["source"]),
        ]
        for m in shown
    ]
    member_attrs = [f' data-email="{_e(m["email"])}"' for m in shown]
    projected = "—" if p["projected"] is None else minor(p["projected"], currency)
    out = [
        f'<section aria-labelledby="{ident}-h">',
        f'<h2 id="{ident}-h">{_e(period_label(p).capitalize())}</h2>',
        f'<p id="{ident}-summary">{_e(plural(p["members"], "member"))} with a limit row, '
        f"{_e(count(p['capped']))} capped; <strong>{_e(count(p['at_80']))}</strong> at ≥ 80 % "
        f"and <strong>{_e(count(p['at_100']))}</strong> at ≥ 100 % of their cap. Spent "
        f"{_e(minor(p['spent'], currency))} of {_e(minor(p['caps'], currency))} in caps "
        f"(headroom {_e(minor(p['headroom'], currency))}); at this pace "
        f"{_e(projected)} by the period's end"
        + (
            f", and {_e(plural(p['projected_over_cap'], 'more member'))} would reach their cap"
            if p["projected_over_cap"]
            else ""
        )
        + ".</p>",
        f"<figure>{chart}<figcaption>Blue: below 80 %; orange: 80 to 100 %; red: at or over "
        "the cap.</figcaption></figure>",
        "<details><summary>The numbers behind this chart</summary>",
        _table(
            f"table-bands-{ident}",
            "Members by share of their cap used",
            [("share of cap", False), ("members", True)],
            [[_e(label), _e(count(v))] for label, v in zip(labels, values, strict=True)],
        ),
        "</details>",
        "<h3>By the scope that sets the cap</h3>",
        '<p class="note">The Admin API tells a member\'s seat tier and groups through the '
        "limit that caps them: members are grouped by it.</p>",
        _table(
            f"table-sources-{ident}",
            "Members, thresholds and headroom by the scope of their cap",
            [
                ("scope", False),
                ("cap", True),
                ("members", True),
                ("at ≥ 80 %", True),
                ("at ≥ 100 %", True),
                ("spent", True),
                ("headroom", True),
            ],
            src_rows,
        ),
        f"<h3>Members at ≥ 80 % of their cap ({_e(count(len(hot)))})</h3>",
    ]
    if member_rows:
        out.append(
            _table(
                f"table-members-{ident}",
                "Members at 80 percent of their cap or more, most used first",
                [
                    ("member", False),
                    ("cap", True),
                    ("spent", True),
                    ("used", True),
                    ("projected", True),
                    ("headroom", True),
                    ("cap from", False),
                ],
                member_rows,
                row_attrs=member_attrs,
            )
        )
        if len(hot) > len(shown):
            out.append(
                f'<p class="note">… and {_e(count(len(hot) - len(shown)))} more: the '
                "CSV lists every member.</p>"
            )
    else:
        out.append('<p class="note">None.</p>')
    out.append("</section>")
    return out
