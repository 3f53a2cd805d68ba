"""The hostile corpus over a real socket: the ``emulator`` command, with ``--state``.

Every case of an organization goes to one running emulator; the state file must not
change after a refused request, must stay a state the emulator would load after an
accepted one (which is then undone with ``/_emulator/reset``), and the process must log
no error.  Requests that are not even HTTP are sent on raw sockets.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.emulator.errors import ERROR_TYPES
from reconciler.emulator.statecheck import problem
from tests.emulator_hostile.corpus import all_cases
from tests.emulator_hostile.harness import judge, placeholders, request_parts, seed, seed_data
from tests.support.emulator import Emulator, running_emulator

CASES = all_cases()


@pytest.fixture(scope="module", params=["console", "enterprise"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Emulator, Path]]:
    org: str = request.param
    folder = tmp_path_factory.mktemp(org)
    seed_path = folder / "seed.json"
    seed_path.write_text(json.dumps(seed_data(org)), "utf-8")
    state = folder / "org.json"
    with running_emulator(seed_path, "--rate-scale", "1000000", state=state) as emulator:
        yield org, emulator, state


def test_every_case_over_a_socket(served: tuple[str, Emulator, Path]) -> None:
    org, emulator, state = served
    values = placeholders(seed(org).build())
    cases = [case for case in CASES if case.org == org]
    failures: list[str] = []
    with httpx.Client(base_url=emulator.url, trust_env=False, timeout=30.0) as client:
        for case in cases:
            before = state.read_bytes()
            response = client.request(**request_parts(case, values))
            problems = judge(case, response.status_code, response.headers, response.content)
            after = state.read_bytes()
            if after != before:
                if response.status_code != 200:
                    problems.append("a refused request changed the state file")
                unreadable = problem(json.loads(after))
                if unreadable is not None:
                    problems.append(f"the state file would not load: {unreadable}")
                assert client.post("/_emulator/reset").status_code == 200
            if problems:
                failures.append(f"{case.id}: {problems}")
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(
        failures[:40]
    )
    log = emulator.stderr()
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]


RAW_REQUESTS = {
    "control byte in the path": b"GET /v1/organizations/users\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    "raw CR LF in the path": b"GET /v1/organizations/\r\nusers HTTP/1.1\r\nHost: x\r\n\r\n",
    "non-ASCII byte in the path": b"GET /v1/\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    "space in the path": b"GET /v1/organizations /users HTTP/1.1\r\nHost: x\r\n\r\n",
    "header without a colon": b"GET /v1/organizations/users HTTP/1.1\r\nHost: x\r\nBad\r\n\r\n",
    "no Host header": b"GET /v1/organizations/users HTTP/1.1\r\n\r\n",
    "garbage request line": b"HELLO\r\n\r\n",
    "HTTP/2 preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "bad content-length": (
        b"POST /_emulator/spend HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}"
    ),
    "two content-lengths": (
        b"POST /_emulator/spend HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"Content-Length: 3\r\n\r\n{}"
    ),
    "bad chunk": (
        b"POST /_emulator/spend HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"zz\r\n{}\r\n0\r\n\r\n"
    ),
    "TLS spoken to plain HTTP": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 64,
    "websocket upgrade": (
        b"GET /v1/organizations/users HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    ),
    "header of 64 KiB": b"GET /v1/organizations/users HTTP/1.1\r\nHost: x\r\nX-Big: "
    + b"b" * 65536
    + b"\r\n\r\n",
}


def _exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("raw", list(RAW_REQUESTS.values()), ids=list(RAW_REQUESTS))
def test_what_is_not_http_gets_the_envelope_too(
    served: tuple[str, Emulator, Path], raw: bytes
) -> None:
    _, emulator, state = served
    before = state.read_bytes()
    answer = _exchange(int(emulator.url.rsplit(":", 1)[1]), raw)
    # The first answer (``PRI *`` is a request line to HTTP/1.1: a 404, then a 400).
    head, _, rest = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    assert status_line[:10] in ("HTTP/1.1 4", "HTTP/1.0 4"), answer[:300]
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    assert headers["content-type"] == "application/json", answer[:300]
    envelope = json.loads(rest[: int(headers["content-length"])])
    status = int(status_line.split()[1])
    assert envelope["type"] == "error" and envelope["error"]["type"] == ERROR_TYPES[status]
    assert envelope["request_id"] == headers["request-id"]
    assert state.read_bytes() == before
