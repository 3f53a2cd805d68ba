"""A generated corpus of hostile requests to the emulator: endpoint × kind of wrongness.

Each :class:`Case` is one request against one of two organizations (``console``,
``enterprise``: the example seeds, with a key holding every scope).  Bodies are built
from a valid request for the endpoint by breaking one field, or the whole body, in one
way; queries, paths, methods and headers are broken the same way.  ``expect`` is the
status the API's rules give when they settle it, else None (any answer but a 5xx).

Kinds: ``valid`` (the request each body case breaks, unbroken: accepted), ``type`` (a
value of each JSON type the field does not take), ``surrogate`` (a lone ``\\ud800`` in
a string or a key), ``control`` (NUL, ESC, DEL, C1 and a bidi override in a string),
``huge-string``, ``huge-number`` (long digit strings, 10**400, a 5,000-digit literal,
1e308, -1), ``non-finite`` (NaN, ±Infinity, 1e999), ``nesting`` (33 levels and 100,000
levels), ``bad-json``, ``content-type``, ``query``, ``path``, ``method``, ``header``,
``wrong-org`` (a request of the other kind of organization).

Placeholders in paths (``{workspace_id}``, …) are filled in from the organization.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ORG = "/v1/organizations"
SPEND_BETA = ("anthropic-beta", "spend-limit-reads-2026-09-26")
ANALYTICS_BETA = ("anthropic-beta", "analytics-usage-cost-2026-08-24")
SURROGATE = "\ud800"
CONTROL_TEXTS = ("\x00", "\x1b[31m", "\x7f", "\x85", "\u202e")
HUGE = "h" * 100_000
HUGE_QUERY = "q" * 8_000  # a request line stays under the server's 16 KiB

Header = tuple[str, str | bytes]


@dataclass(frozen=True)
class Case:
    """One hostile request.  ``body`` is the raw bytes sent (None: no body)."""

    kind: str
    org: str
    method: str
    path: str
    what: str
    body: bytes | None = None
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[Header, ...] = ()
    expect: frozenset[int] | None = None

    @property
    def id(self) -> str:
        return f"{self.org}:{self.method} {self.path}:{self.kind}:{self.what}"


@dataclass(frozen=True)
class Field:
    """A field of a valid body: its path, and the JSON types the API takes there."""

    path: tuple[str | int, ...]
    types: frozenset[str]

    @property
    def name(self) -> str:
        return ".".join(str(step) for step in self.path)


@dataclass(frozen=True)
class BodyEndpoint:
    """An endpoint that takes a body, with a request it accepts."""

    org: str
    method: str
    path: str
    valid: Any
    fields: tuple[Field, ...] = ()
    headers: tuple[Header, ...] = field(default=())


def _f(path: str, *types: str) -> Field:
    steps = tuple(int(step) if step.isdigit() else step for step in path.split("."))
    return Field(steps, frozenset(types))


BODY_ENDPOINTS = (
    BodyEndpoint(
        "console",
        "POST",
        f"{ORG}/workspaces",
        {
            "name": "hostile-ws",
            "data_residency": {"allowed_inference_geos": ["us"], "default_inference_geo": "us"},
            "display_color": "#123456",
            "tags": {"team": "x"},
        },
        (
            _f("name", "string"),
            _f("data_residency", "object", "null"),
            _f("data_residency.allowed_inference_geos", "string", "array", "null"),
            _f("data_residency.allowed_inference_geos.0", "string"),
            _f("data_residency.default_inference_geo", "string", "null"),
            _f("display_color", "string", "null"),
            _f("tags", "object", "null"),
            _f("tags.team", "string"),
        ),
    ),
    BodyEndpoint(
        "console",
        "POST",
        f"{ORG}/workspaces/{{workspace_id}}",
        {
            "name": "renamed",
            "display_color": "#654321",
            "tags": {"team": "y", "regulated": None},
            "data_residency": {"default_inference_geo": "global"},
        },
        (
            _f("name", "string"),
            _f("display_color", "string"),
            _f("tags", "object", "null"),
            _f("tags.team", "string", "null"),
            _f("data_residency", "object", "null"),
            _f("data_residency.default_inference_geo", "string", "null"),
        ),
    ),
    BodyEndpoint("console", "POST", f"{ORG}/workspaces/{{workspace_id}}/archive", {}),
    BodyEndpoint(
        "console",
        "POST",
        f"{ORG}/spend_limits",
        {
            "scope": {"type": "workspace", "workspace_id": "{workspace_id}"},
            "amount": "1000",
            "period": "monthly",
        },
        (
            _f("scope", "object"),
            _f("scope.type", "string"),
            _f("scope.workspace_id", "string"),
            _f("amount", "string"),
            _f("period", "string", "null"),
        ),
    ),
    BodyEndpoint(
        "console",
        "POST",
        f"{ORG}/users/{{user_id}}",
        {"role": "billing"},
        (_f("role", "string"),),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        f"{ORG}/spend_limits",
        {"scope": {"type": "user", "user_id": "{user_id}"}, "amount": "5000", "period": "weekly"},
        (
            _f("scope", "object"),
            _f("scope.type", "string"),
            _f("scope.user_id", "string"),
            _f("amount", "string", "null"),
            _f("period", "string", "null"),
        ),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        f"{ORG}/users/{{user_id}}",
        {"role": "managed"},
        (_f("role", "string"),),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        f"{ORG}/spend_limit_increase_requests/{{request_id}}/approve",
        {"amount": "90000", "period": "monthly", "suppress_notification": True},
        (
            _f("amount", "string"),
            _f("period", "string", "null"),
            _f("suppress_notification", "boolean"),
        ),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        f"{ORG}/spend_limit_increase_requests/{{request_id}}/deny",
        {"suppress_notification": False},
        (_f("suppress_notification", "boolean"),),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        "/_emulator/spend",
        {"email": "bob@globex.example", "period": "monthly", "amount": "1234.5"},
        (
            _f("email", "string"),
            _f("period", "string"),
            _f("amount", "string", "integer", "number"),
        ),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        "/_emulator/users",
        {
            "email": "new.person@globex.example",
            "name": "New Person",
            "role": "user",
            "seat_tier": "enterprise_premium",
        },
        (
            _f("email", "string"),
            _f("name", "string"),
            _f("role", "string"),
            _f("seat_tier", "string"),
        ),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        "/_emulator/spend_limits",
        {
            "scope": {"type": "user", "email": "bob@globex.example"},
            "period": "daily",
            "amount": "7",
        },
        (
            _f("scope", "object"),
            _f("scope.type", "string"),
            _f("scope.email", "string"),
            _f("period", "string"),
            _f("amount", "string", "integer", "null"),
        ),
    ),
    BodyEndpoint(
        "enterprise",
        "DELETE",
        "/_emulator/spend_limits",
        {"scope": {"type": "seat_tier", "seat_tier": "enterprise_standard"}, "period": "monthly"},
        (
            _f("scope", "object"),
            _f("scope.type", "string"),
            _f("scope.seat_tier", "string"),
            _f("period", "string"),
        ),
    ),
    BodyEndpoint(
        "enterprise",
        "POST",
        "/_emulator/increase_requests",
        {"email": "carol@globex.example", "period": "weekly", "status": "pending"},
        (_f("email", "string"), _f("period", "string"), _f("status", "string")),
    ),
    BodyEndpoint("enterprise", "POST", "/_emulator/reset", {}),
    BodyEndpoint("enterprise", "DELETE", "/_emulator/users/{email}", {}),
    BodyEndpoint(
        "console",
        "POST",
        "/_emulator/workspaces",
        {
            "name": "console-made",
            "tags": {"k": "v"},
            "data_residency": {"allowed_inference_geos": "unrestricted"},
        },
        (
            _f("name", "string"),
            _f("tags", "object"),
            _f("tags.k", "string"),
            _f("data_residency", "object"),
            _f("data_residency.allowed_inference_geos", "string", "array"),
        ),
    ),
    BodyEndpoint(
        "console",
        "POST",
        "/_emulator/usage",
        [
            {
                "date": -1,
                "workspace": "claims-processing",
                "model": "claude-sonnet-4-6",
                "input_tokens": 10,
                "output_tokens": 5,
            }
        ],
        (
            _f("0", "object"),
            _f("0.date", "string", "integer"),
            _f("0.workspace", "string"),
            _f("0.model", "string"),
            _f("0.input_tokens", "integer"),
            _f("0.output_tokens", "integer"),
        ),
    ),
)

# A value of each JSON type, to put where another type belongs.
TYPE_VALUES: dict[str, Any] = {
    "string": "zz",
    "integer": 7,
    "number": 2.5,
    "boolean": True,
    "null": None,
    "array": ["a"],
    "object": {"a": "b"},
}


def _replace(document: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A deep copy of ``document`` with the value at ``path`` replaced."""
    copy = json.loads(json.dumps(document))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copy


def _raw(document: Any, path: tuple[str | int, ...], literal: str) -> bytes:
    """``document`` as JSON text with the value at ``path`` written as ``literal``
    (for what :func:`json.dumps` cannot write: NaN, 1e999, a 5,000-digit number…)."""
    marker = "@@HOSTILE@@"
    text = json.dumps(_replace(document, path, marker))
    return text.replace(json.dumps(marker), literal).encode("utf-8")


def _encode(document: Any) -> bytes:
    # ensure_ascii keeps a lone surrogate as the escape \ud800, as a client would send it.
    return json.dumps(document).encode("utf-8")


def body_cases(endpoint: BodyEndpoint) -> Iterator[Case]:
    def case(kind: str, what: str, body: bytes, expect: int | None, *headers: Header) -> Case:
        return Case(
            kind,
            endpoint.org,
            endpoint.method,
            endpoint.path,
            what,
            body,
            headers=endpoint.headers + headers,
            expect=_statuses(expect),
        )

    valid = endpoint.valid
    # The request every other case breaks in one way: accepted as it is.
    yield case("valid", "as a client sends it", _encode(valid), 200)
    for spot in endpoint.fields:
        for name, value in TYPE_VALUES.items():
            if name in spot.types or (name == "integer" and "number" in spot.types):
                continue
            expect = None if value is None else 400
            yield case(
                "type", f"{spot.name}={name}", _encode(_replace(valid, spot.path, value)), expect
            )
        for literal in ("NaN", "Infinity", "-Infinity", "1e999", "-1e999"):
            yield case("non-finite", f"{spot.name}={literal}", _raw(valid, spot.path, literal), 400)
        yield case(
            "huge-number", f"{spot.name}=5000 digits", _raw(valid, spot.path, "9" * 5000), 400
        )
        for number in (10**400, -1, 1e308):
            # Every number field here is a bounded count or amount, except a usage row's
            # date, where -1 (yesterday) is right.
            expect = None if number == -1 and "integer" in spot.types else 400
            literal = str(number)
            yield case(
                "huge-number",
                f"{spot.name}={literal[:12]}",
                _raw(valid, spot.path, literal),
                expect,
            )
        if "string" not in spot.types:
            continue
        text = _at(valid, spot.path)
        if not isinstance(text, str):
            continue
        yield case(
            "surrogate",
            f"{spot.name}+surrogate",
            _encode(_replace(valid, spot.path, text + SURROGATE)),
            400,
        )
        yield case(
            "surrogate",
            f"{spot.name}=low surrogate",
            _encode(_replace(valid, spot.path, "\udc80" + text)),
            400,
        )
        for control in CONTROL_TEXTS:
            yield case(
                "control",
                f"{spot.name}+U+{ord(control[0]):04X}",
                _encode(_replace(valid, spot.path, text + control)),
                None,
            )
        yield case(
            "huge-string",
            f"{spot.name}=100k chars",
            _encode(_replace(valid, spot.path, HUGE)),
            None,
        )
        if text.isdigit():  # an amount: digits beyond any cap
            yield case(
                "huge-number",
                f"{spot.name}=30 digit string",
                _encode(_replace(valid, spot.path, "9" * 30)),
                400,
            )
    yield from _whole_body_cases(endpoint, case)


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    node = document
    for step in path:
        node = node[step]
    return node


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _whole_body_cases(endpoint: BodyEndpoint, case: Any) -> Iterator[Case]:
    valid = endpoint.valid
    keyed = valid if isinstance(valid, dict) else {"rows": valid}
    yield case("surrogate", "key+surrogate", _encode({**keyed, "k" + SURROGATE: "v"}), 400)
    yield case("surrogate", "raw CESU-8 bytes", b'{"name": "\xed\xa0\x80"}', 400)
    yield case("type", "unknown key", _encode({**keyed, "unexpected": 1}), 400)
    if endpoint.path.startswith(ORG):  # control bodies may be larger (usage rows)
        oversized = _encode({**keyed, "padding": "p" * (1024 * 1024)})
        yield case("huge-string", "body over 1 MiB", oversized, 413)
    yield case("nesting", "33 levels", f'{{"x": {_deep(32)}}}'.encode(), 400)
    yield case("nesting", "100000 levels", _deep(100_000).encode(), 400)
    yield case("nesting", "100000 objects", ('{"a":' * 100_000 + "1" + "}" * 100_000).encode(), 400)
    for what, raw in (
        ("truncated", _encode(valid)[:-1]),
        ("trailing garbage", _encode(valid) + b"}"),
        ("two documents", _encode(valid) * 2),
        ("single quotes", b"{'name': 'x'}"),
        ("trailing comma", b'{"name": "x",}'),
        ("comment", b'{"name": "x" /* c */}'),
        ("bare word", b"hello"),
        ("invalid UTF-8", b'{"name": "\xff\xfe"}'),
        ("UTF-8 BOM", b"\xef\xbb\xbf" + _encode(valid)),
        ("UTF-16", json.dumps(keyed).encode("utf-16")),
        ("NUL bytes", b"\x00" * 64),
        ("number", b"12"),
        ("string", b'"name"'),
        ("null", b"null"),
        ("true", b"true"),
        ("array", b"[]" if isinstance(valid, dict) else b"{}"),
    ):
        yield case("bad-json", what, raw, 400)
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
    ):
        form = ("content-type", content_type)
        yield case("content-type", f"{content_type}, form body", b"name=x&amount=5", 400, form)
    # The body is read as JSON whatever the content type says.
    yield case(
        "content-type",
        "text/plain, JSON body",
        _encode(valid),
        None,
        ("content-type", "text/plain"),
    )


# -- queries ---------------------------------------------------------------------------

LIMITS = ("-1", "0", "1001", "1e3", "1.0", " 5", "5 ", "abc", "\x00", "9" * 40, "", "٣")
CURSORS = ("!!!", "page_", "page_" + "A" * 5000, "\x00", "\ud7ff", "%", "eyJ9", "bnVsbA==")


@dataclass(frozen=True)
class ListEndpoint:
    org: str
    path: str
    base: tuple[tuple[str, str], ...] = ()  # parameters it needs to answer at all
    cursor: str | None = None  # the paging parameter
    headers: tuple[Header, ...] = ()
    arrays: tuple[str, ...] = ()  # array parameters (name without [])


LIST_ENDPOINTS = (
    ListEndpoint("console", f"{ORG}/workspaces", cursor="after_id", arrays=("ids",)),
    ListEndpoint("console", f"{ORG}/users", cursor="after_id", arrays=("roles",)),
    ListEndpoint("console", f"{ORG}/spend_limits", cursor="page", headers=(SPEND_BETA,)),
    ListEndpoint(
        "console",
        f"{ORG}/usage_report/messages",
        base=(("starting_at", "2026-10-01T00:00:00Z"),),
        cursor="page",
        arrays=("group_by", "models", "inference_geos"),
    ),
    ListEndpoint(
        "console",
        f"{ORG}/cost_report",
        base=(("starting_at", "2026-10-01T00:00:00Z"),),
        cursor="page",
        arrays=("group_by",),
    ),
    ListEndpoint(
        "console",
        f"{ORG}/analytics/usage",
        base=(("starting_at", "2026-10-20T00:00:00Z"),),
        cursor="page",
        headers=(ANALYTICS_BETA,),
        arrays=("group_by", "models"),
    ),
    ListEndpoint("enterprise", f"{ORG}/users", cursor="before_id", arrays=("roles",)),
    ListEndpoint(
        "enterprise",
        f"{ORG}/spend_limits/effective",
        cursor="page",
        arrays=("period", "user_ids"),
    ),
    ListEndpoint("enterprise", f"{ORG}/rbac_groups", cursor="page"),
    ListEndpoint("enterprise", f"{ORG}/rbac_groups/{{group_id}}/members", cursor="page"),
    ListEndpoint(
        "enterprise",
        f"{ORG}/spend_limit_increase_requests",
        cursor="page",
        arrays=("status", "actor_ids"),
    ),
    ListEndpoint(
        "enterprise",
        f"{ORG}/spend_limits",
        cursor="page",
        headers=(SPEND_BETA,),
        arrays=("scope_type",),
    ),
)

TIMES = (
    "yesterday",
    "2026-13-45T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1e20",
    "2026-10-01T00:00:00+99:00",
    "\x00",
    "2026-10-01",
    "-1",
)


def query_cases(endpoint: ListEndpoint) -> Iterator[Case]:
    def case(what: str, params: list[tuple[str, str]], expect: int | None) -> Case:
        return Case(
            "query",
            endpoint.org,
            "GET",
            endpoint.path,
            what,
            params=tuple(endpoint.base) + tuple(params),
            headers=endpoint.headers,
            expect=_statuses(expect),
        )

    for value in LIMITS:
        yield case(f"limit={value!r}", [("limit", value)], 400)
    if endpoint.cursor is not None:
        for value in CURSORS:
            yield case(f"{endpoint.cursor}={value[:20]!r}", [(endpoint.cursor, value)], 400)
    if endpoint.cursor in ("after_id", "before_id"):
        yield case("after_id and before_id", [("after_id", "x"), ("before_id", "y")], 400)
    for name in endpoint.arrays:
        yield case(f"{name}[] x101", [(f"{name}[]", f"v{i}") for i in range(101)], 400)
        yield case(f"{name}[]=control", [(f"{name}[]", "\x00\x1b")], None)
        yield case(f"{name}[]=huge", [(f"{name}[]", HUGE_QUERY)], None)
    if dict(endpoint.base).get("starting_at"):
        for value in TIMES:
            params = [(k, v) for k, v in endpoint.base if k != "starting_at"]
            yield Case(
                "query",
                endpoint.org,
                "GET",
                endpoint.path,
                f"starting_at={value!r}",
                params=(*params, ("starting_at", value)),
                headers=endpoint.headers,
                expect=_statuses(400),
            )
        yield case("ending_at before starting_at", [("ending_at", "2026-09-01T00:00:00Z")], 400)
    yield case("unknown parameters", [("beta", "true"), ("\x00", "\x00"), ("x" * 1000, "y")], None)


# -- paths, methods, headers -----------------------------------------------------------

ODD_PATHS = (
    "/foo%0d%0abar",
    "/%0d%0a",
    "/v1/organizations/workspaces%0d%0a",
    "/v1/organizations/work%0Aspaces",
    "/v1/organizations/work%09spaces",
    "/v1/organizations/users/%00",
    "/v1/organizations/users/%ff%fe",
    "/v1/organizations/users/%ed%a0%80",
    "/v1/organizations/users/..%2f..%2fetc%2fpasswd",
    "/v1/organizations/users/",
    "/v1/organizations//users",
    "/v1/organizations/users/x/y/z",
    "/v1/organizations/spend_limits/" + "A" * 4000,
    "/v1/organizations/%E2%80%AEusers",
    "/v1/organizations/users;jsessionid=1",
    "/v1",
    "/v1/",
    "/V1/organizations/users",
    "/",
    "/favicon.ico",
    "/_emulator",
    "/_emulator/",
    "/_emulator/stats/x",
    "/_emulator/%0d%0a",
    "/_emulator/users",
    "/_emulator/users/a/b",
    "/%00",
    "/..",
)

KNOWN_PATHS = (
    ("console", f"{ORG}/workspaces"),
    ("console", f"{ORG}/workspaces/{{workspace_id}}"),
    ("console", f"{ORG}/users/{{user_id}}"),
    ("enterprise", f"{ORG}/spend_limits"),
    ("enterprise", f"{ORG}/spend_limits/effective"),
    ("enterprise", f"{ORG}/spend_limit_increase_requests/{{request_id}}/approve"),
    ("enterprise", f"{ORG}/me"),
    ("enterprise", "/_emulator/stats"),
    ("enterprise", "/_emulator/spend"),
    ("enterprise", "/_emulator/reset"),
)


def path_cases() -> Iterator[Case]:
    for org in ("console", "enterprise"):
        for path in ODD_PATHS:
            for method in ("GET", "POST", "DELETE"):
                if path == "/_emulator/users" and method == "POST":
                    continue  # a real route: its body cases are elsewhere
                expect = {404, 405} if method == "GET" else {400, 404, 405}
                yield Case("path", org, method, path, "odd path", expect=frozenset(expect))


def method_cases() -> Iterator[Case]:
    for org, path in KNOWN_PATHS:
        for method in ("PUT", "PATCH", "OPTIONS", "TRACE", "FOO", "CONNECTX"):
            yield Case("method", org, method, path, method, expect=_statuses(405))


def header_cases() -> Iterator[Case]:
    path = f"{ORG}/users"
    for org in ("console", "enterprise"):
        for what, headers, expect in (
            ("version", (("anthropic-version", "1999-01-01"),), 400),
            ("two versions", (("anthropic-version", "2023-06-01, 2026-10-21"),), 400),
            ("beta", (("anthropic-beta", "nope"),), 400),
            ("latin-1 beta", (("anthropic-beta", b"b\xe9ta"),), 400),
            ("latin-1 version", (("anthropic-version", b"2023-06-01\xff"),), 400),
            ("beta list", (("anthropic-beta", ",,," + "x," * 500),), 400),
            ("latin-1 key", (("x-api-key", b"sk-ant-api01-\xe9\xff"),), 401),
            ("empty key", (("x-api-key", ""),), 401),
            ("bearer only", (("authorization", "Bearer"),), 401),
            ("basic", (("authorization", "Basic eDp5"),), 401),
            ("long key", (("x-api-key", "sk-ant-api01-" + "k" * 8000),), 401),
        ):
            yield Case("header", org, "GET", path, what, headers=headers, expect=_statuses(expect))


def _statuses(status: int | None) -> frozenset[int] | None:
    return None if status is None else frozenset({status})


def wrong_org_cases() -> Iterator[Case]:
    """Each endpoint's valid request, sent to the other kind of organization."""
    for endpoint in BODY_ENDPOINTS:
        if endpoint.path == "/_emulator/reset":
            continue  # the same for both kinds
        other = "enterprise" if endpoint.org == "console" else "console"
        yield Case(
            "wrong-org",
            other,
            endpoint.method,
            endpoint.path,
            f"a {endpoint.org} request",
            _encode(endpoint.valid),
            headers=endpoint.headers,
            expect=frozenset({400, 404}),
        )


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for endpoint in BODY_ENDPOINTS:
        cases.extend(body_cases(endpoint))
    cases.extend(wrong_org_cases())
    for listing in LIST_ENDPOINTS:
        cases.extend(query_cases(listing))
    cases.extend(path_cases())
    cases.extend(method_cases())
    cases.extend(header_cases())
    return cases
