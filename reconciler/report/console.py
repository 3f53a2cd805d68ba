"""Console figures: tokens and cost by workspace × model × inference geo (SPEC §7d).

Built from one usage-report query (daily buckets grouped by ``workspace_id``, ``model``,
``inference_geo`` and ``service_tier``) and one cost-report query (grouped by
``workspace_id`` and ``description``, whose token rows carry ``model`` and
``inference_geo``) over the same window, joined per (date, workspace, model, geo).

Money is exact: every amount is the cost report's own decimal cents, summed as
:class:`~decimal.Decimal`, so the report's total *is* the cost report's total (shown
rounded to the cent, never summed from rounded parts).  Costs without a model or geo
(web search, code execution, sessions) are kept on their own lines (model and geo
``None``) so that every cent is somewhere.

* **US-only premium**: ``us`` token cost on models priced 1.1× there (Claude 4.6 and
  later) carries 10 % on top of the global price: premium = cost − cost ÷ 1.1 (= cost ÷ 11),
  computed once per total, never summed from rounded parts.
* **Held workspaces** (those the policy holds to ``allowed_inference_geos: [us]``): the
  share of each one's tokens that ran ``global`` in the window; ``audit`` has the details.
* The default workspace: the reports say ``workspace_id: null``; it is mapped to the
  default workspace's id from the listing (usage-cost-api §8.2).

Pure: nothing here sends a request or prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from reconciler.adminapi.reports import Bucket, CostResult, UsageResult
from reconciler.audit.findings import Tokens
from reconciler.audit.held import HeldWorkspace
from reconciler.live import LiveWorkspace
from reconciler.report.window import ReportWindow
from reconciler.usage import GLOBAL, NOT_AVAILABLE, US, geo_capable, plain

__all__ = [
    "CENTS_QUANTUM",
    "ConsoleFigures",
    "HeldShare",
    "Line",
    "build_console",
    "percent",
    "premium_of",
]

# Derived amounts (premium, shares) are kept to a millionth of a cent, as the cost
# report writes its own amounts.
CENTS_QUANTUM = Decimal("0.000001")
PERCENT_QUANTUM = Decimal("0.01")
US_PRICE_FACTOR = Decimal("1.1")
GEO_ORDER = (GLOBAL, US, NOT_AVAILABLE)
DEFAULT_NAME = "Default"
UNPRICED_TIER_PREFIXES = ("priority", "flex")
Key = tuple[str | None, str | None, str | None]  # (workspace id, model, geo)
DayKey = tuple[str, str | None, str | None, str | None]  # (date, *Key)


def premium_of(us_cost_cents: Decimal) -> Decimal:
    """What 1.1× pricing added to ``us_cost_cents``: cost − cost ÷ 1.1, to 1e-6 cent."""
    with localcontext() as context:
        context.prec = 60
        premium = us_cost_cents - us_cost_cents / US_PRICE_FACTOR
        return premium.quantize(CENTS_QUANTUM, rounding=ROUND_HALF_EVEN)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to 0.01 (None when ``whole`` is 0)."""
    if not whole:
        return None
    with localcontext() as context:
        context.prec = 60
        value = Decimal(part) * 100 / Decimal(whole)
        return value.quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_EVEN)


def _geo_key(geo: str) -> tuple[int, str]:
    return (GEO_ORDER.index(geo) if geo in GEO_ORDER else len(GEO_ORDER), geo)


@dataclass
class Line:
    """Tokens and cost of one workspace, model and geo (for one day, or the window).
    ``model`` and ``inference_geo`` are None on costs that have neither (web search,
    code execution, sessions); ``cost_types`` says which."""

    workspace_id: str | None
    model: str | None
    inference_geo: str | None
    tokens: Tokens = field(default_factory=Tokens)
    cost_cents: Decimal = Decimal(0)
    cost_types: set[str] = field(default_factory=set)

    @property
    def premium_applies(self) -> bool:
        return self.inference_geo == US and self.model is not None and geo_capable(self.model)

    def merge(self, other: Line) -> None:
        _add(self.tokens, other.tokens)
        self.cost_cents += other.cost_cents
        self.cost_types |= other.cost_types


@dataclass(frozen=True)
class HeldShare:
    """A workspace the policy holds to US-only inference, and how much of it ran global."""

    held: HeldWorkspace
    total_tokens: int
    global_tokens: int
    us_tokens: int
    not_available_tokens: int
    global_cost_cents: Decimal

    @property
    def global_share(self) -> Decimal | None:
        return percent(self.global_tokens, self.total_tokens)


@dataclass
class ConsoleFigures:
    window: ReportWindow
    workspaces: dict[str, LiveWorkspace]  # by id, the default workspace included
    default_id: str | None
    daily: dict[DayKey, Line]
    held: list[HeldShare]
    unpriced_tokens: dict[str, int]  # service tier → tokens the cost report never prices
    unknown_geos: set[str]

    # ----------------------------------------------------------------- aggregates

    def lines(self) -> list[Line]:
        """The window's lines by (workspace, model, geo)."""
        merged: dict[Key, Line] = {}
        for (_, ws, model, geo), line in self.daily.items():
            key = (ws, model, geo)
            into = merged.get(key)
            if into is None:
                into = merged[key] = Line(ws, model, geo)
            into.merge(line)
        return sorted(merged.values(), key=self._line_order)

    def _line_order(self, line: Line) -> tuple[Any, ...]:
        return self._order(line.workspace_id, line.model, line.inference_geo)

    def _order(self, ws: str | None, model: str | None, geo: str | None) -> tuple[Any, ...]:
        """Workspaces by name, models by id (costs without a model last), geos in order."""
        return (
            self.workspace_name(ws).lower(),
            ws or "",
            model is None,
            model or "",
            _geo_key(geo or "~"),
        )

    def workspace_name(self, workspace_id: str | None) -> str:
        if workspace_id is None:
            return DEFAULT_NAME
        ws = self.workspaces.get(workspace_id)
        return ws.name if ws is not None else workspace_id

    def total_cost(self) -> Decimal:
        return sum((line.cost_cents for line in self.daily.values()), Decimal(0))

    def us_premium_cost(self, lines: Iterable[Line]) -> Decimal:
        """``us`` cost of 1.1×-priced models among ``lines``."""
        return sum((ln.cost_cents for ln in lines if ln.premium_applies), Decimal(0))

    def geos(self) -> list[str]:
        found = {ln.inference_geo for ln in self.daily.values() if ln.inference_geo}
        return sorted(found | {GLOBAL, US}, key=_geo_key)

    # ----------------------------------------------------------------- document

    def to_json(self) -> dict[str, Any]:
        """The document's ``console`` object (``reconciler/schemas/report.schema.json``)."""
        lines = self.lines()
        return {
            "window": self.window.to_json(),
            "totals": self._totals(lines),
            "by_geo": self._by_geo(lines),
            "by_workspace": self._by_workspace(lines),
            "by_model": self._by_model(lines),
            "lines": [self._line_json(line) for line in lines],
            "daily": self._daily(),
            "rows": self._rows(),
            "held": [self._held_json(h) for h in self.held],
            "unpriced_tokens": dict(sorted(self.unpriced_tokens.items())),
            "unknown_geos": sorted(self.unknown_geos),
        }

    def _totals(self, lines: Sequence[Line]) -> dict[str, Any]:
        us_cost = self.us_premium_cost(lines)
        return {
            "tokens": _tokens(lines).to_json(),
            "cost_cents": plain(self.total_cost()),
            "token_cost_cents": plain(_cost(ln for ln in lines if ln.model is not None)),
            "other_cost_cents": plain(_cost(ln for ln in lines if ln.model is None)),
            "us_premium_cents": plain(premium_of(us_cost)),
            "us_premium_base_cents": plain(us_cost),
        }

    def _line_json(self, line: Line) -> dict[str, Any]:
        return {
            "workspace_id": line.workspace_id,
            "workspace": self.workspace_name(line.workspace_id),
            "model": line.model,
            "inference_geo": line.inference_geo,
            "cost_types": sorted(line.cost_types),
            "tokens": line.tokens.to_json(),
            "cost_cents": plain(line.cost_cents),
            "us_premium_cents": plain(
                premium_of(line.cost_cents) if line.premium_applies else Decimal(0)
            ),
        }

    def _by_geo(self, lines: Sequence[Line]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for geo in self.geos():
            mine = [ln for ln in lines if ln.inference_geo == geo]
            out.append({"inference_geo": geo, **_tokens_and_cost(mine)})
        other = [ln for ln in lines if ln.inference_geo is None]
        if other:
            # Costs without a geo have no tokens (web search, code execution, sessions).
            out.append(
                {
                    "inference_geo": None,
                    "tokens": Tokens().to_json(),
                    "cost_cents": plain(_cost(other)),
                }
            )
        return out

    def _by_workspace(self, lines: Sequence[Line]) -> list[dict[str, Any]]:
        held = {h.held.workspace_id for h in self.held if h.held.workspace_id}
        out: list[dict[str, Any]] = []
        for ws_id, mine in _grouped(lines, lambda ln: ln.workspace_id).items():
            live = self.workspaces.get(ws_id) if ws_id else None
            out.append(
                {
                    "workspace_id": ws_id,
                    "workspace": self.workspace_name(ws_id),
                    "is_default": ws_id is not None and ws_id == self.default_id,
                    "archived": bool(live.archived) if live else False,
                    "held_us_only": ws_id in held,
                    "tokens": _tokens(mine).to_json(),
                    "tokens_by_geo": _tokens_by_geo(mine),
                    "cost_cents": plain(_cost(mine)),
                    "us_premium_cents": plain(premium_of(self.us_premium_cost(mine))),
                }
            )
        out.sort(key=lambda w: (-Decimal(w["cost_cents"]), w["workspace"].lower()))
        return out

    def _by_model(self, lines: Sequence[Line]) -> list[dict[str, Any]]:
        out = [
            {
                "model": model,
                "geo_capable": model is not None and geo_capable(model),
                **_tokens_and_cost(mine),
                "us_premium_cents": plain(premium_of(self.us_premium_cost(mine))),
            }
            for model, mine in _grouped(lines, lambda ln: ln.model).items()
        ]
        out.sort(key=lambda m: (-Decimal(m["cost_cents"]), m["model"] or "~"))
        return out

    def _daily(self) -> list[dict[str, Any]]:
        """Per date of the window (empty days included): tokens by geo and cost."""
        geos = self.geos()

        def empty(day: str) -> dict[str, Any]:
            return {"date": day, "tokens_by_geo": dict.fromkeys(geos, 0), "cost_cents": Decimal(0)}

        days = {d: empty(d) for d in self.window.dates}
        for (day, _, _, geo), line in self.daily.items():
            entry = days.setdefault(day, empty(day))
            if geo is not None:
                entry["tokens_by_geo"][geo] = entry["tokens_by_geo"].get(geo, 0) + line.tokens.total
            entry["cost_cents"] += line.cost_cents
        return [
            {**entry, "cost_cents": plain(entry["cost_cents"])} for _, entry in sorted(days.items())
        ]

    def _rows(self) -> list[dict[str, Any]]:
        """The finance export: one row per date, workspace, model and geo (SPEC §7d)."""
        ordered = sorted(self.daily.items(), key=lambda kv: (kv[0][0], *self._order(*kv[0][1:])))
        return [
            {
                "date": day,
                "workspace_id": ws,
                "workspace": self.workspace_name(ws),
                "model": model,
                "inference_geo": geo,
                "uncached_input_tokens": line.tokens.uncached_input,
                "cache_read_input_tokens": line.tokens.cache_read,
                "cache_creation_input_tokens": line.tokens.cache_creation,
                "output_tokens": line.tokens.output,
                "cost_cents": plain(line.cost_cents),
            }
            for (day, ws, model, geo), line in ordered
        ]

    def _held_json(self, share: HeldShare) -> dict[str, Any]:
        held = share.held
        pct = share.global_share
        return {
            "address": held.address,
            "workspace": held.name,
            "workspace_id": held.workspace_id,
            "source": held.source,
            "total_tokens": share.total_tokens,
            "global_tokens": share.global_tokens,
            "us_tokens": share.us_tokens,
            "not_available_tokens": share.not_available_tokens,
            "global_share_percent": None if pct is None else plain(pct),
            "global_cost_cents": plain(share.global_cost_cents),
        }


def _add(into: Tokens, other: Tokens) -> None:
    into.uncached_input += other.uncached_input
    into.cache_read += other.cache_read
    into.cache_creation += other.cache_creation
    into.output += other.output


def _tokens(lines: Iterable[Line]) -> Tokens:
    total = Tokens()
    for line in lines:
        _add(total, line.tokens)
    return total


def _cost(lines: Iterable[Line]) -> Decimal:
    return sum((line.cost_cents for line in lines), Decimal(0))


def _tokens_and_cost(lines: Sequence[Line]) -> dict[str, Any]:
    return {"tokens": _tokens(lines).to_json(), "cost_cents": plain(_cost(lines))}


def _tokens_by_geo(lines: Iterable[Line]) -> dict[str, int]:
    by_geo: dict[str, int] = {}
    for line in lines:
        if line.inference_geo is not None:
            by_geo[line.inference_geo] = by_geo.get(line.inference_geo, 0) + line.tokens.total
    return dict(sorted(by_geo.items(), key=lambda kv: _geo_key(kv[0])))


def _grouped(
    lines: Iterable[Line], key: Callable[[Line], str | None]
) -> dict[str | None, list[Line]]:
    """``lines`` by ``key``, in the order each key first appears."""
    groups: dict[str | None, list[Line]] = {}
    for line in lines:
        groups.setdefault(key(line), []).append(line)
    return groups


# --------------------------------------------------------------------------- building


@dataclass
class _Join:
    """The window's lines by (date, workspace, model, geo), as usage and cost rows are
    added; rows outside ``[first, end)`` (dates) are never counted."""

    first: str
    end: str
    default_id: str | None  # what the reports' ``workspace_id: null`` stands for
    daily: dict[DayKey, Line] = field(default_factory=dict)
    unpriced: dict[str, int] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)

    def line(self, day: str, ws: str | None, model: str | None, geo: str | None) -> Line:
        """The line of one day, workspace (None: the default one), model and geo."""
        ws = ws if ws is not None else self.default_id
        key = (day, ws, model, geo)
        found = self.daily.get(key)
        if found is None:
            found = self.daily[key] = Line(ws, model, geo)
        return found

    def add_usage(self, bucket: Bucket[UsageResult]) -> None:
        """Count a usage bucket's tokens, noting unknown geos and unpriced tiers."""
        if not self.first <= bucket.day < self.end:
            return  # a bucket outside the window asked for: never counted
        for row in bucket.results:
            if not row.total_tokens:
                continue
            if row.inference_geo is not None and row.inference_geo not in GEO_ORDER:
                self.unknown.add(row.inference_geo)
            self.line(bucket.day, row.workspace_id, row.model, row.inference_geo).tokens.add(row)
            tier = row.service_tier or ""
            if tier.startswith(UNPRICED_TIER_PREFIXES):
                self.unpriced[tier] = self.unpriced.get(tier, 0) + row.total_tokens

    def add_cost(self, bucket: Bucket[CostResult]) -> None:
        """Add a cost bucket's amounts; costs without a model go on their own lines."""
        if not self.first <= bucket.day < self.end:
            return
        for item in bucket.results:
            if item.amount == 0:
                continue
            if item.cost_type == "tokens" or item.model is not None:
                target = self.line(bucket.day, item.workspace_id, item.model, item.inference_geo)
            else:
                target = self.line(bucket.day, item.workspace_id, None, None)
            target.cost_cents += item.amount
            target.cost_types.add(item.cost_type or "other")


def build_console(
    window: ReportWindow,
    workspaces: Sequence[LiveWorkspace],
    held: Sequence[HeldWorkspace],
    usage: Iterable[Bucket[UsageResult]],
    cost: Iterable[Bucket[CostResult]],
) -> ConsoleFigures:
    """Join a window's usage and cost rows (see the module docstring)."""
    default_id = next((w.id for w in workspaces if w.is_default), None)
    first = window.dates[0] if window.days else ""
    join = _Join(first, window.ending_at.date().isoformat(), default_id)
    for bucket in usage:
        join.add_usage(bucket)
    for priced in cost:
        join.add_cost(priced)
    return ConsoleFigures(
        window=window,
        workspaces={w.id: w for w in workspaces},
        default_id=default_id,
        daily=join.daily,
        held=[_share(h, join.daily) for h in held],
        unpriced_tokens=join.unpriced,
        unknown_geos=join.unknown,
    )


def _share(held: HeldWorkspace, daily: dict[DayKey, Line]) -> HeldShare:
    total = global_ = us = na = 0
    global_cost = Decimal(0)
    if held.workspace_id is not None:
        for (_, ws, _, geo), line in daily.items():
            if ws != held.workspace_id:
                continue
            total += line.tokens.total
            if geo == GLOBAL:
                global_ += line.tokens.total
                global_cost += line.cost_cents
            elif geo == US:
                us += line.tokens.total
            elif geo == NOT_AVAILABLE:
                na += line.tokens.total
    return HeldShare(held, total, global_, us, na, global_cost)
