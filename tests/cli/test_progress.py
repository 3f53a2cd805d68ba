"""The read-progress line: shown on a terminal only, cleared at the end."""

from __future__ import annotations

import io
import sys

import httpx
import pytest

from reconciler.adminapi import AdminClient
from reconciler.cli import progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _client() -> AdminClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "org", "type": "organization", "name": "Acme"})

    http = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://127.0.0.1")
    return AdminClient(http, "sk-ant-admin01-test", base_url="http://127.0.0.1")


@pytest.mark.parametrize("tty", [True, False])
def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    err = _Tty() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(progress, "_INTERVAL", 0.0)
    client = _client()
    with progress.reading(client):
        client.me()
        client.me()
    assert client.stats.listener is None
    if tty:
        assert "Reading the organization… 2 requests" in err.getvalue()
        assert err.getvalue().endswith("\r\x1b[K")
    else:
        assert err.getvalue() == ""
