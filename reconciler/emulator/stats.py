"""Request counters for ``GET /_emulator/stats``: the meter of SPEC §9's read targets.

Every ``/v1`` request counts — 401s, 429s and injected faults included — by route
template (``GET /v1/organizations/workspaces/{workspace_id}``) and by status; a
dropped connection counts under ``"dropped"``.  Control requests never count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.by_route: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()

    def count(self, route: str, status: int | None) -> None:
        self.total += 1
        self.by_route[route] += 1
        self.by_status["dropped" if status is None else str(status)] += 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests_total": self.total,
            "by_route": dict(sorted(self.by_route.items())),
            "by_status": dict(sorted(self.by_status.items())),
        }
