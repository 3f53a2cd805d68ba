"""What usage costs, in the cost report's terms (usage-cost-api.md §3 and §5,
decisions 8, 9 and 13).

Each usage event yields one :class:`CostLine` per billed token type it has (and one for
web search), in exact cents::

    tokens × list price (USD per million, :mod:`~reconciler.emulator.catalog`) × 100 / 1e6
           × 0.5 for the batch tier × 1.1 for inference_geo us on a geo-capable model

Web search is $10 per 1,000 requests (1 cent each), whatever the tier or geo.  Only the
``standard`` and ``batch`` tiers are billed here: Priority Tier (``priority``,
``priority_on_demand``) and flex usage never appear in the cost report.  Descriptions
name the model, never the geo: ``Claude Sonnet 4.6 Usage - Input Tokens``, ``… - Output
Tokens``, ``… - Input Tokens, Cache Hit``, ``… - Input Tokens, Cache Write`` (5-minute
writes), ``… - Input Tokens, Cache Write (1h)``, ``Web Search Usage``.

Amounts are summed exactly and rounded only when shown (:func:`cents_text`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from reconciler.emulator import catalog
from reconciler.emulator.model import UsageEvent

BILLED_TIERS = ("standard", "batch")
# (event field, token_type in the report, price type, description suffix)
TOKEN_TYPES = (
    ("uncached_input_tokens", "uncached_input_tokens", "input", "Input Tokens"),
    ("output_tokens", "output_tokens", "output", "Output Tokens"),
    (
        "cache_read_input_tokens",
        "cache_read_input_tokens",
        "cache_read",
        "Input Tokens, Cache Hit",
    ),
    (
        "cache_creation_5m_input_tokens",
        "cache_creation.ephemeral_5m_input_tokens",
        "cache_write_5m",
        "Input Tokens, Cache Write",
    ),
    (
        "cache_creation_1h_input_tokens",
        "cache_creation.ephemeral_1h_input_tokens",
        "cache_write_1h",
        "Input Tokens, Cache Write (1h)",
    ),
)
WEB_SEARCH_CENTS = Decimal(1)
BATCH = Decimal("0.5")
US_PREMIUM = Decimal("1.1")
CENTS_PER_MILLION = Decimal(100) / Decimal(1_000_000)
SHOWN = Decimal("0.000001")


@dataclass(frozen=True)
class CostLine:
    """One billed item of one event; the fields other than ``workspace_id`` and
    ``amount`` are what a ``description``-grouped row shows (null for non-token costs)."""

    workspace_id: str
    description: str
    cost_type: str
    model: str | None
    token_type: str | None
    service_tier: str | None
    context_window: str | None
    inference_geo: str | None
    amount: Decimal  # cents, exact


class Pricer:
    """Prices events against a seed's price table (cached per model)."""

    def __init__(self, prices: Mapping[str, Mapping[str, str]]) -> None:
        self._prices = prices
        self._entries: dict[str, dict[str, Decimal]] = {}

    def _entry(self, model: str) -> dict[str, Decimal]:
        entry = self._entries.get(model)
        if entry is None:
            # Usage rows are refused at load time when their model has no price.
            entry = catalog.price_entry(model, self._prices) or {}
            self._entries[model] = entry
        return entry

    def lines(self, event: UsageEvent) -> Iterator[CostLine]:
        """The cost lines of ``event`` (none for tiers the cost report leaves out)."""
        if event.service_tier not in BILLED_TIERS:
            return
        factor = CENTS_PER_MILLION
        if event.service_tier == "batch":
            factor *= BATCH
        if event.inference_geo == "us" and catalog.geo_capable(event.model):
            factor *= US_PREMIUM
        entry = self._entry(event.model)
        name = catalog.display_name(event.model)
        with localcontext() as context:
            context.prec = 60
            for field, token_type, price_type, suffix in TOKEN_TYPES:
                tokens: int = getattr(event, field)
                if tokens:
                    yield CostLine(
                        workspace_id=event.workspace_id,
                        description=f"{name} Usage - {suffix}",
                        cost_type="tokens",
                        model=event.model,
                        token_type=token_type,
                        service_tier=event.service_tier,
                        context_window=event.context_window,
                        inference_geo=event.inference_geo,
                        amount=tokens * entry.get(price_type, Decimal(0)) * factor,
                    )
        if event.web_search_requests:
            yield CostLine(
                workspace_id=event.workspace_id,
                description="Web Search Usage",
                cost_type="web_search",
                model=None,
                token_type=None,
                service_tier=None,
                context_window=None,
                inference_geo=None,
                amount=event.web_search_requests * WEB_SEARCH_CENTS,
            )


def cents_text(amount: Decimal) -> str:
    """A plain decimal string: at most 6 fraction digits (half-even), trailing zeros and
    a bare point trimmed — ``"123.45"``, ``"0.000825"``, ``"150"``."""
    with localcontext() as context:
        context.prec = 60
        text = format(amount.quantize(SHOWN, rounding=ROUND_HALF_EVEN), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
