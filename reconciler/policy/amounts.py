"""Amounts as written in a policy: exact decimals in major units, or a keyword.

``800.10`` is read from the scalar's source text as ``Decimal("800.10")`` (never through
a float); quoted decimal strings (``"800.10"``) are accepted too.  ``unlimited`` is an
explicit no-limit, ``inherit`` removes the row.  Conversion to the API's minor units needs
the currency, so it happens at resolution (:func:`minor`); what can be known without it —
not a number, negative, more than 15 digits, and too many decimals for a *declared*
currency — is reported at validation (:func:`read`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reconciler.errors import Problem
from reconciler.money import MAX_MINOR_DIGITS, MoneyError, parse_decimal, to_minor
from reconciler.policy.located import Mark, Node, Scalar, describe, shown

AMOUNT = "amount"
UNLIMITED = "unlimited"
INHERIT = "inherit"
KEYWORDS = (UNLIMITED, INHERIT)

_HINT = "write a number such as 100 or 99.50, `unlimited` or `inherit`"


@dataclass(frozen=True, slots=True)
class Amount:
    """One declared amount: ``kind`` is ``amount`` (with ``major``), ``unlimited`` or
    ``inherit``.  ``at`` is the period key (provenance), ``mark`` the value (problems)."""

    kind: str
    major: Decimal | None
    text: str
    at: Mark
    mark: Mark
    path: str

    def __str__(self) -> str:
        return self.text


def read(key: Scalar, node: Node, path: str, currency: str | None) -> Amount | Problem:
    """Read one amount value; a :class:`Problem` (located at the value) when it is bad."""
    mark = node.mark
    if isinstance(node, Scalar) and node.value is None and node.text == "":
        mark = key.mark

    def bad(message: str, hint: str | None = _HINT) -> Problem:
        return Problem(mark.file, mark.line, mark.column, message, path, hint)

    if not isinstance(node, Scalar) or node.value is None or isinstance(node.value, bool):
        return bad(f"expected an amount, got {describe(node)}")
    text = node.text
    quoted = shown(text)
    if isinstance(node.value, str):
        if text in KEYWORDS:
            return Amount(text, None, text, key.mark, node.mark, path)
        close = difflib.get_close_matches(text.strip().lower(), KEYWORDS, n=1, cutoff=0.7)
        if close:
            return bad(f"`{quoted}` is not an amount", f"did you mean `{close[0]}`?")
    elif not isinstance(node.value, (int, float)):
        return bad(f"expected an amount, got {describe(node)}")
    value = _decimal(text)
    if value is None:
        return bad(f"`{quoted}` is not an amount")
    if value < 0:
        return bad(f"amount `{quoted}` is negative", "amounts are caps: 0 or more")
    if value >= 1 and value.adjusted() >= MAX_MINOR_DIGITS:  # digits before the point
        return bad(
            f"amount `{quoted}` is too large: more than {MAX_MINOR_DIGITS} digits",
            None,
        )
    if currency is not None:
        error = _minor_error(text, currency)
        if error is not None:
            return bad(f"amount `{quoted}`: {error}", None)
    return Amount(AMOUNT, value, text, key.mark, node.mark, path)


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal | None:
    """Amounts repeat (50,000 users, a handful of caps): each distinct text is read once."""
    try:
        return parse_decimal(text)
    except MoneyError:
        return None


@lru_cache(maxsize=4096)
def _minor_error(text: str, currency: str) -> str | None:
    value = _decimal(text)
    assert value is not None
    try:
        to_minor(value, currency)
    except MoneyError as e:
        return str(e)
    return None


def minor(amount: Amount, currency: str) -> str | Problem:
    """The API's minor-unit string for a numeric amount, or a located problem."""
    assert amount.major is not None
    try:
        return to_minor(amount.major, currency)
    except MoneyError as e:
        m = amount.mark
        return Problem(m.file, m.line, m.column, f"amount `{shown(amount.text)}`: {e}", amount.path)
