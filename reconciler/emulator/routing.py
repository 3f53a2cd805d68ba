"""The route table's vocabulary: what an endpoint needs, and how a path finds it.

An :class:`Endpoint` declares everything the request pipeline checks before calling
its handler — which org kinds may call it, the Enterprise scope it needs, whether it
counts against the spend bucket, whether it takes a body — so handlers hold only the
endpoint's own validation and rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulator.inputs import Query
from reconciler.emulator.model import ApiKey
from reconciler.emulator.store import Store

PREFIX = "/v1/organizations"
BOTH_KINDS = ("console", "enterprise")


@dataclass
class Call:
    """One admitted request, as a handler sees it."""

    store: Store
    query: Query
    body: dict[str, Any]
    params: dict[str, str]
    key: ApiKey
    now: str  # the request's time, RFC 3339, for anything it writes
    wall: float = 0.0  # the same time in Unix seconds
    betas: tuple[str, ...] = ()  # the request's ``anthropic-beta`` values
    usage_delay: float = 300.0  # usage newer than ``wall`` minus this is not reported yet


Handler = Callable[[Call], dict[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    """One method on one path template.

    ``kinds``: org kinds that may call it (others get 400
    ``organization_type_not_supported``).  ``scope``: the Enterprise key scope it needs.
    ``spend``: counts against the spend bucket too.  ``body``: accepts a JSON object
    body (else any body is ignored).  ``beta``: an ``anthropic-beta`` value it requires.
    ``gate``: how the org's spend-limits API flag applies (``"write"`` → 403 when off;
    ``"list"`` → Console orgs get 400 when off).
    """

    method: str
    path: str
    handler: Handler
    kinds: tuple[str, ...] = BOTH_KINDS
    scope: str | None = None
    spend: bool = False
    body: bool = False
    beta: str | None = None
    gate: str | None = None
    pattern: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(PREFIX + self.path))
        object.__setattr__(self, "pattern", re.compile(regex + r"\Z"))

    @property
    def template(self) -> str:
        """``GET /v1/organizations/users/{user_id}``: how the stats name this route."""
        return f"{self.method} {PREFIX}{self.path}"


@dataclass(frozen=True)
class Match:
    endpoint: Endpoint | None  # None: the path exists but not with this method
    params: dict[str, str]
    path_template: str


class Router:
    """Finds the endpoint for a method and path; literal segments win over parameters."""

    def __init__(self, endpoints: Sequence[Endpoint]) -> None:
        # Templates with fewer parameters first, so /spend_limits/effective beats
        # /spend_limits/{spend_limit_id}.
        self._endpoints = sorted(endpoints, key=lambda e: e.path.count("{"))

    def match(self, method: str, path: str) -> Match | None:
        found: Match | None = None
        for endpoint in self._endpoints:
            hit = endpoint.pattern.match(path)
            if hit is None:
                continue
            if endpoint.method == method:
                return Match(endpoint, hit.groupdict(), PREFIX + endpoint.path)
            if found is None:
                found = Match(None, hit.groupdict(), PREFIX + endpoint.path)
        return found
