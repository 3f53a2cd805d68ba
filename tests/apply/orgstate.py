"""The organization as an independent client sees it: the official ``anthropic`` SDK.

``read_state(emulator, key)`` returns every object by the tool's address scheme (SPEC §4),
built only from SDK models, so a misunderstanding shared by our client and planner cannot
hide here:

    workspace:<name>                       {"id", "data_residency", "tags"}  (active ones)
    spend_limit:organization:<period>      amount (minor-unit string, or None = unlimited)
    spend_limit:workspace:<name>:<period>  amount
    spend_limit:user:<email>:<period>      amount
    spend_limit:seat_tier:<tier>:<period>, spend_limit:group:<name>:<period>,
    spend_limit:usage_tier:<period>        amount

plus ``State.active_names`` (every active workspace name, duplicates kept) and
``State.archived`` (names of archived workspaces).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anthropic

from tests.support.emulator import Emulator


@dataclass
class State:
    objects: dict[str, Any] = field(default_factory=dict)
    active_names: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)

    def duplicates(self) -> dict[str, int]:
        return {n: c for n, c in Counter(self.active_names).items() if c > 1}

    def without_ids(self) -> dict[str, Any]:
        """Objects with workspace ids dropped (for comparisons across re-creations)."""
        out: dict[str, Any] = {}
        for address, value in self.objects.items():
            if isinstance(value, dict):
                value = {k: v for k, v in value.items() if k != "id"}
            out[address] = value
        return out


class _Reader(anthropic.Anthropic):
    """The SDK, retrying through injected faults without waiting long between attempts
    (only ever used for reads here, which are safe to retry)."""

    def _calculate_retry_timeout(self, *args: Any, **kwargs: Any) -> float:
        return 0.005


def sdk(emulator: Emulator, key: str, *, retries: int = 8) -> anthropic.Anthropic:
    """An SDK client on the emulator; it retries through injected faults."""
    return _Reader(
        api_key=key,
        base_url=emulator.url,
        max_retries=retries,
        timeout=30.0,
        http_client=anthropic.DefaultHttpxClient(trust_env=False),
    )


def read_state(emulator: Emulator, key: str) -> State:
    with sdk(emulator, key) as client:
        if key.startswith("sk-ant-admin01-"):
            return _console(client)
        return _enterprise(client)


def _geo(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def _console(client: anthropic.Anthropic) -> State:
    state = State()
    names: dict[str, str] = {}
    for ws in client.organization.workspaces.list(
        limit=1000, include_archived=True, include_default=False
    ):
        names[ws.id] = ws.name
        if ws.archived_at is not None:
            state.archived.append(ws.name)
            continue
        state.active_names.append(ws.name)
        residency = ws.data_residency.model_dump() if ws.data_residency else {}
        state.objects[f"workspace:{ws.name}"] = {
            "id": ws.id,
            "data_residency": {k: _geo(v) for k, v in residency.items()},
            "tags": dict(ws.tags or {}),
        }
    for row in client.beta.organization.spend_limits.list(limit=1000):
        scope = row.scope
        if scope.type == "workspace":
            where = f"workspace:{names.get(scope.workspace_id, scope.workspace_id)}"
        else:
            where = scope.type
        state.objects[f"spend_limit:{where}:{row.period}"] = row.amount
    return state


def _enterprise(client: anthropic.Anthropic) -> State:
    state = State()
    emails = {u.id: u.email.lower() for u in client.organization.users.list(limit=1000)}
    groups = {g.id: g.name for g in client.organization.rbac_groups.list(limit=1000)}
    for row in client.beta.organization.spend_limits.list(limit=1000):
        scope: Any = row.scope
        if scope.type == "user":
            where = f"user:{emails.get(scope.user_id, scope.user_id)}"
        elif scope.type == "rbac_group":
            where = f"group:{groups.get(scope.rbac_group_id, scope.rbac_group_id)}"
        elif scope.type == "seat_tier":
            where = f"seat_tier:{scope.seat_tier}"
        elif scope.type == "organization_service":
            where = f"organization_service:{scope.service}"
        else:
            where = scope.type
        state.objects[f"spend_limit:{where}:{row.period}"] = row.amount
    return state
