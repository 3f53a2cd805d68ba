"""Exact money and the ISO 4217 table (:mod:`reconciler.money`)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.money import (
    MoneyError,
    close_currency,
    exponent,
    from_minor,
    is_currency,
    successor,
    to_minor,
)


@pytest.mark.parametrize(
    ("code", "active"),
    [
        ("USD", True),
        ("EUR", True),
        ("JPY", True),
        ("KWD", True),
        ("CLF", True),
        ("XCG", True),  # the Caribbean guilder (2025)
        ("ZWG", True),
        ("XXX", False),  # "no currency"
        ("XTS", False),  # reserved for testing
        ("XAU", False),  # gold: no minor unit, nothing is billed in it
        ("XDR", False),
        ("HRK", False),  # withdrawn (2023, the euro)
        ("SLL", False),
        ("usd", False),  # codes are capitals
        ("US", False),
        ("USDD", False),
    ],
)
def test_active_codes(code: str, active: bool) -> None:
    assert is_currency(code) is active


def test_exponents() -> None:
    assert [exponent(c) for c in ("USD", "JPY", "KWD", "CLF", "ISK", "UYW")] == [2, 0, 3, 4, 0, 4]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("UDS", "USD"),  # letters swapped
        ("GPB", "GBP"),
        ("JYP", "JPY"),
        ("EUT", "EUR"),  # one letter off a common code
        ("USX", "USD"),
        ("usd", "USD"),
        ("EURO", "EUR"),
        ("HRK", "EUR"),  # withdrawn: its successor
        ("SLL", "SLE"),
        ("XXX", None),  # nothing is close enough to be worth saying
        ("XTS", None),
        ("ABC", None),
    ],
)
def test_did_you_mean(written: str, meant: str | None) -> None:
    assert close_currency(written) == meant


def test_successor_only_for_withdrawn_codes() -> None:
    assert (successor("HRK"), successor("ZWL"), successor("USD"), successor("XXX")) == (
        "EUR",
        "ZWG",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("1.50", "USD", "150"),
        ("1.500000000000000000000000000000000", "USD", "150"),  # zeros are not decimals
        ("1E+2", "JPY", "100"),
        ("0", "USD", "0"),
        ("0.000", "KWD", "0"),
        ("9999999999999.99", "USD", "999999999999999"),  # 15 minor-unit digits
        ("1.234", "KWD", "1234"),
    ],
)
def test_to_minor_is_exact(amount: str, currency: str, minor: str) -> None:
    assert to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        # 29 significant digits: the decimal context (28) would round this to 100 cents.
        ("1.0000000000000000000000000001", "USD", "USD amounts take at most 2 decimal places"),
        ("0." + "0" * 5000 + "1", "USD", "USD amounts take at most 2 decimal places"),
        ("99999999999999.99", "USD", "more than 15 minor-unit digits"),
        ("9" * 5000, "USD", "more than 15 minor-unit digits"),  # never made into text
        ("1E+5000", "JPY", "more than 15 minor-unit digits"),
        ("-1", "USD", "must not be negative"),
        ("NaN", "USD", "not a decimal amount"),
        ("Infinity", "USD", "not a decimal amount"),
    ],
)
def test_to_minor_refuses_rather_than_rounds(amount: str, currency: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        to_minor(Decimal(amount), currency)


def test_from_minor_takes_integers_of_any_length() -> None:
    # str() of a 5,000-digit integer raises ValueError; Decimal(int) does not.
    assert from_minor(10**5000, "USD") == Decimal(10**4998)
    assert from_minor("150", "USD") == Decimal("1.50")
