"""The API's representation of managed objects, as plans show them.

A workspace is ``{name, data_residency, tags}`` (managed fields only); a spend limit is
``{scope, period, amount, currency}`` with ``amount`` a minor-unit string or ``None``.
Both sides of a diff go through these functions, so defaults and ordering are normalised
once: ``allowed_inference_geos`` arrays are sorted sets, tags are sorted by key.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.live import RESIDENCY_DEFAULTS, LiveLimit, LiveWorkspace


def normalise_allowed(value: Any) -> Any:
    if isinstance(value, list):
        return sorted({str(v) for v in value})
    return value


def residency(raw: dict[str, Any] | None) -> dict[str, Any]:
    """A workspace's ``data_residency`` with the API's defaults filled in."""
    out = dict(RESIDENCY_DEFAULTS)
    for key, value in (raw or {}).items():
        if key in out and value is not None:
            out[key] = value
    out["allowed_inference_geos"] = normalise_allowed(out["allowed_inference_geos"])
    return out


def workspace(ws: LiveWorkspace) -> dict[str, Any]:
    return {
        "name": ws.name,
        "data_residency": residency(ws.data_residency),
        "tags": dict(sorted(ws.tags.items())),
    }


def new_workspace(name: str) -> dict[str, Any]:
    return {"name": name, "data_residency": dict(RESIDENCY_DEFAULTS), "tags": {}}


def get_path(obj: dict[str, Any], path: str) -> Any:
    """Read a dotted managed path; tags keys may contain dots, so ``tags.`` takes the rest."""
    if path.startswith("tags."):
        return obj["tags"].get(path[5:])
    node: Any = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def set_path(obj: dict[str, Any], path: str, value: Any) -> None:
    """Write a dotted managed path (``tags.<key>`` takes the rest; ``None`` removes a tag)."""
    if path.startswith("tags."):
        key = path[5:]
        if value is None:
            obj["tags"].pop(key, None)
        else:
            obj["tags"][key] = value
            obj["tags"] = dict(sorted(obj["tags"].items()))
        return
    parts = path.split(".")
    node = obj
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = normalise_allowed(value) if parts[-1] == "allowed_inference_geos" else value


def copy_of(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(obj)


def api_scope(scope_type: str, scope_id: str | None) -> dict[str, Any]:
    """The API's scope object for a (type, target) pair."""
    key = {
        "user": "user_id",
        "seat_tier": "seat_tier",
        "rbac_group": "rbac_group_id",
        "workspace": "workspace_id",
        "organization_service": "service",
    }.get(scope_type)
    return {"type": scope_type} if key is None else {"type": scope_type, key: scope_id}


def limit(row: LiveLimit) -> dict[str, Any]:
    """A live spend-limit row in the API's representation."""
    return {
        "scope": api_scope(row.scope_type, row.scope_id),
        "period": row.period,
        "amount": row.amount,
        "currency": row.currency,
    }
