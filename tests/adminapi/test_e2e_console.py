"""Every client method a Console org allows, against the real emulator process."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from reconciler.adminapi import CONSOLE_LIMIT_SCOPES, AdminClient, UnknownOutcome
from reconciler.errors import ApiError
from reconciler.live import ReadNeeds
from reconciler.live.organization import Expected
from reconciler.live.reader import read_snapshot
from tests.adminapi.conftest import FAST, emulator_routes
from tests.conftest import SEEDS
from tests.support.emulator import Emulator, running_emulator
from tests.support.orgs import CONSOLE_KEY, CONSOLE_ORG

ORG_ID = CONSOLE_ORG
Connect = Callable[..., AdminClient]


def test_reads(console_emulator: Emulator, connect: Connect) -> None:
    client = connect(console_emulator, CONSOLE_KEY)
    org = client.me()
    assert (org.id, org.name) == (ORG_ID, "Acme Health")

    everything = list(client.list_workspaces())
    names = [w.name for w in everything]
    assert "Default" in names and "retired-pilot" in names
    active_listed = list(client.list_workspaces(include_archived=False, include_default=False))
    assert {w.name for w in active_listed} == set(names) - {"Default", "retired-pilot"}
    claims = next(w for w in everything if w.name == "claims-processing")
    again = client.get_workspace(claims.id)
    assert again == claims
    assert claims.data_residency["allowed_inference_geos"] == "unrestricted"
    assert claims.tags == {"team": "claims", "regulated": "true"}

    rows = list(client.list_spend_limits(CONSOLE_LIMIT_SCOPES))
    assert sorted(r.scope.type for r in rows) == [
        "organization",
        "usage_tier",
        "workspace",
        "workspace",
    ]
    assert {r.currency for r in rows} == {"USD"}
    org_row = next(r for r in rows if r.scope.type == "organization")
    assert org_row in list(client.list_spend_limits(["organization"]))
    assert [r.id for r in client.list_spend_limits(workspace_id=claims.id)] == [
        r.id for r in rows if r.scope.target == claims.id
    ]

    assert len(list(client.list_users())) == 4
    (dev,) = client.list_users(email="DEV1@acme-health.example")
    assert dev.email == "dev1@acme-health.example" and dev.role == "developer"

    stats = console_emulator.stats()
    assert stats["requests_total"] == client.requests.total == 9
    assert emulator_routes(stats) == client.requests.by_route
    assert stats["by_status"] == {"200": 9}


def test_writes(console_emulator: Emulator, connect: Connect) -> None:
    client = connect(console_emulator, CONSOLE_KEY)
    created = client.create_workspace(
        {
            "name": "e2e-new",
            "data_residency": {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
            "tags": {"team": "e2e"},
        }
    )
    assert created.id.startswith("wrkspc_") and created.data_residency["workspace_geo"] == "us"
    updated = client.update_workspace(created.id, {"tags": {"team": None, "owner": "qa"}})
    assert updated.tags == {"owner": "qa"}

    scope = {"type": "workspace", "workspace_id": created.id}
    row = client.set_spend_limit(scope, "monthly", "1000")
    again = client.set_spend_limit(scope, "monthly", "2000")
    assert again.id == row.id and again.amount == "2000"  # an upsert
    client.delete_spend_limit(row.id)
    assert row.id not in {r.id for r in client.list_spend_limits(["workspace"])}

    archived = client.archive_workspace(created.id)
    assert archived.archived
    with pytest.raises(ApiError) as info:  # a first attempt refused is not "done"
        client.archive_workspace(created.id)
    assert info.value.status == 400
    assert console_emulator.stats()["requests_total"] == client.requests.total == 8


def test_errors_carry_status_type_code_and_request_id(
    console_emulator: Emulator, connect: Connect
) -> None:
    client = connect(console_emulator, CONSOLE_KEY)
    with pytest.raises(ApiError) as info:
        list(client.effective_limits())
    e = info.value
    assert (e.status, e.error_type, e.error_code) == (
        400,
        "invalid_request_error",
        "organization_type_not_supported",
    )
    assert e.request_id and e.request_id.startswith("req_")
    with pytest.raises(ApiError) as info:
        client.get_workspace("wrkspc_doesnotexist000000000000")
    assert info.value.status == 404 and info.value.error_type == "not_found_error"
    with pytest.raises(ApiError) as info:
        list(client.list_rbac_groups())
    assert info.value.error_code == "organization_type_not_supported"


def test_a_wrong_key_is_an_authentication_error(
    console_emulator: Emulator, connect: Connect
) -> None:
    client = connect(console_emulator, "sk-ant-admin01-not-a-seeded-key-000000000")
    with pytest.raises(ApiError) as info:
        client.me()
    assert (info.value.status, info.value.error_type) == (401, "authentication_error")
    assert "not-a-seeded-key" not in str(info.value)


def test_snapshot_in_three_requests(console_emulator: Emulator, connect: Connect) -> None:
    client = connect(console_emulator, CONSOLE_KEY)
    needs = ReadNeeds(kind="console", workspaces=True, limits=True)
    snap = read_snapshot(client, needs, expected=Expected(org_id=ORG_ID))
    stats = console_emulator.stats()
    assert stats["requests_total"] == snap.requests_sent == 3
    assert emulator_routes(stats) == {
        "GET /me": 1,
        "GET /workspaces": 1,
        "GET /spend_limits": 1,
    }
    assert snap.currency == "USD" and snap.org_name == "Acme Health"
    assert snap.workspaces is not None
    (default,) = [w for w in snap.workspaces if w.is_default]
    # The rule that cost no request agrees with the emulator's own notion of the default.
    hidden = {w.id for w in snap.workspaces} - {
        w.id for w in client.list_workspaces(include_archived=True, include_default=False)
    }
    assert hidden == {default.id}
    assert {(x.scope_type, x.amount) for x in snap.limits} >= {
        ("organization", "5000000"),
        ("usage_tier", "20000000"),
    }


def test_snapshot_refuses_another_organization(
    console_emulator: Emulator, connect: Connect
) -> None:
    client = connect(console_emulator, CONSOLE_KEY)
    with pytest.raises(Exception, match="belongs to organization"):
        read_snapshot(
            client,
            ReadNeeds(kind="console", workspaces=True),
            expected=Expected(org_id="5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10"),
        )
    assert console_emulator.stats()["requests_total"] == 1


def test_a_create_whose_answer_is_lost_is_not_sent_twice(http: httpx.Client) -> None:
    """``--fault-after-write-rate 1``: the workspace is created, the answer is lost.  The
    client says the outcome is unknown and does not resend; one workspace exists."""
    with running_emulator(SEEDS / "console.yaml", *FAST, "--fault-after-write-rate", "1") as emu:
        client = AdminClient(http, CONSOLE_KEY, base_url=emu.url, admin_rpm=6000)
        with pytest.raises(UnknownOutcome):
            client.create_workspace({"name": "lost-answer"})
        assert emu.stats()["by_route"]["POST /v1/organizations/workspaces"] == 1
        named = [w for w in client.list_workspaces() if w.name == "lost-answer"]
        assert len(named) == 1
