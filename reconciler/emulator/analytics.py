"""Rows of the beta Analytics reports, ``/analytics/usage`` and ``/analytics/cost``
(usage-cost-api.md §6, decisions 4–8).

Each usage event is seen through the analytics dimensions:

* ``actor`` — the user (``account_id``) if any, else the service account, else the API
  key (``api_actor``); null for Workbench usage with none of them.  A user who is not a
  member (any more) shows ``deleted: true`` with null name and address.
* ``product`` — ``message_batches_api`` for the batch tier, ``claude_console`` for
  Workbench usage (no API key), else ``messages_api``.
* ``workspace_id`` — the real tagged id, the default workspace's included (decision 6);
  ``inference_geo`` — ``global``/``us``, null where unset (``not_available``, decision 7);
  ``organization_id`` — the organization's own id.
* ``api_key_id``, ``context_window``, ``model``, ``service_tier``, ``speed`` as stored;
  every other dimension (agents, sessions, Slack, RBAC groups, user profiles…) is null,
  since the emulated organization has no such usage.

Rows: one per combination of the grouped dimensions (and time bucket, when bucketed)
with usage — or, with no grouping and no buckets, exactly one row for the whole range.
``total_tokens`` counts every token type.  Cost rows use :mod:`~reconciler.emulator.costs`
(so Priority Tier and flex usage cost nothing here either); ``list_amount`` equals
``amount`` (decision 8); ``requests`` is null when grouped by ``cost_type`` or
``token_type``, rows that do not count toward ``limit`` (they page with their base row).
Rows are ranked by ``order_by`` (``order`` desc by default), ties broken by time, then
by grouped values (nulls last).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reconciler.emulator.aggregate import COUNTS as USAGE_COUNTS
from reconciler.emulator.costs import Pricer, cents_text
from reconciler.emulator.model import UsageEvent
from reconciler.emulator.store import Store

GROUP_KEYS = (
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "organization_id",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "user_profile_id",
    "workspace_id",
)
FAN_OUT = ("cost_type", "token_type")
COST_GROUP_KEYS = tuple(sorted((*GROUP_KEYS, *FAN_OUT)))
COUNTS = (*USAGE_COUNTS, "requests")
TOKEN_COUNTS = COUNTS[:5]

Key = tuple[Any, ...]


def _sortable(values: Sequence[Any]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, "" if v is None else repr(v)) for v in values)


class Dimensions:
    """The value of each analytics dimension for an event of ``store``'s organization.

    Values are hashable (an actor is ``(type, id)``); :meth:`show` renders them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def value(self, event: UsageEvent, dimension: str) -> Any:
        if dimension in ("actor", "actor_type"):
            actor = self.actor(event)
            if actor is None:
                return None
            return actor if dimension == "actor" else actor[0]
        if dimension == "inference_geo":
            return None if event.inference_geo == "not_available" else event.inference_geo
        if dimension == "product":
            return self.product(event)
        if dimension == "organization_id":
            return self.store.org.id
        if dimension in ("api_key_id", "context_window", "model", "service_tier", "speed"):
            return getattr(event, dimension)
        if dimension == "workspace_id":
            return event.workspace_id
        return None

    @staticmethod
    def actor(event: UsageEvent) -> tuple[str, str] | None:
        if event.account_id is not None:
            return ("user_actor", event.account_id)
        if event.service_account_id is not None:
            return ("service_account_actor", event.service_account_id)
        if event.api_key_id is not None:
            return ("api_actor", event.api_key_id)
        return None

    @staticmethod
    def product(event: UsageEvent) -> str:
        if event.service_tier == "batch":
            return "message_batches_api"
        return "claude_console" if event.api_key_id is None else "messages_api"

    def deleted(self, actor: tuple[str, str] | None) -> bool:
        return actor is not None and actor[0] == "user_actor" and actor[1] not in self.store.users

    def show(self, dimension: str, value: Any) -> Any:
        if dimension != "actor" or value is None:
            return value
        kind, ident = value
        if kind == "user_actor":
            user = self.store.users.get(ident)
            return {
                "type": kind,
                "user_id": ident,
                "email_address": user.email if user else None,
                "name": user.name if user else None,
                "deleted": user is None,
            }
        if kind == "service_account_actor":
            return {"type": kind, "service_account_id": ident}
        return {"type": kind, "api_key_id": ident}


@dataclass
class Span:
    """A row's period: ``start`` and ``end`` in Unix seconds, and its events."""

    start: int
    end: int
    events: list[UsageEvent] = field(default_factory=list)


@dataclass
class Row:
    """One report row before rendering: its period, grouped values and sort metrics."""

    start: int
    end: int
    values: dict[str, Any]
    metrics: dict[str, Any]
    body: dict[str, Any]
    children: list[Row] = field(default_factory=list)  # cost fan-out rows


def _group_object(keys: Sequence[str], values: dict[str, Any], dims: Dimensions) -> dict[str, Any]:
    return {k: dims.show(k, values.get(k)) for k in keys}


class Report:
    """Builds, ranks and pages analytics rows.

    ``groups`` are the ``group_by[]`` dimensions; ``keep`` selects events (filters);
    ``always_one`` asks for the single whole-range row even when it is empty;
    ``show_time`` renders a period bound.
    """

    def __init__(
        self,
        store: Store,
        groups: Sequence[str],
        keep: Callable[[UsageEvent], bool],
        show_time: Callable[[int], str],
        *,
        always_one: bool,
        exclude_deleted: bool = False,
    ) -> None:
        self.dims = Dimensions(store)
        self.groups = list(dict.fromkeys(groups))
        self.keep = keep
        self.show_time = show_time
        self.always_one = always_one
        self.exclude_deleted = exclude_deleted

    def _events(self, span: Span) -> Iterable[UsageEvent]:
        for event in span.events:
            if not self.keep(event):
                continue
            if self.exclude_deleted and self.dims.deleted(self.dims.actor(event)):
                continue
            yield event

    def _key(self, event: UsageEvent, groups: Sequence[str]) -> Key:
        return tuple(self.dims.value(event, g) for g in groups)

    # -- usage ----------------------------------------------------------------------

    def usage_rows(self, spans: Sequence[Span]) -> list[Row]:
        rows = []
        for span in spans:
            sums: dict[Key, list[int]] = {}
            for event in self._events(span):
                totals = sums.setdefault(self._key(event, self.groups), [0] * len(COUNTS))
                for index, name in enumerate(COUNTS):
                    totals[index] += getattr(event, name)
            if not sums and self.always_one:
                sums[tuple(None for _ in self.groups)] = [0] * len(COUNTS)
            for key, totals in sums.items():
                count = dict(zip(COUNTS, totals, strict=True))
                if not any(count[c] for c in COUNTS if c != "requests") and not self.always_one:
                    continue
                rows.append(self._usage_row(span, dict(zip(self.groups, key, strict=True)), count))
        return rows

    def _usage_row(self, span: Span, values: dict[str, Any], count: dict[str, int]) -> Row:
        total = sum(count[c] for c in TOKEN_COUNTS)
        usage = {
            "uncached_input_tokens": count["uncached_input_tokens"],
            "cache_read_input_tokens": count["cache_read_input_tokens"],
            "cache_creation": {
                "ephemeral_1h_input_tokens": count["cache_creation_1h_input_tokens"],
                "ephemeral_5m_input_tokens": count["cache_creation_5m_input_tokens"],
            },
            "output_tokens": count["output_tokens"],
            "server_tool_use": {"web_search_requests": count["web_search_requests"]},
            "total_tokens": total,
            "requests": count["requests"],
        }
        metrics = {
            "total_tokens": total,
            "output_tokens": count["output_tokens"],
            "uncached_input_tokens": count["uncached_input_tokens"],
            "requests": count["requests"],
        }
        body = {
            "starting_at": self.show_time(span.start),
            "ending_at": self.show_time(span.end),
            "group": _group_object(GROUP_KEYS, values, self.dims),
            "usage": usage,
        }
        return Row(span.start, span.end, values, metrics, body)

    # -- cost -----------------------------------------------------------------------

    def cost_rows(self, spans: Sequence[Span], pricer: Pricer) -> list[Row]:
        base_groups = [g for g in self.groups if g not in FAN_OUT]
        fan_out = [g for g in self.groups if g in FAN_OUT]
        rows = []
        for span in spans:
            bases: dict[Key, tuple[dict[Key, Decimal], list[int]]] = {}
            for event in self._events(span):
                lines = list(pricer.lines(event))
                if not lines:
                    continue
                parts, requests = bases.setdefault(self._key(event, base_groups), ({}, [0]))
                requests[0] += event.requests
                for line in lines:
                    part = tuple(getattr(line, g) for g in fan_out)
                    parts[part] = parts.get(part, Decimal(0)) + line.amount
            if not bases and self.always_one:
                bases[tuple(None for _ in base_groups)] = ({}, [0])
            for key, (parts, requests) in bases.items():
                values = dict(zip(base_groups, key, strict=True))
                total = sum(parts.values(), Decimal(0))
                if not total and not self.always_one:
                    continue
                row = self._cost_row(span, values, total, None if fan_out else requests[0])
                if fan_out:
                    row.children = sorted(
                        (
                            self._cost_row(
                                span,
                                {**values, **dict(zip(fan_out, part, strict=True))},
                                amount,
                                None,
                            )
                            for part, amount in parts.items()
                            if amount
                        ),
                        key=lambda r: (
                            -r.metrics["amount"],
                            _sortable([r.values[g] for g in fan_out]),
                        ),
                    )
                rows.append(row)
        return rows

    def _cost_row(
        self, span: Span, values: dict[str, Any], amount: Decimal, requests: int | None
    ) -> Row:
        text = cents_text(amount)
        body = {
            "starting_at": self.show_time(span.start),
            "ending_at": self.show_time(span.end),
            "group": _group_object(COST_GROUP_KEYS, values, self.dims),
            "cost": {
                "amount": text,
                "list_amount": text,
                "currency": "USD",
                "requests": requests,
            },
        }
        metrics = {"amount": amount, "list_amount": amount}
        return Row(span.start, span.end, values, metrics, body)

    # -- ranking and paging ---------------------------------------------------------

    def rank(self, rows: list[Row], order_by: str, descending: bool) -> list[Row]:
        """Rows in report order: by ``order_by`` (a metric, or ``time``), then time and
        grouped values (nulls last) to break ties."""
        groups = [g for g in self.groups if g not in FAN_OUT]

        def tie(row: Row) -> tuple[Any, ...]:
            return (row.start, _sortable([row.values.get(g) for g in groups]))

        rows = sorted(rows, key=tie)
        if order_by == "time":
            return sorted(rows, key=lambda r: r.start, reverse=descending)
        return sorted(rows, key=lambda r: r.metrics[order_by], reverse=descending)


def page(rows: Sequence[Row], offset: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The bodies of rows ``offset`` … ``offset + limit`` (fan-out rows travel with their
    base row and do not count), and whether more rows follow."""
    chosen = rows[offset : offset + limit]
    data: list[dict[str, Any]] = []
    for row in chosen:
        data.extend([child.body for child in row.children] if row.children else [row.body])
    return data, offset + limit < len(rows)
