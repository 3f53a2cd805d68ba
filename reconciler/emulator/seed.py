"""Seeds: the emulated organization a run starts from (SPEC §8).

``load_seed(path)`` reads a YAML or JSON file, checks it against
``schemas/seed.schema.json`` (every schema problem at once, each located) and returns
a :class:`Seed`; ``Seed.build()`` makes the organization state (a fresh one each time,
which is how ``/_emulator/reset`` goes back to the seed), checking what needs
the organization itself (the org kind, unknown emails and names, duplicates) and
raising :class:`SeedError` with a located message on the first such problem.

Order and time: a seed is a history, read top to bottom — each section's entries were
created in the order they are written, generated entries after the written ones — so
lists the API orders newest first show the last entry first.  Seeded objects carry
timestamps counted in seconds from :data:`~reconciler.emulator.clock.SEED_EPOCH`.

Ids absent from the seed are derived from the org id, the kind of object and a natural
key (email, name, scope and period), so the same seed always yields the same ids.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]
from jsonschema.exceptions import (  # type: ignore[import-untyped,unused-ignore]
    ValidationError,
    best_match,
)

from reconciler.emulator import generate, wellformed
from reconciler.emulator.clock import SEED_EPOCH, timestamp
from reconciler.emulator.documents import DocumentError, Locator, parse, read
from reconciler.emulator.ids import derived_id, derived_uuid
from reconciler.emulator.model import ApiKey, ExternalKey, Organization, Workspace
from reconciler.emulator.seed_build import Builder, SeedError
from reconciler.emulator.store import Store
from reconciler.emulator.usage import UsageReader, day_start
from reconciler.emulator.workspace_rules import DEFAULT_RESIDENCY, PALETTE

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "seed.schema.json"
KEY_PREFIX = {"console": "sk-ant-admin01-", "enterprise": "sk-ant-api01-"}
MAX_REPORTED = 20

__all__ = ["Seed", "SeedError", "load_seed", "parse_seed", "validate_entry"]


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text("utf-8"))
    return loaded


@cache
def _anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` with a final ``$`` meaning the end of the string, as in JSON Schema's
    regular expressions (Python's ``$`` also matches before a final newline)."""
    return re.compile(re.sub(r"(?<!\\)\$\Z", r"\\Z", pattern))


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and _anchored(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


@cache
def _validator(definition: str | None) -> Any:
    full = schema()
    if definition is None:
        return _Validator(full)
    return _Validator({"$ref": f"#/$defs/{definition}", "$defs": full["$defs"]})


def _problems(error: ValidationError, data: Any, locator: Locator) -> Iterator[str]:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        for key in sorted(k for k in error.instance if k not in known):
            yield f"{locator.where(data, [*path, key])}: unknown key {key!r}"
    elif error.validator == "required":
        yield f"{locator.where(data, path)}: {error.message.replace('property', 'key')}"
    elif error.validator == "oneOf" and error.context:
        yield f"{locator.where(data, path)}: {best_match(error.context).message}"
    else:
        yield f"{locator.where(data, path)}: {error.message}"


def check_schema(data: Any, locator: Locator, definition: str | None = None) -> None:
    """Raise :class:`SeedError` listing every schema problem (at most 20), after the
    rules every document must keep (:mod:`~reconciler.emulator.wellformed`: no lone
    surrogates, finite numbers, bounded nesting) — those on their own, first."""
    found = wellformed.find(data)
    if found is not None:
        raise SeedError(f"{locator.where(data, found[0])}: {found[1]}")
    errors = sorted(
        _validator(definition).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
    )
    problems = [p for error in errors for p in _problems(error, data, locator)]
    if problems:
        more = len(problems) - MAX_REPORTED
        lines = problems[:MAX_REPORTED] + ([f"… and {more} more"] if more > 0 else [])
        raise SeedError("\n".join(lines))


def validate_entry(definition: str, entry: Any, source: str = "request body") -> Locator:
    """Check one seed entry (``user``, ``workspace``, ``spend_limit``…) for a control call."""
    locator = Locator(source)
    check_schema(entry, locator, definition)
    return locator


class Seed:
    """A checked seed document; ``build()`` makes a fresh organization from it."""

    def __init__(self, data: dict[str, Any], locator: Locator) -> None:
        self.data = data
        self.locator = locator

    @property
    def source(self) -> str:
        return self.locator.source

    def build(self, now: float | None = None) -> Store:
        """A fresh organization; ``now`` (Unix seconds, default the system clock) is when
        it is built, from which relative usage dates count."""
        data = self.data
        store = Store(_organization(data["organization"]))
        builder = Builder(store, data, self.locator)
        _keys(builder, data["admin_keys"])
        _cmek(store, data)
        _each(builder, data, "users", generate.users(data, store.kind), builder.user)
        _each(builder, data, "rbac_groups", [], builder.group)
        if store.kind == "console":
            _default_workspace(store)
        _each(builder, data, "workspaces", generate.workspaces(data), builder.workspace)
        _each(
            builder,
            data,
            "spend_limits",
            generate.overrides(builder, data),
            lambda entry, path, seq, now: builder.spend_limit(entry, path, seq, now, False),
        )
        for email, periods in data.get("spend", {}).items():
            for period, amount in periods.items():
                builder.spend(email, period, amount, ["spend", email, period])
        _each(
            builder,
            data,
            "increase_requests",
            [],
            lambda entry, path, seq, now: builder.increase_request(
                entry,
                path,
                seq,
                now,
                derived_id("slir_", store.org.id, "increase_request", path[-1]),
            ),
        )
        store.prices = {
            m: {k: str(v) for k, v in p.items()} for m, p in data.get("prices", {}).items()
        }
        store.usage_days = data.get("generate", {}).get("usage_days", 0)
        reader = UsageReader(builder, day_start(time.time() if now is None else now))
        store.add_usage(reader.events(data.get("usage", []), ["usage"]))
        generated = generate.usage(store, store.usage_days)
        store.add_usage(reader.events(generated, ["generate", "usage_days"]))
        store.mutations = 0
        return store


def _organization(entry: dict[str, Any]) -> Organization:
    return Organization(
        id=entry.get("id") or derived_uuid("organization", entry["name"]),
        name=entry["name"],
        kind=entry["kind"],
        currency=entry.get("currency", "USD"),
        extra_usage_enabled=entry.get("extra_usage_enabled", True),
        spend_limits_api=entry.get("spend_limits_api", True),
        cmek=entry.get("cmek", False),
        created_at=timestamp(SEED_EPOCH),
    )


def _keys(builder: Builder, entries: list[dict[str, Any]]) -> None:
    store = builder.store
    prefix = KEY_PREFIX[store.kind]
    for index, entry in enumerate(entries):
        path = ["admin_keys", index]
        key = entry["key"]
        if not key.startswith(prefix):
            raise builder.error([*path, "key"], f"{store.kind} org keys start with {prefix}")
        if store.kind == "console" and "scopes" in entry:
            raise builder.error([*path, "scopes"], "Console admin keys have no scopes")
        if key in store.keys:
            raise builder.error([*path, "key"], "this key is listed twice")
        store.keys[key] = ApiKey(
            key=key,
            id=entry.get("id") or derived_id("apikey_", store.org.id, "api_key", key),
            scopes=tuple(entry.get("scopes", ())),
            revoked=entry.get("revoked", False),
        )


def _cmek(store: Store, data: dict[str, Any]) -> None:
    for item in data.get("external_keys", []):
        key = ExternalKey(item) if isinstance(item, str) else ExternalKey(**item)
        store.external_keys[key.id] = key
    store.user_profiles = set(data.get("user_profiles", []))


def _default_workspace(store: Store) -> None:
    workspace_id = derived_id("wrkspc_", store.org.id, "default_workspace")
    store.add_workspace(
        Workspace(
            id=workspace_id,
            name="Default",
            display_color=PALETTE[0],
            created_at=store.org.created_at,
            archived_at=None,
            allowed_inference_geos=DEFAULT_RESIDENCY["allowed_inference_geos"],
            default_inference_geo=DEFAULT_RESIDENCY["default_inference_geo"],
            tags={},
            external_key_id=None,
            user_profile_id=None,
            compartment_id=derived_uuid(store.org.id, "compartment", workspace_id),
            seq=0,
            is_default=True,
        )
    )


def _each(
    builder: Builder,
    data: dict[str, Any],
    section: str,
    generated: list[dict[str, Any]],
    add: Callable[[dict[str, Any], list[Any], int, str], object],
) -> None:
    """Add a section's entries, then its generated ones, in creation order."""
    entries = data.get(section, [])
    for index, entry in enumerate([*entries, *generated]):
        seq = builder.store.take_seq()
        path: list[Any] = [section, index] if index < len(entries) else ["generate", section]
        add(entry, path, seq, timestamp(SEED_EPOCH + seq))


def parse_seed(data: Any, source: str = "<seed>", locator: Locator | None = None) -> Seed:
    """A :class:`Seed` from an already-loaded document (schema-checked here)."""
    locator = locator or Locator(source)
    check_schema(data, locator)
    return Seed(data, locator)


def load_seed(path: str | Path) -> Seed:
    """Read, check and return the seed at ``path`` (:class:`SeedError` if it is not one)."""
    try:
        data, locator = read(Path(path))
    except DocumentError as e:
        raise SeedError(str(e)) from None
    return parse_seed(data, locator=locator)


def seed_from_text(text: str, source: str = "<seed>", as_json: bool = False) -> Seed:
    try:
        data, locator = parse(text, source, as_json=as_json)
    except DocumentError as e:
        raise SeedError(str(e)) from None
    return parse_seed(data, locator=locator)
