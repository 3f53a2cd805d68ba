"""Workspaces (admin-api.md §7): list, get, create, update, archive — Console organizations."""

from __future__ import annotations

import math
import re
from itertools import pairwise
from typing import Any, cast

import anthropic
import pytest
from anthropic.types.organization.workspace import Workspace

from tests.conformance import seed_data
from tests.conformance.harness import Org, check_error, each_raises
from tests.conformance.shapes import as_dict, id_page, validate

EKEY = "ekey_conformance0000000000001"
OTHER_EKEY = "ekey_conformance0000000000002"
UNKNOWN_WORKSPACE = "wrkspc_000000000000000000000000"
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def everything(org: Org) -> list[Workspace]:
    return org.client.organization.workspaces.list(
        limit=1000, include_archived=True, include_default=True
    ).data


def by_name(org: Org, name: str) -> Workspace:
    matches = [w for w in everything(org) if w.name == name]
    assert len(matches) == 1, f"{name}: {matches}"
    return matches[0]


def test_list_is_active_newest_first_without_default(console: Org) -> None:
    response = console.client.organization.workspaces.with_raw_response.list(limit=1000)
    page = response.parse()
    items, body = id_page(Workspace, response.json())
    assert page.data == items
    assert body["has_more"] is False
    expected = list(reversed(seed_data.workspace_names("console", archived=False)))
    assert [w.name for w in page.data] == expected
    assert all(w.archived_at is None for w in page.data)
    created = [w.created_at for w in page.data]
    assert created == sorted(created, reverse=True)


def test_include_flags_add_archived_and_default_last(console: Org) -> None:
    names = [w.name for w in everything(console)]
    assert names == [*reversed(seed_data.workspace_names("console")), "Default"]
    default = everything(console)[-1]
    assert default.archived_at is None
    assert by_name(console, "old-pilot").archived_at is not None


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_auto_pagination_walks_every_page_once(console: Org, limit: int) -> None:
    expected = [w.id for w in everything(console)]
    walked = console.client.organization.workspaces.list(
        limit=limit, include_archived=True, include_default=True
    )
    assert [w.id for w in walked] == expected
    pages = console.sent("GET", "workspaces")[1:]
    assert len(pages) == math.ceil(len(expected) / limit)
    assert console.route_count("GET /v1/organizations/workspaces") == 1 + len(pages)
    for previous, following in pairwise(pages):
        assert ("after_id", previous.json()["last_id"]) in following.query
        assert ("include_archived", "true") in following.query
        assert ("include_default", "true") in following.query


def test_ids_filter_keeps_the_include_flags(console: Org) -> None:
    wanted = [by_name(console, name).id for name in ("claims", "research", "old-pilot")]
    listed = console.client.organization.workspaces.list(ids=wanted).data
    assert {w.name for w in listed} == {"claims", "research"}
    listed = console.client.organization.workspaces.list(ids=wanted, include_archived=True).data
    assert {w.name for w in listed} == {"claims", "research", "old-pilot"}
    assert [("ids[]", wid) for wid in wanted] == [
        item for item in console.sent("GET", "workspaces")[-1].query if item[0] == "ids[]"
    ]


def test_retrieve_every_workspace_including_default_and_archived(console: Org) -> None:
    for listed in everything(console):
        response = console.client.organization.workspaces.with_raw_response.retrieve(listed.id)
        workspace = response.parse()
        assert workspace == validate(Workspace, response.json())
        assert workspace == listed


def test_seeded_residency_variants(console: Org) -> None:
    residency = {w.name: w.data_residency for w in everything(console)}
    assert residency["claims"].allowed_inference_geos == ["us"]
    assert residency["claims"].default_inference_geo == "us"
    assert residency["research"].allowed_inference_geos == "unrestricted"
    assert residency["analytics"].allowed_inference_geos == ["global", "us"]
    assert residency["Default"].workspace_geo == "us"
    assert by_name(console, "claims").tags == {"team": "claims", "regulated": "true"}
    assert by_name(console, "sandbox-1").tags == {}


def test_create_with_every_field(console: Org) -> None:
    response = console.client.organization.workspaces.with_raw_response.create(
        name="payments",
        data_residency={
            "workspace_geo": "us",
            "allowed_inference_geos": ["us"],
            "default_inference_geo": "us",
        },
        display_color="#1A2B3C",
        tags={"team": "payments", "cost-centre": "42"},
        external_key_id=EKEY,
    )
    created = response.parse()
    assert created == validate(Workspace, response.json())
    assert created.name == "payments"
    assert created.data_residency.allowed_inference_geos == ["us"]
    assert created.data_residency.default_inference_geo == "us"
    assert created.display_color == "#1A2B3C"
    assert created.tags == {"team": "payments", "cost-centre": "42"}
    assert created.external_key_id == EKEY
    assert created.user_profile_id is None
    assert created.archived_at is None
    assert created.compartment_id
    listed = console.client.organization.workspaces.list(limit=1).data
    assert [w.id for w in listed] == [created.id]


def test_create_fills_the_documented_defaults(console: Org) -> None:
    response = console.client.organization.workspaces.with_raw_response.create(name="bare")
    created = validate(Workspace, response.json())
    assert as_dict(response.json())["data_residency"] == {
        "workspace_geo": "us",
        "allowed_inference_geos": "unrestricted",
        "default_inference_geo": "global",
    }
    assert HEX_COLOUR.match(created.display_color)
    assert created.tags == {}
    assert created.external_key_id is None
    assert console.sent("POST", "workspaces")[0].sent_json() == {"name": "bare"}


def test_create_with_null_data_residency_and_tags(console: Org) -> None:
    created = console.client.organization.workspaces.create(
        name="nulls", data_residency=None, tags=None
    )
    assert created.data_residency.allowed_inference_geos == "unrestricted"
    assert created.tags == {}


def test_update_fields_and_tag_merge_patch(console: Org) -> None:
    claims = by_name(console, "claims")
    response = console.client.organization.workspaces.with_raw_response.update(
        claims.id,
        name="claims-processing",
        display_color="#ABCDEF",
        tags={"team": None, "owner": "ops"},
        data_residency={"allowed_inference_geos": ["us", "global"]},
    )
    updated = response.parse()
    assert updated == validate(Workspace, response.json())
    assert updated.id == claims.id
    assert updated.name == "claims-processing"
    assert updated.display_color == "#ABCDEF"
    assert updated.tags == {"regulated": "true", "owner": "ops"}
    assert sorted(updated.data_residency.allowed_inference_geos) == ["global", "us"]
    assert updated.data_residency.default_inference_geo == "us"
    assert updated.created_at == claims.created_at
    assert console.client.organization.workspaces.retrieve(claims.id) == updated


@pytest.mark.parametrize("tags", [{}, None], ids=["empty", "null"])
def test_update_to_unrestricted_and_empty_tags_change_nothing_else(
    console: Org, tags: dict[str, str | None] | None
) -> None:
    claims = by_name(console, "claims")
    updated = console.client.organization.workspaces.update(
        claims.id, tags=tags, data_residency={"allowed_inference_geos": "unrestricted"}
    )
    assert updated.tags == claims.tags
    assert updated.data_residency.allowed_inference_geos == "unrestricted"
    assert updated.name == "claims"
    assert console.sent("POST", f"workspaces/{claims.id}")[0].sent_json()["tags"] == tags


def test_attach_external_key_once(console: Org) -> None:
    sandbox = by_name(console, "sandbox-1")
    updated = console.client.organization.workspaces.update(sandbox.id, external_key_id=EKEY)
    assert updated.external_key_id == EKEY
    again = console.client.organization.workspaces.update(sandbox.id, external_key_id=EKEY)
    assert again.external_key_id == EKEY
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.organization.workspaces.update(sandbox.id, external_key_id=OTHER_EKEY)
    check_error(info.value, 400, "invalid_request_error")
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.organization.workspaces.update(sandbox.id, external_key_id=cast(Any, None))
    check_error(info.value, 400, "invalid_request_error")


def test_archive(console: Org) -> None:
    sandbox = by_name(console, "sandbox-1")
    response = console.client.organization.workspaces.with_raw_response.archive(sandbox.id)
    archived = response.parse()
    assert archived == validate(Workspace, response.json())
    assert archived.archived_at is not None
    assert archived.name == "sandbox-1"
    exchange = console.sent("POST", f"workspaces/{sandbox.id}/archive")[0]
    assert exchange.status == 200
    assert console.client.organization.workspaces.retrieve(sandbox.id) == archived
    active = console.client.organization.workspaces.list(limit=1000).data
    assert sandbox.id not in {w.id for w in active}
    each_raises(
        anthropic.BadRequestError,
        [
            lambda: console.client.organization.workspaces.archive(sandbox.id),
            lambda: console.client.organization.workspaces.update(sandbox.id, name="revived"),
        ],
        400,
        "invalid_request_error",
    )


def test_default_workspace_cannot_be_renamed_or_archived(console: Org) -> None:
    default = everything(console)[-1]
    assert default.name == "Default"
    each_raises(
        anthropic.BadRequestError,
        [
            lambda: console.client.organization.workspaces.update(default.id, name="Main"),
            lambda: console.client.organization.workspaces.archive(default.id),
        ],
        400,
        "invalid_request_error",
    )


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"name": ""}, id="empty-name"),
        pytest.param({"name": "   "}, id="blank-name"),
        pytest.param({"name": "x" * 41}, id="name-41-chars"),
        pytest.param({"name": "ok", "tags": {"anthropic-team": "x"}}, id="reserved-tag-key"),
        pytest.param({"name": "ok", "display_color": "blue"}, id="bad-colour"),
        pytest.param(
            {
                "name": "ok",
                "data_residency": {
                    "allowed_inference_geos": ["global"],
                    "default_inference_geo": "us",
                },
            },
            id="default-outside-allowed",
        ),
        pytest.param(
            {"name": "ok", "data_residency": {"allowed_inference_geos": []}},
            id="empty-allowed",
        ),
        pytest.param({"name": "ok", "external_key_id": "ekey_unknown"}, id="unknown-ekey"),
        pytest.param({"name": "ok", "tags": {"team": None}}, id="null-tag-value"),
        pytest.param(
            {"name": "ok", "data_residency": {"workspace_geo": "eu"}}, id="unknown-workspace-geo"
        ),
    ],
)
def test_invalid_create_is_a_400(console: Org, fields: dict[str, object]) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.organization.workspaces.create(**fields)  # type: ignore[arg-type]
    check_error(info.value, 400, "invalid_request_error")


def test_name_of_40_characters_is_accepted(console: Org) -> None:
    assert console.client.organization.workspaces.create(name="x" * 40).name == "x" * 40


def test_workspace_geo_cannot_be_updated(console: Org) -> None:
    claims = by_name(console, "claims")
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.organization.workspaces.update(
            claims.id,
            data_residency=cast(Any, {"workspace_geo": "us"}),
        )
    check_error(info.value, 400, "invalid_request_error")


def test_unknown_body_field_is_a_400(console: Org) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.organization.workspaces.create(name="ok", extra_body={"colour": "#FFFFFF"})
    check_error(info.value, 400, "invalid_request_error")


def test_unknown_workspace_is_a_404(console: Org) -> None:
    workspaces = console.client.organization.workspaces
    each_raises(
        anthropic.NotFoundError,
        [
            lambda: workspaces.retrieve(UNKNOWN_WORKSPACE),
            lambda: workspaces.update(UNKNOWN_WORKSPACE, name="x"),
            lambda: workspaces.archive(UNKNOWN_WORKSPACE),
        ],
        404,
        "not_found_error",
    )


def test_at_most_100_active_workspaces(console: Org) -> None:
    active = len(seed_data.workspace_names("console", archived=False))
    for i in range(100 - active):
        console.client.organization.workspaces.create(name=f"fill-{i:03d}")
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.organization.workspaces.create(name="one-too-many")
    check_error(info.value, 400, "invalid_request_error")
    # Archiving one frees a slot: archived workspaces do not count.
    console.client.organization.workspaces.archive(by_name(console, "sandbox-2").id)
    assert console.client.organization.workspaces.create(name="fits-again").name == "fits-again"


def test_enterprise_organizations_have_no_workspaces(enterprise: Org) -> None:
    workspaces = enterprise.client.organization.workspaces
    each_raises(
        anthropic.OrganizationTypeNotSupportedError,
        [
            lambda: workspaces.list(),
            lambda: workspaces.create(name="nope"),
            lambda: workspaces.retrieve(UNKNOWN_WORKSPACE),
        ],
        400,
        "invalid_request_error",
        "organization_type_not_supported",
    )


def test_backwards_pagination_follows_first_id(console: Org) -> None:
    expected = [w.id for w in everything(console)]
    walked = console.client.organization.workspaces.list(
        before_id=expected[-1], limit=2, include_archived=True, include_default=True
    )
    backwards: list[str] = []
    end = len(expected) - 1
    while end > 0:
        backwards += expected[max(0, end - 2) : end]
        end = max(0, end - 2)
    assert [w.id for w in walked] == backwards


def test_more_than_100_ids_is_a_400(console: Org) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        console.client.organization.workspaces.list(ids=[UNKNOWN_WORKSPACE] * 101)
    check_error(info.value, 400, "invalid_request_error")


def test_ids_the_caller_cannot_list_are_dropped(console: Org) -> None:
    claims = by_name(console, "claims").id
    listed = console.client.organization.workspaces.list(ids=[claims, UNKNOWN_WORKSPACE]).data
    assert [w.id for w in listed] == [claims]


@pytest.mark.parametrize("workspace_id", ["not-an-id", "wrkspc_", "user_000000000000000000000000"])
def test_malformed_workspace_id_is_a_404(console: Org, workspace_id: str) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        console.client.organization.workspaces.retrieve(workspace_id)
    check_error(info.value, 404, "not_found_error")


def test_empty_update_changes_nothing(console: Org) -> None:
    claims = by_name(console, "claims")
    assert console.client.organization.workspaces.update(claims.id) == claims
    assert console.sent("POST", f"workspaces/{claims.id}")[0].sent_json() == {}


def test_display_colour_is_stored_as_sent(console: Org) -> None:
    created = console.client.organization.workspaces.create(name="lower", display_color="#abcdef")
    assert created.display_color == "#abcdef"


def test_omitted_colours_rotate_through_a_palette(console: Org) -> None:
    colours = [
        console.client.organization.workspaces.create(name=f"palette-{i}").display_color
        for i in range(8)
    ]
    assert all(HEX_COLOUR.match(colour) for colour in colours)
    assert len(set(colours)) == 8
