"""JSON Schema validation of one policy file, reported as located problems.

The file's plain data is validated against ``schemas/policy.schema.json`` (JSON Schema
2020-12) with jsonschema; each error is mapped back to the located node it concerns (the
offending key for unknown or missing keys, the value otherwise) and rewritten as one
readable line, with a "did you mean" hint for misspelt keys and enum values.

Some rules the schema states for editors are reported by :mod:`reconciler.policy.semantics`
instead, which words them better: amounts (read from the source text), email keys, tag
keys and workspace names.  Errors from those parts of the schema are dropped here so that
nothing is reported twice.

A 50,000-member ``spend_limits.users`` mapping is validated by distinct value: every user
entry with the same shape (``{monthly: 100}``) yields the same errors, so each shape is
validated once and its errors are reported for every entry that has it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

from reconciler import schemas
from reconciler.errors import Problem
from reconciler.money import close_currency
from reconciler.policy.located import (
    Mapping,
    Mark,
    Node,
    Scalar,
    Sequence,
    describe,
    shown,
    to_plain,
)

# Parts of the schema that semantics.py reports (by subschema title / validator).
_SEMANTIC_TITLES = {"amount"}
_SKIPPED_VALIDATORS = {"propertyNames", "not"}

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "nothing",
}

# Keys that are valid one level down: "`monthly` belongs under `spend_limits`".
_BELONGS_UNDER = {
    "workspace_geo": "data_residency",
    "allowed_inference_geos": "data_residency",
    "default_inference_geo": "data_residency",
    "seat_tiers": "spend_limits",
    "groups": "spend_limits",
    "users": "spend_limits",
    "user_rules": "spend_limits",
    "email": "match",
    "group": "match",
    "name": "match",
    "daily": "spend_limits",
    "weekly": "spend_limits",
    "monthly": "spend_limits",
}

_PATTERN_HINTS = {
    "organization id": "the organization's UUID, e.g. 5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10",
    "currency": "an ISO 4217 code in capitals, e.g. USD",
    "workspace id": "workspace ids start with `wrkspc_`",
}


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    return Draft202012Validator(schemas.load("policy"))


def check(root: Node, offsets: dict[str, int] | None = None) -> list[Problem]:
    """Validate one file's located tree; ``offsets`` shift rule indices in reported paths
    (``user_rules`` / ``workspace_rules``) to their index across the merged policy."""
    plain = to_plain(root)
    shared = _share_user_entries(plain)
    mapper = _Mapper(root, offsets or {})
    problems: list[Problem] = []
    for error in validator().iter_errors(plain):
        path = list(error.absolute_path)
        problems.extend(mapper.map(error, path))
        if len(path) >= 3 and path[:2] == ["spend_limits", "users"] and path[2] in shared:
            for other in shared[path[2]]:
                problems.extend(mapper.map(error, [*path[:2], other, *path[3:]]))
    return _unique(problems)


def _share_user_entries(plain: Any) -> dict[str, list[str]]:
    """Replace ``spend_limits.users`` by one entry per distinct value (see module doc)."""
    limits = plain.get("spend_limits") if isinstance(plain, dict) else None
    if not isinstance(limits, dict):
        return {}
    users = limits.get("users")
    if not isinstance(users, dict) or len(users) < 64:
        return {}
    first: dict[Any, str] = {}
    shared: dict[str, list[str]] = {}
    for email, value in users.items():
        shape = _shape(value)
        rep = first.setdefault(shape, email)
        if rep != email:
            shared.setdefault(rep, []).append(email)
    limits["users"] = {rep: users[rep] for rep in first.values()}
    return shared


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return ("map", tuple((k, _shape(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_shape(v) for v in value))
    return (type(value).__name__, repr(value))


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


class _Mapper:
    def __init__(self, root: Node, offsets: dict[str, int]) -> None:
        self.root = root
        self.offsets = offsets

    # ------------------------------------------------------------------ navigation

    def walk(self, path: list[Any]) -> tuple[Scalar | None, Node | None]:
        """The key scalar holding the node at ``path`` (None at the root) and the node."""
        key: Scalar | None = None
        node: Node | None = self.root
        for part in path:
            if isinstance(node, Mapping) and isinstance(part, str) and part in node.entries:
                key, node = node.entries[part]
            elif isinstance(node, Sequence) and isinstance(part, int) and part < len(node.items):
                key, node = None, node.items[part]
            else:
                return key, None
        return key, node

    def dotted(self, path: list[Any]) -> str:
        """A JSON-schema path as the policy's dotted path."""
        out = ""
        for i, part in enumerate(path):
            if isinstance(part, int):
                parent = path[i - 1] if i else ""
                out += f"[{part + self.offsets.get(str(parent), 0)}]"
            else:
                out = f"{out}.{part}" if out else str(part)
        return out

    def problem(self, mark: Mark, path: list[Any], message: str, hint: str | None) -> Problem:
        return Problem(mark.file, mark.line, mark.column, message, self.dotted(path), hint)

    def holder_mark(self, key: Scalar | None, node: Node | None) -> Mark:
        """Where to point for a problem with a whole mapping: the key that holds it."""
        if key is not None:
            return key.mark
        return node.mark if node is not None else Mark("?", 1, 1)

    def value_mark(self, key: Scalar | None, node: Node | None) -> Mark:
        """Where to point for a bad value: the value, or its key when the value is empty."""
        if isinstance(node, Scalar) and node.value is None and node.text == "" and key:
            return key.mark
        if node is not None:
            return node.mark
        return key.mark if key is not None else Mark("?", 1, 1)

    # ------------------------------------------------------------------ mapping

    def map(self, error: ValidationError, path: list[Any]) -> Iterator[Problem]:
        """The located problems for one schema error."""
        kind = error.validator
        schema = error.schema if isinstance(error.schema, dict) else {}
        if kind in _SKIPPED_VALIDATORS or schema.get("title") in _SEMANTIC_TITLES:
            return
        if "propertyNames" in error.absolute_schema_path:
            return
        key, node = self.walk(path)
        if node is None:  # cannot happen for data we built; stay quiet rather than guess
            return
        handler = getattr(self, f"on_{kind}", None)
        if handler is not None:
            yield from handler(error, path, key, node, schema)
            return
        yield self.problem(self.value_mark(key, node), path, _plain_message(error), None)

    def on_additionalProperties(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``additionalProperties`` keyword."""
        if not isinstance(node, Mapping) or schema.get("additionalProperties") is not False:
            return
        allowed = list(schema.get("properties", {}))
        for name, knode, _ in node.items():
            if name in allowed:
                continue
            yield self.problem(
                knode.mark, [*path, name], f"unknown key `{name}`", _key_hint(name, allowed)
            )

    def on_required(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``required`` keyword."""
        if not isinstance(node, Mapping):
            return
        for name in error.validator_value:
            if name not in node.entries:
                where = f" in `{self.dotted(path)}`" if path else ""
                yield self.problem(
                    self.holder_mark(key, node), path, f"missing required key `{name}`{where}", None
                )

    def on_type(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``type`` keyword."""
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        hint = None
        if "string" in names and isinstance(node, Scalar) and node.plain and node.text:
            hint = f'quote it: "{node.text}"'
        elif "array" in names and isinstance(node, Scalar) and isinstance(node.value, str):
            hint = f"write a list: [{node.text}]"
        message = f"expected {want}, got {describe(node)}"
        if not path:
            message = (
                "a policy file is a mapping of sections (`organization`, `spend_limits`, "
                f"`workspaces`, …), got {describe(node)}"
            )
        yield self.problem(self.value_mark(key, node), path, message, hint)

    def on_enum(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``enum`` keyword."""
        options = [str(v) for v in error.validator_value]
        shown = node.text if isinstance(node, Scalar) else describe(node)
        listed = ", ".join(f"`{o}`" for o in options)
        hint = None
        if isinstance(node, Scalar):
            close = difflib.get_close_matches(node.text.lower(), options, n=1, cutoff=0.6)
            if close:
                hint = f"did you mean `{close[0]}`?"
        if len(options) == 1:
            message = f"`{shown}` is not allowed here: the only value is {listed}"
        else:
            message = f"`{shown}` is not one of {listed}"
        yield self.problem(self.value_mark(key, node), path, message, hint)

    def on_const(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``const`` keyword."""
        shown = node.text if isinstance(node, Scalar) else describe(node)
        const = error.validator_value
        if path == ["version"]:
            yield self.problem(
                self.value_mark(key, node),
                path,
                f"unsupported policy version `{shown}`",
                f"this claude-policy reads version {const}",
            )
            return
        yield self.problem(
            self.value_mark(key, node),
            path,
            f"`{shown}` is not allowed here: expected `{const}`",
            None,
        )

    def on_pattern(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``pattern`` keyword."""
        title = str(schema.get("title", "value"))
        quoted = shown(node.text) if isinstance(node, Scalar) else describe(node)
        hint = _PATTERN_HINTS.get(title)
        if title == "currency" and isinstance(node, Scalar):
            close = close_currency(node.text)
            hint = f"write `{close}`" if close else hint
        yield self.problem(
            self.value_mark(key, node), path, f"`{quoted}` is not a valid {title}", hint
        )

    def on_minItems(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``minItems`` keyword."""
        name = path[-1] if path else "list"
        hint = (
            "list at least one geo, or write `unrestricted`"
            if name == "allowed_inference_geos"
            else None
        )
        yield self.problem(self.value_mark(key, node), path, f"`{name}` must not be empty", hint)

    def on_uniqueItems(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``uniqueItems`` keyword."""
        if not isinstance(node, Sequence):
            return
        seen: set[str] = set()
        for i, item in enumerate(node.items):
            text = item.text if isinstance(item, Scalar) else repr(to_plain(item))
            if text in seen:
                yield self.problem(
                    item.mark, [*path, i], f"`{text}` is listed twice", "list each value once"
                )
            seen.add(text)

    def on_minProperties(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``minProperties`` keyword."""
        name = path[-1] if path else "mapping"
        options = list(schema.get("properties", {}))
        if options:
            listed = ", ".join(f"`{o}`" for o in options)
            message = f"`{name}` is empty: give at least one of {listed}"
        else:
            message = f"`{name}` is empty"
        yield self.problem(self.holder_mark(key, node), path, message, None)

    def on_maxProperties(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``maxProperties`` keyword."""
        name = path[-1] if path else "mapping"
        count = len(node) if isinstance(node, Mapping) else 0
        limit = error.validator_value
        yield self.problem(
            self.holder_mark(key, node),
            path,
            f"`{name}` has {count} entries; at most {limit} allowed",
            None,
        )

    def on_minLength(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        yield self.problem(self.value_mark(key, node), path, "must not be empty", None)

    def on_maxLength(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``maxLength`` keyword."""
        length = len(node.text) if isinstance(node, Scalar) else 0
        limit = error.validator_value
        yield self.problem(
            self.value_mark(key, node), path, f"longer than {limit} characters ({length})", None
        )

    def on_minimum(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        yield self._out_of_bounds(error, path, key, node, "below the minimum")

    def on_maximum(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        yield self._out_of_bounds(error, path, key, node, "above the maximum")

    def _out_of_bounds(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, where: str
    ) -> Problem:
        shown = node.text if isinstance(node, Scalar) else describe(node)
        return self.problem(
            self.value_mark(key, node),
            path,
            f"`{shown}` is {where} of {error.validator_value}",
            None,
        )

    def on_anyOf(
        self, error: ValidationError, path: list[Any], key: Any, node: Node, schema: dict[str, Any]
    ) -> Iterator[Problem]:
        """The problem for a failed ``anyOf`` keyword."""
        branches: list[dict[str, Any]] = list(error.validator_value)
        json_type = _json_type(node)
        for i, branch in enumerate(branches):
            if json_type is not None and json_type == branch.get("type") and "const" not in branch:
                for sub in error.context or []:
                    if sub.relative_schema_path and sub.relative_schema_path[0] == i:
                        yield from self.map(sub, list(sub.absolute_path))
                return
        alternatives = " or ".join(_alternative(b) for b in branches)
        hint = None
        if isinstance(node, Scalar) and node.text in ("us", "global"):
            hint = f"write a list: [{node.text}]"
        yield self.problem(
            self.value_mark(key, node), path, f"expected {alternatives}, got {describe(node)}", hint
        )

    on_oneOf = on_anyOf


def _json_type(node: Node) -> str | None:
    if isinstance(node, Mapping):
        return "object"
    if isinstance(node, Sequence):
        return "array"
    value = node.value
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, date) or value is None:
        return None
    return None


def _alternative(branch: dict[str, Any]) -> str:
    if "const" in branch:
        return f"`{branch['const']}`"
    return _TYPE_NAMES.get(str(branch.get("type")), "a value")


def _key_hint(name: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    home = _BELONGS_UNDER.get(name)
    if home and home in allowed:
        return f"`{name}` belongs under `{home}`"
    listed = ", ".join(f"`{a}`" for a in allowed)
    return f"expected one of {listed}" if allowed else "no keys are allowed here"


def _plain_message(error: ValidationError) -> str:
    return str(error.message).replace("\n", " ")
