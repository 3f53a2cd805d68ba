"""The JSON Schemas shipped inside the package (``schemas/`` at the top of the repository
is a link to this folder, so the files exist once)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


def load_text(name: str) -> str:
    """Text of ``<name>.schema.json`` (``policy``, ``plan`` or ``seed``)."""
    return resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8")


@cache
def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(load_text(name))
    return data
