"""The English the plan renderings print about plan-level facts (money, residency cost).

The facts are typed (:mod:`.facts`); these pure functions write the sentences, so the
text and Markdown renderings — and the ``notes`` list the JSON document carries for
readers that do not render — always say the same thing.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from reconciler.money import format_major, format_minor
from reconciler.plan.facts import MoneyFacts, ResidencyEstimate

__all__ = ["SHOWN_MEMBERS", "blocked_members", "headroom", "residency", "residency_line"]

SHOWN_MEMBERS = 10
CENT = Decimal("0.01")


def blocked_members(facts: MoneyFacts, currency: str | None) -> str | None:
    """The warning for members whose new cap is below what they already spent."""
    if not facts.blocked_members:
        return None
    shown = ", ".join(
        f"{m.email} ({m.period}: spent {format_minor(m.spend, currency)}, "
        f"new cap {format_minor(m.new_amount, currency)})"
        for m in facts.blocked_members[:SHOWN_MEMBERS]
    )
    more = len(facts.blocked_members) - SHOWN_MEMBERS
    return (
        f"{len(facts.blocked_members)} member(s) would be blocked at once: their new cap is "
        f"below what they already spent this period: {shown}"
        + (f" and {more} more" if more > 0 else "")
    )


def headroom(facts: MoneyFacts, currency: str | None) -> str | None:
    """``Monthly headroom: this plan adds $150.00.`` (with moves to or from unlimited)."""
    if not facts.has_headroom:
        return None
    delta = facts.headroom_delta or Decimal(0)
    sign = "adds" if delta >= 0 else "removes"
    text = f"Monthly headroom: this plan {sign} {format_minor(str(abs(delta)), currency)}"
    extra = []
    if facts.to_unlimited:
        extra.append(f"{facts.to_unlimited} member(s) become unlimited")
    if facts.from_unlimited:
        extra.append(f"{facts.from_unlimited} member(s) lose an unlimited cap")
    return text + (f" ({'; '.join(extra)})" if extra else "") + "."


def _usd(value: Decimal, currency: str) -> str:
    return format_major(value.quantize(CENT, rounding=ROUND_HALF_UP), currency)


def residency(est: ResidencyEstimate) -> str:
    """The plan-level residency-cost sentence."""
    spent = sum((w.global_cost_cents for w in est.workspaces.values()), Decimal(0)) / 100
    return (
        f"Residency cost (estimate, {est.currency}): moving {len(est.workspaces)} workspace(s) "
        f"to US-only inference adds ≈ {_usd(est.total_monthly_increase, est.currency)}/month "
        f"— 10% of {_usd(spent, est.currency)} of global token usage in the last "
        f"{est.usage_days} day(s), scaled to 30.4375 days."
    )


def residency_line(est: ResidencyEstimate | None, address: str) -> str | None:
    """The line shown under a change that moves a workspace to US-only inference."""
    entry = est.workspaces.get(address) if est is not None else None
    if est is None or entry is None:
        return None
    increase = format_major(entry.monthly_increase, est.currency)
    spent = format_major(entry.global_cost_cents / 100, est.currency)
    return (
        f"US-only inference: ≈ +{increase}/month (estimate, {est.currency}; {spent} of global "
        f"token usage in the last {est.usage_days} day(s))"
    )
