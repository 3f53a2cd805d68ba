"""The report's tables as data, shared by the text, Markdown and HTML renderings.

A :class:`Column` is a header, an alignment and a cell: a function of one row of the
document (a workspace, a line, a scope, a member …) and the currency that gives the
cell's plain text.  The columns the formats share are named here (``TOKENS``, ``COST``,
``AT_80`` …); each format lists its tables' columns, mostly from these, so that a column
says the same thing in every format, and lays the rows out its own way (aligned text, a
Markdown table, an HTML table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from reconciler.report.render.common import cents, count, geo_label, minor, model_label, pct

__all__ = [
    "ALL_TOKENS",
    "AT_80",
    "AT_100",
    "CAP",
    "CAP_FROM",
    "COST",
    "GEO",
    "GLOBAL",
    "GLOBAL_COST",
    "GLOBAL_TOKENS",
    "HEADROOM",
    "MEMBER",
    "MEMBERS",
    "MODEL",
    "PERIOD",
    "PREMIUM",
    "PROJECTED",
    "SCOPE_COLUMNS",
    "SPENT",
    "TOKENS",
    "US",
    "USED",
    "WORKSPACE",
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
    "workspace_columns",
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

    def titled(self, header: str) -> Column:
        """The same column under another header."""
        return replace(self, header=header)


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


# --------------------------------------------------------------------------- shared columns

WORKSPACE = Column("workspace", text("workspace"))
MODEL = Column("model", model)
GEO = Column("geo", geo)
TOKENS = Column("tokens", tokens(), numeric=True)
GLOBAL = Column("global", geo_tokens("global"), numeric=True)
US = Column("us", geo_tokens("us"), numeric=True)
COST = Column("cost", cost, numeric=True)
PREMIUM = Column("US-only premium", premium, numeric=True)
GLOBAL_TOKENS = Column("global tokens", counted("global_tokens"), numeric=True)
ALL_TOKENS = Column("all tokens", counted("total_tokens"), numeric=True)
GLOBAL_COST = Column("global cost", in_cents("global_cost_cents"), numeric=True)

PERIOD = Column("period", text("period"))
MEMBERS = Column("members", counted("members"), numeric=True)
AT_80 = Column("at ≥ 80 %", counted("at_80"), numeric=True)
AT_100 = Column("at ≥ 100 %", counted("at_100"), numeric=True)
SPENT = Column("spent", in_minor("spent"), numeric=True)
HEADROOM = Column("headroom", in_minor("headroom"), numeric=True)
MEMBER = Column("member", text("email"))
CAP = Column("cap", in_minor("cap"), numeric=True)
USED = Column("used", used, numeric=True)
PROJECTED = Column("projected", projected, numeric=True)
CAP_FROM = Column("cap from", text("source"))


def workspace_columns(
    name: Column, *, premium_header: str = PREMIUM.header, not_available: bool = False
) -> tuple[Column, ...]:
    """A workspace's ``name`` column, its tokens (all, global, us and, if asked, not
    available), its cost and its US-only premium (headed ``premium_header``)."""
    na = Column("not available", geo_tokens("not_available"), numeric=True)
    geos = (GLOBAL, US, na) if not_available else (GLOBAL, US)
    return (name, TOKENS, *geos, COST, PREMIUM.titled(premium_header))


SCOPE_COLUMNS = (
    Column("scope", text("label")),
    Column("cap", scope_cap, numeric=True),
    MEMBERS,
    AT_80,
    AT_100,
    SPENT,
    HEADROOM,
)
"""A period's members by the scope their caps come from."""
