"""Injected faults (SPEC §8) surface as the SDK's own exceptions, with well-formed bodies.

``--fault-rate 1``: every ``/v1`` request fails before it is handled — a 500
``api_error``, a 529 ``overloaded_error``, a 429 with ``retry-after`` or a dropped
connection.  ``--fault-after-write-rate 1``: every write is carried out and its response
lost, which is how an SDK retry duplicates a workspace (admin-api.md §13).
"""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import pytest

from tests.conformance.conftest import CONSOLE_KEY, CONSOLE_ORG_ID, CONSOLE_SEED
from tests.conformance.harness import Org, check_error, org_session
from tests.support.emulator import running_emulator

EXPECTED = {
    500: (anthropic.InternalServerError, "api_error"),
    529: (anthropic.OverloadedError, "overloaded_error"),
    429: (anthropic.RateLimitError, "rate_limit_error"),
}


@pytest.fixture(scope="module")
def faulty_org() -> Iterator[Org]:
    args = ("--fault-rate", "1", "--fault-seed", "11", "--rate-scale", "100")
    with running_emulator(CONSOLE_SEED, *args) as server:
        yield Org(server, "console", CONSOLE_ORG_ID, CONSOLE_KEY, injected_faults=True)


@pytest.fixture(scope="module")
def lossy_org() -> Iterator[Org]:
    args = ("--fault-after-write-rate", "1", "--fault-seed", "5", "--rate-scale", "100")
    with running_emulator(CONSOLE_SEED, *args) as server:
        yield Org(server, "console", CONSOLE_ORG_ID, CONSOLE_KEY)


@pytest.fixture
def faulty(faulty_org: Org) -> Iterator[Org]:
    yield from org_session(faulty_org)


@pytest.fixture
def lossy(lossy_org: Org) -> Iterator[Org]:
    yield from org_session(lossy_org)


def test_every_fault_is_the_matching_sdk_exception(faulty: Org) -> None:
    attempts = 24
    seen: dict[str, int] = {}
    for _ in range(attempts):
        try:
            faulty.client.organization.retrieve()
        except anthropic.APIStatusError as exc:
            exc_type, error_type = EXPECTED[exc.status_code]
            assert isinstance(exc, exc_type)
            check_error(exc, exc.status_code, error_type)
            seen[str(exc.status_code)] = seen.get(str(exc.status_code), 0) + 1
        except anthropic.APIConnectionError:
            seen["drop"] = seen.get("drop", 0) + 1
        else:
            raise AssertionError("a request succeeded with --fault-rate 1")
    assert set(seen) == {"500", "529", "429", "drop"}, seen
    stats = faulty.stats()
    assert stats["requests_total"] == attempts
    for status in ("500", "529", "429"):
        assert stats["by_status"].get(status) == seen[status]


def test_lost_write_response_still_writes(lossy: Org) -> None:
    with pytest.raises(anthropic.APIConnectionError):
        lossy.client.organization.workspaces.create(name="lost-reply")
    names = [w.name for w in lossy.client.organization.workspaces.list(limit=1000).data]
    assert names.count("lost-reply") == 1


def test_sdk_retry_of_a_lost_create_duplicates_the_workspace(lossy: Org) -> None:
    retrying = lossy.sdk(max_retries=1)
    with pytest.raises(anthropic.APIConnectionError):
        retrying.organization.workspaces.create(name="twice")
    names = [w.name for w in lossy.client.organization.workspaces.list(limit=1000).data]
    assert names.count("twice") == 2
    assert lossy.route_count("POST /v1/organizations/workspaces") == 2
