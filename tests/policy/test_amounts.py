"""Amounts: exact decimals from the source text, keywords, and what is refused when."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.errors import Problem
from reconciler.policy import amounts
from reconciler.policy.located import Mapping
from reconciler.policy.yamlparse import parse


def read(text: str, currency: str | None = None) -> amounts.Amount | Problem:
    root = parse(f"monthly: {text}\n".encode(), "p.yaml").root
    assert isinstance(root, Mapping)
    key, value = root.entries["monthly"]
    return amounts.read(key, value, "spend_limits.organization.monthly", currency)


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ("800.10", Decimal("800.10")),
        ('"800.10"', Decimal("800.10")),
        ("'1200'", Decimal("1200")),
        ("0", Decimal("0")),
        ("0.01", Decimal("0.01")),
        ("50000", Decimal("50000")),
        ("1_000", Decimal("1000")),
        ("999999999999999", Decimal("999999999999999")),
        ("0.1", Decimal("0.1")),  # never 0.1000000000000000055511151231257827
    ],
)
def test_numbers_are_read_exactly_from_the_source_text(text: str, major: Decimal) -> None:
    amount = read(text)
    assert isinstance(amount, amounts.Amount)
    assert amount.kind == amounts.AMOUNT
    assert amount.major == major
    assert str(amount.major) == str(major)


@pytest.mark.parametrize("word", ["unlimited", "inherit", '"unlimited"', "'inherit'"])
def test_keywords(word: str) -> None:
    amount = read(word)
    assert isinstance(amount, amounts.Amount)
    assert amount.kind == word.strip("'\"")
    assert amount.major is None


@pytest.mark.parametrize(
    ("text", "currency", "message", "hint"),
    [
        ("-5", None, "amount `-5` is negative", "amounts are caps: 0 or more"),
        ("lots", None, "`lots` is not an amount", amounts._HINT),
        ("1e5", None, "`1e5` is not an amount", amounts._HINT),
        ("1.5e3", None, "`1.5e3` is not an amount", amounts._HINT),
        ("0x10", None, "`0x10` is not an amount", amounts._HINT),
        (".nan", None, "`.nan` is not an amount", amounts._HINT),
        ("true", None, "expected an amount, got true/false (true)", amounts._HINT),
        ("", None, "expected an amount, got nothing", amounts._HINT),
        ("[1]", None, "expected an amount, got a list", amounts._HINT),
        ("2026-01-01", None, "expected an amount, got a date (2026-01-01)", amounts._HINT),
        ("Unlimited", None, "`Unlimited` is not an amount", "did you mean `unlimited`?"),
        (
            "1234567890123456",
            None,
            "amount `1234567890123456` is too large: more than 15 digits",
            None,
        ),
        (
            "800.105",
            "USD",
            "amount `800.105`: USD amounts take at most 2 decimal places, got 800.105",
            None,
        ),
        ("5.5", "JPY", "amount `5.5`: JPY amounts take no decimals, got 5.5", None),
        (
            "9999999999999.99",
            "KWD",
            "amount `9999999999999.99`: amount too large: more than 15 minor-unit digits",
            None,
        ),
    ],
)
def test_refused(text: str, currency: str | None, message: str, hint: str | None) -> None:
    found = read(text, currency)
    assert isinstance(found, Problem)
    assert (found.message, found.hint, found.path) == (
        message,
        hint,
        "spend_limits.organization.monthly",
    )


def test_decimals_wait_for_the_currency_when_none_is_declared() -> None:
    amount = read("800.105")
    assert isinstance(amount, amounts.Amount)
    problem = amounts.minor(amount, "USD")
    assert isinstance(problem, Problem)
    assert (problem.line, problem.column) == (1, 10)
    assert amounts.minor(amount, "KWD") == "800105"


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("800.10", "USD", "80010"),
        ("50000", "USD", "5000000"),
        ("0", "USD", "0"),
        ("5000", "JPY", "5000"),
        ("1.5", "KWD", "1500"),
        ("0.01", "EUR", "1"),
    ],
)
def test_minor_units(text: str, currency: str, minor: str) -> None:
    amount = read(text)
    assert isinstance(amount, amounts.Amount)
    assert amounts.minor(amount, currency) == minor
