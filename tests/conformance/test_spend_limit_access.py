"""Organizations whose Admin API spend-limit access is off (admin-api.md §3, decision 33).

Retrieve, set and delete answer 403 ``spend_limits_admin_api_writes_not_enabled`` for both
kinds; a Console organization's list answers 400 ``organization_type_not_supported``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import pytest
from anthropic.types.beta.organization import BetaSpendLimitsAdminAPIWritesNotEnabledError

from tests.conformance.conftest import SEEDS
from tests.conformance.harness import Org, check_error, org_session
from tests.support.emulator import running_emulator

LOCKED = {
    "console": ("console-locked.yaml", "3b1f8e2d-6c4a-4f7e-9d0b-5a6c7e8f9a01", "sk-ant-admin01-"),
    "enterprise": (
        "enterprise-locked.yaml",
        "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4",
        "sk-ant-api01-",
    ),
}
SOME_LIMIT = "spl_000000000000000000000000"


def _session(kind: str) -> Iterator[Org]:
    seed, org_id, prefix = LOCKED[kind]
    with running_emulator(SEEDS / seed, "--rate-scale", "100") as server:
        yield Org(server, kind, org_id, f"{prefix}conformance-locked-key")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def console_locked_org() -> Iterator[Org]:
    yield from _session("console")


@pytest.fixture(scope="module")
def enterprise_locked_org() -> Iterator[Org]:
    yield from _session("enterprise")


@pytest.fixture
def locked_console(console_locked_org: Org) -> Iterator[Org]:
    yield from org_session(console_locked_org)


@pytest.fixture
def locked_enterprise(enterprise_locked_org: Org) -> Iterator[Org]:
    yield from org_session(enterprise_locked_org)


@pytest.fixture(params=["locked_console", "locked_enterprise"])
def locked(request: pytest.FixtureRequest) -> Org:
    org: Org = request.getfixturevalue(request.param)
    return org


def a_user(org: Org) -> str:
    return org.client.organization.users.list().data[-1].id


def scope_of(org: Org) -> Any:
    if org.kind == "enterprise":
        return {"type": "user", "user_id": a_user(org)}
    return {"type": "organization"}


GATED: dict[str, Callable[[Org], object]] = {
    "retrieve": lambda o: o.client.beta.organization.spend_limits.retrieve(SOME_LIMIT),
    "set": lambda o: o.client.beta.organization.spend_limits.set(amount="100", scope=scope_of(o)),
    "delete": lambda o: o.client.beta.organization.spend_limits.delete(SOME_LIMIT),
}


@pytest.mark.parametrize("operation", list(GATED))
def test_retrieve_set_and_delete_are_refused(locked: Org, operation: str) -> None:
    with pytest.raises(anthropic.PermissionDeniedError) as info:
        GATED[operation](locked)
    assert isinstance(info.value, BetaSpendLimitsAdminAPIWritesNotEnabledError)
    check_error(info.value, 403, "permission_error", "spend_limits_admin_api_writes_not_enabled")


def test_console_list_is_refused_as_unsupported(locked_console: Org) -> None:
    with pytest.raises(anthropic.OrganizationTypeNotSupportedError) as info:
        locked_console.client.beta.organization.spend_limits.list()
    check_error(info.value, 400, "invalid_request_error", "organization_type_not_supported")


def test_enterprise_reads_still_work(locked_enterprise: Org) -> None:
    client = locked_enterprise.client
    rows = list(client.beta.organization.spend_limits.list(limit=1))
    assert {row.scope.type for row in rows} == {"organization", "user"}
    assert list(client.organization.spend_limits.effective.list())
    assert list(client.organization.spend_limits.increase_requests.list())


def test_everything_else_is_unaffected(locked: Org) -> None:
    assert locked.client.organization.retrieve().id == locked.org_id
    assert locked.client.organization.users.list().data
