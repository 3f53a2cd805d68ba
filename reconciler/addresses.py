"""Addresses: the stable identity of every managed object.

    workspace:<name>
    spend_limit:organization:<period>
    spend_limit:seat_tier:<tier>:<period>
    spend_limit:group:<name>:<period>
    spend_limit:workspace:<name>:<period>
    spend_limit:user:<email>:<period>          (email lower-cased)

Names may contain ``:``; the period is always parsed from the right.
"""

from __future__ import annotations

from dataclasses import dataclass

PERIODS = ("daily", "weekly", "monthly")
LIMIT_SCOPES = ("organization", "seat_tier", "group", "workspace", "user")


@dataclass(frozen=True)
class Address:
    kind: str  # "workspace" | "spend_limit"
    scope: str | None  # spend limits: one of LIMIT_SCOPES
    name: str | None  # workspace, tier, group or email; None for the organization
    period: str | None

    def __str__(self) -> str:
        if self.kind == "workspace":
            return f"workspace:{self.name}"
        if self.scope == "organization":
            return f"spend_limit:organization:{self.period}"
        return f"spend_limit:{self.scope}:{self.name}:{self.period}"


def workspace(name: str) -> str:
    return f"workspace:{name}"


def spend_limit(scope: str, name: str | None, period: str) -> str:
    if scope == "organization":
        return f"spend_limit:organization:{period}"
    if scope == "user" and name is not None:
        name = name.lower()
    return f"spend_limit:{scope}:{name}:{period}"


def parse(text: str) -> Address:
    """Parse an address; raises ``ValueError`` with a readable reason."""
    kind, sep, rest = text.partition(":")
    if not sep or not rest:
        raise ValueError(f"not an address: {text!r}")
    if kind == "workspace":
        return Address("workspace", None, rest, None)
    if kind != "spend_limit":
        raise ValueError(f"unknown address kind {kind!r} in {text!r}")
    scope, sep, rest = rest.partition(":")
    if scope not in LIMIT_SCOPES or not sep:
        raise ValueError(f"unknown spend-limit scope {scope!r} in {text!r}")
    name, sep, period = rest.rpartition(":")
    if scope == "organization":
        if sep:
            raise ValueError(f"an organization limit has no name: {text!r}")
        period, name = rest, ""
    elif not sep or not name:
        raise ValueError(f"missing name or period in {text!r}")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r} in {text!r}")
    return Address("spend_limit", scope, name or None, period)
