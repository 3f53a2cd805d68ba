"""The report's tables as data, shared by the text, Markdown and HTML renderings.

A :class:`Column` is a header, an alignment and a cell: a function of one row of the
document (a workspace, a line, a scope, a member …) and the currency that gives the
cell's plain text.  Each format lists its columns (headers differ a little between
formats) from the cells here, so that a column says the same thing in every format, and
lays the rows out its own way (aligned text, a Markdown table, an HTML table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.report.render.common import cents, count, geo_label, minor, model_label, pct

__all__ = [
    "Cell",
    "Column",
    "cost",
    "counted",
    "flagged",
    "geo",
    "geo_tokens",
    "in_cents",
    "in_minor",
    "model",
    "premium",
    "projected",
    "rows",
    "scope_cap",
    "text",
    "tokens",
    "used",
]

Row = dict[str, Any]
Cell = Callable[[Row, str], str]  # (a row of the document, the currency) → plain text


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, its cell, ``numeric`` (aligned right) and
    ``markup`` (the cell is already the format's markup, so it is never escaped)."""

    header: str
    cell: Cell
    numeric: bool = False
    markup: bool = False


def rows(
    columns: Sequence[Column],
    items: Iterable[Row],
    currency: str,
    escape: Callable[[str], str] | None = None,
) -> list[list[str]]:
    """Each item's cells, ``escape`` applied to every cell that is not markup."""
    if escape is None:
        return [[c.cell(item, currency) for c in columns] for item in items]
    return [
        [c.cell(item, currency) if c.markup else escape(c.cell(item, currency)) for c in columns]
        for item in items
    ]


# --------------------------------------------------------------------------- any row


def text(key: str) -> Cell:
    """The row's own text under ``key`` (a name, an email, a label)."""
    return lambda row, _: str(row[key])


def flagged(key: str, flag: str, mark: str) -> Cell:
    """The text under ``key``, and ``mark`` after it when the row's ``flag`` is set."""
    return lambda row, _: str(row[key]) + (mark if row[flag] else "")


def counted(key: str) -> Cell:
    """A count under ``key``: ``1,234``."""
    return lambda row, _: count(row[key])


def in_cents(key: str) -> Cell:
    """Decimal cents under ``key`` in the currency: ``$12.35``."""
    return lambda row, currency: cents(row[key], currency)


def in_minor(key: str) -> Cell:
    """Minor units under ``key`` in the currency; None is ``no limit``."""
    return lambda row, currency: minor(row[key], currency)


# --------------------------------------------------------------------------- Console


def tokens(kind: str = "total_tokens") -> Cell:
    """The row's tokens of one kind (all of them by default)."""
    return lambda row, _: count(row["tokens"][kind])


def geo_tokens(geo: str) -> Cell:
    """A workspace's tokens that ran on ``geo``."""
    return lambda row, _: count(row["tokens_by_geo"].get(geo, 0))


cost = in_cents("cost_cents")
premium = in_cents("us_premium_cents")


def model(row: Row, _: str) -> str:
    return model_label(row["model"], row["cost_types"])


def geo(row: Row, _: str) -> str:
    return geo_label(row["inference_geo"])


# --------------------------------------------------------------------------- Enterprise


def scope_cap(scope: Row, currency: str) -> str:
    """A scope's cap; overrides are each member's own."""
    return "per member" if scope["source_type"] == "user" else minor(scope["cap"], currency)


def used(member: Row, _: str) -> str:
    """The share of the cap used; a cap of 0 has none and is at its cap."""
    return pct(member["percent_used"]) if member["percent_used"] else "at cap"


def projected(row: Row, currency: str) -> str:
    """The spend projected to the period's end (a member's or a period's), or ``—``."""
    return "—" if row["projected"] is None else minor(row["projected"], currency)
