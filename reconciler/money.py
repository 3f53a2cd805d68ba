"""Exact money: major-unit decimals from policy files, minor-unit strings for the API.

The Admin API carries amounts as non-negative integer strings in the currency's minor
unit (``"50000"`` is $500.00).  Policies carry major units (``500`` or ``"500.00"``).
Nothing here ever goes through ``float``.
"""

from __future__ import annotations

import functools
from decimal import Context, Decimal, InvalidOperation

# ISO 4217 (list one): every active currency code and its minor-unit exponent.  Codes with
# no minor unit (precious metals XAU …, special drawing rights XDR, the testing code XTS,
# "no currency" XXX) are left out: nothing is billed in them.  Withdrawn codes (HRK, SLL,
# ZWL, CUC …) are left out too.
_CURRENCIES: dict[str, int] = {
    "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2,
    "AWG": 2, "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0,
    "BMD": 2, "BND": 2, "BOB": 2, "BOV": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2,
    "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2, "CHW": 2, "CLF": 4,
    "CLP": 0, "CNY": 2, "COP": 2, "COU": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2,
    "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2,
    "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0,
    "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2,
    "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2,
    "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2,
    "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3, "MAD": 2, "MDL": 2,
    "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2, "MVR": 2,
    "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2,
    "NOK": 2, "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2,
    "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0,
    "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2,
    "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2,
    "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2,
    "UAH": 2, "UGX": 0, "USD": 2, "USN": 2, "UYI": 0, "UYU": 2, "UYW": 4, "UZS": 2,
    "VED": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XCG": 2,
    "XOF": 0, "XPF": 0, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
}  # fmt: skip

_SYMBOLS: dict[str, str] = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$",
    "INR": "₹", "KRW": "₩", "BRL": "R$", "CNY": "CN¥", "NZD": "NZ$", "MXN": "MX$",
}  # fmt: skip

# Withdrawn codes a policy may still carry → the active code that replaced them.
_REPLACED: dict[str, str] = {
    "ATS": "EUR", "BEF": "EUR", "CYP": "EUR", "DEM": "EUR", "EEK": "EUR", "ESP": "EUR",
    "FIM": "EUR", "FRF": "EUR", "GRD": "EUR", "HRK": "EUR", "IEP": "EUR", "ITL": "EUR",
    "LTL": "EUR", "LUF": "EUR", "LVL": "EUR", "MTL": "EUR", "NLG": "EUR", "PTE": "EUR",
    "SIT": "EUR", "SKK": "EUR", "BYR": "BYN", "CUC": "CUP", "GHC": "GHS", "MRO": "MRU",
    "RUR": "RUB", "SLL": "SLE", "STD": "STN", "TRL": "TRY", "VEF": "VES", "ZMK": "ZMW",
    "ZWL": "ZWG",
}  # fmt: skip

# The currencies most organizations are billed in, in rough order of use: a typo one letter
# off one of these is suggested (see :func:`close_currency`).
_COMMON = (
    "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "INR", "KRW", "BRL", "MXN", "SGD",
    "HKD", "NZD", "SEK", "NOK", "DKK", "PLN", "CNY", "ZAR", "ILS", "AED", "TWD", "CZK",
)  # fmt: skip

MAX_MINOR_DIGITS = 15


class MoneyError(ValueError):
    """An amount that cannot be represented exactly in the currency."""


def exponent(currency: str) -> int:
    """Minor-unit exponent of an ISO 4217 currency code (USD 2, JPY 0, KWD 3); 2 for a
    code this table does not know (check with :func:`is_currency` first where it matters)."""
    return _CURRENCIES.get(currency.upper(), 2)


def is_currency(code: str) -> bool:
    """Whether ``code`` (exactly as written: capitals) is an active ISO 4217 currency."""
    return code in _CURRENCIES


def successor(code: str) -> str | None:
    """The active code that replaced a withdrawn one (``HRK`` → ``EUR``), if known."""
    return _REPLACED.get(code.strip().upper())


def close_currency(code: str) -> str | None:
    """The active currency code that ``code`` is most likely a typo of, if any.

    Three-letter codes are all close to each other by edit distance, so only likely slips
    count: the same letters in another order (``UDS`` → ``USD``, ``GPB`` → ``GBP``), or one
    letter off a widely used code (``EUT`` → ``EUR``); lower case and a word that starts with
    a code count too (``usd``, ``EURO``).  A withdrawn code gives its successor (``HRK`` →
    ``EUR``)."""
    code = code.strip().upper()
    if code in _CURRENCIES:
        return code
    if code in _REPLACED:
        return _REPLACED[code]
    if len(code) > 3 and code[:3] in _CURRENCIES:  # EURO
        return code[:3]
    anagrams = [c for c in _CURRENCIES if sorted(c) == sorted(code)]
    if anagrams:
        return min(anagrams, key=lambda c: (c not in _COMMON, c))
    near = [c for c in _COMMON if len(c) == len(code) and _differences(c, code) == 1]
    return near[0] if near else None


def _differences(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


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
    """Major-unit ``Decimal`` → the API's minor-unit integer string, exactly.

    Raises :class:`MoneyError` for negatives, non-finite values, more decimals than the
    currency has, or more than 15 minor-unit digits.  Nothing is rounded: the decimal
    context's 28-digit precision never applies, and no integer wider than 15 digits is
    ever made (so Python's limit on converting long integers to text cannot be reached).
    """
    if not amount.is_finite():
        raise MoneyError(f"not a decimal amount: {amount}")
    if amount < 0:
        raise MoneyError("amount must not be negative")
    exp = exponent(currency)
    if _decimal_places(amount) > exp:
        places = "no decimals" if exp == 0 else f"at most {exp} decimal places"
        raise MoneyError(f"{currency} amounts take {places}, got {_short(amount)}")
    if not amount.is_zero() and amount.adjusted() + exp >= MAX_MINOR_DIGITS:
        raise MoneyError(f"amount too large: more than {MAX_MINOR_DIGITS} minor-unit digits")
    exact = Context(prec=len(amount.as_tuple().digits) + exp + 1)
    return str(int(amount.scaleb(exp, context=exact)))


def _decimal_places(amount: Decimal) -> int:
    """Decimals that matter: ``1.50`` has 1, ``100`` and ``1E+2`` have 0."""
    _, digits, power = amount.as_tuple()
    assert isinstance(power, int)  # finite
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(power + zeros)) if any(digits) else 0


def _short(amount: Decimal, width: int = 40) -> str:
    text = str(amount)
    return text if len(text) <= width else text[: width - 1] + "…"


def from_minor(minor: str | int, currency: str) -> Decimal:
    """The API's minor-unit string (possibly fractional, as spend so far is) → major units."""
    # Decimal(int) is exact and, unlike str(int), has no length limit.
    return Decimal(minor).scaleb(-exponent(currency))


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
    """An amount in major units (e.g. dollars) as ``$1,200.00``."""
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
