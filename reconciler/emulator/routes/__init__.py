"""The Admin API's routes: one module per endpoint family, joined into one table."""

from __future__ import annotations

from reconciler.emulator.routes import (
    analytics,
    increase_requests,
    organization,
    rbac,
    reports,
    spend_limits,
    users,
    workspaces,
)
from reconciler.emulator.routing import Endpoint

ENDPOINTS: tuple[Endpoint, ...] = (
    *organization.ENDPOINTS,
    *users.ENDPOINTS,
    *rbac.ENDPOINTS,
    *workspaces.ENDPOINTS,
    *spend_limits.ENDPOINTS,
    *increase_requests.ENDPOINTS,
    *reports.ENDPOINTS,
    *analytics.ENDPOINTS,
)

__all__ = ["ENDPOINTS"]
