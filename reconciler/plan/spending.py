"""Money-aware facts about an Enterprise plan (SPEC §5).

* A member whose cap is lowered below what they already spent this period is blocked at
  once: the plan warns, with the count and the members.
* The plan states the total monthly headroom it adds or removes: the sum over members of
  (new effective monthly cap − current effective monthly cap), with moves to or from
  "unlimited" counted apart (they have no finite difference).

Spend so far and current effective caps come from the effective report the plan already
read; nothing here sends a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.live import Snapshot
from reconciler.money import format_minor
from reconciler.plan.model import Action, Change

SHOWN_MEMBERS = 10


@dataclass
class SpendingFacts:
    blocked_members: list[dict[str, Any]] = field(default_factory=list)
    headroom_delta: Decimal = Decimal(0)  # minor units, monthly
    to_unlimited: int = 0
    from_unlimited: int = 0
    counted: int = 0  # monthly member caps with a finite before and after

    def to_json(self) -> dict[str, Any]:
        return {
            "blocked_members": self.blocked_members,
            "monthly_headroom_delta": str(self.headroom_delta),
            "members_to_unlimited": self.to_unlimited,
            "members_from_unlimited": self.from_unlimited,
        }


def spending_facts(changes: Sequence[Change], snapshot: Snapshot) -> SpendingFacts | None:
    if snapshot.kind != "enterprise" or snapshot.effective is None:
        return None
    facts = SpendingFacts()
    by_id = snapshot.member_by_id()
    for change in changes:
        if not change.address.startswith("spend_limit:user:") or not change.action.applicable:
            continue
        if change.action is Action.DELETE or change.after is None:
            continue  # the inherited cap is the API's to resolve
        uid = change.after["scope"].get("user_id")
        period = change.after["period"]
        eff = snapshot.effective.get((uid, period))
        new = change.after["amount"]
        if eff is not None and new is not None and Decimal(eff.spend) > Decimal(new):
            member = by_id.get(uid)
            facts.blocked_members.append(
                {
                    "email": member.email if member else uid,
                    "period": period,
                    "spend": eff.spend,
                    "new_amount": new,
                }
            )
        if period != "monthly":
            continue
        current = eff.amount if eff is not None else _live_amount(change)
        if current is None and new is not None:
            facts.from_unlimited += 1
        elif new is None and current is not None:
            facts.to_unlimited += 1
        elif current is not None and new is not None:
            facts.headroom_delta += Decimal(new) - Decimal(current)
            facts.counted += 1
    return facts


def _live_amount(change: Change) -> str | None:
    return change.before["amount"] if change.before else None


def notes(facts: SpendingFacts, currency: str | None) -> tuple[list[str], list[str]]:
    """(warnings, notes) for the renderers."""
    warnings: list[str] = []
    if facts.blocked_members:
        shown = ", ".join(
            f"{m['email']} ({m['period']}: spent {format_minor(m['spend'], currency)}, "
            f"new cap {format_minor(m['new_amount'], currency)})"
            for m in facts.blocked_members[:SHOWN_MEMBERS]
        )
        more = len(facts.blocked_members) - SHOWN_MEMBERS
        warnings.append(
            f"{len(facts.blocked_members)} member(s) would be blocked at once: their new cap is "
            f"below what they already spent this period: {shown}"
            + (f" and {more} more" if more > 0 else "")
        )
    lines: list[str] = []
    if facts.counted or facts.to_unlimited or facts.from_unlimited:
        delta = facts.headroom_delta
        sign = "adds" if delta >= 0 else "removes"
        text = f"Monthly headroom: this plan {sign} {format_minor(str(abs(delta)), currency)}"
        extra = []
        if facts.to_unlimited:
            extra.append(f"{facts.to_unlimited} member(s) become unlimited")
        if facts.from_unlimited:
            extra.append(f"{facts.from_unlimited} member(s) lose an unlimited cap")
        lines.append(text + (f" ({'; '.join(extra)})" if extra else "") + ".")
    return warnings, lines
