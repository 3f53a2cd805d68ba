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
from decimal import Decimal

from reconciler.live import Snapshot
from reconciler.plan.facts import BlockedMember, MoneyFacts
from reconciler.plan.model import Action, Change

__all__ = ["spending_facts"]


def spending_facts(changes: Sequence[Change], snapshot: Snapshot) -> MoneyFacts | None:
    """The money facts of an Enterprise plan whose snapshot has the effective report
    (``None`` otherwise: there is nothing to compare spend with)."""
    if snapshot.kind != "enterprise" or snapshot.effective is None:
        return None
    facts = MoneyFacts()
    delta, counted = Decimal(0), 0
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
            email = member.email if member else uid
            facts.blocked_members.append(BlockedMember(email, period, eff.spend, new))
        if period != "monthly":
            continue
        current = eff.amount if eff is not None else _live_amount(change)
        if current is None and new is not None:
            facts.from_unlimited += 1
        elif new is None and current is not None:
            facts.to_unlimited += 1
        elif current is not None and new is not None:
            delta += Decimal(new) - Decimal(current)
            counted += 1
    if counted or facts.to_unlimited or facts.from_unlimited:
        facts.headroom_delta = delta
    return facts


def _live_amount(change: Change) -> str | None:
    return change.before["amount"] if change.before else None
