"""The policy JSON Schema (for editors and CI) and how its errors read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from reconciler import schemas
from reconciler.policy.schema import check
from reconciler.policy.yamlparse import parse
from tests.support.cli import invoke as run_cli

REPO = Path(__file__).resolve().parents[2]


def subschemas(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from subschemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from subschemas(value, f"{path}/{i}")


def test_schema_is_valid_json_schema_2020_12() -> None:
    schema = schemas.load("policy")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_fixed_set_of_keys_is_closed() -> None:
    for path, node in subschemas(schemas.load("policy")):
        if "properties" in node and not path.endswith("/properties"):
            assert node.get("additionalProperties") is False, path


def test_every_property_is_described_for_editors() -> None:
    for path, node in subschemas(schemas.load("policy")):
        if path.endswith("/properties"):
            for name, prop in node.items():
                has = "description" in prop or ("$ref" in prop and "description" in _ref(prop))
                assert has, f"{path}/{name}"


def _ref(prop: dict[str, Any]) -> dict[str, Any]:
    target = schemas.load("policy")
    for part in prop["$ref"].lstrip("#/").split("/"):
        target = target[part]
    return target


def test_schema_command_prints_it() -> None:
    result = run_cli(["schema"])
    assert result.code == 0, result
    assert json.loads(result.out) == schemas.load("policy")


def test_repository_schema_link_is_the_shipped_file() -> None:
    assert (REPO / "schemas/policy.schema.json").read_text() == schemas.load_text("policy")


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in [*REPO.glob("policies/**/*.yaml"), *REPO.glob("examples/**/*.yaml")]
        if "seeds" not in p.parts
    ),
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_sample_files_pass_the_schema_as_an_editor_sees_it(path: Path) -> None:
    data = yaml.safe_load(path.read_text()) or {}
    jsonschema.validate(data, schemas.load("policy"), cls=jsonschema.Draft202012Validator)


def rendered(text: str, offsets: dict[str, int] | None = None) -> list[str]:
    parsed = parse(text.encode(), "p.yaml")
    assert parsed.root is not None
    problems = sorted(check(parsed.root, offsets), key=lambda p: (p.line, p.column, p.message))
    return [p.render() for p in problems]


CASES = [
    (
        "unknown key with a close match",
        "organization: {id: x, kind: console, curency: USD}\n",
        [
            "p.yaml:1:20: `x` is not a valid organization id (path: organization.id) hint: the "
            "organization's UUID, e.g. 5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10",
            "p.yaml:1:38: unknown key `curency` (path: organization.curency) "
            "hint: did you mean `currency`?",
        ],
    ),
    (
        "unknown key with no close match lists the keys",
        "safety: {budget: 5}\n",
        [
            "p.yaml:1:10: unknown key `budget` (path: safety.budget) "
            "hint: expected one of `max_change_percent`, `min_existing`",
        ],
    ),
    (
        "missing required key points at the key holding the mapping",
        "organization:\n  id: 8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37\n",
        ["p.yaml:1:1: missing required key `kind` in `organization` (path: organization)"],
    ),
    (
        "wrong type with a quoting hint",
        "workspaces:\n  w:\n    tags: {cost-center: 4410}\n",
        [
            "p.yaml:3:25: expected text, got a number (4410) (path: workspaces.w.tags.cost-center) "
            'hint: quote it: "4410"',
        ],
    ),
    (
        "an empty value points at its key",
        "workspaces:\n  w:\n    tags:\n      team:\n",
        ["p.yaml:4:7: expected text, got nothing (path: workspaces.w.tags.team)"],
    ),
    (
        "enum with a suggestion",
        "management: {users: authorative}\n",
        [
            "p.yaml:1:21: `authorative` is not one of `additive`, `authoritative` "
            "(path: management.users) hint: did you mean `authoritative`?",
        ],
    ),
    (
        "rule indices count across files",
        "spend_limits:\n  user_rules:\n    - {match: {emial: x}, monthly: 1}\n",
        [
            "p.yaml:3:16: unknown key `emial` (path: spend_limits.user_rules[3].match.emial) "
            "hint: did you mean `email`?",
        ],
    ),
    (
        "boolean where a boolean belongs is fine; text is not",
        "workspaces:\n  w: {archived: 'yes'}\n",
        ['p.yaml:2:17: expected true or false, got text "yes" (path: workspaces.w.archived)'],
    ),
    (
        "amounts, emails, names and tag keys are left to the semantic checks",
        "spend_limits:\n  users:\n    not-an-email: {monthly: -1}\n"
        "workspaces:\n  w:\n    tags: {anthropic-x: y}\n",
        [],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_errors_map_to_located_readable_lines(name: str, text: str, expected: list[str]) -> None:
    assert rendered(text, {"user_rules": 3}) == expected


def test_large_user_lists_report_each_entry_once() -> None:
    users = "".join(f"    u{i:03d}@example.com: {{monthly: 5, yearly: 1}}\n" for i in range(100))
    text = "spend_limits:\n  users:\n" + users
    lines = rendered(text)
    assert len(lines) == 100
    assert lines[0] == (
        "p.yaml:3:36: unknown key `yearly` (path: spend_limits.users.u000@example.com.yearly) "
        "hint: expected one of `daily`, `weekly`, `monthly`"
    )
    assert lines[-1].startswith(
        "p.yaml:102:36: unknown key `yearly` (path: spend_limits.users.u099"
    )
