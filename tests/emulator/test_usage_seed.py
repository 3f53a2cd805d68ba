"""Usage in seeds, ``generate: usage_days``, ``POST /_emulator/usage`` and ``--state``:
rows become dated events (relative dates count from the emulator clock's today)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import (
    EmulatorApp,
    FakeClock,
    Options,
    SeedError,
    StateFile,
    load_seed,
    seed_from_text,
)
from reconciler.emulator.buckets import show_time
from reconciler.emulator.model import UsageEvent
from tests.emulator.conftest import SEEDS, Api, make_api
from tests.emulator.usage_support import KEY, NOW, USAGE, results, usage_api, workspace_ids

HEAD = """organization: {name: Usage Org, kind: console}
admin_keys: [{key: sk-ant-admin01-usage-key}]
workspaces:
  - {name: claims}
  - {name: portal, data_residency: {allowed_inference_geos: [us], default_inference_geo: us}}
  - {name: old, archived: true}
"""
MORNING = NOW + 9 * 3600  # 2026-10-28T09:00:00Z


def build(usage: str, now: float = MORNING) -> Any:
    return seed_from_text(HEAD + "usage:\n" + usage).build(now)


def moment(event: UsageEvent) -> str:
    return show_time(event.at)


@pytest.mark.parametrize(
    ("row", "moments"),
    [
        ("{date: 2026-10-01}", ["2026-10-01T12:00:00Z"]),
        ("{date: -3}", ["2026-10-25T12:00:00Z"]),
        ("{date: 0, hour: 8, minute: 59}", ["2026-10-28T08:59:00Z"]),
        ("{date: '2026-10-01', hour: 0}", ["2026-10-01T00:00:00Z"]),
        (
            "{date: -3, days: 3, hour: 23}",
            ["2026-10-25T23:00:00Z", "2026-10-26T23:00:00Z", "2026-10-27T23:00:00Z"],
        ),
    ],
)
def test_dates_absolute_relative_and_repeated(row: str, moments: list[str]) -> None:
    fields = row[:-1] + ", model: claude-haiku-4-5, input_tokens: 1, output_tokens: 1}"
    store = build(f"  - {fields}\n")
    assert [moment(e) for e in store.usage] == moments


def test_workspaces_geos_and_defaults() -> None:
    store = build(
        "  - {date: -1, workspace: claims, model: claude-opus-4-6,\n"
        "     input_tokens: 1, output_tokens: 2}\n"
        "  - {date: -1, workspace: portal, model: claude-opus-4-6,\n"
        "     input_tokens: 3, output_tokens: 4}\n"
        "  - {date: -1, workspace: old, model: claude-sonnet-4-5,\n"
        "     input_tokens: 5, output_tokens: 6,\n"
        "     inference_geo: not_available, service_tier: batch, context_window: 200k-1M}\n"
        "  - {date: -1, model: claude-opus-4-6, inference_geo: us, api_key_id: null,\n"
        "     input_tokens: 7, output_tokens: 8, cache_read_input_tokens: 9,\n"
        "     cache_creation_5m_input_tokens: 10, cache_creation_1h_input_tokens: 11,\n"
        "     web_search_requests: 12, account_id: user_x, service_account_id: sa_y, speed: fast}\n"
    )
    names = {w.id: w.name for w in store.workspaces.values()}
    claims, portal, old, default = store.usage
    assert (names[claims.workspace_id], claims.inference_geo) == ("claims", "global")
    assert (names[portal.workspace_id], portal.inference_geo) == ("portal", "us")
    assert (names[old.workspace_id], old.inference_geo, old.service_tier) == (
        "old",
        "not_available",
        "batch",
    )
    assert old.context_window == "200k-1M" and claims.context_window == "0-200k"
    assert names[default.workspace_id] == "Default"
    assert claims.api_key_id and claims.api_key_id.startswith("apikey_")
    assert claims.api_key_id != portal.api_key_id
    assert default.api_key_id is None
    assert (
        default.uncached_input_tokens,
        default.output_tokens,
        default.cache_read_input_tokens,
        default.cache_creation_5m_input_tokens,
        default.cache_creation_1h_input_tokens,
        default.web_search_requests,
    ) == (7, 8, 9, 10, 11, 12)
    assert (default.account_id, default.service_account_id, default.speed) == (
        "user_x",
        "sa_y",
        "fast",
    )
    assert claims.account_id is None and claims.speed == "standard"


def test_a_workspace_named_by_id_the_default_included() -> None:
    store = seed_from_text(HEAD).build(MORNING)
    default = store.default_workspace_id()
    row = f"{{date: -1, workspace_id: {default}, model: claude-haiku-4-5, input_tokens: 1,"
    assert build(f"  - {row} output_tokens: 1}}\n").usage[0].workspace_id == default


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "{date: -1, workspace: nowhere, model: claude-haiku-4-5}",
            "<seed>:8:16: usage[0].workspace: no workspaces are named 'nowhere'",
        ),
        (
            "{date: -1, workspace: claims, workspace_id: wrkspc_x, model: claude-haiku-4-5}",
            "usage[0]: name the workspace with one of workspace, workspace_id",
        ),
        (
            "{date: -1, workspace_id: wrkspc_missing, model: claude-haiku-4-5}",
            "usage[0].workspace_id: no workspace with id wrkspc_missing",
        ),
        (
            "{date: -1, model: claude-haiku-4-5, inference_geo: us}",
            "usage[0].inference_geo: claude-haiku-4-5 does not support inference_geo",
        ),
        (
            "{date: -1, model: claude-opus-4-6, inference_geo: not_available}",
            "usage[0].inference_geo: claude-opus-4-6 supports inference_geo",
        ),
        (
            "{date: -1, model: my-model}",
            "usage[0].model: no price for model 'my-model'",
        ),
        (
            "{date: 2026-02-30, model: claude-haiku-4-5}",
            "usage[0].date: '2026-02-30' is not a date",
        ),
        ("{date: 1, model: claude-haiku-4-5}", "usage[0].date"),
        ("{date: -1, hour: 24, model: claude-haiku-4-5}", "usage[0].hour: 24 is greater than"),
        ("{date: -1, days: 0, model: claude-haiku-4-5}", "usage[0].days: 0 is less than"),
        ("{date: -1, model: claude-haiku-4-5, colour: red}", "unknown key 'colour'"),
        (
            "{date: -1, model: claude-haiku-4-5, service_tier: premium}",
            "usage[0].service_tier: 'premium' is not one of",
        ),
    ],
)
def test_bad_rows_are_located_errors(row: str, message: str) -> None:
    fields = row[:-1] + ", input_tokens: 1, output_tokens: 1}"
    with pytest.raises(SeedError) as caught:
        build(f"  - {fields}\n")
    assert message in str(caught.value)


def test_usage_needs_a_console_org() -> None:
    text = (
        "organization: {name: E, kind: enterprise}\n"
        "admin_keys: [{key: sk-ant-api01-e}]\n"
        "usage: [{date: -1, model: claude-haiku-4-5, input_tokens: 1, output_tokens: 1}]\n"
    )
    with pytest.raises(SeedError, match="only in Console orgs"):
        seed_from_text(text).build(MORNING)


def test_generated_usage_covers_every_active_workspace_two_models_and_both_geos() -> None:
    text = HEAD + "generate: {workspaces: 3, usage_days: 4}\n"
    store = seed_from_text(text).build(MORNING)
    again = seed_from_text(text).build(MORNING)
    assert store.usage == again.usage  # deterministic
    active = [w for w in store.workspaces.values() if w.archived_at is None]
    assert len(active) == 6  # the default, claims, portal, ws-001 … ws-003
    assert len(store.usage) == 6 * 4 * 3
    assert {(e.model, e.inference_geo) for e in store.usage} == {
        ("claude-sonnet-4-6", "global"),
        ("claude-sonnet-4-6", "us"),
        ("claude-haiku-4-5", "not_available"),
    }
    assert {moment(e)[:10] for e in store.usage} == {
        "2026-10-24",
        "2026-10-25",
        "2026-10-26",
        "2026-10-27",
    }
    # Workspace number 0 is the default one; on day d = 1 (yesterday) its global input is
    # 100000 × (1 + 1 mod 5) = 200000, output a fifth, cache reads half.
    default = store.default_workspace_id()
    (row,) = [
        e
        for e in store.usage
        if e.workspace_id == default
        and e.inference_geo == "global"
        and moment(e) == "2026-10-27T12:00:00Z"
    ]
    assert (row.uncached_input_tokens, row.output_tokens, row.cache_read_input_tokens) == (
        200_000,
        40_000,
        100_000,
    )


def test_generated_usage_is_reported() -> None:
    text = HEAD + "generate: {workspaces: 2, usage_days: 30}\n"
    with make_api(seed_from_text(text), KEY, Options(rate_scale=1000), FakeClock(MORNING)) as api:
        rows = results(
            api,
            USAGE,
            {
                "starting_at": "2026-09-01T00:00:00Z",
                "ending_at": "2026-10-28T00:00:00Z",
                "limit": 31,
                "group_by[]": ["workspace_id", "inference_geo"],
            },
        )
        ids = workspace_ids(api)
    active = {i for name, i in ids.items() if name != "Default"}
    assert {r["workspace_id"] for r in rows} == {*active, None}  # the default workspace: null
    assert {r["inference_geo"] for r in rows} == {"global", "us", "not_available"}


def test_the_control_endpoint_appends_validated_rows(console: Api) -> None:
    before = len(console.store().usage)
    added = console.post(
        "/_emulator/usage",
        json=[
            {
                "date": -2,
                "days": 2,
                "workspace": "claims-processing",
                "model": "claude-opus-4-6",
                "input_tokens": 4,
                "output_tokens": 2,
            },
        ],
    )
    assert added.json() == {"added": 2, "rows": before + 2}
    bad = console.post(
        "/_emulator/usage",
        json=[
            {"date": -1, "model": "claude-haiku-4-5", "input_tokens": 1, "output_tokens": 1},
            {
                "date": -1,
                "workspace": "nope",
                "model": "claude-haiku-4-5",
                "input_tokens": 1,
                "output_tokens": 1,
            },
        ],
    )
    assert bad.status_code == 400
    message = bad.json()["error"]["message"]
    assert "request body: [1].workspace: no workspaces are named 'nope'" in message
    assert len(console.store().usage) == before + 2  # all or nothing
    schema = console.post("/_emulator/usage", json=[{"date": "yesterday", "model": "m"}])
    assert schema.status_code == 400 and "[0]" in schema.json()["error"]["message"]


def test_relative_dates_count_from_the_clock_of_the_control_call(console: Api) -> None:
    console.clock.advance(86_400 * 2)
    console.post(
        "/_emulator/usage",
        json=[
            {
                "date": 0,
                "hour": 0,
                "model": "claude-haiku-4-5",
                "input_tokens": 1,
                "output_tokens": 1,
            }
        ],
    )
    assert moment(console.store().usage[-1]) == "2026-10-30T00:00:00Z"


def test_usage_survives_the_state_file_and_resets_to_the_first_load(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    options = Options(control=True, rate_scale=1000)
    seed = load_seed(SEEDS / "console.yaml")
    first = EmulatorApp(seed, options, clock=FakeClock(MORNING), state=StateFile(path))
    events = list(first.runtime.store.usage)
    assert events and all(isinstance(e, UsageEvent) for e in events)
    # A day later the state file still holds the same moments: relative dates were fixed
    # when the organization was first built.
    later = EmulatorApp(
        StateFile(path).read(), options, clock=FakeClock(MORNING + 86_400), state=StateFile(path)
    )
    assert later.runtime.store.usage == events
    api = Api(later, headers={"x-api-key": "sk-ant-admin01-demo-console-key"})
    api.emulator = later
    api.post(
        "/_emulator/usage",
        json=[{"date": -1, "model": "claude-haiku-4-5", "input_tokens": 1, "output_tokens": 1}],
    )
    assert len(StateFile(path).read().build().usage) == len(events) + 1
    api.post("/_emulator/reset")
    assert later.runtime.store.usage == events


def test_relative_seed_dates_follow_the_clock_at_start_up() -> None:
    row = "{date: -1, model: claude-haiku-4-5, input_tokens: 1, output_tokens: 1}"
    with usage_api(HEAD + f"usage: [{row}]\n", now=MORNING) as api:
        assert moment(api.store().usage[0]) == "2026-10-27T12:00:00Z"
