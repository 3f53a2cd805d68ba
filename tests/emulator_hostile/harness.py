"""Sending a corpus case and judging the answer, the same way in process and over a socket.

What every answer must be, whatever was sent: never a 5xx; JSON (strictly: no NaN);
an error in the API's envelope (``type: error``, the ``error.type`` of its status, a
message, the ``request_id`` of the ``request-id`` header); and the status the rules
give when the case names one.  What the organization must be: unchanged, to the last
counter, after a refused request; and always a state the emulator itself would accept
from a state file (so nothing unreadable, such as a lone surrogate, was ever stored).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from reconciler.emulator import parse_seed
from reconciler.emulator.errors import ERROR_TYPES
from tests.emulator_hostile.corpus import Case

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"
KEYS = {
    "console": "sk-ant-admin01-demo-console-key",
    "enterprise": "sk-ant-api01-demo-enterprise-key",
}
ALL_SCOPES = [
    "read:members",
    "write:members",
    "read:rbac_groups",
    "write:rbac_groups",
    "read:spend_limits",
    "write:spend_limits",
    "read:analytics",
]
PLACEHOLDERS = ("workspace_id", "user_id", "request_id", "group_id", "email")


def seed_data(org: str) -> dict[str, Any]:
    """The example seed of ``org``, its first key holding every scope (Enterprise), its
    usage rows two days long (the state is dumped twice for every case)."""
    data: dict[str, Any] = yaml.safe_load((SEEDS / f"{org}.yaml").read_text("utf-8"))
    if org == "enterprise":
        data["admin_keys"][0]["scopes"] = ALL_SCOPES
    for row in data.get("usage", []):
        row["days"] = min(row.get("days", 1), 2)
    return data


def seed(org: str) -> Any:
    return parse_seed(seed_data(org), f"{org}.yaml")


def placeholders(store: Any) -> dict[str, str]:
    """What the corpus's ``{…}`` placeholders stand for in a store built from the seed."""
    users = {u.email: u.id for u in store.users.values()}
    if store.kind == "console":
        workspace = next(w.id for w in store.workspaces.values() if w.name == "claims-processing")
        return {"workspace_id": workspace, "user_id": users["dev1@acme-health.example"]}
    bob = users["bob@globex.example"]
    pending = next(r.id for r in store.requests.values() if r.user_id == bob)
    group = next(g.id for g in store.groups.values() if g.name == "research")
    return {
        "user_id": bob,
        "request_id": pending,
        "group_id": group,
        "email": "heidi@globex.example",
    }


def fill(text: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def request_parts(case: Case, values: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client.request`` (a TestClient takes the same)."""
    own = {name.lower() for name, _ in case.headers}
    headers: list[tuple[str, str | bytes]] = []
    if not own & {"x-api-key", "authorization"} and not case.path.startswith("/_emulator"):
        headers.append(("x-api-key", KEYS[case.org]))
    headers += list(case.headers)
    if case.body is not None and "content-type" not in own:
        headers.append(("content-type", "application/json"))
    body = (
        None if case.body is None else fill(case.body.decode("latin-1"), values).encode("latin-1")
    )
    return {
        "method": case.method,
        "url": fill(case.path, values),
        "params": list(case.params),
        "headers": headers,
        "content": body,
    }


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} in an answer")


def judge(case: Case, status: int, headers: Mapping[str, str], content: bytes) -> list[str]:
    """What is wrong with an answer (nothing: an empty list)."""
    problems: list[str] = []
    if status >= 500:
        problems.append(f"answered {status}")
    kind = headers.get("content-type", "")
    if not kind.startswith("application/json"):
        problems.append(f"content-type {kind!r}")
    try:
        body = json.loads(content.decode("utf-8"), parse_constant=_no_constant)
    except ValueError as e:
        return [*problems, f"not JSON ({e}): {content[:200]!r}"]
    if status >= 400:
        problems += _envelope(status, headers, body)
    if case.expect is not None and status not in case.expect:
        problems.append(f"status {status}, expected {sorted(case.expect)}: {content[:300]!r}")
    return problems


def _envelope(status: int, headers: Mapping[str, str], body: Any) -> list[str]:
    if not isinstance(body, dict) or body.get("type") != "error":
        return [f"not the error envelope: {body!r:.300}"]
    error = body.get("error")
    problems = []
    if not isinstance(error, dict) or error.get("type") != ERROR_TYPES.get(status):
        problems.append(f"error.type {error!r:.200} for {status}")
    elif not isinstance(error.get("message"), str) or not error["message"]:
        problems.append("no error.message")
    rid = body.get("request_id")
    if not (isinstance(rid, str) and rid.startswith("req_") and rid == headers.get("request-id")):
        problems.append(f"request_id {rid!r} vs header {headers.get('request-id')!r}")
    return problems
