"""Plan-level facts, typed: the organization, the estimate, the safety rail, the money
and residency-cost figures.  Each has one JSON form (``to_json``) that the plan document
carries and ``from_json`` reads back exactly, so a saved plan round-trips to the same
checksum.  The English sentences about them are written by :mod:`.sentences`, never
stored here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "BlockedMember",
    "Estimate",
    "MoneyFacts",
    "Organization",
    "ResidencyEstimate",
    "Safety",
    "WorkspaceCost",
]

RESIDENCY_CURRENCY = "USD"  # the cost report's currency, whatever the organization is billed in
RESIDENCY_FORMULA = "0.10 × global_cost_cents × 30.4375 ÷ usage_days ÷ 100"


def plain(amount: Decimal) -> str:
    """An exact decimal as JSON carries it: positional, never ``1E-7``."""
    return f"{amount:f}"


@dataclass(frozen=True)
class Organization:
    """The organization a plan was made for (``usage_tier_limit`` when a tier row exists)."""

    id: str
    name: str | None
    kind: str
    currency: str | None
    usage_tier_limit: str | None = None
    has_usage_tier: bool = False  # the tier row exists (its amount may be null)

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "currency": self.currency,
        }
        if self.has_usage_tier:
            out["usage_tier_limit"] = self.usage_tier_limit
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Organization:
        """Read back what :meth:`to_json` wrote."""
        return cls(
            id=data["id"],
            name=data.get("name"),
            kind=data["kind"],
            currency=data.get("currency"),
            usage_tier_limit=data.get("usage_tier_limit"),
            has_usage_tier="usage_tier_limit" in data,
        )


@dataclass(frozen=True)
class Estimate:
    """Requests apply will send and how long they take at the rate limits."""

    requests: int = 0
    writes: int = 0
    spend_writes: int = 0
    seconds: float = 0.0
    admin_rpm: float = 100.0
    spend_rpm: float = 60.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Estimate:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Safety:
    """The ``safety.max_change_percent`` rail: warned at plan, enforced at apply."""

    existing: int
    changing: int
    percent: float
    max_change_percent: int
    min_existing: int

    @property
    def exceeded(self) -> bool:
        return self.existing >= self.min_existing and self.percent > self.max_change_percent

    @classmethod
    def of(cls, existing: int, changing: int, max_change_percent: int, min_existing: int) -> Safety:
        pct = round(100.0 * changing / existing, 1) if existing else 0.0
        return cls(existing, changing, pct, max_change_percent, min_existing)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "exceeded": self.exceeded}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Safety:
        """Read back what :meth:`to_json` wrote."""
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class BlockedMember:
    """A member whose new cap is below what they already spent this period."""

    email: str
    period: str
    spend: str
    new_amount: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MoneyFacts:
    """Enterprise money facts (SPEC §5): members blocked at once, and the monthly headroom
    the plan adds or removes; moves to or from unlimited are counted apart (they have no
    finite difference).  ``headroom_delta`` is ``None`` when no monthly member cap moves at
    all: then there is nothing to say about headroom."""

    blocked_members: list[BlockedMember] = field(default_factory=list)
    headroom_delta: Decimal | None = None  # minor units, monthly
    to_unlimited: int = 0
    from_unlimited: int = 0

    @property
    def has_headroom(self) -> bool:
        return self.headroom_delta is not None

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        delta = self.headroom_delta
        return {
            "blocked_members": [m.to_json() for m in self.blocked_members],
            "monthly_headroom_delta": None if delta is None else str(delta),
            "members_to_unlimited": self.to_unlimited,
            "members_from_unlimited": self.from_unlimited,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MoneyFacts:
        """Read back what :meth:`to_json` wrote."""
        delta = data.get("monthly_headroom_delta")
        return cls(
            blocked_members=[BlockedMember(**m) for m in data.get("blocked_members", [])],
            headroom_delta=None if delta is None else Decimal(delta),
            to_unlimited=data.get("members_to_unlimited", 0),
            from_unlimited=data.get("members_from_unlimited", 0),
        )


@dataclass(frozen=True)
class WorkspaceCost:
    """One workspace moved to US-only inference: its global token cost and the estimate."""

    workspace_id: str
    moves: tuple[str, ...]
    global_cost_cents: Decimal
    monthly_increase: Decimal  # USD, rounded to the cent

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "workspace_id": self.workspace_id,
            "moves": list(self.moves),
            "global_cost_cents": plain(self.global_cost_cents),
            "monthly_increase": plain(self.monthly_increase),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkspaceCost:
        """Read back what :meth:`to_json` wrote."""
        return cls(
            data["workspace_id"],
            tuple(data.get("moves", ())),
            Decimal(data["global_cost_cents"]),
            Decimal(data["monthly_increase"]),
        )


@dataclass(frozen=True)
class ResidencyEstimate:
    """What moving live workspaces to US-only inference adds a month (Console, SPEC §5),
    from ``usage_days`` whole days of the cost report; by workspace address."""

    usage_days: int
    window: dict[str, Any]  # {days, starting_at, ending_at} of the usage read
    workspaces: dict[str, WorkspaceCost]
    total_monthly_increase: Decimal  # USD, rounded to the cent

    @property
    def currency(self) -> str:
        return RESIDENCY_CURRENCY

    def to_json(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "currency": RESIDENCY_CURRENCY,
            "usage_days": self.usage_days,
            "window": dict(self.window),
            "estimate": True,
            "formula": RESIDENCY_FORMULA,
            "workspaces": {a: w.to_json() for a, w in self.workspaces.items()},
            "total_monthly_increase": plain(self.total_monthly_increase),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResidencyEstimate:
        """Read back what :meth:`to_json` wrote."""
        return cls(
            usage_days=data["usage_days"],
            window=dict(data.get("window") or {}),
            workspaces={
                a: WorkspaceCost.from_json(w) for a, w in (data.get("workspaces") or {}).items()
            },
            total_monthly_increase=Decimal(data["total_monthly_increase"]),
        )
