"""What a handler sends back, before it becomes bytes on the wire."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response


@dataclass
class Reply:
    """A status, a JSON body and headers; ``status`` None means: drop the connection."""

    status: int | None
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        content = json.dumps(self.body, separators=(",", ":"), ensure_ascii=False)
        return Response(
            content.encode("utf-8"),
            status_code=self.status or 500,
            headers=self.headers,
            media_type="application/json",
        )


DROP = Reply(None)
