"""Residency cost (SPEC §5, usage-cost-api §8.5–8.6): what US-only inference adds a month.

Inference pinned to ``us`` costs 1.1× on every token category of Claude 4.6 and later;
``global`` inference and older models cost the standard price.  A plan that moves a live
workspace to US-only inference — ``default_inference_geo`` becomes ``us``, or
``allowed_inference_geos`` becomes ``[us]`` — shows, per workspace and in total::

    monthly increase (USD) = 0.10 × C × 30.4375 ÷ N ÷ 100

where ``C`` is the workspace's ``global`` token cost in cents over the last ``N`` whole
days (cost report, ``cost_type == "tokens"``, ``inference_geo == "global"``).  Amounts
already include batch discounts, so 10 % of them is the increase; ``us`` and
``not_available`` rows add nothing; web search, code execution and session costs are
unaffected.  When only the default moves, requests that ask for ``global`` explicitly
stay global: the figure is then an upper bound.  Everything is computed with
:class:`~decimal.Decimal` and rounded to the cent only for display and the JSON figures.

A workspace the plan creates has no usage yet and is not estimated.  Pure functions:
the caller reads the cost report (once, only when :func:`residency_moves` finds one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reconciler.plan.facts import RESIDENCY_CURRENCY, ResidencyEstimate, WorkspaceCost
from reconciler.plan.model import Action, Change, Plan
from reconciler.usage import US, UsageWindow

__all__ = [
    "CURRENCY",
    "MONTH_DAYS",
    "US_PREMIUM",
    "ResidencyCost",
    "ResidencyMove",
    "add_to_plan",
    "monthly_increase",
    "residency_cost",
    "residency_moves",
]

CURRENCY = RESIDENCY_CURRENCY
MONTH_DAYS = Decimal("30.4375")  # 365.25 / 12
US_PREMIUM = Decimal("0.10")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ResidencyMove:
    """A live workspace the plan moves to US-only inference, and which fields move it."""

    address: str
    workspace_id: str
    fields: tuple[str, ...]  # "allowed_inference_geos" and/or "default_inference_geo"


def _residency(obj: Mapping[str, Any] | None) -> Mapping[str, Any]:
    value = (obj or {}).get("data_residency")
    return value if isinstance(value, Mapping) else {}


def residency_moves(changes: Sequence[Change]) -> list[ResidencyMove]:
    """Updates of live workspaces whose default geo becomes ``us`` or whose allowed geos
    become exactly ``[us]``, in plan order (rule-driven moves included: the change is
    the same whatever set the value)."""
    moves = []
    for change in changes:
        if change.resource_type != "workspace" or change.action is not Action.UPDATE:
            continue
        if change.id is None:
            continue
        before, after = _residency(change.before), _residency(change.after)
        moved = []
        if after.get("allowed_inference_geos") == [US] and before.get("allowed_inference_geos") != [
            US
        ]:
            moved.append("allowed_inference_geos")
        if after.get("default_inference_geo") == US and before.get("default_inference_geo") != US:
            moved.append("default_inference_geo")
        if moved:
            moves.append(ResidencyMove(change.address, change.id, tuple(moved)))
    return moves


def monthly_increase(global_cents: Decimal, days: int) -> Decimal:
    """``0.10 × C × 30.4375 ÷ N`` cents, in USD (not rounded)."""
    return US_PREMIUM * global_cents * MONTH_DAYS / Decimal(days) / 100


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ResidencyCost:
    window: UsageWindow
    moves: list[ResidencyMove]
    global_cents: dict[str, Decimal] = field(default_factory=dict)  # by address

    def increase(self, address: str) -> Decimal:
        return monthly_increase(self.global_cents.get(address, Decimal(0)), self.window.days)

    @property
    def total(self) -> Decimal:
        return sum((self.increase(m.address) for m in self.moves), Decimal(0))

    def estimate(self) -> ResidencyEstimate:
        """The figures the plan carries (amounts rounded to the cent)."""
        return ResidencyEstimate(
            usage_days=self.window.days,
            window=self.window.to_json(),
            workspaces={
                m.address: WorkspaceCost(
                    m.workspace_id,
                    m.fields,
                    self.global_cents.get(m.address, Decimal(0)),
                    _cents(self.increase(m.address)),
                )
                for m in self.moves
            },
            total_monthly_increase=_cents(self.total),
        )


def residency_cost(
    moves: Sequence[ResidencyMove],
    cents_by_workspace_id: Mapping[str | None, Decimal],
    window: UsageWindow,
) -> ResidencyCost:
    """Attach each move's ``global`` token cost (cents over ``window``) to it."""
    return ResidencyCost(
        window=window,
        moves=list(moves),
        global_cents={
            m.address: cents_by_workspace_id.get(m.workspace_id, Decimal(0)) for m in moves
        },
    )


def add_to_plan(plan: Plan, cost: ResidencyCost) -> None:
    """Record the figures on the plan (the renderers say what they mean); warn that
    explicit ``global`` requests fail once only ``us`` is allowed."""
    plan.residency_cost = cost.estimate()
    restricted = [m.address for m in cost.moves if "allowed_inference_geos" in m.fields]
    if restricted:
        plan.warnings.append(
            "after allowed_inference_geos becomes [us], requests that ask for "
            "inference_geo: global explicitly are refused (the usage reports cannot tell "
            "them from defaulted ones): " + ", ".join(restricted)
        )
