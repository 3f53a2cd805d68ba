"""The Claude models the emulator knows: versions, names, geo support and list prices.

Rules (usage-cost-api.md §5, decisions 7–9):

* A model's **version** is read from its id: the first one or two short number groups,
  dates ignored — ``claude-opus-4-6`` → (4, 6), ``claude-sonnet-4-5-20250929`` → (4, 5),
  ``claude-opus-4-20250514`` → (4, 0), ``claude-3-5-haiku-20241022`` → (3, 5),
  ``claude-sonnet-5`` → (5, 0).  An id without one has no version.
* **Geo-capable** (``inference_geo`` honoured, ``us`` billed at 1.1×): version ≥ 4.6 —
  Opus 4.6, Sonnet 4.6 and every later model.  Everything else (Opus/Sonnet/Haiku 4.5 and
  older, unversioned ids) reports ``inference_geo: not_available``.
* **Display name** (cost report descriptions): ``Claude Opus 4.6``; for the old naming
  ``claude-3-5-haiku`` → ``Claude Haiku 3.5``; an unversioned id is shown as it is.
* **Prices** are USD per million tokens per token type: ``input`` (uncached input),
  ``output``, ``cache_read``, ``cache_write_5m``, ``cache_write_1h``.  A seed's ``prices``
  entry for a model replaces the built-in entry for it (:data:`LIST_PRICES`, Anthropic's
  list prices); an entry lacking a cache type falls back to the documented multiples of
  its ``input`` price: cache reads 0.1×, 5-minute writes 1.25×, 1-hour writes 2×.
  Lookups try the exact id, then the id without a trailing ``-YYYYMMDD`` date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

# Built-in list prices, USD per million tokens: (input, output).
LIST_PRICES: dict[str, tuple[str, str]] = {
    "claude-opus-4-7": ("5", "25"),
    "claude-opus-4-6": ("5", "25"),
    "claude-opus-4-5": ("5", "25"),
    "claude-opus-4-1": ("15", "75"),
    "claude-opus-4": ("15", "75"),
    "claude-opus-4-0": ("15", "75"),
    "claude-sonnet-4-6": ("3", "15"),
    "claude-sonnet-4-5": ("3", "15"),
    "claude-sonnet-4": ("3", "15"),
    "claude-sonnet-4-0": ("3", "15"),
    "claude-haiku-4-5": ("1", "5"),
    "claude-3-7-sonnet": ("3", "15"),
    "claude-3-5-haiku": ("0.8", "4"),
    "claude-3-haiku": ("0.25", "1.25"),
}
# Cache prices as multiples of the input price, when a price entry does not give them.
CACHE_MULTIPLES = {"cache_read": "0.1", "cache_write_5m": "1.25", "cache_write_1h": "2"}
PRICE_TYPES = ("input", "output", "cache_read", "cache_write_5m", "cache_write_1h")
GEO_VERSION = (4, 6)

_DATE_SUFFIX = re.compile(r"-[0-9]{8}\Z")
_FAMILIES = ("opus", "sonnet", "haiku")


def version(model: str) -> tuple[int, int] | None:
    """(major, minor) of a model id, or None when it carries no version.

    The major is the first part of one or two digits; the minor is the part right after
    it when that is one or two digits too (an eight-digit date is not a minor), else 0.
    """
    parts = model.split("-")
    for index, part in enumerate(parts):
        if _short_number(part):
            after = parts[index + 1] if index + 1 < len(parts) else ""
            return int(part), int(after) if _short_number(after) else 0
    return None


def _short_number(part: str) -> bool:
    return part.isdigit() and len(part) <= 2


def geo_capable(model: str) -> bool:
    """Whether requests to ``model`` honour ``inference_geo`` (Claude 4.6 and later)."""
    found = version(model)
    return found is not None and found >= GEO_VERSION


def display_name(model: str) -> str:
    """``Claude Sonnet 4.5`` for ``claude-sonnet-4-5-20250929``; the id when unknown."""
    found = version(model)
    family = next((f for f in _FAMILIES if f in model.split("-")), None)
    if found is None or family is None:
        return model
    major, minor = found
    number = f"{major}.{minor}" if minor else str(major)
    return f"Claude {family.capitalize()} {number}"


def base_id(model: str) -> str:
    """The id without a trailing ``-YYYYMMDD`` snapshot date."""
    return _DATE_SUFFIX.sub("", model)


def price_entry(model: str, prices: Mapping[str, Mapping[str, str]]) -> dict[str, Decimal] | None:
    """The USD-per-million-token price of every token type of ``model``, or None.

    ``prices`` is the seed's table (model → type → decimal text); it wins over the
    built-in list prices, model by model.
    """
    for candidate in (model, base_id(model)):
        given = prices.get(candidate)
        if given is not None:
            return _complete({k: Decimal(str(v)) for k, v in given.items()})
    for candidate in (model, base_id(model)):
        listed = LIST_PRICES.get(candidate)
        if listed is not None:
            return _complete({"input": Decimal(listed[0]), "output": Decimal(listed[1])})
    return None


def _complete(entry: dict[str, Decimal]) -> dict[str, Decimal]:
    for name, multiple in CACHE_MULTIPLES.items():
        entry.setdefault(name, entry["input"] * Decimal(multiple))
    return entry
