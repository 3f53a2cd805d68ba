"""Whatever is in a file, loading reports located problems — never raises, never hangs."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.policy import check

KEYS = st.sampled_from(
    [
        "version", "organization", "id", "kind", "currency", "spend_limits", "users",
        "user_rules", "seat_tiers", "groups", "workspaces", "workspace_rules", "match",
        "email", "group", "name", "tags", "data_residency", "allowed_inference_geos",
        "default_inference_geo", "workspace_geo", "monthly", "daily", "weekly", "archived",
        "management", "safety", "a@b.co", "anthropic", "x",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["us", "global", "unrestricted", "unlimited", "inherit", "console",
                     "enterprise", "USD", "*@x.com", "8d3f2a61-5c1e-4b7a-9e0d-2f6a4c8b1e37"]),
    st.text(max_size=20),
)  # fmt: skip
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)
    ),
    max_leaves=30,
)

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_reported(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(data)
    result = check([path])
    for p in result.errors + result.warnings:
        assert p.line >= 1 and p.column >= 1
        assert p.file.endswith("p.yaml")
        assert "\n" not in p.message


@SETTINGS
@given(st.dictionaries(KEYS, TREES, max_size=6))
def test_random_structures(tmp_path: Path, doc: dict[str, object]) -> None:
    assert_reported(tmp_path, yaml.safe_dump(doc, allow_unicode=True).encode())
    assert_reported(tmp_path, json.dumps(doc, default=str).encode())


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    assert_reported(tmp_path, data)


@SETTINGS
@given(st.text(alphabet="{}[]:,-&*!|>'\"#?@ \t\nabc1.", max_size=200))
def test_random_yaml_punctuation(tmp_path: Path, text: str) -> None:
    assert_reported(tmp_path, text.encode())


def test_names_with_line_breaks_stay_on_one_line(tmp_path: Path) -> None:
    text = (
        'organization: {id: x, kind: "con\\nsole"}\n'
        'workspaces: {"a\\tb\\nc": {tags: {"k\\n": 1}}}\n'
    )
    path = tmp_path / "p.yaml"
    path.write_text(text)
    rendered = [p.render() for p in check([path]).errors]
    assert rendered
    assert all("\n" not in line and "\t" not in line for line in rendered)
    assert any("`con\\nsole`" in line for line in rendered)
