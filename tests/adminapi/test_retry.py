"""Retries: what is retried, how long we wait, and what is never resent."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from reconciler.adminapi import UnknownOutcome
from reconciler.errors import ApiError, RequestError, TransportError
from tests.adminapi.fakes import FakeClock, error, make_client

WS = {
    "type": "workspace",
    "id": "wrkspc_1",
    "name": "claims",
    "display_color": "#6C5BB9",
    "created_at": "2026-01-01T00:00:00Z",
    "archived_at": None,
    "data_residency": {
        "workspace_geo": "us",
        "allowed_inference_geos": "unrestricted",
        "default_inference_geo": "global",
    },
    "tags": {},
}


def scripted(
    *answers: httpx.Response | Exception,
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """A handler answering with each item in turn (an exception is raised)."""
    seen: list[httpx.Request] = []
    queue: Iterator[httpx.Response | Exception] = iter(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = next(queue)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


ME = httpx.Response(200, json={"id": "org", "type": "organization", "name": "Acme"})


@pytest.mark.parametrize("status", [500, 502, 503, 504, 529])
def test_server_errors_are_retried_with_growing_jittered_backoff(status: int) -> None:
    handler, seen = scripted(error(status, "api_error"), error(status, "api_error"), ME)
    clock = FakeClock()
    client = make_client(handler, clock=clock, random=lambda: 0.0)
    assert client.me().name == "Acme"
    assert len(seen) == 3
    # min(8, 0.5 × 2^n) × (0.5 + 0.5 × U): U = 0 gives the low end of the jitter.
    assert clock.sleeps == [pytest.approx(0.25), pytest.approx(0.5)]
    assert client.requests.total == 3


def test_retry_after_is_honoured_and_capped() -> None:
    handler, seen = scripted(
        error(429, "rate_limit_error", headers={"retry-after": "7"}),
        error(429, "rate_limit_error", headers={"retry-after": "3600"}),
        error(503, "api_error", headers={"retry-after-ms": "1500"}),
        ME,
    )
    clock = FakeClock()
    client = make_client(handler, clock=clock)
    client.me()
    assert len(seen) == 4
    assert clock.sleeps == [pytest.approx(7), pytest.approx(60), pytest.approx(1.5)]


def test_429_without_retry_after_backs_off() -> None:
    handler, _seen = scripted(error(429, "rate_limit_error"), ME)
    clock = FakeClock()
    make_client(handler, clock=clock, random=lambda: 1.0).me()
    assert clock.sleeps == [pytest.approx(0.5)]


def test_retries_are_bounded_and_the_last_error_surfaces() -> None:
    handler, seen = scripted(*[error(500, "api_error", "boom")] * 3)
    client = make_client(handler, max_retries=2)
    with pytest.raises(ApiError) as info:
        client.me()
    assert info.value.status == 500
    assert len(seen) == 3


def test_client_errors_are_not_retried() -> None:
    handler, seen = scripted(error(400, "invalid_request_error"), ME)
    with pytest.raises(ApiError):
        make_client(handler).get_workspace("wrkspc_1")
    assert len(seen) == 1


def test_transient_conflict_is_retried_other_conflicts_are_not() -> None:
    handler, seen = scripted(error(409, "conflict_error", code="concurrent_membership_change"), ME)
    make_client(handler).me()
    assert len(seen) == 2
    handler, seen = scripted(error(409, "conflict_error"), ME)
    with pytest.raises(ApiError):
        make_client(handler).me()
    assert len(seen) == 1


def test_connection_errors_and_timeouts_are_retried_for_reads() -> None:
    handler, seen = scripted(
        httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x"), ME
    )
    make_client(handler).me()
    assert len(seen) == 4


def test_no_answer_at_all_is_a_transport_error() -> None:
    handler, _seen = scripted(*[httpx.ReadTimeout("slow")] * 3)
    with pytest.raises(TransportError, match="after 3 attempts"):
        make_client(handler, max_retries=2).me()


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.WriteError("broken pipe"),
        error(500, "api_error"),
        error(529, "overloaded_error"),
        error(504, "timeout_error"),
        httpx.Response(200, content=b"<html>oops</html>"),
    ],
    ids=["timeout", "dropped", "write-error", "500", "529", "504", "bad-body"],
)
def test_a_create_with_an_unknown_outcome_is_never_resent(
    answer: httpx.Response | Exception,
) -> None:
    handler, seen = scripted(answer, httpx.Response(200, json=WS))
    client = make_client(handler)
    with pytest.raises(UnknownOutcome) as info:
        client.create_workspace({"name": "claims"})
    assert len(seen) == 1
    # A sibling of "answered with an error" and "no answer", never one of them.
    assert isinstance(info.value, RequestError)
    assert not isinstance(info.value, (ApiError, TransportError))
    assert "re-read" in str(info.value)
    assert info.value.path == "/workspaces"


def test_a_create_is_retried_only_when_it_certainly_did_not_run() -> None:
    handler, seen = scripted(
        httpx.ConnectError("refused"),
        error(429, "rate_limit_error", headers={"retry-after": "1"}),
        httpx.Response(200, json=WS),
    )
    assert make_client(handler).create_workspace({"name": "claims"}).id == "wrkspc_1"
    assert len(seen) == 3
    assert all(r.method == "POST" for r in seen)


def test_a_refused_create_is_a_plain_api_error() -> None:
    handler, seen = scripted(error(400, "invalid_request_error", "name too long"))
    with pytest.raises(ApiError) as info:
        make_client(handler).create_workspace({"name": "x" * 41})
    assert not isinstance(info.value, TransportError)
    assert len(seen) == 1


def test_delete_answered_404_on_a_retry_is_done() -> None:
    handler, seen = scripted(error(503, "api_error"), error(404, "not_found_error"))
    make_client(handler).delete_spend_limit("spl_1")
    assert [r.method for r in seen] == ["DELETE", "DELETE"]


def test_delete_answered_404_at_once_is_an_error() -> None:
    handler, _ = scripted(error(404, "not_found_error"))
    with pytest.raises(ApiError) as info:
        make_client(handler).delete_spend_limit("spl_1")
    assert info.value.status == 404


def test_archive_refused_on_a_retry_is_checked_with_a_get() -> None:
    archived = {**WS, "archived_at": "2026-11-01T00:00:00Z"}
    handler, seen = scripted(
        httpx.ReadTimeout("slow"),
        error(400, "invalid_request_error", "already archived"),
        httpx.Response(200, json=archived),
    )
    ws = make_client(handler).archive_workspace("wrkspc_1")
    assert ws.archived
    assert [f"{r.method} {r.url.path}" for r in seen] == [
        "POST /v1/organizations/workspaces/wrkspc_1/archive",
        "POST /v1/organizations/workspaces/wrkspc_1/archive",
        "GET /v1/organizations/workspaces/wrkspc_1",
    ]


def test_archive_refused_on_a_retry_and_not_archived_is_the_error() -> None:
    handler, _ = scripted(
        error(502, "api_error"),
        error(400, "invalid_request_error", "default workspace"),
        httpx.Response(200, json=WS),
    )
    with pytest.raises(ApiError, match="default workspace"):
        make_client(handler).archive_workspace("wrkspc_1")


def test_spend_limit_set_and_workspace_update_are_retried() -> None:
    row = {
        "type": "spend_limit",
        "id": "spl_1",
        "amount": "100",
        "currency": "USD",
        "period": "monthly",
        "scope": {"type": "organization"},
    }
    handler, seen = scripted(httpx.ReadTimeout("slow"), httpx.Response(200, json=row))
    make_client(handler).set_spend_limit({"type": "organization"}, "monthly", "100")
    assert len(seen) == 2
    handler, seen = scripted(error(500, "api_error"), httpx.Response(200, json=WS))
    make_client(handler).update_workspace("wrkspc_1", {"name": "claims"})
    assert len(seen) == 2


def test_a_spend_cap_429_is_not_a_rate_limit() -> None:
    handler, seen = scripted(error(429, "rate_limit_error", code="enforced_spend_limit_reached"))
    with pytest.raises(ApiError):
        make_client(handler).me()
    assert len(seen) == 1
