"""What every part of resolution shares: the inputs, the problems found so far, the
currency amounts are converted with, and the one way a desired spend limit is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reconciler import addresses
from reconciler.desired import INHERIT, Desired, DesiredLimit, Source, Value
from reconciler.errors import Problem
from reconciler.live import Snapshot
from reconciler.policy import amounts as amount_values
from reconciler.policy.amounts import AMOUNT, UNLIMITED, Amount
from reconciler.policy.model import Policy

DEFAULT_SOURCE = Source("(default)", 0, 0)


@dataclass
class Context:
    """One resolution's inputs and findings (problems are reported together at the end)."""

    policy: Policy
    snapshot: Snapshot
    skip_unknown_users: bool = False
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    currency: str | None = None
    # Amount text → minor units: 50,000 members share a handful of caps, converted once.
    converted: dict[str, str] = field(default_factory=dict)

    def desired_amount(self, amount: Amount) -> Any:
        """The desired amount: a minor-unit string, ``None`` (unlimited) or INHERIT.  A
        conversion that fails is reported at every place it is written."""
        if amount.kind == UNLIMITED:
            return None
        if amount.kind != AMOUNT:
            return INHERIT
        if self.currency is None:
            return None  # reported once, where the currency is chosen
        cached = self.converted.get(amount.text)
        if cached is not None:
            return cached
        minor = amount_values.minor(amount, self.currency)
        if isinstance(minor, Problem):
            self.problems.append(minor)
            return None
        self.converted[amount.text] = minor
        return minor

    def add_limit(
        self,
        desired: Desired,
        scope: dict[str, Any],
        name: str | None,
        amount: Amount,
        period: str,
        rule: str | None = None,
    ) -> None:
        """Record the desired row of ``scope`` for ``period`` (``rule``: the rule that set it)."""
        kind = "group" if scope["type"] == "rbac_group" else scope["type"]
        address = addresses.spend_limit(kind, name, period)
        value = Value(self.desired_amount(amount), amount.at.source(rule))
        desired.limits[address] = DesiredLimit(address, scope, period, value)
