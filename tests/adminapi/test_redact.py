"""The key never appears in any output: logs at DEBUG (httpx and httpcore included),
exception messages, tracebacks and reprs — even when a server echoes it back."""

from __future__ import annotations

import io
import json
import logging
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from reconciler.adminapi import REDACTED, AdminClient, Secret, redact, resolve_config
from reconciler.cli.options import configure_logging
from reconciler.errors import ApiError

CANARY = "sk-ant-admin01-CANARY-c4n4ry-DO-NOT-PRINT-7f3a9b"


class EchoingHandler(BaseHTTPRequestHandler):
    """A hostile server: echoes the key in a header and in the error message."""

    def do_GET(self) -> None:
        key = self.headers.get("x-api-key", "")
        status = 200 if self.path.endswith("/me") else 401
        if status == 200:
            body = {"id": "org", "type": "organization", "name": f"Acme {key}"}
        else:
            body = {
                "type": "error",
                "error": {"type": "authentication_error", "message": f"bad key {key}"},
                "request_id": "req_1",
            }
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("x-echo-key", key)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    names = ("", "reconciler", "httpx", "httpcore")
    levels = {n: logging.getLogger(n).level for n in names}
    handlers = list(root.handlers)
    yield
    for h in root.handlers[:]:
        if h not in handlers:
            root.removeHandler(h)
    for n, level in levels.items():
        logging.getLogger(n).setLevel(level)


def test_secret_repr_and_str_are_redacted() -> None:
    secret = Secret(CANARY)
    assert CANARY not in repr(secret) and CANARY not in str(secret) and CANARY not in f"{secret}"
    assert secret.reveal() == CANARY
    config = resolve_config(env={"ANTHROPIC_ADMIN_API_KEY": CANARY})
    assert CANARY not in repr(config)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


def test_redact_replaces_registered_and_key_shaped_strings() -> None:
    Secret(CANARY)
    assert redact(f"x {CANARY} y") == f"x {REDACTED} y"
    assert redact("header sk-ant-api01-some-other-unregistered-key") == f"header {REDACTED}"
    assert redact("expected sk-ant-admin01-…") == "expected sk-ant-admin01-…"


def test_debug_run_against_an_echoing_server_never_shows_the_key(
    echo_server: str, restore_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    stream = io.StringIO()
    configure_logging(verbose=0, debug=True, stream=stream)
    caplog.set_level(logging.DEBUG)
    config = resolve_config(api_url=echo_server, env={"ANTHROPIC_ADMIN_API_KEY": CANARY})
    with httpx.Client() as http:
        client = AdminClient.from_config(http, config, max_retries=0)
        org = client.me()
        with pytest.raises(ApiError) as info:
            client.get_workspace("wrkspc_1")
        logging.getLogger("reconciler.test").exception("failed: %s", info.value)
        try:
            raise RuntimeError(f"wrapped {CANARY}")
        except RuntimeError:
            logging.getLogger("httpx").debug("odd", exc_info=True)
        shown = [
            repr(client),
            str(info.value),
            repr(info.value),
            "".join(traceback.format_exception(info.value)),
            stream.getvalue(),
            caplog.text,
        ]
    assert org.id == "org"
    for text in shown:
        assert CANARY not in text
    log_text = stream.getvalue()
    assert "x-echo-key" in log_text  # httpcore logged the response headers...
    assert REDACTED in log_text  # ...with the key replaced
    assert "HTTP Request: GET" in log_text
    assert "bad key [REDACTED]" in str(info.value)
    assert "Traceback" in log_text and "wrapped [REDACTED]" in log_text


def test_a_failing_command_with_debug_never_shows_the_key(echo_server: str) -> None:
    """The whole command line, as a user runs it: ``--debug -vvv`` prints tracebacks and
    every HTTP log line, and the echoing server puts the key in headers and messages."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_"))}
    env["ANTHROPIC_ADMIN_API_KEY"] = CANARY
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "import", "--api-url", echo_server, "--debug", "-vvv"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" in done.stderr and "x-echo-key" in done.stderr
    assert "authentication_error" in done.stderr and REDACTED in done.stderr
    assert CANARY not in done.stdout + done.stderr
