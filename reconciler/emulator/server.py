"""Serving the emulator with uvicorn, on loopback only (SPEC §8).

The socket is bound (and listening) before anything is printed, so the first stdout
line — the base URL, ``http://127.0.0.1:PORT`` — is a promise that the server accepts
connections; ``port=0`` lets the kernel pick a free port.  SIGINT and SIGTERM finish
the requests in flight and return normally (exit status 0).
"""

from __future__ import annotations

import gc
import ipaddress
import json
import signal
import socket
from collections.abc import Callable
from types import FrameType

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.errors import ApiError
from reconciler.emulator.ids import request_id

BACKLOG = 128


class NotLoopback(ValueError):
    """A host that is not a loopback address: the emulator never listens elsewhere."""


def check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise NotLoopback(f"{host!r} is not an IP address or localhost") from None
    if not address.is_loopback:
        raise NotLoopback(f"{host} is not a loopback address")


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``OSError`` when that is impossible)."""
    check_loopback(host)
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def url(sock: socket.socket) -> str:
    """``http://127.0.0.1:PORT`` (IPv6 in brackets): no path, no trailing slash."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, except that a request it cannot even parse (a raw
    control byte in the path, a malformed header) is answered in the API's JSON error
    envelope, like every other error, instead of uvicorn's plain text."""

    def send_400_response(self, msg: str) -> None:
        rid = request_id()
        body = json.dumps(ApiError(400, msg).body(rid)).encode("utf-8")
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode("ascii")),
            (b"request-id", rid.encode("ascii")),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the stop signal after a graceful shutdown
    (which would turn a clean SIGTERM stop into death by signal)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True


def freeze_heap() -> None:
    """Leave the loaded organization out of the cyclic collector's work.

    A 50,000-member seed is a few million long-lived objects; every full collection
    walked them all while pages were being built (a quarter of the effective report's
    time).  Frozen objects are still freed by reference counting when a reset drops them.
    """
    gc.collect()
    gc.freeze()


def serve(app: EmulatorApp, sock: socket.socket, announce: Callable[[str], None]) -> None:
    """Serve ``app`` on ``sock`` until SIGINT or SIGTERM; ``announce`` gets the URL first."""
    config = uvicorn.Config(
        app,
        http=_Protocol,  # h11: dropped connections reach the transport through its request cycle
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    app.runtime.freeze_heap = True
    freeze_heap()
    announce(url(sock))
    server.run(sockets=[sock])
