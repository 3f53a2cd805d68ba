"""JSON rendering: the plan document itself, indented, keys in a stable order."""

from __future__ import annotations

import json
from typing import Any


def render_json(doc: dict[str, Any], *, color: bool = False) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
