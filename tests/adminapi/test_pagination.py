"""Both cursor styles, and servers that would make a naive client loop forever."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reconciler.adminapi import id_cursor_pages, opaque_cursor_pages
from reconciler.adminapi.pagination import Query
from reconciler.errors import TransportError
from tests.adminapi.fakes import FakeApi, make_client


class Pages:
    """Answers fetches with canned bodies, recording each query."""

    def __init__(self, *bodies: dict[str, Any]) -> None:
        self.bodies = list(bodies)
        self.queries: list[Query] = []

    def __call__(self, query: Query) -> dict[str, Any]:
        self.queries.append(query)
        return self.bodies[min(len(self.queries) - 1, len(self.bodies) - 1)]


def test_id_cursor_follows_last_id_until_has_more_is_false() -> None:
    fetch = Pages(
        {"data": [{"id": "a"}, {"id": "b"}], "has_more": True, "last_id": "b"},
        {"data": [{"id": "c"}], "has_more": False, "last_id": "c"},
    )
    pages = list(id_cursor_pages(fetch, [("limit", 2)], what="things"))
    assert [[x["id"] for x in p.items] for p in pages] == [["a", "b"], ["c"]]
    assert [p.more for p in pages] == [True, False]
    assert fetch.queries == [[("limit", 2)], [("limit", 2), ("after_id", "b")]]


def test_id_cursor_on_real_users_listing() -> None:
    api = FakeApi()
    api.add_users(2500)
    client = make_client(api)
    assert len(list(client.list_users())) == 2500
    assert api.calls["GET /users"] == 3


@pytest.mark.parametrize(
    ("bodies", "match"),
    [
        ([{"data": [{"id": "a"}], "has_more": True, "last_id": "a"}], "came back twice"),
        ([{"data": [{"id": "a"}], "has_more": True, "last_id": None}], "has no last_id"),
        ([{"data": [], "has_more": True, "last_id": "a"}], "is empty"),
        ([{"data": [{"id": "a"}], "last_id": "a"}], "has_more"),
        ([{"items": []}], "no 'data' list"),
    ],
    ids=["repeat", "no-last-id", "empty", "no-has-more", "no-data"],
)
def test_id_cursor_refuses_to_loop(bodies: list[dict[str, Any]], match: str) -> None:
    with pytest.raises(TransportError, match=match):
        list(id_cursor_pages(Pages(*bodies), [], what="things"))


def test_id_cursor_cycle_longer_than_one_is_caught() -> None:
    fetch = Pages(
        {"data": [{"id": "a"}], "has_more": True, "last_id": "a"},
        {"data": [{"id": "b"}], "has_more": True, "last_id": "b"},
        {"data": [{"id": "a"}], "has_more": True, "last_id": "a"},
    )
    with pytest.raises(TransportError, match="twice"):
        list(id_cursor_pages(fetch, [], what="things"))
    assert len(fetch.queries) == 3


def test_opaque_cursor_repeats_every_param_and_changes_only_page() -> None:
    fetch = Pages(
        {"data": [1], "next_page": "p2"},
        {"data": [2], "next_page": "p3"},
        {"data": [3], "next_page": None},
    )
    params: Query = [("limit", 1000), ("period[]", ["monthly", "daily"]), ("user_ids[]", ["u"])]
    pages = list(opaque_cursor_pages(fetch, params, what="rows"))
    assert [p.items for p in pages] == [[1], [2], [3]]
    assert fetch.queries == [params, [*params, ("page", "p2")], [*params, ("page", "p3")]]


def test_opaque_cursor_through_a_server_that_binds_cursors_to_filters() -> None:
    api = FakeApi()
    api.add_users(2345)
    api.add_limit({"type": "organization"}, "100", "monthly")
    api.add_limit({"type": "organization"}, "10", "daily")
    client = make_client(api)
    rows = list(client.effective_limits(periods=["daily", "monthly"]))
    # Pages are per member: 1000 members (2000 rows) a page.
    assert len(rows) == 2 * 2345
    assert api.calls["GET /spend_limits/effective"] == 3


@pytest.mark.parametrize(
    ("bodies", "match"),
    [
        ([{"data": [1], "next_page": "same"}], "came back twice"),
        ([{"data": [1], "next_page": 7}], "not a string"),
    ],
)
def test_opaque_cursor_refuses_to_loop(bodies: list[dict[str, Any]], match: str) -> None:
    with pytest.raises(TransportError, match=match):
        list(opaque_cursor_pages(Pages(*bodies), [], what="rows"))


def test_opaque_cursor_tolerates_a_few_empty_pages_but_not_an_endless_run() -> None:
    counter = iter(range(1_000_000))

    def endless_empty(query: Query) -> dict[str, Any]:
        return {"data": [], "next_page": f"c{next(counter)}"}

    with pytest.raises(TransportError, match="empty pages in a row"):
        list(opaque_cursor_pages(endless_empty, [], what="rows"))
    fetch = Pages(
        {"data": [], "next_page": "a"},
        {"data": [], "next_page": "b"},
        {"data": [9], "next_page": None},
    )
    assert [p.items for p in opaque_cursor_pages(fetch, [], what="rows")] == [[], [], [9]]


def test_more_pages_than_possible_is_an_error() -> None:
    counter = iter(range(1_000_000))

    def endless(query: Query) -> dict[str, Any]:
        n = next(counter)
        return {"data": [{"id": n}], "has_more": True, "last_id": f"id{n}"}

    with pytest.raises(TransportError, match="did not end after 50 pages"):
        list(id_cursor_pages(endless, [], what="things", max_pages=50))


def test_effective_batch_with_more_pages_than_members_allow_is_an_error() -> None:
    counter = iter(range(1_000_000))
    row = {
        "scope": {"type": "user", "user_id": "user_1"},
        "amount": "1",
        "currency": "USD",
        "period": "monthly",
        "period_to_date_spend": "0",
        "source": {"type": "organization"},
        "spend_limit_id": "spl_1",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        n = next(counter)  # a new member each page: only the page count can stop it
        item = {**row, "scope": {"type": "user", "user_id": f"user_{n}"}}
        return httpx.Response(200, json={"data": [item], "next_page": f"c{n}"})

    client = make_client(handler)
    with pytest.raises(TransportError, match="did not end after 2 pages"):
        list(client.effective_limits(user_ids=["user_1"]))


def test_pages_stream_lazily() -> None:
    api = FakeApi()
    api.add_users(3000)
    client = make_client(api)
    users = client.list_users()
    assert api.total == 0  # nothing is read before iteration starts
    next(users)
    assert api.total == 1


def test_the_same_page_under_a_new_cursor_is_caught() -> None:
    counter = iter(range(1_000_000))

    def same_rows(query: Query) -> dict[str, Any]:
        return {"data": [{"user": "a"}, {"user": "b"}], "next_page": f"c{next(counter)}"}

    def same_users(query: Query) -> dict[str, Any]:
        n = next(counter)
        return {"data": [{"id": "a"}], "has_more": True, "last_id": f"fresh{n}"}

    for pages, fetch in ((opaque_cursor_pages, same_rows), (id_cursor_pages, same_users)):
        with pytest.raises(TransportError, match="same page again"):
            list(pages(fetch, [], what="rows"))
