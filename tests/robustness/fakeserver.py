"""A tiny Admin API on loopback that answers what a test tells it to, well-formed or not.

    api = FakeServer(console_org())          # a healthy one-workspace Console org
    api.routes["/workspaces"] = Reply(200, b"<html>Sign in</html>", "text/html")
    with api:
        result = invoke(["plan", policy], url=api.url, key=CONSOLE_KEY)

``routes`` maps a path under ``/v1/organizations`` (query ignored) to a :class:`Reply`
or to a function of the request's query (``dict[str, list[str]]``) returning one (the
request's headers are in ``api.headers`` meanwhile); ``fallback``, when given, answers
every path the table does not name, else an unknown path is a 404 in the API's envelope.
Every request is recorded in ``requests`` as ``(method, path, query)``.  The server runs
on a daemon thread and stops when the ``with`` block ends.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.orgs import CONSOLE_ORG, ENTERPRISE_ORG

PREFIX = "/v1/organizations"
STAMP = "2026-01-05T10:00:00.000000Z"


@dataclass
class Reply:
    status: int = 200
    body: bytes | Any = b""  # bytes are sent as they are; anything else as JSON
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


Route = Reply | Callable[[dict[str, list[str]]], Reply]


def ok(body: Any) -> Reply:
    return Reply(200, body)


class FakeServer:
    def __init__(self, routes: dict[str, Route], fallback: Route | None = None) -> None:
        self.routes = dict(routes)
        self.fallback = fallback
        self.headers: dict[str, str] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if p == path)

    def __enter__(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                parts = urlsplit(self.path)
                path = parts.path.removeprefix(PREFIX) or "/"
                query = parse_qs(parts.query)
                fake.requests.append((self.command, path, query))
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                fake.headers = {k.lower(): v for k, v in self.headers.items()}
                route = fake.routes.get(path, fake.fallback)
                if route is None:
                    reply = Reply(404, {"type": "error", "error": {"type": "not_found_error"}})
                else:
                    reply = route(query) if callable(route) else route
                body = reply.encoded()
                self.send_response(reply.status)
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(body)))
                self.send_header("request-id", "req_fake0000000000000000000001")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


# --------------------------------------------------------------------------- healthy orgs


def me(org_id: str) -> dict[str, Any]:
    return {"type": "organization", "id": org_id, "name": "Fake Org"}


def workspace(wid: str, name: str, **residency: Any) -> dict[str, Any]:
    return {
        "type": "workspace",
        "id": wid,
        "name": name,
        "display_color": "#6C5BB9",
        "created_at": STAMP,
        "archived_at": None,
        "data_residency": {
            "workspace_geo": "us",
            "allowed_inference_geos": "unrestricted",
            "default_inference_geo": "global",
            **residency,
        },
        "tags": {},
    }


def limit_row(
    row_id: str, scope: dict[str, Any], amount: str | None, period: str = "monthly"
) -> dict[str, Any]:
    return {
        "type": "spend_limit",
        "id": row_id,
        "amount": amount,
        "currency": "USD",
        "period": period,
        "scope": scope,
        "is_enabled": True,
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def id_page(items: list[dict[str, Any]], has_more: bool = False) -> dict[str, Any]:
    return {
        "data": items,
        "has_more": has_more,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
    }


def console_org(workspaces: list[dict[str, Any]] | None = None) -> dict[str, Route]:
    spaces = workspaces if workspaces is not None else [workspace("wrkspc_claims01", "claims")]
    return {
        "/me": ok(me(CONSOLE_ORG)),
        "/workspaces": ok(id_page(spaces)),
        "/spend_limits": ok(
            {
                "data": [limit_row("spl_org1", {"type": "organization"}, "5000000")],
                "next_page": None,
            }
        ),
    }


MEMBERS = [("user_ana0001", "ana@example.com"), ("user_ben0002", "ben@example.com")]


def user(uid: str, email: str) -> dict[str, Any]:
    return {
        "type": "user",
        "id": uid,
        "email": email,
        "name": email[:3].title(),
        "role": "user",
        "added_at": STAMP,
    }


def summary(
    uid: str, email: str | None, amount: str | None = "10000", source: str = "organization"
) -> dict[str, Any]:
    return {
        "scope": {"type": "user", "user_id": uid},
        "actor": {
            "type": "user_actor",
            "user_id": uid,
            "name": None,
            "email_address": email,
            "deleted": False,
        },
        "amount": amount,
        "currency": "USD",
        "period": "monthly",
        "period_to_date_spend": "0",
        "source": {"type": source} if source != "user" else {"type": "user", "user_id": uid},
        "spend_limit_id": "spl_org1" if source != "user" else f"spl_{uid}",
    }


def enterprise_org(extra_rows: list[dict[str, Any]] | None = None) -> dict[str, Route]:
    """Two members; an organization monthly row (so a rule reads the effective report)."""
    rows = [limit_row("spl_org1", {"type": "organization"}, "5000000"), *(extra_rows or [])]
    return {
        "/me": ok(me(ENTERPRISE_ORG)),
        "/spend_limits": ok({"data": rows, "next_page": None}),
        "/spend_limits/effective": ok(
            {"data": [summary(uid, email) for uid, email in MEMBERS], "next_page": None}
        ),
        "/users": ok(id_page([user(uid, email) for uid, email in MEMBERS])),
        "/rbac_groups": ok({"data": [], "next_page": None}),
    }
