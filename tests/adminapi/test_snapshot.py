"""Snapshot reads: which strategy runs, and exactly how many requests it costs."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from reconciler.adminapi import SpendSummary
from reconciler.errors import ReconcilerError, WrongOrganization
from reconciler.live import ReadNeeds
from reconciler.live.convert import raw_parts, row_parts
from reconciler.live.organization import Expected
from reconciler.live.reader import LOOKUP_MAX, read_snapshot
from tests.adminapi.fakes import CONSOLE_KEY, ORG_ID, FakeApi, make_client

ALL_PERIODS_FILTER = None


def workspace(i: int, name: str, created: str, archived: bool = False) -> dict[str, object]:
    return {
        "type": "workspace",
        "id": f"wrkspc_{i}",
        "name": name,
        "display_color": "#000000",
        "created_at": created,
        "archived_at": "2026-05-01T00:00:00Z" if archived else None,
        "data_residency": {
            "workspace_geo": "us",
            "allowed_inference_geos": "unrestricted",
            "default_inference_geo": "global",
        },
        "tags": {},
    }


def console_api() -> FakeApi:
    api = FakeApi(kind="console")
    # Newest first, as the API lists them; a hand-made "Default" and an archived one.
    api.workspaces = [
        workspace(5, "Default", "2026-06-01T00:00:00Z"),
        workspace(4, "claims", "2026-03-01T00:00:00Z"),
        workspace(3, "Default", "2026-02-01T00:00:00Z", archived=True),
        workspace(2, "old", "2026-01-15T00:00:00Z", archived=True),
        {**workspace(1, "Default", "2025-01-01T00:00:00Z"), "_default": True},
    ]
    api.add_limit({"type": "organization"}, "5000000")
    api.add_limit({"type": "workspace", "workspace_id": "wrkspc_4"}, "200000")
    api.add_limit({"type": "usage_tier"}, "20000000")
    return api


def test_console_reads_everything_in_three_requests() -> None:
    api = console_api()
    client = make_client(api, key=CONSOLE_KEY)
    needs = ReadNeeds(kind="console", workspaces=True)
    snap = read_snapshot(client, needs, expected=Expected(org_id=ORG_ID))
    assert snap.requests_sent == api.total == 3
    assert api.calls == Counter({"GET /me": 1, "GET /workspaces": 1, "GET /spend_limits": 1})
    paths = sorted(r.url.raw_path.decode() for r in api.requests)
    assert paths == [
        "/v1/organizations/me",
        "/v1/organizations/spend_limits?limit=1000&scope_type[]=organization"
        "&scope_type[]=workspace&scope_type[]=usage_tier",
        "/v1/organizations/workspaces?limit=1000&include_archived=true&include_default=true",
    ]
    assert snap.kind == "console" and snap.org_name == "Acme" and snap.currency == "USD"
    assert snap.workspaces is not None and len(snap.workspaces) == 5
    defaults = [w.id for w in snap.workspaces if w.is_default]
    assert defaults == ["wrkspc_1"]  # the oldest active "Default"
    assert {(x.scope_type, x.scope_id) for x in snap.limits} == {
        ("organization", None),
        ("workspace", "wrkspc_4"),
        ("usage_tier", None),
    }
    assert snap.members is None and snap.groups is None and snap.effective is None


def test_only_what_is_needed_is_read() -> None:
    api = console_api()
    snap = read_snapshot(make_client(api, key=CONSOLE_KEY), ReadNeeds(kind="console", limits=False))
    assert api.calls == Counter({"GET /me": 1})
    assert snap.requests_sent == 1 and snap.workspaces is None and snap.currency is None


def test_another_organization_is_refused_after_one_request() -> None:
    api = console_api()
    with pytest.raises(ReconcilerError, match="belongs to organization") as info:
        read_snapshot(
            make_client(api, key=CONSOLE_KEY),
            ReadNeeds(kind="console", workspaces=True),
            expected=Expected(org_id="00000000-0000-0000-0000-000000000000"),
        )
    assert ORG_ID in str(info.value)
    assert api.total == 1


def test_the_refusal_is_located_at_the_policy_declaration() -> None:
    """The one check of the organization, as ``plan`` makes it: located where the policy
    declares ``organization.id``, after ``GET /me`` and before anything else is read."""
    api = console_api()
    expected = Expected(org_id="00000000-0000-4000-8000-000000000000", id_at=("p.yaml", 2, 20))
    with pytest.raises(WrongOrganization) as info:
        read_snapshot(
            make_client(api, key=CONSOLE_KEY), ReadNeeds(kind="console"), expected=expected
        )
    assert str(info.value) == (
        "p.yaml:2:20: this policy is for organization `00000000-0000-4000-8000-000000000000`, "
        f"but the API key belongs to organization `{ORG_ID}` (Acme); refusing to read or change "
        "another organization (path: organization.id) hint: use that organization's admin "
        "key, or correct organization.id"
    )
    assert api.total == 1


def test_the_wrong_org_kind_is_refused_before_any_request() -> None:
    api = console_api()
    with pytest.raises(ReconcilerError, match="enterprise organization but the API key"):
        read_snapshot(make_client(api, key=CONSOLE_KEY), ReadNeeds(kind="enterprise"))
    assert api.total == 0


def test_kind_probe_for_a_credential_without_a_known_prefix() -> None:
    api = FakeApi(kind="console")
    api.workspaces = [workspace(1, "a", "2026-01-01T00:00:00Z")]

    def handler(request):  # type: ignore[no-untyped-def]
        request.headers["x-api-key"] = CONSOLE_KEY  # the fake checks the key
        return api(request)

    client = make_client(handler, key="oauth-like-token-0123456789")
    snap = read_snapshot(client, ReadNeeds(kind="console", limits=False))
    assert snap.kind == "console"
    assert api.calls == Counter({"GET /workspaces": 1, "GET /me": 1})


# ----------------------------------------------------------------------- Enterprise


def enterprise_api(
    members: int, overrides: int = 0, org_periods: tuple[str, ...] = ("monthly",)
) -> FakeApi:
    api = FakeApi()
    users = api.add_users(members)
    for period in org_periods:
        api.add_limit({"type": "organization"}, "5000000", period)
    api.add_limit({"type": "seat_tier", "seat_tier": "enterprise_standard"}, "10000")
    for i, user in enumerate(users[:overrides]):
        api.add_limit({"type": "user", "user_id": user["id"]}, None if i == 0 else str(100 * i))
    api.spend[(users[1]["id"], "monthly")] = "12050.5"
    return api


def test_every_member_in_one_effective_pass_when_an_org_row_exists() -> None:
    api = enterprise_api(2500, overrides=30)
    needs = ReadNeeds(
        kind="enterprise", all_members=True, periods=frozenset({"monthly"}), user_overrides=True
    )
    snap = read_snapshot(make_client(api), needs)
    # /me, one non-user limits listing, ⌈2500 / 1000⌉ effective pages.
    assert api.calls == Counter(
        {"GET /me": 1, "GET /spend_limits": 1, "GET /spend_limits/effective": 3}
    )
    assert snap.requests_sent == 5
    limits_query = next(r for r in api.requests if r.url.path.endswith("/spend_limits"))
    assert limits_query.url.params.get_list("scope_type[]") == [
        "organization",
        "seat_tier",
        "rbac_group",
        "organization_service",
    ]
    effective = [r for r in api.requests if r.url.path.endswith("/effective")]
    assert all(r.url.params["limit"] == "1000" for r in effective)
    assert all(r.url.params.get_list("period[]") == ["monthly"] for r in effective)
    assert snap.members is not None and len(snap.members) == 2500
    assert snap.members["user00001@example.com"].id == "user_000001"
    overrides = [x for x in snap.limits if x.scope_type == "user"]
    assert len(overrides) == 30
    first = next(x for x in overrides if x.scope_id == "user_000001")
    assert first.amount is None and first.id is not None  # explicit no-limit, with its id
    assert snap.effective is not None
    assert snap.effective[("user_000002", "monthly")].spend == "12050.5"
    assert snap.effective[("user_000040", "monthly")].source_type == "organization"
    assert snap.currency == "USD"


def test_all_periods_in_a_single_pass() -> None:
    api = enterprise_api(1500, overrides=5, org_periods=("monthly", "daily"))
    needs = ReadNeeds(
        kind="enterprise",
        all_members=True,
        periods=frozenset({"monthly", "daily"}),
        user_overrides=True,
    )
    read_snapshot(make_client(api), needs)
    assert api.calls["GET /spend_limits/effective"] == 2  # pages are per member, not row
    effective = [r for r in api.requests if r.url.path.endswith("/effective")]
    assert effective[0].url.params.get_list("period[]") == ["daily", "monthly"]


def test_rows_without_an_email_fall_back_to_listing_members() -> None:
    api = enterprise_api(1200, overrides=3)
    api.null_emails = {"user_000007"}
    needs = ReadNeeds(
        kind="enterprise", all_members=True, periods=frozenset({"monthly"}), user_overrides=True
    )
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter(
        {"GET /me": 1, "GET /spend_limits": 1, "GET /spend_limits/effective": 2, "GET /users": 2}
    )
    assert snap.members is not None and "user00007@example.com" in snap.members
    assert len([x for x in snap.limits if x.scope_type == "user"]) == 3


def test_without_an_org_row_members_come_from_users_and_overrides_from_the_listing() -> None:
    api = enterprise_api(2100, overrides=12, org_periods=("daily",))
    needs = ReadNeeds(
        kind="enterprise", all_members=True, periods=frozenset({"monthly"}), user_overrides=True
    )
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter({"GET /me": 1, "GET /spend_limits": 2, "GET /users": 3})
    user_listing = [r for r in api.requests if r.url.params.get_list("scope_type[]") == ["user"]]
    assert len(user_listing) == 1
    assert snap.members is not None and len(snap.members) == 2100
    assert len([x for x in snap.limits if x.scope_type == "user"]) == 12
    assert snap.effective is None


def test_without_an_org_row_spend_comes_from_the_effective_report() -> None:
    api = enterprise_api(1500, overrides=12, org_periods=())
    needs = ReadNeeds(
        kind="enterprise",
        all_members=True,
        periods=frozenset({"monthly"}),
        user_overrides=True,
        spend=True,
    )
    snap = read_snapshot(make_client(api), needs)
    # Only the 12 overriding members resolve a row: one effective page.
    assert api.calls == Counter(
        {"GET /me": 1, "GET /spend_limits": 1, "GET /users": 2, "GET /spend_limits/effective": 1}
    )
    assert snap.effective is not None and len(snap.effective) == 12


def test_membership_only_uses_the_users_listing() -> None:
    api = enterprise_api(1500)
    needs = ReadNeeds(kind="enterprise", all_members=True, limits=False)
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter({"GET /me": 1, "GET /users": 2})
    assert snap.members is not None and len(snap.members) == 1500


def test_one_declared_email_is_looked_up() -> None:
    api = enterprise_api(5000, overrides=3)
    needs = ReadNeeds(
        kind="enterprise",
        emails=frozenset({"user00002@example.com"}),
        periods=frozenset({"monthly"}),
        user_overrides=True,
    )
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter(
        {"GET /me": 1, "GET /spend_limits": 1, "GET /users": 1, "GET /spend_limits/effective": 1}
    )
    lookup = next(r for r in api.requests if r.url.path.endswith("/users"))
    assert lookup.url.params["email"] == "user00002@example.com"
    batch = next(r for r in api.requests if r.url.path.endswith("/effective"))
    assert batch.url.params.get_list("user_ids[]") == ["user_000002"]
    assert batch.url.params["limit"] == "100"
    assert snap.members is not None and list(snap.members) == ["user00002@example.com"]
    assert [x.amount for x in snap.limits if x.scope_type == "user"] == ["100"]


def test_a_small_org_is_listed_in_one_page_instead_of_look_ups() -> None:
    api = enterprise_api(700, overrides=3)
    emails = frozenset(
        {"user00001@example.com", "user00002@example.com", "USER00600@example.com".lower()}
    )
    needs = ReadNeeds(
        kind="enterprise", emails=emails, periods=frozenset({"monthly"}), user_overrides=True
    )
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter(
        {"GET /me": 1, "GET /spend_limits": 1, "GET /users": 1, "GET /spend_limits/effective": 1}
    )
    assert snap.members is not None and len(snap.members) == 700


def test_a_big_org_looks_up_the_emails_the_first_page_missed() -> None:
    api = enterprise_api(3000)
    emails = frozenset(
        {
            "user00002@example.com",
            "user02500@example.com",
            "user02900@example.com",
            "nobody@example.com",
        }
    )
    needs = ReadNeeds(kind="enterprise", emails=emails, limits=False)
    snap = read_snapshot(make_client(api), needs)
    # /me + first page of /users + 3 look-ups for the ones not on it.
    assert api.calls == Counter({"GET /me": 1, "GET /users": 4})
    assert snap.members is not None
    assert set(emails) - set(snap.members) == {"nobody@example.com"}


def test_many_missing_emails_in_a_big_org_continue_the_listing() -> None:
    api = enterprise_api(3000)
    emails = frozenset(f"user{i:05d}@example.com" for i in range(2001, 2002 + LOOKUP_MAX))
    needs = ReadNeeds(kind="enterprise", emails=emails, limits=False)
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter({"GET /me": 1, "GET /users": 3})
    assert snap.members is not None and len(snap.members) == 3000  # the whole listing


def test_user_ids_batches_or_one_full_pass_whichever_is_fewer() -> None:
    api = enterprise_api(1200, overrides=5)
    # 150 of the 250 are not on the first page: too many to look up, the listing goes on.
    emails = frozenset(f"user{i:05d}@example.com" for i in range(901, 1151))
    needs = ReadNeeds(
        kind="enterprise",
        emails=emails,
        periods=frozenset({"monthly"}),
        user_overrides=True,
        limits=False,
    )
    snap = read_snapshot(make_client(api), needs)
    # 250 ids → 3 batches; every member is known (1200 → 2 pages): the full pass wins.
    assert api.calls == Counter({"GET /me": 1, "GET /users": 2, "GET /spend_limits/effective": 2})
    assert snap.effective is not None and len(snap.effective) == 250


def test_declared_members_found_on_the_first_page_use_batches() -> None:
    api = enterprise_api(1200, overrides=5)
    emails = frozenset(f"user{i:05d}@example.com" for i in range(1, 251))
    needs = ReadNeeds(
        kind="enterprise",
        emails=emails,
        periods=frozenset({"monthly"}),
        user_overrides=True,
        limits=False,
    )
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter({"GET /me": 1, "GET /users": 1, "GET /spend_limits/effective": 3})
    assert len([x for x in snap.limits if x.scope_type == "user"]) == 5


def test_emails_are_compared_case_insensitively_and_exactly() -> None:
    api = FakeApi()
    api.users = [
        {"type": "user", "id": "user_a", "email": "Ana@Example.COM", "name": "Ana"},
        {"type": "user", "id": "user_b", "email": "bob+ops@example.com", "name": "Bob"},
    ]
    needs = ReadNeeds(kind="enterprise", emails=frozenset({"ana@example.com"}), limits=False)
    snap = read_snapshot(make_client(api), needs)
    assert snap.members is not None and snap.members["ana@example.com"].id == "user_a"
    # The API's filter matches bob+ops for bob@…, but that is not the declared member.
    needs = ReadNeeds(kind="enterprise", emails=frozenset({"bob@example.com"}), limits=False)
    snap = read_snapshot(make_client(api), needs)
    assert snap.members == {}


def test_groups_and_only_the_needed_memberships() -> None:
    api = enterprise_api(10)
    api.groups = [
        {"type": "rbac_group", "id": "rbac_group_1", "name": "research"},
        {"type": "rbac_group", "id": "rbac_group_2", "name": "sales"},
        {"type": "rbac_group", "id": "rbac_group_3", "name": "research"},
    ]
    api.group_members = {"rbac_group_1": ["user_000001"], "rbac_group_3": ["user_000002"]}
    needs = ReadNeeds(kind="enterprise", groups=True, group_members=frozenset({"research"}))
    snap = read_snapshot(make_client(api), needs)
    assert api.calls == Counter(
        {
            "GET /me": 1,
            "GET /spend_limits": 1,
            "GET /rbac_groups": 1,
            "GET /rbac_groups/rbac_group_1/members": 1,
            "GET /rbac_groups/rbac_group_3/members": 1,
        }
    )
    assert snap.groups is not None
    by_id = {g.id: g for g in snap.groups}
    assert by_id["rbac_group_1"].member_ids == frozenset({"user_000001"})
    assert by_id["rbac_group_2"].member_ids is None


def _row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "scope": {"type": "user", "user_id": "user_a"},
        "actor": {
            "type": "user_actor",
            "user_id": "user_a",
            "name": "A",
            "email_address": "A@x.example",
            "deleted": False,
        },
        "amount": "1000",
        "currency": "USD",
        "period": "monthly",
        "period_to_date_spend": "12.5",
        "source": {"type": "user", "user_id": "user_a"},
        "spend_limit_id": "spl_1",
    }
    for key, value in changes.items():
        if value is _DROP:
            row.pop(key)
        else:
            row[key] = value
    return row


_DROP = object()
ROWS: list[Any] = [
    _row(),
    _row(source={"type": "organization"}, spend_limit_id="spl_org"),
    _row(source={"type": "rbac_group", "rbac_group_id": "rbac_group_1"}),
    _row(source={"type": "seat_tier", "seat_tier": "enterprise_premium"}),
    _row(source={"type": "future_scope", "zone": "b", "id": 3}),  # unknown: rendered
    _row(source={"type": "seat_tier"}),  # a known type without its field: refused
    _row(source={"type": ""}),
    _row(source="user"),
    _row(source=_DROP),
    _row(amount=None, spend_limit_id=None),
    _row(amount=2500),  # an integer amount: the same number
    _row(amount=12.5),  # refused
    _row(period=_DROP),
    _row(period=""),
    _row(period_to_date_spend=7),
    _row(period_to_date_spend=None),
    _row(currency=None),
    _row(currency=5),
    _row(spend_limit_id=9),
    _row(scope={"type": "user"}),  # the user id from the actor
    _row(scope={"type": "user"}, actor=_DROP),  # no member named: refused
    _row(scope=[]),
    _row(actor=_DROP),
    _row(actor={"user_id": "user_a"}),  # an actor without its type: refused
    _row(actor={"type": "user_actor", "user_id": "user_a", "name": None, "email_address": None}),
    _row(actor={"type": "user_actor", "name": 3, "email_address": ["x"]}),
    "not a row",
    None,
]


@pytest.mark.parametrize("raw", ROWS)
def test_the_bulk_reader_takes_and_refuses_exactly_what_the_typed_model_does(raw: Any) -> None:
    """The effective pass converts rows of the documented shape straight into the live
    model; every row must come out as ``SpendSummary.from_api`` would have it."""

    def outcome(convert: Any) -> Any:
        try:
            return convert()
        except ReconcilerError as e:
            return (type(e), str(e))

    fast = outcome(lambda: raw_parts(raw, {}))
    typed = outcome(lambda: row_parts(SpendSummary.from_api(raw), {}))
    assert fast == typed


def test_rows_of_the_documented_shape_skip_the_typed_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(data: Any) -> SpendSummary:
        raise AssertionError("took the slow path")

    documented = [*ROWS[:4], _row(amount=None, spend_limit_id=None), _row(currency=None)]
    expected = [row_parts(SpendSummary.from_api(raw), {}) for raw in documented]
    monkeypatch.setattr(SpendSummary, "from_api", refuse)
    assert [raw_parts(raw, {}) for raw in documented] == expected
