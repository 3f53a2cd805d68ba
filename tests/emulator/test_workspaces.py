"""Workspaces (admin-api.md §7, decisions 18–25)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator.workspace_rules import PALETTE
from tests.emulator.conftest import ORG, Api, error_of

ACTIVE = [
    "legacy-prototype",
    "marketing-copy",
    "research-sandbox",
    "patient-portal",
    "claims-processing",
]


def names(page: dict[str, Any]) -> list[str]:
    return [w["name"] for w in page["data"]]


def by_name(api: Api, name: str) -> dict[str, Any]:
    page = api.get(f"{ORG}/workspaces", params={"include_archived": "true", "limit": 1000})
    return next(w for w in page.json()["data"] if w["name"] == name)


def test_list_newest_first_active_only_by_default(console: Api) -> None:
    page = console.get(f"{ORG}/workspaces").json()
    assert names(page) == ACTIVE
    assert set(page["data"][0]) == {
        "type",
        "id",
        "name",
        "display_color",
        "created_at",
        "archived_at",
        "data_residency",
        "tags",
        "external_key_id",
        "user_profile_id",
        "compartment_id",
    }


def test_include_flags_and_ids(console: Api) -> None:
    every = console.get(
        f"{ORG}/workspaces", params={"include_archived": "true", "include_default": "true"}
    ).json()
    assert names(every) == ["retired-pilot", *ACTIVE, "Default"]
    default = every["data"][-1]
    assert console.get(f"{ORG}/workspaces/{default['id']}").json()["name"] == "Default"
    retired, portal = every["data"][0]["id"], every["data"][4]["id"]
    query = [("ids[]", retired), ("ids[]", portal), ("ids[]", "wrkspc_unknown")]
    assert names(console.get(f"{ORG}/workspaces", params=query).json()) == ["patient-portal"]
    query.append(("include_archived", "true"))
    assert names(console.get(f"{ORG}/workspaces", params=query).json()) == [
        "retired-pilot",
        "patient-portal",
    ]


@pytest.mark.parametrize(
    "params",
    [{"include_archived": "yes"}, {"include_default": "1"}, [("ids[]", "w")] * 101],
    ids=["bool-yes", "bool-1", "101-ids"],
)
def test_bad_list_queries(console: Api, params: Any) -> None:
    assert error_of(console.get(f"{ORG}/workspaces", params=params))[0] == 400


def test_create_fills_defaults_and_rotates_the_palette(console: Api) -> None:
    first = console.post(f"{ORG}/workspaces", json={"name": "  bare  "}).json()
    second = console.post(f"{ORG}/workspaces", json={"name": "other", "tags": None}).json()
    assert first["name"] == "bare"
    assert first["data_residency"] == {
        "workspace_geo": "us",
        "allowed_inference_geos": "unrestricted",
        "default_inference_geo": "global",
    }
    assert first["tags"] == {} and second["tags"] == {}
    assert first["archived_at"] is None and first["external_key_id"] is None
    assert first["id"].startswith("wrkspc_") and len(first["id"]) == 31
    palette_index = PALETTE.index(first["display_color"])
    assert second["display_color"] == PALETTE[(palette_index + 1) % len(PALETTE)]
    assert names(console.get(f"{ORG}/workspaces").json())[:2] == ["other", "bare"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param({}, None, id="no-name"),
        pytest.param({"name": "   "}, None, id="blank-name"),
        pytest.param({"name": "x" * 41}, None, id="name-41"),
        pytest.param({"name": 7}, None, id="name-not-string"),
        pytest.param({"name": "w", "display_color": "red"}, None, id="bad-colour"),
        pytest.param({"name": "w", "tags": {"anthropic-x": "1"}}, None, id="reserved-tag"),
        pytest.param({"name": "w", "tags": {"Anthropic": "1"}}, None, id="reserved-tag-case"),
        pytest.param({"name": "w", "tags": {"k": None}}, None, id="null-tag-on-create"),
        pytest.param({"name": "w", "tags": {"k": "v" * 257}}, None, id="long-tag-value"),
        pytest.param({"name": "w", "tags": {"k" * 65: "v"}}, None, id="long-tag-key"),
        pytest.param({"name": "w", "tags": {f"k{i}": "v" for i in range(51)}}, None, id="51-tags"),
        pytest.param(
            {"name": "w", "data_residency": {"allowed_inference_geos": ["us"]}},
            None,
            id="default-global-not-allowed",
        ),
        pytest.param(
            {"name": "w", "data_residency": {"allowed_inference_geos": []}}, None, id="empty"
        ),
        pytest.param(
            {"name": "w", "data_residency": {"allowed_inference_geos": ["us", "us"]}},
            None,
            id="duplicate-geo",
        ),
        pytest.param(
            {"name": "w", "data_residency": {"allowed_inference_geos": ["eu"]}},
            None,
            id="unknown-geo",
        ),
        pytest.param(
            {"name": "w", "data_residency": {"workspace_geo": "eu"}}, None, id="workspace-geo"
        ),
        pytest.param(
            {"name": "w", "data_residency": {"region": "us"}}, None, id="unknown-residency-key"
        ),
        pytest.param(
            {"name": "w", "external_key_id": "ekey_01demoAcmeHealthKms0001"}, None, id="cmek-off"
        ),
        pytest.param(
            {"name": "w", "user_profile_id": "uprof_x"},
            "user_profile_not_found",
            id="unknown-profile",
        ),
        pytest.param({"name": "w", "colour": "#000000"}, None, id="unknown-field"),
    ],
)
def test_create_validation(console: Api, body: dict[str, Any], code: str | None) -> None:
    assert error_of(console.post(f"{ORG}/workspaces", json=body)) == (
        400,
        "invalid_request_error",
        code,
    )


def test_name_of_40_characters_after_trimming_is_fine(console: Api) -> None:
    assert console.post(f"{ORG}/workspaces", json={"name": f" {'x' * 40} "}).status_code == 200


def test_the_101st_active_workspace_is_refused(console: Api) -> None:
    for number in range(95):
        assert console.post(f"{ORG}/workspaces", json={"name": f"n-{number}"}).status_code == 200
    response = console.post(f"{ORG}/workspaces", json={"name": "one-too-many"})
    assert error_of(response)[0] == 400
    console.post(f"{ORG}/workspaces/{by_name(console, 'n-0')['id']}/archive")
    assert console.post(f"{ORG}/workspaces", json={"name": "room-again"}).status_code == 200


def test_tags_update_is_a_merge_patch(console: Api) -> None:
    marketing = by_name(console, "marketing-copy")
    url = f"{ORG}/workspaces/{marketing['id']}"
    patched = console.post(url, json={"tags": {"team": "brand", "cost-center": None, "new": "1"}})
    assert patched.json()["tags"] == {"team": "brand", "new": "1"}
    assert console.post(url, json={"tags": {}}).json()["tags"] == {"team": "brand", "new": "1"}
    assert console.post(url, json={"tags": None}).json()["tags"] == {"team": "brand", "new": "1"}
    assert console.post(url, json={"tags": {"gone": None}}).json()["tags"] == {
        "team": "brand",
        "new": "1",
    }


@pytest.mark.parametrize(
    ("workspace", "residency", "result"),
    [
        pytest.param(
            "claims-processing",
            {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
            {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
            id="restrict-both",
        ),
        pytest.param(
            "claims-processing", {"allowed_inference_geos": ["us"]}, 400, id="default-left-out"
        ),
        pytest.param(
            "marketing-copy",
            {"allowed_inference_geos": ["global"]},
            {"allowed_inference_geos": ["global"], "default_inference_geo": "global"},
            id="kept-default-still-allowed",
        ),
        pytest.param(
            "patient-portal",
            {"allowed_inference_geos": "unrestricted"},
            {"allowed_inference_geos": "unrestricted", "default_inference_geo": "us"},
            id="unrestrict",
        ),
        pytest.param(
            "patient-portal", {"default_inference_geo": "global"}, 400, id="default-outside"
        ),
        pytest.param(
            "patient-portal",
            {"allowed_inference_geos": None, "default_inference_geo": None},
            {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
            id="nulls-keep",
        ),
        pytest.param("patient-portal", {"workspace_geo": "us"}, 400, id="workspace-geo"),
    ],
)
def test_residency_update(
    console: Api, workspace: str, residency: dict[str, Any], result: Any
) -> None:
    target = by_name(console, workspace)
    response = console.post(f"{ORG}/workspaces/{target['id']}", json={"data_residency": residency})
    if result == 400:
        assert error_of(response) == (400, "invalid_request_error", None)
        assert by_name(console, workspace)["data_residency"] == target["data_residency"]
    else:
        assert response.json()["data_residency"] == {"workspace_geo": "us", **result}


def test_update_name_and_colour(console: Api) -> None:
    legacy = by_name(console, "legacy-prototype")
    updated = console.post(
        f"{ORG}/workspaces/{legacy['id']}", json={"name": "legacy", "display_color": "#AbCdEf"}
    ).json()
    assert (updated["name"], updated["display_color"]) == ("legacy", "#AbCdEf")
    for body in ({"display_color": None}, {"name": ""}, {"external_key_id": None}):
        response = console.post(f"{ORG}/workspaces/{legacy['id']}", json=body)
        assert error_of(response)[0] == 400


@pytest.mark.parametrize("action", ["update", "archive"])
@pytest.mark.parametrize("target", ["Default", "retired-pilot"])
def test_default_and_archived_workspaces_are_frozen(console: Api, action: str, target: str) -> None:
    every = console.get(
        f"{ORG}/workspaces", params={"include_archived": "true", "include_default": "true"}
    ).json()["data"]
    workspace_id = next(w["id"] for w in every if w["name"] == target)
    if action == "update":
        response = console.post(f"{ORG}/workspaces/{workspace_id}", json={"name": "x"})
    else:
        response = console.post(f"{ORG}/workspaces/{workspace_id}/archive")
    assert error_of(response) == (400, "invalid_request_error", None)


def test_archive_is_once(console: Api) -> None:
    legacy = by_name(console, "legacy-prototype")
    archived = console.post(f"{ORG}/workspaces/{legacy['id']}/archive").json()
    assert archived["archived_at"] is not None
    assert "legacy-prototype" not in names(console.get(f"{ORG}/workspaces").json())
    assert console.get(f"{ORG}/workspaces/{legacy['id']}").json()["archived_at"]
    assert error_of(console.post(f"{ORG}/workspaces/{legacy['id']}/archive"))[0] == 400
    assert (
        error_of(console.post(f"{ORG}/workspaces/{legacy['id']}/archive", json={"x": 1}))[0] == 400
    )


CMEK_SEED = """
organization: {id: 0e8f7a6b-5c4d-4e3f-8a2b-1c0d9e8f7a6b, name: Kms, kind: console, cmek: true}
admin_keys: [{key: sk-ant-admin01-kms}]
external_keys:
  - ekey_01unbound
  - {id: ekey_01bound, user_profile_id: uprof_a}
user_profiles: [uprof_a, uprof_b]
workspaces: [{name: plain}]
"""


def test_external_key_and_user_profile_are_write_once(api_for: Any) -> None:
    api: Api = api_for(CMEK_SEED, "sk-ant-admin01-kms")
    plain = api.get(f"{ORG}/workspaces").json()["data"][0]["id"]
    url = f"{ORG}/workspaces/{plain}"
    assert api.post(url, json={"external_key_id": "ekey_01unbound"}).status_code == 200
    assert api.post(url, json={"external_key_id": "ekey_01unbound"}).status_code == 200
    assert error_of(api.post(url, json={"external_key_id": "ekey_01bound"}))[0] == 400
    assert error_of(api.post(url, json={"user_profile_id": "uprof_a"})) == (
        400,
        "invalid_request_error",
        "key_profile_mismatch",
    )
    bound = api.post(
        f"{ORG}/workspaces",
        json={"name": "bound", "external_key_id": "ekey_01bound", "user_profile_id": "uprof_a"},
    ).json()
    url = f"{ORG}/workspaces/{bound['id']}"
    assert api.post(url, json={"user_profile_id": "uprof_a"}).status_code == 200
    assert error_of(api.post(url, json={"user_profile_id": "uprof_b"}))[0] == 400
    assert error_of(api.post(url, json={"user_profile_id": "uprof_zzz"}))[2] == (
        "user_profile_not_found"
    )
    assert (
        error_of(
            api.post(f"{ORG}/workspaces", json={"name": "x", "external_key_id": "ekey_01nope"})
        )[0]
        == 400
    )


def test_enterprise_orgs_have_no_workspaces(enterprise: Api) -> None:
    assert error_of(enterprise.get(f"{ORG}/workspaces")) == (
        400,
        "invalid_request_error",
        "organization_type_not_supported",
    )
