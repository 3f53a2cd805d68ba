"""Every client method an Enterprise org allows, and snapshot reads with the exact
number of requests the emulator counted."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from reconciler.adminapi import ENTERPRISE_LIMIT_SCOPES, AdminClient
from reconciler.errors import ApiError
from reconciler.live import ReadNeeds
from reconciler.live.organization import Expected
from reconciler.live.reader import read_snapshot
from tests.adminapi.conftest import FAST, emulator_routes
from tests.conftest import SEEDS
from tests.support.emulator import Emulator, running_emulator
from tests.support.orgs import ENTERPRISE_KEY, ENTERPRISE_ORG

ORG_ID = ENTERPRISE_ORG
Connect = Callable[..., AdminClient]
MONTHLY = frozenset({"monthly"})


def test_reads(enterprise_emulator: Emulator, connect: Connect) -> None:
    client = connect(enterprise_emulator, ENTERPRISE_KEY)
    assert client.me().id == ORG_ID
    users = {u.email: u for u in client.list_users()}
    assert len(users) == 12 and users["grace@globex.example"].role == "owner"

    rows = list(client.effective_limits())
    assert {r.period for r in rows} == {"monthly", "daily"}
    alice = next(r for r in rows if r.user_id == users["alice@globex.example"].id)
    assert alice.is_override and alice.amount is None and alice.period_to_date_spend == "12050.5"
    assert alice.email == "alice@globex.example"
    carol_id = users["carol@globex.example"].id
    picked = list(client.effective_limits(periods=["daily"], user_ids=[carol_id]))
    assert [(r.user_id, r.period, r.amount) for r in picked] == [(carol_id, "daily", "6000")]

    configured = list(client.list_spend_limits(ENTERPRISE_LIMIT_SCOPES))
    assert [r.scope.type for r in configured] == [
        "organization",
        "seat_tier",
        "seat_tier",
        "rbac_group",
    ]
    overrides = list(client.list_spend_limits(["user"]))
    assert len(overrides) == 4

    groups = {g.name: g for g in client.list_rbac_groups()}
    assert set(groups) == {"research", "platform"}
    members = {m.user_id for m in client.list_group_members(groups["research"].id)}
    assert members == {
        users[e].id for e in ("alice@globex.example", "dan@globex.example", "erin@globex.example")
    }
    stats = enterprise_emulator.stats()
    assert stats["requests_total"] == client.requests.total == 8
    assert emulator_routes(stats) == client.requests.by_route


def test_user_override_writes(enterprise_emulator: Emulator, connect: Connect) -> None:
    client = connect(enterprise_emulator, ENTERPRISE_KEY)
    (dan,) = client.list_users(email="dan@globex.example")
    scope = {"type": "user", "user_id": dan.id}
    row = client.set_spend_limit(scope, "weekly", None)
    assert row.amount is None and row.period == "weekly" and row.scope.target == dan.id
    row2 = client.set_spend_limit(scope, "weekly", "2500")
    assert row2.id == row.id and row2.amount == "2500"
    client.delete_spend_limit(row.id)
    with pytest.raises(ApiError) as info:  # 404 on a *first* attempt is an error
        client.delete_spend_limit(row.id)
    assert info.value.status == 404
    with pytest.raises(ApiError) as info:
        client.set_spend_limit({"type": "organization"}, "monthly", "1")
    assert info.value.status == 400  # verify-only for Enterprise
    assert enterprise_emulator.stats()["requests_total"] == client.requests.total == 6


def test_snapshot_every_member_in_one_effective_pass(
    enterprise_emulator: Emulator, connect: Connect
) -> None:
    client = connect(enterprise_emulator, ENTERPRISE_KEY)
    needs = ReadNeeds(
        kind="enterprise", all_members=True, periods=MONTHLY, user_overrides=True, spend=True
    )
    snap = read_snapshot(client, needs, expected=Expected(org_id=ORG_ID))
    stats = enterprise_emulator.stats()
    assert stats["requests_total"] == snap.requests_sent == 3
    assert emulator_routes(stats) == {
        "GET /me": 1,
        "GET /spend_limits": 1,
        "GET /spend_limits/effective": 1,
    }
    assert snap.members is not None and len(snap.members) == 12
    overrides = {
        (snap.member_by_id()[x.scope_id or ""].email, x.amount)
        for x in snap.limits
        if x.scope_type == "user"
    }
    assert overrides == {
        ("alice@globex.example", None),
        ("bob@globex.example", "75000"),
        ("ivan@contractors.globex.example", "20000"),
    }
    assert snap.currency == "USD"
    assert snap.effective is not None
    bob = snap.members["bob@globex.example"].id
    assert snap.effective[(bob, "monthly")].spend == "61000"


def test_snapshot_for_declared_members(enterprise_emulator: Emulator, connect: Connect) -> None:
    client = connect(enterprise_emulator, ENTERPRISE_KEY)
    needs = ReadNeeds(
        kind="enterprise",
        emails=frozenset({"alice@globex.example", "carol@globex.example"}),
        periods=frozenset({"monthly", "daily"}),
        user_overrides=True,
        spend=True,
    )
    snap = read_snapshot(client, needs)
    stats = enterprise_emulator.stats()
    # /me, limits, one page of /users (the org fits), one user_ids[] batch.
    assert stats["requests_total"] == snap.requests_sent == 4
    assert emulator_routes(stats)["GET /users"] == 1
    carol = snap.members["carol@globex.example"].id if snap.members else ""
    assert any(x.scope_id == carol and x.period == "daily" for x in snap.limits)

    client = connect(enterprise_emulator, ENTERPRISE_KEY)
    needs = ReadNeeds(
        kind="enterprise",
        emails=frozenset({"IVAN@contractors.globex.example".lower()}),
        periods=MONTHLY,
        user_overrides=True,
    )
    snap = read_snapshot(client, needs)
    assert enterprise_emulator.stats()["requests_total"] == snap.requests_sent == 4
    assert [x.amount for x in snap.limits if x.scope_type == "user"] == ["20000"]


def test_snapshot_with_groups(enterprise_emulator: Emulator, connect: Connect) -> None:
    client = connect(enterprise_emulator, ENTERPRISE_KEY)
    needs = ReadNeeds(kind="enterprise", groups=True, group_members=frozenset({"platform"}))
    snap = read_snapshot(client, needs)
    stats = enterprise_emulator.stats()
    assert stats["requests_total"] == snap.requests_sent == 4
    assert snap.groups is not None
    platform = next(g for g in snap.groups if g.name == "platform")
    research = next(g for g in snap.groups if g.name == "research")
    assert platform.member_ids is not None and len(platform.member_ids) == 2
    assert research.member_ids is None


def test_snapshot_of_50000_members_in_52_requests() -> None:
    """SPEC §9: /me, one configured-limits listing, 50 effective pages of 1000."""
    with (
        running_emulator(SEEDS / "enterprise-50k.yaml", *FAST) as emu,
        httpx.Client(timeout=60, trust_env=False) as http,
    ):
        client = AdminClient(http, ENTERPRISE_KEY, base_url=emu.url, admin_rpm=6000, spend_rpm=3600)
        needs = ReadNeeds(
            kind="enterprise", all_members=True, periods=MONTHLY, user_overrides=True, spend=True
        )
        snap = read_snapshot(client, needs, expected=Expected(org_id=ORG_ID))
        stats = emu.stats()
        assert stats["requests_total"] == snap.requests_sent == 52
        assert emulator_routes(stats)["GET /spend_limits/effective"] == 50
        assert snap.members is not None and len(snap.members) == 50_000
        assert len([x for x in snap.limits if x.scope_type == "user"]) == 50_000
