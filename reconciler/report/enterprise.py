"""Enterprise figures: spend so far against each member's effective cap (SPEC §7d).

From one pass over the effective report (the read ``plan`` makes when it needs every
member): per member and period, the cap that applies (``amount``; ``None`` = no limit),
the scope it comes from (``source``) and ``period_to_date_spend``.

* **Percent used** = spent ÷ cap × 100, shown to 0.01; the thresholds are judged on the
  exact values: *at 80 %* when spent × 100 ≥ cap × 80, *at 100 %* when spent ≥ cap.  A
  cap of 0 has no percentage and is always at 100 % (nothing more can be spent).
* **Projection**: a straight line from the period's start through now to its end:
  spent × period length ÷ time elapsed.  Periods reset at 00:00 UTC: ``daily`` each
  day, ``weekly`` on Mondays (ISO weeks; the API documents no week start), ``monthly``
  on the 1st.  Early in a period the line is steep: it says what the pace would give.
* **Headroom**: what capped members may still spend, Σ max(cap − spent, 0).
* **Grouped by seat tier and group**: the Admin API tells a member's seat tier and RBAC
  groups only through the limit that caps them (users carry no seat tier; group
  membership is a separate listing per group), so members are grouped by the scope
  their cap comes from — a seat tier, a group, their own override, or the organization.

Amounts stay in the API's minor units (decimal strings, exact).  Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from reconciler.live import Effective, LiveMember
from reconciler.usage import plain

__all__ = [
    "BANDS",
    "EnterpriseFigures",
    "MemberSpend",
    "Period",
    "build_enterprise",
    "member_spend",
    "period_bounds",
]

PERIOD_ORDER = ("monthly", "weekly", "daily")
SPEND_QUANTUM = Decimal("0.001")  # spend so far has up to 3 fraction digits of a minor unit
PERCENT_QUANTUM = Decimal("0.01")
# Percent-used bands for the distribution: [low, high) in percent; the last is ≥ 100.
BANDS: tuple[tuple[int, int | None], ...] = (
    *((low, low + 10) for low in range(0, 100, 10)),
    (100, None),
)
SOURCE_ORDER = ("seat_tier", "rbac_group", "user", "organization")


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime] | None:
    """``[start, end)`` of the period running at ``now`` (UTC), or None for a period
    this version does not know."""
    now = now.astimezone(timezone.utc)
    today = datetime(now.year, now.month, now.day, tzinfo=timezone.utc)
    if period == "daily":
        return today, today + timedelta(days=1)
    if period == "weekly":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7)
    if period == "monthly":
        start = today.replace(day=1)
        end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
        return start, end
    return None


@dataclass(frozen=True)
class Period:
    name: str
    starting_at: datetime | None
    ending_at: datetime | None
    elapsed: Decimal | None  # fraction of the period gone, (0, 1]; None: unknown period

    def to_json(self) -> dict[str, Any]:
        """The period's bounds and how much of it is gone, as the document has them."""
        return {
            "period": self.name,
            "starting_at": _iso(self.starting_at),
            "ending_at": _iso(self.ending_at),
            "elapsed_percent": None
            if self.elapsed is None
            else plain((self.elapsed * 100).quantize(PERCENT_QUANTUM)),
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(name: str, now: datetime) -> Period:
    bounds = period_bounds(name, now)
    if bounds is None:
        return Period(name, None, None, None)
    start, end = bounds
    # At least a second gone: a projection from no time at all has no slope.
    gone = max(Decimal(int((now - start).total_seconds() * 1000)) / 1000, Decimal(1))
    length = Decimal(int((end - start).total_seconds()))
    return Period(name, start, end, min(gone / length, Decimal(1)))


# Exact arithmetic for the few divisions here, whatever the caller's decimal context.
_EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class MemberSpend:
    """One member's spend so far and cap for one period (minor units, exact), and what
    follows from them (computed once, by :func:`member_spend`)."""

    user_id: str
    email: str
    name: str | None
    period: str
    cap: Decimal | None  # None: no limit applies
    spent: Decimal
    source_type: str
    source_id: str | None
    source_name: str | None  # the group's name, the seat tier; None otherwise
    at_80: bool = False  # spent × 100 ≥ cap × 80
    at_100: bool = False  # spent ≥ cap
    percent: Decimal | None = None  # to 0.01; None without a cap or with a cap of 0
    headroom: Decimal | None = None  # max(cap − spent, 0); None without a cap
    projected: Decimal | None = None  # the straight line to the period's end
    band: int | None = None  # index into BANDS; None without a cap

    @property
    def capped(self) -> bool:
        return self.cap is not None

    @property
    def projected_over_cap(self) -> bool:
        """Not at the cap yet, but the straight line reaches it by the period's end."""
        return (
            self.cap is not None
            and self.projected is not None
            and self.projected >= self.cap
            and not self.at_100
        )

    @property
    def seat_tier(self) -> str | None:
        return self.source_id if self.source_type == "seat_tier" else None

    @property
    def groups(self) -> list[str]:
        if self.source_type != "rbac_group":
            return []
        return [self.source_name or self.source_id or "?"]


def member_spend(
    *,
    user_id: str,
    email: str,
    name: str | None,
    period: Period,
    cap: Decimal | None,
    spent: Decimal,
    source_type: str,
    source_id: str | None,
    source_name: str | None,
) -> MemberSpend:
    """A member's row with the thresholds, percentage, headroom and projection."""
    projected = None
    if period.elapsed is not None:
        projected = _EXACT.divide(spent, period.elapsed).quantize(SPEND_QUANTUM, context=_EXACT)
    at_80 = at_100 = False
    percent = headroom = None
    band = None
    if cap is not None:
        at_80 = spent * 100 >= cap * 80
        at_100 = spent >= cap
        headroom = max(cap - spent, Decimal(0))
        if cap:
            percent = _EXACT.divide(spent * 100, cap).quantize(PERCENT_QUANTUM, context=_EXACT)
        band = len(BANDS) - 1 if at_100 else min(int(spent * 10 // cap), len(BANDS) - 2)
    return MemberSpend(
        user_id, email, name, period.name, cap, spent, source_type, source_id, source_name,
        at_80, at_100, percent, headroom, projected, band,
    )  # fmt: skip


def _source_label(source_type: str, name: str | None) -> str:
    if source_type == "seat_tier":
        return f"seat tier {name}"
    if source_type == "rbac_group":
        return f"group {name}"
    if source_type == "user":
        return "own override"
    if source_type == "organization":
        return "organization default"
    return f"{source_type} {name}" if name else source_type


@dataclass
class EnterpriseFigures:
    as_of: datetime
    currency: str
    periods: list[Period]
    members: list[MemberSpend]  # by period order, then email
    members_total: int | None  # every member of the organization, when all were listed
    uncapped_unlisted: dict[str, int]  # period → members without a row for it

    def for_period(self, name: str) -> list[MemberSpend]:
        return [m for m in self.members if m.period == name]

    def to_json(self) -> dict[str, Any]:
        """The document's ``enterprise`` object (``reconciler/schemas/report.schema.json``)."""
        return {
            "as_of": _iso(self.as_of),
            "members_total": self.members_total,
            "periods": [self._period_json(p) for p in self.periods],
            "by_source": self._by_source(),
            "members": [self._member_json(m) for m in self.members],
        }

    def _period_json(self, period: Period) -> dict[str, Any]:
        rows = self.for_period(period.name)
        capped = [m for m in rows if m.capped]
        unlisted = self.uncapped_unlisted.get(period.name, 0)
        return {
            **period.to_json(),
            "members": len(rows),
            "capped": len(capped),
            "uncapped": len(rows) - len(capped) + unlisted,
            "uncapped_without_row": unlisted,
            "at_80": sum(m.at_80 for m in rows),
            "at_100": sum(m.at_100 for m in rows),
            "projected_over_cap": sum(m.projected_over_cap for m in rows),
            "spent": plain(_sum(m.spent for m in rows)),
            "spent_capped": plain(_sum(m.spent for m in capped)),
            "caps": plain(_total(m.cap for m in capped)),
            "headroom": plain(_total(m.headroom for m in capped)),
            "projected": None
            if period.elapsed is None
            else plain(_total(m.projected for m in rows)),
            "distribution": _distribution(capped),
        }

    def _by_source(self) -> list[dict[str, Any]]:
        groups: dict[tuple[str, str, str | None], list[MemberSpend]] = {}
        for m in self.members:
            # Overrides are one group: each member's own row is its own "scope".
            source_id = None if m.source_type == "user" else m.source_id
            groups.setdefault((m.period, m.source_type, source_id), []).append(m)
        out = [_scope_json(*key, rows) for key, rows in groups.items()]
        order = {p: i for i, p in enumerate(PERIOD_ORDER)}
        out.sort(
            key=lambda s: (
                order.get(s["period"], len(order)),
                s["period"],
                _rank(SOURCE_ORDER, s["source_type"]),
                str(s["name"] or ""),
            )
        )
        return out

    def _member_json(self, m: MemberSpend) -> dict[str, Any]:
        pct, projected = m.percent, m.projected
        return {
            "email": m.email,
            "name": m.name,
            "user_id": m.user_id,
            "period": m.period,
            "cap": None if m.cap is None else plain(m.cap),
            "spent": plain(m.spent),
            "percent_used": None if pct is None else plain(pct),
            "at_80": m.at_80,
            "at_100": m.at_100,
            "projected": None if projected is None else plain(projected),
            "headroom": None if m.headroom is None else plain(m.headroom),
            "source_type": m.source_type,
            "source_id": m.source_id,
            "source": _source_label(m.source_type, m.source_name or m.source_id),
            "seat_tier": m.seat_tier,
            "groups": m.groups,
        }


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))


def _total(amounts: Iterable[Decimal | None]) -> Decimal:
    """The sum of the amounts there are (None, and any zero, count as ``Decimal(0)``)."""
    return _sum(a or Decimal(0) for a in amounts)


def _rank(order: Sequence[str], name: str) -> int:
    return order.index(name) if name in order else len(order)


def _distribution(capped: Iterable[MemberSpend]) -> list[dict[str, Any]]:
    """How many capped members fall in each of :data:`BANDS`."""
    counts = [0] * len(BANDS)
    for m in capped:
        assert m.band is not None
        counts[m.band] += 1
    return [
        {"low": low, "high": high, "members": n}
        for (low, high), n in zip(BANDS, counts, strict=True)
    ]


def _scope_json(
    period: str, source_type: str, source_id: str | None, rows: list[MemberSpend]
) -> dict[str, Any]:
    """One scope's members (those whose caps come from it) in one period."""
    name = None if source_type == "user" else rows[0].source_name or source_id
    cap = rows[0].cap
    return {
        "period": period,
        "source_type": source_type,
        "source_id": source_id,
        "name": name,
        "label": _source_label(source_type, name),
        "cap": None if cap is None or source_type == "user" else plain(cap),
        "members": len(rows),
        "at_80": sum(m.at_80 for m in rows),
        "at_100": sum(m.at_100 for m in rows),
        "spent": plain(_sum(m.spent for m in rows)),
        "headroom": plain(_total(m.headroom for m in rows if m.capped)),
    }


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        return Decimal(0)
    return value if value.is_finite() and value >= 0 else Decimal(0)


def build_enterprise(
    now: datetime,
    currency: str,
    members: Mapping[str, LiveMember],
    members_complete: bool,
    effective: Mapping[tuple[str, str], Effective],
    group_names: Mapping[str, str],
) -> EnterpriseFigures:
    """Every member's spend against their effective cap, per period (module docstring)."""
    by_id = {m.id: m for m in members.values()}
    names = {p for _, p in effective}
    ordered = [p for p in PERIOD_ORDER if p in names] + sorted(names - set(PERIOD_ORDER))
    periods = {p: _period(p, now) for p in ordered}
    rows = [
        _member_row(user_id, periods[period], eff, by_id.get(user_id), group_names)
        for (user_id, period), eff in effective.items()
    ]
    order = {p: i for i, p in enumerate(ordered)}
    rows.sort(key=lambda m: (order[m.period], m.email.lower(), m.user_id))
    total = len(by_id) if members_complete else None
    return EnterpriseFigures(
        as_of=now.astimezone(timezone.utc),
        currency=currency,
        periods=list(periods.values()),
        members=rows,
        members_total=total,
        uncapped_unlisted=_unlisted(rows, ordered, total),
    )


def _member_row(
    user_id: str,
    period: Period,
    eff: Effective,
    member: LiveMember | None,
    group_names: Mapping[str, str],
) -> MemberSpend:
    """One member's effective row for one period, with the name of where its cap is from."""
    source_name = None
    if eff.source_type == "rbac_group" and eff.source_id:
        source_name = group_names.get(eff.source_id)
    elif eff.source_type == "seat_tier":
        source_name = eff.source_id
    return member_spend(
        user_id=user_id,
        email=member.email if member else user_id,
        name=member.name if member else None,
        period=period,
        cap=_decimal(eff.amount),
        spent=_decimal(eff.spend) or Decimal(0),
        source_type=eff.source_type,
        source_id=eff.source_id,
        source_name=source_name,
    )


def _unlisted(rows: list[MemberSpend], periods: list[str], total: int | None) -> dict[str, int]:
    """Per period, the members without a row for it (uncapped); known only when every
    member was listed (``total``)."""
    if total is None:
        return {}
    return {p: max(total - sum(1 for m in rows if m.period == p), 0) for p in periods}
