"""Validation of workspace fields (admin-api.md §7, decisions 18–21).

Shared by the API handlers, the seed loader and the control endpoints, so a seeded
workspace obeys the same rules as one created through the API.  Each function raises
:class:`~reconciler.emulator.errors.ApiError` (400) with a message naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.emulator.errors import invalid
from reconciler.emulator.inputs import check_fields
from reconciler.emulator.model import Allowed

MAX_NAME = 40
MAX_TAGS = 50
MAX_TAG_KEY = 64
MAX_TAG_VALUE = 256
GEOS = ("global", "us")
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Colours handed out in rotation to workspaces created without one (decision 19).
PALETTE = (
    "#6C5BB9",
    "#D97757",
    "#2E8B57",
    "#3B82F6",
    "#E0A526",
    "#C2410C",
    "#0F766E",
    "#9D4EDD",
)
DEFAULT_RESIDENCY: dict[str, Any] = {
    "workspace_geo": "us",
    "allowed_inference_geos": "unrestricted",
    "default_inference_geo": "global",
}


def name(value: Any) -> str:
    """A workspace name: a string of 1–40 characters after trimming; returned trimmed."""
    if not isinstance(value, str):
        raise invalid("name: must be a string.")
    trimmed = value.strip()
    if not trimmed:
        raise invalid("name: must not be empty or only whitespace.")
    if len(trimmed) > MAX_NAME:
        raise invalid(f"name: at most {MAX_NAME} characters, got {len(trimmed)}.")
    return trimmed


def display_color(value: Any) -> str:
    if not isinstance(value, str) or not COLOR_RE.fullmatch(value):
        raise invalid(f"display_color: must be a hex colour like #6C5BB9, got {value!r}.")
    return value


def _tag_key(key: str) -> None:
    if not 1 <= len(key) <= MAX_TAG_KEY:
        raise invalid(f"tags: key {key!r} must be 1 to {MAX_TAG_KEY} characters.")
    if key.lower().startswith("anthropic"):
        raise invalid(f"tags: key {key!r} must not begin with 'anthropic'.")


def _tag_value(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise invalid(f"tags: value of {key!r} must be a string.")
    if len(value) > MAX_TAG_VALUE:
        raise invalid(f"tags: value of {key!r} is longer than {MAX_TAG_VALUE} characters.")
    return value


def _count(tags: dict[str, str]) -> dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise invalid(f"tags: at most {MAX_TAGS} tags, got {len(tags)}.")
    return tags


def tags_for_create(value: Any) -> dict[str, str]:
    """Tags on create: ``null`` → ``{}``; a null value is refused (decision 20)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("tags: must be an object of string values.")
    tags = {}
    for key, tag in value.items():
        _tag_key(key)
        if tag is None:
            raise invalid(f"tags: value of {key!r} must not be null when creating.")
        tags[key] = _tag_value(key, tag)
    return _count(tags)


def tags_patch(value: Any) -> dict[str, str | None]:
    """An update's tag merge patch, checked: string values set, null values remove."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("tags: must be an object whose values are strings or null.")
    patch: dict[str, str | None] = {}
    for key, tag in value.items():
        _tag_key(key)
        patch[key] = None if tag is None else _tag_value(key, tag)
    return patch


def merged_tags(current: dict[str, str], patch: dict[str, str | None]) -> dict[str, str]:
    """Tags after a merge patch; unsent keys are kept (decision 20)."""
    tags = dict(current)
    for key, tag in patch.items():
        if tag is None:
            tags.pop(key, None)
        else:
            tags[key] = tag
    return _count(tags)


def _allowed(value: Any) -> Allowed:
    if value == "unrestricted":
        return "unrestricted"
    if not isinstance(value, list) or not value:
        raise invalid(
            'data_residency.allowed_inference_geos: must be "unrestricted" or a non-empty '
            "list of geos."
        )
    for geo in value:
        if geo not in GEOS:
            raise invalid(
                f"data_residency.allowed_inference_geos: {geo!r} is not one of global, us."
            )
    if len(set(value)) != len(value):
        raise invalid("data_residency.allowed_inference_geos: geos must not repeat.")
    return list(value)


def _default(value: Any) -> str:
    if value not in GEOS:
        raise invalid(f"data_residency.default_inference_geo: must be global or us, got {value!r}.")
    return str(value)


def _consistent(allowed: Allowed, default: str) -> None:
    if allowed != "unrestricted" and default not in allowed:
        raise invalid(
            f"data_residency.default_inference_geo: {default!r} must be one of the "
            f"allowed_inference_geos {allowed!r}."
        )


def residency_for_create(value: Any) -> tuple[Allowed, str]:
    """(allowed, default) on create; each omitted or null sub-field takes its default."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise invalid("data_residency: must be an object.")
    check_fields(value, DEFAULT_RESIDENCY, "data_residency.")
    geo = value.get("workspace_geo")
    if geo is not None and geo != "us":
        raise invalid(f"data_residency.workspace_geo: must be us, got {geo!r}.")
    raw_allowed = value.get("allowed_inference_geos")
    raw_default = value.get("default_inference_geo")
    allowed = _allowed("unrestricted" if raw_allowed is None else raw_allowed)
    default = _default("global" if raw_default is None else raw_default)
    _consistent(allowed, default)
    return allowed, default


def residency_patch(value: Any) -> dict[str, Any]:
    """An update's ``data_residency``, checked: only the sub-fields sent and not null."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("data_residency: must be an object.")
    if "workspace_geo" in value:
        raise invalid("data_residency.workspace_geo: cannot be changed after creation.")
    check_fields(value, ("allowed_inference_geos", "default_inference_geo"), "data_residency.")
    patch: dict[str, Any] = {}
    if value.get("allowed_inference_geos") is not None:
        patch["allowed_inference_geos"] = _allowed(value["allowed_inference_geos"])
    if value.get("default_inference_geo") is not None:
        patch["default_inference_geo"] = _default(value["default_inference_geo"])
    return patch


def merged_residency(patch: dict[str, Any], allowed: Allowed, default: str) -> tuple[Allowed, str]:
    """(allowed, default) after an update: sent sub-fields replace, others are kept, and
    the result must be consistent (decision 21)."""
    allowed = patch.get("allowed_inference_geos", allowed)
    default = patch.get("default_inference_geo", default)
    _consistent(allowed, default)
    return allowed, default
