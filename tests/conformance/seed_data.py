"""The conformance seeds as data, so tests state expectations from the seed, not by hand."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SEED_DIR = Path(__file__).parent / "seeds"


@cache
def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SEED_DIR / f"{name}.yaml").read_text("utf-8"))
    return data


def emails(name: str) -> list[str]:
    """Member addresses in seed (joining) order."""
    return [user["email"] for user in load(name)["users"]]


def workspace_names(name: str, *, archived: bool | None = None) -> list[str]:
    return [
        ws["name"]
        for ws in load(name)["workspaces"]
        if archived is None or bool(ws.get("archived", False)) == archived
    ]


def group_names() -> list[str]:
    return [group["name"] for group in load("enterprise")["rbac_groups"]]


def group_members(group: str) -> list[str]:
    for entry in load("enterprise")["rbac_groups"]:
        if entry["name"] == group:
            return list(entry["members"])
    raise KeyError(group)


def limit_count(name: str) -> int:
    return len(load(name)["spend_limits"])


def increase_requests() -> list[dict[str, Any]]:
    return list(load("enterprise")["increase_requests"])
