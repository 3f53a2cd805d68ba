"""No input, however odd, gets a 500 or a traceback: always the API's error envelope."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import Options, load_seed
from tests.emulator.conftest import CONSOLE_KEY, ENTERPRISE_KEY, ORG, SEEDS, Api, make_api

BETA = {"anthropic-beta": "spend-limit-reads-2026-09-26"}
SCOPES = [
    "read:members",
    "write:members",
    "read:rbac_groups",
    "write:rbac_groups",
    "read:spend_limits",
    "write:spend_limits",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
field_names = st.sampled_from(
    [
        "name",
        "tags",
        "data_residency",
        "display_color",
        "external_key_id",
        "user_profile_id",
        "amount",
        "scope",
        "period",
        "role",
        "suppress_notification",
        "type",
        "user_id",
    ]
)
bodies = st.dictionaries(field_names, json_values, max_size=4) | json_values
query_keys = st.sampled_from(
    [
        "limit",
        "after_id",
        "before_id",
        "page",
        "email",
        "roles[]",
        "ids[]",
        "include_archived",
        "include_default",
        "scope_type[]",
        "workspace_id",
        "period[]",
        "user_ids[]",
        "status[]",
        "actor_ids[]",
    ]
)
queries = st.lists(st.tuples(query_keys, st.text(max_size=12)), max_size=4)


@cache
def apis() -> dict[str, Api]:
    options = Options(control=True, rate_scale=100_000)
    enterprise = make_api(load_seed(SEEDS / "enterprise.yaml"), ENTERPRISE_KEY, options)
    enterprise.store().keys[ENTERPRISE_KEY].scopes = tuple(SCOPES)
    console = make_api(load_seed(SEEDS / "console.yaml"), CONSOLE_KEY, options)
    return {"enterprise": enterprise, "console": console}


def _targets(api: Api) -> list[tuple[str, str]]:
    store = api.store()
    user = next(iter(store.users))
    limit = next(iter(store.limits))
    paths = [
        ("GET", "/users"),
        ("GET", f"/users/{user}"),
        ("POST", f"/users/{user}"),
        ("POST", "/spend_limits"),
        ("GET", "/spend_limits"),
        ("GET", f"/spend_limits/{limit}"),
    ]
    if store.kind == "console":
        workspace = next(w for w in store.workspaces.values() if not w.is_default).id
        paths += [
            ("GET", "/workspaces"),
            ("POST", "/workspaces"),
            ("POST", f"/workspaces/{workspace}"),
            ("POST", f"/workspaces/{workspace}/archive"),
        ]
    else:
        request = next(iter(store.requests))
        group = next(iter(store.groups))
        paths += [
            ("GET", "/spend_limits/effective"),
            ("GET", "/spend_limit_increase_requests"),
            ("POST", f"/spend_limit_increase_requests/{request}/approve"),
            ("POST", f"/spend_limit_increase_requests/{request}/deny"),
            ("GET", f"/rbac_groups/{group}/members"),
        ]
    return paths


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["enterprise", "console"]),
    pick=st.integers(min_value=0),
    body=bodies,
    query=queries,
)
def test_any_body_or_query_gets_an_answer_not_a_crash(
    kind: str, pick: int, body: Any, query: list[tuple[str, str]]
) -> None:
    api = apis()[kind]
    targets = _targets(api)
    method, path = targets[pick % len(targets)]
    response = api.request(
        method, ORG + path, params=query, content=json.dumps(body).encode(), headers=BETA
    )
    assert response.status_code in (200, 400, 403, 404), response.text
    if response.status_code != 200:
        error = response.json()
        assert error["type"] == "error" and error["request_id"] == response.headers["request-id"]
