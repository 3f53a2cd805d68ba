"""``GET /v1/organizations/me`` (admin-api.md §6): needs no scope."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import render
from reconciler.emulator.routing import Call, Endpoint


def me(call: Call) -> dict[str, Any]:
    return render.organization(call.store)


ENDPOINTS = (Endpoint("GET", "/me", me),)
