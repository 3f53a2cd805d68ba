"""``GET /v1/organizations/me`` and the protocol every endpoint shares (headers, auth forms)."""

from __future__ import annotations

import anthropic
import pytest
from anthropic.types.beta.beta_organization import BetaOrganization
from anthropic.types.organization_info import OrganizationInfo

from tests.conformance import seed_data
from tests.conformance.conftest import (
    CONSOLE_KEY,
    ENTERPRISE_KEY,
    MEMBERS_ONLY_KEY,
    WRITES_ONLY_KEY,
)
from tests.conformance.harness import Org, check_error
from tests.conformance.shapes import as_dict, validate


def test_me_typed_and_exact(org: Org) -> None:
    response = org.client.organization.with_raw_response.retrieve()
    info = response.parse()
    assert isinstance(info, OrganizationInfo)
    checked = validate(OrganizationInfo, response.json())
    assert info == checked
    assert info.id == org.org_id
    assert info.name == seed_data.load(org.kind)["organization"]["name"]
    assert info.type == "organization"
    # Neither the org type nor the currency is exposed (admin-api.md §2.1, §6).
    assert set(as_dict(response.json())) == {"id", "type", "name"}
    assert info._request_id == response.headers["request-id"]
    assert response.headers["anthropic-organization-id"] == org.org_id


def test_me_through_the_beta_surface(org: Org) -> None:
    response = org.client.beta.organization.with_raw_response.retrieve()
    info = response.parse()
    assert isinstance(info, BetaOrganization)
    assert info == validate(BetaOrganization, response.json())
    assert info.id == org.org_id


@pytest.mark.parametrize("key", [MEMBERS_ONLY_KEY, WRITES_ONLY_KEY])
def test_me_needs_no_scope(enterprise: Org, key: str) -> None:
    info = enterprise.sdk(key).organization.retrieve()
    assert info.id == enterprise.org_id


def test_sdk_sends_bearer_auth_and_its_own_version(org: Org) -> None:
    org.client.organization.retrieve()
    sent = org.sent("GET", "me")[-1].request_headers
    assert sent["authorization"] == f"Bearer {org.key}"
    assert "x-api-key" not in sent
    assert sent["anthropic-version"] == "2026-10-21"


@pytest.mark.parametrize(
    ("kind", "key", "bogus"),
    [
        ("console", CONSOLE_KEY, "sk-ant-admin01-not-a-key"),
        ("enterprise", ENTERPRISE_KEY, "sk-ant-api01-not-a-key"),
    ],
)
def test_x_api_key_wins_over_bearer_and_2023_version_is_accepted(
    request: pytest.FixtureRequest, kind: str, key: str, bogus: str
) -> None:
    org: Org = request.getfixturevalue(kind)
    client = org.sdk(bogus, default_headers={"x-api-key": key, "anthropic-version": "2023-06-01"})
    assert client.organization.retrieve().id == org.org_id


def test_unknown_anthropic_version_is_a_400(org: Org) -> None:
    client = org.sdk(default_headers={"anthropic-version": "2099-01-01"})
    with pytest.raises(anthropic.BadRequestError) as info:
        client.organization.retrieve()
    check_error(info.value, 400, "invalid_request_error")


def test_unknown_beta_value_is_a_400_with_the_documented_message(org: Org) -> None:
    client = org.sdk(default_headers={"anthropic-beta": "no-such-beta-2020-01-01"})
    with pytest.raises(anthropic.BadRequestError) as info:
        client.organization.retrieve()
    body = check_error(info.value, 400, "invalid_request_error")
    assert body["error"]["message"] == (
        "Unexpected value(s) `no-such-beta-2020-01-01` for the `anthropic-beta` header. "
        "Please consult our documentation at platform.claude.com/docs or try again "
        "without the header."
    )


def test_known_beta_values_are_accepted_anywhere(org: Org) -> None:
    client = org.sdk(
        default_headers={
            "anthropic-beta": "spend-limit-reads-2026-09-26,admin-user-sign-out-2026-10-08"
        }
    )
    assert client.organization.retrieve().id == org.org_id
    assert client.organization.users.list(limit=1).data


def test_unknown_query_parameters_are_ignored(org: Org) -> None:
    info = org.client.organization.retrieve(extra_query={"beta": "true", "colour": "blue"})
    assert info.id == org.org_id
    assert org.client.organization.users.list(extra_query={"beta": "true"}).data


def test_every_request_is_counted_once(org: Org) -> None:
    org.client.organization.retrieve()
    list(org.client.organization.users.list(limit=3))
    with pytest.raises(anthropic.NotFoundError):
        org.client.organization.users.retrieve("user_000000000000000000000000")
    stats = org.stats()
    sent = len(org.recorder.exchanges)
    assert stats["requests_total"] == sent
    assert sum(int(n) for n in stats["by_status"].values()) == sent
    assert stats["by_status"].get("404") == 1
    assert stats["by_route"]["GET /v1/organizations/me"] == 1
    assert stats["by_route"]["GET /v1/organizations/users"] == len(org.sent("GET", "users"))


def test_rate_limit_headers_reflect_the_scale(org: Org) -> None:
    """This emulator runs at ``--rate-scale 100``: 10,000 Admin and 6,000 spend requests."""
    org.client.organization.retrieve()
    assert org.recorder.exchanges[-1].headers["anthropic-ratelimit-requests-limit"] == "10000"
    org.client.beta.organization.spend_limits.list()
    assert org.recorder.exchanges[-1].headers["anthropic-ratelimit-requests-limit"] == "6000"
