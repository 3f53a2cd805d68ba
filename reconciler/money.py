"""Exact money: major-unit decimals from policy files, minor-unit strings for the API.

The Admin API carries amounts as non-negative integer strings in the currency's minor
unit (``"50000"`` is $500.00).  Policies carry major units (``500`` or ``"500.00"``).
Nothing here ever goes through ``float``.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation

# ISO 4217 minor-unit exponents that are not 2.  Everything else uses 2.
_EXPONENTS: dict[str, int] = {
    # zero-decimal currencies
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0,
    # three-decimal currencies
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # four-decimal
    "CLF": 4, "UYW": 4,
}  # fmt: skip

_SYMBOLS: dict[str, str] = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$",
    "INR": "₹", "KRW": "₩", "BRL": "R$", "CNY": "CN¥", "NZD": "NZ$", "MXN": "MX$",
}  # fmt: skip

MAX_MINOR_DIGITS = 15


class MoneyError(ValueError):
    """An amount that cannot be represented exactly in the currency."""


def exponent(currency: str) -> int:
    """Minor-unit exponent of an ISO 4217 currency code (USD 2, JPY 0, KWD 3)."""
    return _EXPONENTS.get(currency.upper(), 2)


def parse_decimal(text: str) -> Decimal:
    """Read a plain decimal literal exactly; refuse exponents, NaN, infinities and signs."""
    s = text.strip().replace("_", "")
    if not s or (s[0] in "+-" and not s[1:2].isdigit()):
        raise MoneyError(f"not a decimal amount: {text!r}")
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise MoneyError(f"not a decimal amount: {text!r}") from None
    if not value.is_finite() or "e" in s.lower():
        raise MoneyError(f"not a decimal amount: {text!r}")
    return value


def to_minor(amount: Decimal, currency: str) -> str:
    """Major-unit ``Decimal`` → the API's minor-unit integer string.

    Raises :class:`MoneyError` for negatives, more decimals than the currency has,
    or more than 15 minor-unit digits.
    """
    if amount < 0:
        raise MoneyError("amount must not be negative")
    exp = exponent(currency)
    scaled = amount.scaleb(exp)
    if scaled != scaled.to_integral_value():
        places = "no decimals" if exp == 0 else f"at most {exp} decimal places"
        raise MoneyError(f"{currency} amounts take {places}, got {amount}")
    digits = str(int(scaled))
    if len(digits) > MAX_MINOR_DIGITS:
        raise MoneyError(f"amount too large: more than {MAX_MINOR_DIGITS} minor-unit digits")
    return digits


def from_minor(minor: str | int, currency: str) -> Decimal:
    """The API's minor-unit string (possibly fractional, as spend so far is) → major units."""
    return Decimal(str(minor)).scaleb(-exponent(currency))


@functools.lru_cache(maxsize=4096)
def format_minor(minor: str | int | None, currency: str | None) -> str:
    """Human form of a minor-unit amount: ``$1,200.00``, ``¥5,000``, ``1,200.000 KWD``.

    ``None`` is an explicit no-limit and renders as ``unlimited``.  Remembered: a plan
    over 50,000 members shows the same few amounts 95,000 times (0.2 s of ``Decimal``).
    """
    if minor is None:
        return "unlimited"
    if not currency:
        return f"{minor} (minor units)"
    return format_major(from_minor(minor, currency), currency)


def format_major(value: Decimal, currency: str) -> str:
    exp = exponent(currency)
    quantum = Decimal(1).scaleb(-exp)
    # Spend so far may carry sub-minor fractions; show them rounded to the currency.
    number = f"{value.quantize(quantum):,}" if exp else f"{value.quantize(Decimal(1)):,}"
    code = currency.upper()
    symbol = _SYMBOLS.get(code)
    if value < 0:
        number = number.lstrip("-")
        return f"-{symbol}{number}" if symbol else f"-{number} {code}"
    return f"{symbol}{number}" if symbol else f"{number} {code}"
