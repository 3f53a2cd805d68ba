"""The emulator as an ASGI application (a Starlette app; uvicorn serves it).

``EmulatorApp(source, options)`` is what tests hand to ``starlette.testclient.TestClient``
and what :mod:`reconciler.emulator.server` serves.  Requests under ``/v1`` go through
the :class:`~reconciler.emulator.pipeline.Pipeline`; under ``/_emulator`` to the
control endpoints when ``options.control`` is on; anything else is a 404.

Dropped connections (injected faults) need the socket, which ASGI does not expose: the
outermost layer here reaches uvicorn's transport through the ``send`` it was given and
aborts it, so the client sees the connection close with no response.  In-process (a
test client has no socket) the drop surfaces as :class:`ConnectionDropped`, a
``httpx.RemoteProtocolError``, which is what an httpx client sees for a real drop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from reconciler.emulator.clock import Clock
from reconciler.emulator.control import Control
from reconciler.emulator.errors import not_found
from reconciler.emulator.ids import request_id
from reconciler.emulator.pipeline import Pipeline
from reconciler.emulator.reply import Reply
from reconciler.emulator.runtime import Options, Runtime, Source
from reconciler.emulator.state import StateFile

DROP_KEY = "reconciler.emulator.drop"


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
    """The one Starlette route's endpoint: picks the pipeline, the control API or 404."""

    def __init__(self, runtime: Runtime) -> None:
        self.pipeline = Pipeline(runtime)
        self.control = Control(runtime) if runtime.options.control else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        reply = await self._reply(request)
        if reply.status is None:
            scope[DROP_KEY].drop()
            return
        await reply.response()(scope, receive, send)

    async def _reply(self, request: Request) -> Reply:
        path = request.url.path
        if path == "/v1" or path.startswith("/v1/"):
            return await self.pipeline.handle(request)
        if self.control is not None and path.startswith("/_emulator/"):
            return await self.control.handle(request)
        rid = request_id()
        error = not_found(f"Not found: {request.method} {path}")
        return Reply(404, error.body(rid), {"request-id": rid})


class EmulatorApp:
    """An emulated organization served over ASGI.

    ``runtime`` holds the live state (``runtime.store``), stats and rate windows, for
    tests that want to look inside.
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
        self._starlette = Starlette(routes=[Route("/{path:path}", _Dispatch(self.runtime))])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._starlette(scope, receive, send)
            return
        dropper = _Dropper(send)
        scope[DROP_KEY] = dropper
        await self._starlette(scope, receive, dropper.send)
        if dropper.dropped:
            # Let the loop deliver connection_lost, so the server sees a closed
            # connection rather than an app that returned without a response.
            await asyncio.sleep(0)
            if not dropper.aborted:
                raise ConnectionDropped("the emulator dropped the connection")
