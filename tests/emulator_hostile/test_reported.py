"""The emulator failures reported by the adversarial trial, each as it was found."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator import EmulatorApp, FakeClock, Options
from reconciler.emulator.state import document
from tests.emulator.conftest import Api, error_of
from tests.emulator_hostile.harness import KEYS, seed

ORG = "/v1/organizations"


def _api(kind: str, control: bool = True) -> Api:
    app = EmulatorApp(seed(kind), Options(control=control, rate_scale=1000), clock=FakeClock())
    api = Api(app, headers={"x-api-key": KEYS[kind]})
    api.emulator = app
    return api


@pytest.fixture
def console() -> Iterator[Api]:
    with _api("console") as api:
        yield api


@pytest.fixture
def enterprise() -> Iterator[Api]:
    with _api("enterprise") as api:
        yield api


def test_a_lone_surrogate_in_a_workspace_name_is_refused_before_it_is_stored(
    console: Api,
) -> None:
    before = document(console.store())
    response = console.post(
        f"{ORG}/workspaces",
        content=b'{"name": "ws-\\ud800"}',
        headers={"content-type": "application/json"},
    )
    assert error_of(response) == (400, "invalid_request_error", None)
    assert "surrogate" in response.json()["error"]["message"]
    assert document(console.store()) == before
    assert console.get(f"{ORG}/workspaces").status_code == 200


def test_a_lone_surrogate_in_a_control_email_is_refused_before_it_is_stored(
    enterprise: Api,
) -> None:
    before = document(enterprise.store())
    response = enterprise.post(
        "/_emulator/users", content=b'{"email": "x\\udfff@globex.example", "role": "user"}'
    )
    assert error_of(response) == (400, "invalid_request_error", None)
    assert document(enterprise.store()) == before
    assert enterprise.get(f"{ORG}/users").status_code == 200


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "-5",
        "-0.5",
        '"abc"',
        '"-1"',
        '"1e3"',
        "true",
        "null",
        "[]",
        "{}",
        '"12.3456"',
        "12.3456",
        "1e-05",
        "1e300",
    ],
)
def test_spend_refuses_what_is_not_an_amount(enterprise: Api, amount: str) -> None:
    before = document(enterprise.store())
    body = f'{{"email": "bob@globex.example", "amount": {amount}}}'.encode()
    response = enterprise.post("/_emulator/spend", content=body)
    assert error_of(response) == (400, "invalid_request_error", None), response.text
    assert document(enterprise.store()) == before


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("17.5", "17.5"),
        ("100000", "100000"),
        ("1e5", "100000"),
        ('"12.500"', "12.5"),
        ("0.125", "0.125"),
        ('"0"', "0"),
    ],
)
def test_spend_shows_an_amount_in_plain_digits(enterprise: Api, amount: str, shown: str) -> None:
    body = f'{{"email": "bob@globex.example", "amount": {amount}}}'.encode()
    response = enterprise.post("/_emulator/spend", content=body)
    assert response.json()["amount"] == shown
    rows = enterprise.get(f"{ORG}/spend_limits/effective", params={"limit": 100}).json()["data"]
    bob = next(
        row
        for row in rows
        if row["actor"]["email_address"] == "bob@globex.example" and row["period"] == "monthly"
    )
    assert bob["period_to_date_spend"] == shown


@pytest.mark.parametrize("control", [True, False])
@pytest.mark.parametrize("path", ["/foo%0d%0abar", "/%0d%0a", "/_emulator/x%0d%0a", "/a%09b"])
def test_an_odd_path_gets_the_json_404(path: str, control: bool) -> None:
    with _api("console", control=control) as api:
        response = api.get(path)
        assert response.headers["content-type"] == "application/json"
        assert error_of(response) == (404, "not_found_error", None)


def test_a_path_with_a_line_break_does_not_reach_a_route(console: Api) -> None:
    # Rebuilding the URL would drop the %0A and serve /workspaces.
    response = console.get(f"{ORG}/work%0Aspaces")
    assert error_of(response) == (404, "not_found_error", None)
