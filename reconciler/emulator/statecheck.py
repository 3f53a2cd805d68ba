"""What a state file must hold before it becomes an organization (``--state FILE``).

:func:`problem` returns None, or one line naming the first problem of a parsed state
document (``users[3].seq: expected an integer, got 'x'``), so that a damaged or
hand-edited file is refused when the emulator starts, never half-served:

1. ``schemas/state.schema.json``, checked by :mod:`~reconciler.emulator.schemacheck`
   (``jsonschema`` would take seconds on a 50,000-member organization): every field's
   type, pattern and range, no unknown keys, no lone surrogates;
2. what a schema cannot say: ids unique in their section, the keys' prefixes matching
   the organization's kind, what exists only in one kind of org, every reference (group
   members, spend-limit targets, spend, pending requests, usage, attached keys and user
   profiles) pointing at something the file holds, the workspace rules, and the order
   numbers (``seq``) distinct and below ``counters.next_seq``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from reconciler.emulator import catalog, workspace_rules
from reconciler.emulator.documents import dotted
from reconciler.emulator.errors import ApiError
from reconciler.emulator.model import ROLES_BY_KIND, SCOPES_BY_KIND
from reconciler.emulator.schemacheck import compile_schema, show

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "state.schema.json"
KEY_PREFIX = {"console": "sk-ant-admin01-", "enterprise": "sk-ant-api01-"}
# The section holding what a spend-limit scope's target names.
TARGET_SECTION = {"user": "users", "rbac_group": "groups", "workspace": "workspaces"}
UNTARGETED = ("organization", "usage_tier")
# Sections that only one kind of organization has.
ONLY_IN = {
    "groups": "enterprise",
    "requests": "enterprise",
    "spend": "enterprise",
    "workspaces": "console",
}


class Bad(Exception):
    """One problem: where (a path of keys and indexes) and what."""

    def __init__(self, path: Iterable[Any], message: str) -> None:
        super().__init__(message)
        self.path = list(path)
        self.message = message


@cache
def _schema_check() -> Callable[[Any], str | None]:
    return compile_schema(json.loads(SCHEMA_PATH.read_text("utf-8")))


def problem(data: Any) -> str | None:
    """The first problem of the state document ``data`` as one line, or None."""
    found = _schema_check()(data)
    if found is not None:
        return found
    try:
        _references(data)
    except Bad as bad:
        return f"{dotted(bad.path)}: {bad.message}"
    return None


def _unique(section: str, items: list[Any], key: Callable[[Any], Any], what: str) -> None:
    seen: set[Any] = set()
    for index, item in enumerate(items):
        value = key(item)
        if value in seen:
            raise Bad([section, index], f"{what} {show(value)} appears twice")
        seen.add(value)


def _ids(data: dict[str, Any], section: str) -> set[str]:
    return {item["id"] for item in data[section]}


def _references(data: dict[str, Any]) -> None:
    kind = data["organization"]["kind"]
    _keys(data, kind)
    for section, only in ONLY_IN.items():
        if data[section] and kind != only:
            raise Bad([section], f"{kind} organizations have no {section}")
    for section in ("external_keys", "users", "groups", "workspaces", "limits", "requests"):
        _unique(section, data[section], lambda item: item["id"], "the id")
    _unique("users", data["users"], lambda u: u["email"].lower(), "the email")
    _unique("groups", data["groups"], lambda g: g["name"], "the name")
    _seqs(data)
    users = _ids(data, "users")
    _users(data, kind)
    _groups(data, users)
    _workspaces(data, kind)
    _limits(data, kind)
    _requests(data, users)
    _spend(data, users)
    _usage(data)


def _keys(data: dict[str, Any], kind: str) -> None:
    prefix = KEY_PREFIX[kind]
    for index, key in enumerate(data["keys"]):
        if not key["key"].startswith(prefix):
            raise Bad(["keys", index, "key"], f"keys of {kind} organizations start with {prefix}")
        if kind == "console" and key["scopes"]:
            raise Bad(["keys", index, "scopes"], "Console admin keys have no scopes")
    _unique("keys", data["keys"], lambda k: k["key"], "the key")
    _unique("keys", data["keys"], lambda k: k["id"], "the id")


def _seqs(data: dict[str, Any]) -> None:
    """Lists sort on ``seq``, and new objects take ``next_seq``: a repeated one would make
    pages skip or repeat items."""
    limit = data["counters"]["next_seq"]
    for section in ("users", "groups", "workspaces", "limits", "requests"):
        _unique(section, data[section], lambda item: item["seq"], "the seq")
        for index, item in enumerate(data[section]):
            if item["seq"] >= limit:
                raise Bad(
                    [section, index, "seq"], f"{item['seq']} is not below counters.next_seq {limit}"
                )


def _users(data: dict[str, Any], kind: str) -> None:
    for index, user in enumerate(data["users"]):
        if user["role"] not in ROLES_BY_KIND[kind]:
            raise Bad(["users", index, "role"], f"{user['role']!r} is not a role in {kind} orgs")
        if (user["seat_tier"] is None) != (kind == "console"):
            wanted = "no seat tier" if kind == "console" else "a seat tier"
            raise Bad(["users", index, "seat_tier"], f"members of {kind} orgs have {wanted}")


def _groups(data: dict[str, Any], users: set[str]) -> None:
    for index, group in enumerate(data["groups"]):
        positions: set[int] = set()
        for user_id, (position, _) in group["members"].items():
            where = ["groups", index, "members", user_id]
            if user_id not in users:
                raise Bad(where, "not a member of the organization")
            if position in positions:
                raise Bad(where, f"position {position} appears twice")
            positions.add(position)


def _workspaces(data: dict[str, Any], kind: str) -> None:
    workspaces = data["workspaces"]
    defaults = [w for w in workspaces if w["is_default"]]
    if kind == "console" and len(defaults) != 1:
        raise Bad(["workspaces"], f"{len(defaults)} default workspaces, not 1")
    keys = {k["id"]: k for k in data["external_keys"]}
    profiles = set(data["user_profiles"])
    for index, workspace in enumerate(workspaces):
        where = ["workspaces", index]
        try:
            workspace_rules.name(workspace["name"])
            workspace_rules.residency_for_create(
                {
                    "allowed_inference_geos": workspace["allowed_inference_geos"],
                    "default_inference_geo": workspace["default_inference_geo"],
                }
            )
            workspace_rules.tags_for_create(workspace["tags"])
        except ApiError as e:
            raise Bad(where, e.message) from None
        key_id, profile_id = workspace["external_key_id"], workspace["user_profile_id"]
        if key_id is not None and (not data["organization"]["cmek"] or key_id not in keys):
            raise Bad([*where, "external_key_id"], "not an external key of this organization")
        if profile_id is not None and profile_id not in profiles:
            raise Bad([*where, "user_profile_id"], "not listed in user_profiles")


def _limits(data: dict[str, Any], kind: str) -> None:
    targets = {section: _ids(data, section) for section in TARGET_SECTION.values()}
    for index, limit in enumerate(data["limits"]):
        where = ["limits", index]
        scope_type, target = limit["scope_type"], limit["target"]
        if scope_type not in SCOPES_BY_KIND[kind]:
            raise Bad([*where, "scope_type"], f"{scope_type} limits do not exist in {kind} orgs")
        if (target is None) != (scope_type in UNTARGETED):
            raise Bad([*where, "target"], f"wrong for a {scope_type} limit: {show(target)}")
        section = TARGET_SECTION.get(scope_type)
        if section is not None and target not in targets[section]:
            raise Bad([*where, "target"], f"no {section[:-1]} {show(target)} in {section}")
        if kind == "console" and limit["period"] != "monthly":
            raise Bad([*where, "period"], "Console spend limits are monthly only")
    _unique(
        "limits",
        data["limits"],
        lambda row: (row["scope_type"], row["target"], row["period"]),
        "the scope and period",
    )


def _requests(data: dict[str, Any], users: set[str]) -> None:
    pending: set[str] = set()
    for index, request in enumerate(data["requests"]):
        if request["status"] != "pending":
            continue  # resolved requests outlive members who left
        where = ["requests", index, "user_id"]
        if request["user_id"] not in users:
            raise Bad(where, "a pending request of someone who is not a member")
        if request["user_id"] in pending:
            raise Bad(where, "a second pending request of the same member")
        pending.add(request["user_id"])


def _spend(data: dict[str, Any], users: set[str]) -> None:
    for index, (user_id, _, _) in enumerate(data["spend"]):
        if user_id not in users:
            raise Bad(["spend", index, 0], "not a member of the organization")
    _unique("spend", data["spend"], lambda row: (row[0], row[1]), "the member and period")


def _usage(data: dict[str, Any]) -> None:
    workspaces = _ids(data, "workspaces")
    prices = data["usage"]["prices"]
    priced: dict[str, bool] = {}
    for index, event in enumerate(data["usage"]["events"]):
        if event["workspace_id"] not in workspaces:
            raise Bad(["usage", "events", index, "workspace_id"], "not a workspace of this org")
        model = event["model"]
        if model not in priced:
            priced[model] = catalog.price_entry(model, prices) is not None
        if not priced[model]:
            raise Bad(["usage", "events", index, "model"], f"{model!r} has no price")
