"""Usage rows (a seed's ``usage:``, ``generate: usage_days``, ``POST /_emulator/usage``)
turned into the :class:`~reconciler.emulator.model.UsageEvent` records the reports read.

A row (schema ``usage_row``) is one workspace's usage of one model at one moment,
optionally repeated daily:

* **When**: ``date`` is ``YYYY-MM-DD`` or a whole number of days relative to today (UTC):
  ``-3`` is three days ago, ``0`` today — so seeds never go stale.  "Today" is the
  emulator clock's date when the organization is built (start-up, reset) or when the
  control endpoint is called; the resolved moments are then fixed (and persisted by
  ``--state``).  The moment is ``hour``:``minute`` UTC of that day, default 12:00.
  ``days: N`` repeats the row on N consecutive days starting at ``date``.
* **Where**: ``workspace`` (a name: the active workspace of that name, else the only
  archived one) or ``workspace_id`` (any workspace, the default one included); neither
  = the default workspace.
* **Geo**: ``inference_geo`` is what the report shows.  For models that support it
  (Claude 4.6 and later, :func:`~reconciler.emulator.catalog.geo_capable`) it is
  ``global`` or ``us`` and defaults to the workspace's ``default_inference_geo``; for
  older models it is ``not_available`` (the API refuses a geo for them), the default.
  The workspace's *current* allowed geos are not checked: usage is history, and a
  workspace may have been moved to US-only after it ran global requests.
* **Dimensions**: ``service_tier`` (default ``standard``), ``context_window`` (default
  ``0-200k``), ``speed`` (default ``standard``), ``api_key_id`` (default: a key id
  derived from the workspace, one key per workspace; ``null`` = Workbench usage),
  ``account_id`` and ``service_account_id`` (default null).
* **Counts**: ``input_tokens`` (uncached input), ``output_tokens``,
  ``cache_read_input_tokens``, ``cache_creation_5m_input_tokens``,
  ``cache_creation_1h_input_tokens``, ``web_search_requests``; ``requests`` (default 1:
  the API requests the row stands for, which only the analytics reports count).

Every model used needs a price (the seed's ``prices`` or the built-in list prices of
:mod:`~reconciler.emulator.catalog`), so the cost report can always be computed.
Problems are :class:`~reconciler.emulator.seed_build.SeedError` with a location.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from reconciler.emulator import catalog
from reconciler.emulator.ids import derived_id
from reconciler.emulator.model import UsageEvent, Workspace
from reconciler.emulator.seed_build import Builder

DAY = 86_400
DEFAULT_HOUR = 12
COUNTS = {
    "input_tokens": "uncached_input_tokens",
    "output_tokens": "output_tokens",
    "cache_read_input_tokens": "cache_read_input_tokens",
    "cache_creation_5m_input_tokens": "cache_creation_5m_input_tokens",
    "cache_creation_1h_input_tokens": "cache_creation_1h_input_tokens",
    "web_search_requests": "web_search_requests",
    "requests": "requests",
}


def day_start(now: float) -> int:
    """Unix seconds of 00:00 UTC on the date of ``now``."""
    return int(now // DAY) * DAY


def workspace_key_id(org_id: str, workspace_id: str) -> str:
    """The API key id a workspace's usage carries when a row names none."""
    return derived_id("apikey_", org_id, "workspace_api_key", workspace_id)


class UsageReader:
    """Resolves usage rows against the organization in ``builder.store``.

    ``today`` is 00:00 UTC of the day relative dates count from.
    """

    def __init__(self, builder: Builder, today: int) -> None:
        self.builder = builder
        self.store = builder.store
        self.today = today

    def events(self, rows: Sequence[dict[str, Any]], path: Sequence[Any]) -> list[UsageEvent]:
        """The events of every row (``path`` locates the list), or the first problem."""
        events: list[UsageEvent] = []
        for index, row in enumerate(rows):
            events.extend(self.row_events(row, [*path, index]))
        return events

    def row_events(self, row: dict[str, Any], path: Sequence[Any]) -> list[UsageEvent]:
        if self.store.kind != "console":
            raise self.builder.error(path, "the usage and cost reports exist only in Console orgs")
        workspace = self._workspace(row, path)
        model = row["model"]
        if catalog.price_entry(model, self.store.prices) is None:
            raise self.builder.error(
                [*path, "model"],
                f"no price for model {model!r}: add it under prices (USD per million tokens)",
            )
        template = UsageEvent(
            at=0,
            workspace_id=workspace.id,
            model=model,
            inference_geo=self._geo(row, path, workspace),
            service_tier=row.get("service_tier", "standard"),
            context_window=row.get("context_window", "0-200k"),
            speed=row.get("speed", "standard"),
            api_key_id=row.get("api_key_id", workspace_key_id(self.store.org.id, workspace.id)),
            account_id=row.get("account_id"),
            service_account_id=row.get("service_account_id"),
            **{field: row[name] for name, field in COUNTS.items() if name in row},
        )
        return [replace(template, at=at) for at in self._moments(row, path)]

    def _moments(self, row: dict[str, Any], path: Sequence[Any]) -> list[int]:
        date = row["date"]
        if isinstance(date, int):
            first = self.today + date * DAY
        else:
            try:
                moment = datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            except ValueError:
                raise self.builder.error([*path, "date"], f"{date!r} is not a date") from None
            first = int(moment.timestamp())
        offset = row.get("hour", DEFAULT_HOUR) * 3600 + row.get("minute", 0) * 60
        return [first + day * DAY + offset for day in range(row.get("days", 1))]

    def _workspace(self, row: dict[str, Any], path: Sequence[Any]) -> Workspace:
        store = self.store
        if "workspace" in row and "workspace_id" in row:
            raise self.builder.error(path, "name the workspace with one of workspace, workspace_id")
        if "workspace_id" in row:
            found = store.workspaces.get(row["workspace_id"])
            if found is None:
                raise self.builder.error(
                    [*path, "workspace_id"], f"no workspace with id {row['workspace_id']}"
                )
            return found
        if "workspace" not in row:
            return store.workspaces[store.default_workspace_id() or ""]
        name = row["workspace"]
        named = [w for w in store.workspaces.values() if w.name == name and not w.is_default]
        active = [w for w in named if w.archived_at is None]
        chosen = active if active else named
        if len(chosen) != 1:
            raise self.builder.error(
                [*path, "workspace"], f"{len(chosen) or 'no'} workspaces are named {name!r}"
            )
        return chosen[0]

    def _geo(self, row: dict[str, Any], path: Sequence[Any], workspace: Workspace) -> str:
        model = row["model"]
        geo = row.get("inference_geo")
        if catalog.geo_capable(model):
            if geo == "not_available":
                raise self.builder.error(
                    [*path, "inference_geo"],
                    f"{model} supports inference_geo: use global or us "
                    "(or leave it out for the workspace's default)",
                )
            return geo or workspace.default_inference_geo
        if geo not in (None, "not_available"):
            raise self.builder.error(
                [*path, "inference_geo"],
                f"{model} does not support inference_geo (Claude 4.6 and later do): "
                "use not_available or leave it out",
            )
        return "not_available"
