"""The monthly finance export as CSV, with exactly the columns of SPEC §7d.

Console — one row per date, workspace, model and inference geo::

    date,workspace_id,workspace,model,inference_geo,uncached_input_tokens,
    cache_read_input_tokens,cache_creation_input_tokens,output_tokens,cost_usd

Costs that have no model or geo (web search, code execution, sessions) are rows with
``model`` and ``inference_geo`` empty, so the column ``cost_usd`` sums to the cost
report's total.  ``cost_usd`` is exact (the cost report's fractional cents, in dollars:
``1.2378912``), never rounded per row: sums of rounded rows drift.

Enterprise — one row per member and period::

    email,seat_tier,groups,period,cap_usd,spent_usd,percent_used,projected_usd

in major units of the organization's currency (the column names say ``usd`` as the
contract does); ``cap_usd`` empty = no limit; ``groups`` joined by ``;``;
``percent_used`` to 0.01, empty without a cap (or with a cap of 0); ``spent_usd``
exact; ``projected_usd`` rounded to the minor unit.

Cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab
or carriage return) get a leading ``'``: names come from the organization, not from us.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from reconciler.money import exponent

__all__ = ["CONSOLE_COLUMNS", "ENTERPRISE_COLUMNS", "render_csv"]

CONSOLE_COLUMNS = (
    "date",
    "workspace_id",
    "workspace",
    "model",
    "inference_geo",
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
    "cost_usd",
)
ENTERPRISE_COLUMNS = (
    "email",
    "seat_tier",
    "groups",
    "period",
    "cap_usd",
    "spent_usd",
    "percent_used",
    "projected_usd",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str | None) -> str:
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA) else text


def major(amount: str | Decimal, exp: int, *, exact: bool = True) -> str:
    """Minor units → major units as plain text: at least the currency's decimals, more
    when the amount has them (``exact``), else rounded to the minor unit."""
    value = Decimal(amount).scaleb(-exp)
    quantum = Decimal(1).scaleb(-exp)
    if not exact or value == value.quantize(quantum):
        return f"{value.quantize(quantum):f}"
    return f"{value.normalize():f}"


def render_csv(doc: dict[str, Any], *, color: bool = False) -> str:
    """The finance export of the module docstring, header first (``color`` is the
    renderers' common signature)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if doc["console"] is not None:
        writer.writerow(CONSOLE_COLUMNS)
        writer.writerows(_console_row(r) for r in doc["console"]["rows"])
    if doc["enterprise"] is not None:
        exp = exponent(doc["currency"])
        writer.writerow(ENTERPRISE_COLUMNS)
        writer.writerows(_member_row(m, exp) for m in doc["enterprise"]["members"])
    return out.getvalue()


def _console_row(r: dict[str, Any]) -> list[object]:
    return [
        r["date"],
        r["workspace_id"] or "",
        _safe(r["workspace"]),
        _safe(r["model"]),
        r["inference_geo"] or "",
        r["uncached_input_tokens"],
        r["cache_read_input_tokens"],
        r["cache_creation_input_tokens"],
        r["output_tokens"],
        major(r["cost_cents"], 2),  # the cost report's cents are USD's
    ]


def _member_row(m: dict[str, Any], exp: int) -> list[object]:
    return [
        _safe(m["email"]),
        _safe(m["seat_tier"]),
        _safe(";".join(m["groups"])),
        m["period"],
        "" if m["cap"] is None else major(m["cap"], exp),
        major(m["spent"], exp),
        m["percent_used"] or "",
        "" if m["projected"] is None else major(m["projected"], exp, exact=False),
    ]
