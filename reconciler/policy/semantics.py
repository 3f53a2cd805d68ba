"""Checks beyond the schema, on located values: names, emails, tags, residency, scopes.

Each function returns problems located at the offending key or value and never raises.
The schema (:mod:`reconciler.policy.schema`) has already reported wrong types and unknown
keys; these functions skip values of the wrong type rather than report them again.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from reconciler.errors import Problem
from reconciler.money import close_currency, is_currency, successor
from reconciler.policy.amounts import UNLIMITED, Amount
from reconciler.policy.located import Mark, Scalar
from reconciler.policy.model import Field

MAX_WORKSPACE_NAME = 40
MAX_TAG_KEY = 64
RESERVED_TAG_PREFIX = "anthropic"
KNOWN_SEAT_TIERS = ("enterprise_standard", "enterprise_premium")

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)

# Sections each organization kind cannot have (SPEC §2): section path → its kind.
ENTERPRISE_ONLY = (
    "spend_limits.seat_tiers",
    "spend_limits.groups",
    "spend_limits.users",
    "spend_limits.user_rules",
    "management.users",
)
CONSOLE_ONLY = (
    "workspaces",
    "workspace_rules",
    "management.workspaces",
    "management.workspace_tags",
)
KIND_NAMES = {"console": "Console", "enterprise": "Enterprise"}
_ARTICLE = {"console": "a", "enterprise": "an"}


def problem(mark: Mark, message: str, path: str, hint: str | None = None) -> Problem:
    return Problem(mark.file, mark.line, mark.column, message, path, hint)


def warning(mark: Mark, message: str, path: str, hint: str | None = None) -> Problem:
    return Problem(mark.file, mark.line, mark.column, message, path, hint, severity="warning")


# --------------------------------------------------------------------------- currency


def currency(declared: Field[str]) -> Problem | None:
    """An active ISO 4217 code (``XXX``, ``XTS`` and withdrawn codes are not).  Codes that
    are not three capitals were reported by the schema."""
    code = declared.value
    if not _CURRENCY.match(code) or is_currency(code):
        return None
    replaced = successor(code)
    if replaced is not None:
        return problem(
            declared.mark,
            f"`{code}` is a withdrawn ISO 4217 currency code (replaced by `{replaced}`)",
            declared.path,
            f"write `{replaced}`",
        )
    close = close_currency(code)
    return problem(
        declared.mark,
        f"`{code}` is not an active ISO 4217 currency code",
        declared.path,
        f"did you mean `{close}`?" if close else "the organization's billing currency, e.g. USD",
    )


# --------------------------------------------------------------------------- names


def workspace_name(key: Scalar, path: str) -> Problem | None:
    """A problem with a workspace name, if any."""
    name = key.text
    trimmed = name.strip()
    if not trimmed:
        return problem(key.mark, "workspace name must not be empty", path)
    if trimmed != name:
        return problem(
            key.mark,
            f"workspace name `{name}` has leading or trailing spaces",
            path,
            f"write `{trimmed}`",
        )
    if len(name) > MAX_WORKSPACE_NAME:
        return problem(
            key.mark,
            f"workspace name `{name}` is longer than {MAX_WORKSPACE_NAME} characters ({len(name)})",
            path,
        )
    return None


def email(key: Scalar, path: str) -> Problem | None:
    """A problem with a member email, if any."""
    text = key.text
    if _EMAIL.match(text):
        return None
    if "@" not in text:
        hint = "an email address has an `@`"
    elif any(c.isspace() for c in text):
        hint = "remove the spaces"
    elif text.count("@") > 1:
        hint = "an email address has exactly one `@`"
    else:
        hint = None
    return problem(key.mark, f"`{text}` is not a valid email address", path, hint)


def email_glob(value: Scalar, path: str) -> Problem | None:
    """A problem with an email glob, if any."""
    if "@" in value.text or value.text == "*":
        return None
    return problem(
        value.mark,
        f"email pattern `{value.text}` has no `@` and matches no address",
        path,
        f"did you mean `*@{value.text.lstrip('*@')}`?",
    )


def seat_tier(key: Scalar, path: str) -> Problem | None:
    """A problem with a seat tier, if any."""
    if key.text in KNOWN_SEAT_TIERS:
        return None
    close = difflib.get_close_matches(key.text, KNOWN_SEAT_TIERS, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else None
    known = ", ".join(f"`{t}`" for t in KNOWN_SEAT_TIERS)
    return warning(key.mark, f"unknown seat tier `{key.text}` (known: {known})", path, hint)


# --------------------------------------------------------------------------- tags


def tag_key(key: Scalar, path: str) -> Problem | None:
    """A problem with a tag key, if any."""
    name = key.text
    if not name:
        return problem(key.mark, "tag key must not be empty", path)
    if len(name) > MAX_TAG_KEY:
        return problem(
            key.mark,
            f"tag key `{name}` is longer than {MAX_TAG_KEY} characters ({len(name)})",
            path,
        )
    if name.lower().startswith(RESERVED_TAG_PREFIX):
        return problem(
            key.mark,
            f"tag key `{name}` is reserved: keys may not start with `{RESERVED_TAG_PREFIX}`",
            path,
        )
    return None


# --------------------------------------------------------------------------- residency


def residency(fields: dict[str, Field[Any]], path: str) -> Problem | None:
    """``default_inference_geo`` inside ``allowed_inference_geos`` when both are given."""
    allowed = fields.get("allowed_inference_geos")
    default = fields.get("default_inference_geo")
    if allowed is None or default is None or allowed.value == "unrestricted":
        return None
    if default.value in allowed.value:
        return None
    listed = ", ".join(allowed.value)
    return problem(
        default.mark,
        f"default_inference_geo `{default.value}` is not in allowed_inference_geos [{listed}]",
        f"{path}.default_inference_geo",
        f"set default_inference_geo: {allowed.value[0]}, or add `{default.value}` to "
        "allowed_inference_geos",
    )


# --------------------------------------------------------------------------- org kinds


def kind_sections(kind: str, sections: Iterable[tuple[str, Mark]]) -> list[Problem]:
    """Sections the declared kind cannot have, each located at its key."""
    wrong = ENTERPRISE_ONLY if kind == "console" else CONSOLE_ONLY
    other = "enterprise" if kind == "console" else "console"
    out = []
    for section, mark in sections:
        if section in wrong:
            out.append(
                problem(
                    mark,
                    f"`{section}` is for {KIND_NAMES[other]} organizations; this policy "
                    f"declares {_ARTICLE[kind]} {KIND_NAMES[kind]} organization",
                    section,
                    "remove it, or correct organization.kind",
                )
            )
    return out


def kind_amounts(kind: str | None, amounts: Iterable[tuple[str, str, Amount]]) -> list[Problem]:
    """Periods and ``unlimited`` each scope may have.

    ``amounts`` holds ``(scope, period, amount)`` with scope one of ``organization``,
    ``seat_tier``, ``group``, ``user``, ``user_rule``, ``workspace``, ``workspace_rule``.
    """
    out = []
    for scope, period, amount in amounts:
        if amount.kind == UNLIMITED and scope not in ("user", "user_rule"):
            out.append(
                problem(
                    amount.mark,
                    "`unlimited` is only for Enterprise user limits",
                    amount.path,
                    "give an amount, or `inherit` to remove the limit",
                )
            )
        if kind == "console" and scope in _CONSOLE_MONTHLY and period != "monthly":
            out.append(
                problem(
                    amount.at,
                    f"Console {_CONSOLE_MONTHLY[scope]} limits are monthly only",
                    amount.path,
                    f"replace `{period}` with `monthly`",
                )
            )
    return out


_CONSOLE_MONTHLY = {
    "organization": "organization",
    "workspace": "workspace",
    "workspace_rule": "workspace",
}
