"""The emulator as an ASGI application (Starlette's requests and responses; uvicorn
serves it).

``EmulatorApp(source, options)`` is what tests hand to ``starlette.testclient.TestClient``
and what :mod:`reconciler.emulator.server` serves.  Requests under ``/v1`` go through
the :class:`~reconciler.emulator.pipeline.Pipeline`; under ``/_emulator`` to the
control endpoints when ``options.control`` is on; anything else is a 404.  Every
answer is JSON in the API's error envelope when it is an error, a failure of the
emulator itself included (a 500, logged with its traceback).

Dropped connections (injected faults) need the socket, which ASGI does not expose: the
outermost layer here reaches uvicorn's transport through the ``send`` it was given and
aborts it, so the client sees the connection close with no response.  In-process (a
test client has no socket) the drop surfaces as :class:`ConnectionDropped`, a
``httpx.RemoteProtocolError``, which is what an httpx client sees for a real drop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from reconciler.emulator.clock import Clock
from reconciler.emulator.control import Control
from reconciler.emulator.errors import ApiError, not_found
from reconciler.emulator.ids import request_id
from reconciler.emulator.pipeline import Pipeline
from reconciler.emulator.reply import Reply
from reconciler.emulator.runtime import Options, Runtime, Source
from reconciler.emulator.state import StateFile

log = logging.getLogger("reconciler.emulator")


class ConnectionDropped(httpx.RemoteProtocolError):
    """The emulator dropped the connection of an in-process request (an injected fault)."""


class _Dropper:
    """Wraps a request's ``send``: once dropped, nothing more reaches the client."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.dropped = False
        self.aborted = False

    async def send(self, message: Any) -> None:
        if not self.dropped:
            await self._send(message)

    def drop(self) -> None:
        self.dropped = True
        # uvicorn passes a bound method of its request cycle, which holds the transport.
        transport = getattr(getattr(self._send, "__self__", None), "transport", None)
        if transport is not None:
            transport.abort()
            self.aborted = True


class _Dispatch:
    """Picks the pipeline, the control API or 404 for every HTTP request."""

    def __init__(self, runtime: Runtime) -> None:
        self.pipeline = Pipeline(runtime)
        self.control = Control(runtime) if runtime.options.control else None

    async def reply(self, request: Request) -> Reply:
        # The path as sent (percent-decoded), not ``request.url.path``: rebuilding a URL
        # drops tabs and line breaks, which would let ``/work%0Aspaces`` reach a route.
        path = request.scope["path"]
        if path == "/v1" or path.startswith("/v1/"):
            return await self.pipeline.handle(request)
        if self.control is not None and path.startswith("/_emulator/"):
            return await self.control.handle(request)
        rid = request_id()
        error = not_found(f"Not found: {request.method} {path}")
        return Reply(404, error.body(rid), {"request-id": rid})


def _internal_error() -> Response:
    """The API's 500 envelope, for a request the emulator failed to answer."""
    rid = request_id()
    body = ApiError(500, "Internal server error").body(rid)
    return Reply(500, body, {"request-id": rid}).response()


class EmulatorApp:
    """An emulated organization served over ASGI.

    ``runtime`` holds the live state (``runtime.store``), stats and rate windows, for
    tests that want to look inside.  Every HTTP request gets a JSON answer in the API's
    envelope, whatever its path or method: routing is done here, not by Starlette
    (whose own 404s and 500s are plain text).
    """

    def __init__(
        self,
        source: Source,
        options: Options | None = None,
        *,
        clock: Clock | None = None,
        state: StateFile | None = None,
    ) -> None:
        self.runtime = Runtime(source, options or Options(), clock, state)
        self._dispatch = _Dispatch(self.runtime)
        self._starlette = Starlette()  # lifespan and websocket scopes only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._starlette(scope, receive, send)
            return
        dropper = _Dropper(send)
        try:
            reply = await self._dispatch.reply(Request(scope, receive))
            response = None if reply.status is None else reply.response()
        except Exception:
            log.exception(
                "emulator: unexpected error serving %s %s", scope["method"], scope["path"]
            )
            response = _internal_error()
        if response is None:
            dropper.drop()
            # Let the loop deliver connection_lost, so the server sees a closed
            # connection rather than an app that returned without a response.
            await asyncio.sleep(0)
            if not dropper.aborted:
                raise ConnectionDropped("the emulator dropped the connection")
            return
        await response(scope, receive, dropper.send)
