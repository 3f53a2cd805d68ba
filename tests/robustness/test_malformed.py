"""Malformed answers from the API: a clear error or tolerant handling — never a wrong plan.

``claude-policy plan`` runs (in-process, through the real error boundary) against a
loopback server (:mod:`tests.robustness.fakeserver`) that answers one endpoint wrongly:
bad JSON, an HTML page with status 200, missing or mistyped fields, a JSON array, a
cursor that repeats, an endless ``has_more``, the same page under ever new cursors.
Each must end in exit 1 with one ``Error:`` line on stderr, no traceback, nothing on
stdout and a bounded number of requests.  Unknown enum values (a new geo ``eu``, a new
scope type, a new role) and unknown fields are tolerated: kept verbatim, planned
correctly, never mistaken for something known.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.robustness.fakeserver import (
    CONSOLE_ORG,
    ENTERPRISE_ORG,
    MEMBERS,
    FakeServer,
    Reply,
    Route,
    console_org,
    enterprise_org,
    id_page,
    limit_row,
    ok,
    summary,
    user,
    workspace,
)
from tests.support.cli import CONSOLE_KEY, ENTERPRISE_KEY, Result, invoke

CONSOLE_POLICY = f"""\
version: 1
organization: {{id: {CONSOLE_ORG}, kind: console, currency: USD}}
workspace_rules:
  - match: {{name: "*"}}
    data_residency: {{allowed_inference_geos: [us], default_inference_geo: us}}
"""
ENTERPRISE_POLICY = f"""\
version: 1
organization: {{id: {ENTERPRISE_ORG}, kind: enterprise, currency: USD}}
management: {{users: authoritative}}
spend_limits:
  user_rules:
    - match: {{email: "*@example.com"}}
      monthly: 150
"""
MAX_REQUESTS = 20  # every malformed case is caught within a few requests


def policy_dir(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "policy"
    root.mkdir()
    (root / "policy.yaml").write_text(text, encoding="utf-8")
    return root


def plan(api: FakeServer, kind: str, tmp_path: Path, *args: str, text: str | None = None) -> Result:
    key = CONSOLE_KEY if kind == "console" else ENTERPRISE_KEY
    policy = policy_dir(
        tmp_path, text or (CONSOLE_POLICY if kind == "console" else ENTERPRISE_POLICY)
    )
    return invoke(["plan", str(policy), *args], url=api.url, key=key)


def fresh_cursors(body: Callable[[int], dict[str, Any]]) -> Callable[[dict[str, list[str]]], Reply]:
    counter = itertools.count()
    return lambda query: ok(body(next(counter)))


HTML = Reply(200, b"<!doctype html><html><body>Please sign in</body></html>", "text/html")
BROKEN_WS = {k: v for k, v in workspace("wrkspc_x", "x").items() if k != "id"}
NO_PERIOD = {
    k: v for k, v in limit_row("spl_1", {"type": "organization"}, "1").items() if k != "period"
}
NO_USER = {**summary("user_ana0001", None), "scope": {"type": "user"}, "actor": None}

ERRORS: dict[str, tuple[str, str, Route, str]] = {
    # name: (kind, path, reply, what the one-line message must say)
    "bad-json": ("console", "/workspaces", Reply(200, b'{"data": [{"id": '), "not JSON"),
    "html-200": ("console", "/workspaces", HTML, "not JSON"),
    "html-200-me": ("console", "/me", HTML, "not JSON"),
    "json-array": ("console", "/workspaces", Reply(200, []), "expected a JSON object"),
    "me-without-id": ("console", "/me", ok({"type": "organization", "name": "x"}), "'id'"),
    "workspace-without-id": (
        "console",
        "/workspaces",
        ok(id_page([workspace("wrkspc_a", "a")]) | {"data": [BROKEN_WS]}),
        "'id'",
    ),
    "data-not-a-list": (
        "console",
        "/workspaces",
        ok({"data": {"id": "x"}, "has_more": False}),
        "'data'",
    ),
    "has-more-not-bool": (
        "console",
        "/workspaces",
        ok({**id_page([workspace("wrkspc_a", "a")]), "has_more": "yes"}),
        "has_more",
    ),
    "id-cursor-repeats": (
        "console",
        "/workspaces",
        ok(id_page([workspace("wrkspc_a", "a")], has_more=True)),
        "twice",
    ),
    "endless-has-more-empty": (
        "console",
        "/workspaces",
        ok({"data": [], "has_more": True, "last_id": "wrkspc_a"}),
        "empty",
    ),
    "limit-without-period": (
        "console",
        "/spend_limits",
        ok({"data": [NO_PERIOD], "next_page": None}),
        "'period'",
    ),
    "fractional-amount": (
        "console",
        "/spend_limits",
        ok({"data": [limit_row("spl_1", {"type": "organization"}, 12.5)], "next_page": None}),
        "'amount'",
    ),  # type: ignore[arg-type]
    "opaque-cursor-repeats": (
        "console",
        "/spend_limits",
        ok({"data": [limit_row("spl_1", {"type": "organization"}, "1")], "next_page": "same"}),
        "twice",
    ),
    "endless-empty-pages": (
        "enterprise",
        "/spend_limits/effective",
        fresh_cursors(lambda n: {"data": [], "next_page": f"c{n}"}),
        "empty pages",
    ),
    "same-page-new-cursor": (
        "enterprise",
        "/spend_limits/effective",
        fresh_cursors(lambda n: {"data": [summary(*MEMBERS[0])], "next_page": f"c{n}"}),
        "same page",
    ),
    "summary-without-member": (
        "enterprise",
        "/spend_limits/effective",
        ok({"data": [NO_USER], "next_page": None}),
        "user_id",
    ),
    "summary-amount-number": (
        "enterprise",
        "/spend_limits/effective",
        ok({"data": [summary(*MEMBERS[0], amount=12.5)], "next_page": None}),
        "'amount'",
    ),  # type: ignore[arg-type]
    "user-without-email": (
        "enterprise",
        "/users",
        ok(id_page([{"type": "user", "id": "user_x"}])),
        "'email'",
    ),
}


def check_clear_error(result: Result, fragment: str, api: FakeServer) -> None:
    lines = result.err.strip().splitlines()
    assert result.code == 1, result.err
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.err
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.err
    assert result.out == "", "no plan may be printed from a malformed answer"
    assert len(api.requests) <= MAX_REQUESTS


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_a_malformed_answer_is_one_clear_error(case: str, tmp_path: Path) -> None:
    kind, path, reply, fragment = ERRORS[case]
    routes = console_org() if kind == "console" else enterprise_org()
    routes[path] = reply
    if path == "/users":  # members come from /users only without an organization row
        routes["/spend_limits"] = ok({"data": [], "next_page": None})
    with FakeServer(routes) as api:
        result = plan(api, kind, tmp_path)
    check_clear_error(result, fragment, api)


def test_the_error_names_the_request_and_never_the_key(tmp_path: Path) -> None:
    routes = console_org()
    routes["/workspaces"] = HTML
    with FakeServer(routes) as api:
        result = plan(api, "console", tmp_path)
    assert "GET /workspaces" in result.err
    assert CONSOLE_KEY not in result.err + result.out


# --------------------------------------------------------------------------- tolerated


def changes(result: Result) -> dict[str, dict[str, Any]]:
    doc = json.loads(result.out)
    return {c["address"]: c for c in doc["changes"]}


def test_an_unknown_geo_is_kept_verbatim_and_planned_away(tmp_path: Path) -> None:
    eu = workspace("wrkspc_eu", "claims", allowed_inference_geos=["eu"], default_inference_geo="eu")
    with FakeServer(console_org([eu])) as api:
        result = plan(api, "console", tmp_path, "--format", "json", "--detailed-exitcode")
    assert result.code == 2, result.err
    change = changes(result)["workspace:claims"]
    assert change["action"] == "update"
    fields = {f["path"]: (f["before"], f["after"]) for f in change["fields"]}
    assert fields == {
        "data_residency.allowed_inference_geos": (["eu"], ["us"]),
        "data_residency.default_inference_geo": ("eu", "us"),
    }


def test_an_unknown_geo_on_an_ungoverned_workspace_is_left_alone(tmp_path: Path) -> None:
    eu = workspace("wrkspc_eu", "claims", workspace_geo="eu", default_inference_geo="eu")
    text = CONSOLE_POLICY.replace('name: "*"', 'name: "other-*"')
    with FakeServer(console_org([eu])) as api:
        result = plan(
            api, "console", tmp_path, "--format", "json", "--detailed-exitcode", text=text
        )
    assert result.code == 0, result.err
    assert changes(result) == {}


def test_a_new_workspace_geo_makes_a_pinned_geo_blocked_not_rewritten(tmp_path: Path) -> None:
    eu = workspace("wrkspc_eu", "claims", workspace_geo="eu")
    text = CONSOLE_POLICY + "workspaces:\n  claims:\n    data_residency: {workspace_geo: us}\n"
    with FakeServer(console_org([eu])) as api:
        result = plan(api, "console", tmp_path, "--format", "json", text=text)
    assert result.code == 1, result.err  # a blocked plan is printed, then refused
    assert changes(result)["workspace:claims"]["action"] == "blocked"


def test_unknown_scope_types_roles_and_fields_are_tolerated(tmp_path: Path) -> None:
    team = limit_row("spl_team", {"type": "team", "team_id": "team_1"}, "700")
    routes = enterprise_org(extra_rows=[team])
    members = [
        {**user(uid, email), "role": "superadmin", "favourite_colour": "teal"}
        for uid, email in MEMBERS
    ]
    routes["/users"] = ok(id_page(members))
    rows = [
        {**summary(uid, email), "actor": {**summary(uid, email)["actor"], "new": 1}, "extra": True}
        for uid, email in MEMBERS
    ]
    routes["/spend_limits/effective"] = ok({"data": rows, "next_page": None})
    with FakeServer(routes) as api:
        result = plan(api, "enterprise", tmp_path, "--format", "json", "--detailed-exitcode")
    assert result.code == 2, result.err
    # Authoritative users: only the rule's two creates; the unknown row is never touched.
    assert {a: c["action"] for a, c in changes(result).items()} == {
        "spend_limit:user:ana@example.com:monthly": "create",
        "spend_limit:user:ben@example.com:monthly": "create",
    }


def test_a_proxy_error_page_once_is_retried_and_the_plan_is_right(tmp_path: Path) -> None:
    answers = iter([Reply(502, b"<html>Bad gateway</html>", "text/html")])
    healthy = console_org()["/workspaces"]

    def flaky(query: dict[str, list[str]]) -> Reply:
        reply = next(answers, None)
        return reply if reply is not None else healthy  # type: ignore[return-value]

    routes = console_org()
    routes["/workspaces"] = flaky
    with FakeServer(routes) as api:
        result = plan(api, "console", tmp_path, "--format", "json", "--detailed-exitcode")
        assert api.count("/workspaces") == 2
    assert result.code == 2, result.err
    assert list(changes(result)) == ["workspace:claims"]
