"""The shipped example organizations, read end to end through the SDK.

Every read endpoint each kind may call, walked with a small page size and compared with
a single big page (same items, same order, each once), every object retrieved by id, and
— through the recorder — every response validated against the SDK's models.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conformance.harness import Org, org_session
from tests.support.emulator import running_emulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "seeds"
KEYS = {
    "console": "sk-ant-admin01-demo-console-key",
    "enterprise": "sk-ant-api01-demo-enterprise-key",
}


def _serve(name: str) -> Iterator[Org]:
    seed = EXAMPLES / name
    org: dict[str, Any] = yaml.safe_load(seed.read_text("utf-8"))["organization"]
    with running_emulator(seed, "--rate-scale", "100") as server:
        yield Org(server, org["kind"], org["id"], KEYS[org["kind"]])


@pytest.fixture(scope="module")
def console_example_org() -> Iterator[Org]:
    yield from _serve("console.yaml")


@pytest.fixture(scope="module")
def console100_example_org() -> Iterator[Org]:
    yield from _serve("console-100.yaml")


@pytest.fixture(scope="module")
def enterprise_example_org() -> Iterator[Org]:
    yield from _serve("enterprise.yaml")


@pytest.fixture(params=["console", "console100"])
def console_example(request: pytest.FixtureRequest) -> Iterator[Org]:
    yield from org_session(request.getfixturevalue(f"{request.param}_example_org"))


@pytest.fixture
def enterprise_example(enterprise_example_org: Org) -> Iterator[Org]:
    yield from org_session(enterprise_example_org)


@pytest.fixture(params=["console", "console100", "enterprise"])
def example(request: pytest.FixtureRequest) -> Iterator[Org]:
    yield from org_session(request.getfixturevalue(f"{request.param}_example_org"))


def same_walk(big: Any, small: Any) -> list[Any]:
    whole = list(big)
    walked = list(small)
    assert [item.model_dump() for item in walked] == [item.model_dump() for item in whole]
    return whole


def test_organization(example: Org) -> None:
    assert example.client.organization.retrieve().id == example.org_id
    assert example.client.beta.organization.retrieve().id == example.org_id


def test_users(example: Org) -> None:
    users = example.client.organization.users
    everyone = same_walk(users.list(limit=1000), users.list(limit=3))
    assert everyone
    assert len({u.id for u in everyone}) == len(everyone)
    for user in everyone:
        assert users.retrieve(user.id) == user
    same_walk(example.client.beta.organization.users.list(limit=1000), users.list(limit=2))


def test_spend_limits(example: Org) -> None:
    limits = example.client.beta.organization.spend_limits
    rows = same_walk(limits.list(limit=1000), limits.list(limit=3))
    assert rows
    for row in rows:
        assert limits.retrieve(row.id) == row


def test_console_workspaces(console_example: Org) -> None:
    workspaces = console_example.client.organization.workspaces
    every = same_walk(
        workspaces.list(limit=1000, include_archived=True, include_default=True),
        workspaces.list(limit=7, include_archived=True, include_default=True),
    )
    assert every[-1].name == "Default"
    for workspace in every:
        assert workspaces.retrieve(workspace.id) == workspace


def test_enterprise_groups_report_and_requests(enterprise_example: Org) -> None:
    organization = enterprise_example.client.organization
    rbac = organization.rbac_groups
    groups = same_walk(rbac.list(limit=1000), rbac.list(limit=2))
    for group in groups:
        assert organization.rbac_groups.retrieve(group.id) == group
        same_walk(
            organization.rbac_groups.members.list(group.id, limit=1000),
            organization.rbac_groups.members.list(group.id, limit=2),
        )
    effective = organization.spend_limits.effective
    assert same_walk(effective.list(limit=1000), effective.list(limit=2))
    requests = organization.spend_limits.increase_requests
    for request in same_walk(requests.list(limit=1000), requests.list(limit=2)):
        assert requests.retrieve(request.id) == request
