"""What moved between two states of one object, field by field, as a person reads it.

Used where a plan meets the organization again: apply's refusal of a stale plan ("what
changed since the plan: field, value at plan time, value now") and the drift report.
DeepDiff finds the paths; it explains, it never decides identity (that is the address)
and it runs only on pairs that differ (cheap equality first: it is 50,000 members, not 5).
A list (``allowed_inference_geos``) and a spend limit's ``scope`` are single values: a
path ends at the first of them.
"""

from __future__ import annotations

from typing import Any

from reconciler.money import format_minor
from reconciler.plan.render.values import show

__all__ = ["Difference", "field_differences"]

Difference = tuple[str, str, str]  # (field, before, after), ready to print
_ATOMIC = frozenset({"scope"})


def field_differences(then: Any, now: Any, currency: str | None = None) -> list[Difference]:
    """Dotted paths whose values differ between ``then`` and ``now`` (a whole object that
    appeared or went is one ``(object)`` line)."""
    if then == now:
        return []
    if then is None or now is None:
        return [("(object)", _summary(then, currency), _summary(now, currency))]
    # Imported here: DeepDiff weighs some 20 MB, and most runs (every plan) never need it.
    from deepdiff import DeepDiff

    paths: dict[str, tuple[Any, ...]] = {}
    for levels in DeepDiff(then, now, view="tree").values():
        for level in levels:
            keys = _leaf(level.path(output_format="list"))
            paths[".".join(str(k) for k in keys)] = keys
    return [
        (
            dotted,
            _value(dotted, _at(then, keys), currency),
            _value(dotted, _at(now, keys), currency),
        )
        for dotted, keys in sorted(paths.items())
    ]


def _leaf(keys: list[Any]) -> tuple[Any, ...]:
    """The path up to the first list index, or up to an atomic key."""
    out: list[Any] = []
    for key in keys:
        if isinstance(key, int):
            break
        out.append(key)
        if key in _ATOMIC:
            break
    return tuple(out)


def _at(obj: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _value(path: str, value: Any, currency: str | None) -> str:
    if path == "amount":
        return format_minor(value, currency)  # a row's null amount: unlimited
    return show(path, value, currency, absent="absent")


def _summary(obj: Any, currency: str | None) -> str:
    if obj is None:
        return "absent"
    if "amount" in obj:
        return format_minor(obj["amount"], currency)
    archived = " (archived)" if obj.get("archived") else ""
    return f"workspace {obj.get('name')!r}{archived}"
