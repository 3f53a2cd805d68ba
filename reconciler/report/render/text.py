"""The report as plain text for a terminal or a log: summary first, then tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    plural,
    title,
)

__all__ = ["render_text", "table"]

MEMBER_ROWS = 50  # members at ≥ 80 % listed in text; the CSV and JSON hold them all


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


def render_text(doc: dict[str, Any], *, color: bool = False) -> str:
    org = doc["organization"]
    lines = [
        f"{title(doc)}",
        f"Organization: {org.get('name') or '?'} ({org['kind']}, {org['id']})",
    ]
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
    w, t = c["window"], c["totals"]
    span = f"{w['starting_at'][:10]} to {last_day(w)}"
    partial = "" if w["complete"] else ", month to date"
    out = [
        f"Window: {span} ({w['days']} whole UTC days{partial})",
        "",
        f"  Total cost        {cents(t['cost_cents'], currency)}"
        f"   (tokens {cents(t['token_cost_cents'], currency)},"
        f" other {cents(t['other_cost_cents'], currency)})",
        f"  Tokens            {count(t['tokens']['total_tokens'])}",
        f"  US-only premium   {cents(t['us_premium_cents'], currency)}"
        f"   (the 10% in {cents(t['us_premium_base_cents'], currency)} of us cost on models"
        " priced 1.1x)",
        "",
        "By inference geo:",
        *table(
            ["geo", "tokens", "cost"],
            [
                [
                    geo_label(g["inference_geo"]) if g["inference_geo"] else "(other costs)",
                    count(g["tokens"]["total_tokens"]),
                    cents(g["cost_cents"], currency),
                ]
                for g in c["by_geo"]
            ],
            [False, True, True],
        ),
        "",
        "By workspace:",
        *table(
            ["workspace", "tokens", "global", "us", "cost", "us premium"],
            [
                [
                    ws["workspace"] + (" *" if ws["held_us_only"] else ""),
                    count(ws["tokens"]["total_tokens"]),
                    count(ws["tokens_by_geo"].get("global", 0)),
                    count(ws["tokens_by_geo"].get("us", 0)),
                    cents(ws["cost_cents"], currency),
                    cents(ws["us_premium_cents"], currency),
                ]
                for ws in c["by_workspace"]
            ],
            [False, True, True, True, True, True],
        ),
    ]
    if any(ws["held_us_only"] for ws in c["by_workspace"]):
        out.append("  * held to US-only inference by the policy")
    out += [
        "",
        "By workspace, model and inference geo:",
        *table(
            ["workspace", "model", "geo", "tokens", "cost"],
            [
                [
                    ln["workspace"],
                    model_label(ln["model"], ln["cost_types"]),
                    geo_label(ln["inference_geo"]),
                    count(ln["tokens"]["total_tokens"]),
                    cents(ln["cost_cents"], currency),
                ]
                for ln in c["lines"]
            ],
            [False, False, False, True, True],
        ),
    ]
    out += ["", *_held(c, currency)]
    return out


def _held(c: dict[str, Any], currency: str) -> list[str]:
    if not c["held"]:
        return ["Held to US-only inference: none (the policy holds no workspace to [us])."]
    out = ["Held to US-only inference: the share of each workspace's tokens that ran global:"]
    for h in c["held"]:
        if h["workspace_id"] is None:
            out.append(f"  -  {h['address']}: not created yet    # {h['source']}")
            continue
        share = pct(h["global_share_percent"]) if h["total_tokens"] else "no usage"
        mark = "x" if h["global_tokens"] else "ok"
        out.append(
            f"  {mark:<2} {h['address']}: {share} global "
            f"({count(h['global_tokens'])} of {count(h['total_tokens'])} tokens, "
            f"{cents(h['global_cost_cents'], currency)})    # {h['source']}"
        )
    if any(h["global_tokens"] for h in c["held"]):
        out.append(f"  Details, day by day and by model: `{AUDIT_HINT}`.")
    return out


# --------------------------------------------------------------------------- Enterprise


def _enterprise(e: dict[str, Any], currency: str) -> list[str]:
    out = [f"As of {e['as_of'].replace('T', ' ').replace('Z', ' UTC')}"]
    if not e["periods"]:
        return [*out, "", "No member has a spend limit in any period."]
    for p in e["periods"]:
        elapsed = f", {p['elapsed_percent']}% elapsed" if p["elapsed_percent"] else ""
        out += [
            "",
            f"{period_label(p)}{elapsed}:",
            f"  members {count(p['members'])} · capped {count(p['capped'])} · "
            f"at ≥80% {count(p['at_80'])} · at ≥100% {count(p['at_100'])} · "
            f"no cap {count(p['uncapped'])}",
            f"  spent {minor(p['spent'], currency)} · caps {minor(p['caps'], currency)} · "
            f"headroom {minor(p['headroom'], currency)}"
            + (
                f" · projected {minor(p['projected'], currency)} by the period's end"
                if p["projected"] is not None
                else ""
            ),
        ]
        if p["projected_over_cap"]:
            out.append(
                f"  {plural(p['projected_over_cap'], 'more member')} would reach their cap at "
                "this pace"
            )
        sources = [s for s in e["by_source"] if s["period"] == p["period"]]
        out += [
            "",
            "  By the scope that sets the cap (seat tier, group, own override, organization):",
            *(
                "  " + line
                for line in table(
                    ["scope", "cap", "members", "≥80%", "≥100%", "spent", "headroom"],
                    [
                        [
                            s["label"],
                            "per member"
                            if s["source_type"] == "user"
                            else minor(s["cap"], currency),
                            count(s["members"]),
                            count(s["at_80"]),
                            count(s["at_100"]),
                            minor(s["spent"], currency),
                            minor(s["headroom"], currency),
                        ]
                        for s in sources
                    ],
                    [False, True, True, True, True, True, True],
                )
            ),
        ]
        hot = [m for m in e["members"] if m["period"] == p["period"] and m["at_80"]]
        if hot:
            hot = sorted(hot, key=hottest_first)
            shown = hot[:MEMBER_ROWS]
            out += [
                "",
                f"  Members at ≥ 80% of their cap ({count(len(hot))}):",
                *(
                    "  " + line
                    for line in table(
                        ["member", "cap", "spent", "used", "projected", "cap from"],
                        [
                            [
                                m["email"],
                                minor(m["cap"], currency),
                                minor(m["spent"], currency),
                                pct(m["percent_used"]) if m["percent_used"] else "at cap",
                                minor(m["projected"], currency) if m["projected"] else "—",
                                m["source"],
                            ]
                            for m in shown
                        ],
                        [False, True, True, True, True, False],
                    )
                ),
            ]
            if len(hot) > len(shown):
                out.append(
                    f"    … and {count(len(hot) - len(shown))} more (the CSV and JSON list "
                    "every member)"
                )
    return out
