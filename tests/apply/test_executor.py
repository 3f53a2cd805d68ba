"""The executor's stop semantics, with a stand-in writer (no HTTP): a stop request lets
the change in flight finish; a second Ctrl-C stops at once and the report stays whole."""

from __future__ import annotations

import signal
import threading
from typing import Any

import pytest

from reconciler.apply.executor import execute
from reconciler.apply.render import render_text
from reconciler.cli.signals import StopRequest
from tests.plan.builders import plan_with


def limit(n: int) -> dict[str, Any]:
    return {
        "address": f"spend_limit:user:u{n}@example.com:monthly",
        "action": "create",
        "resource_type": "spend_limit",
        "id": None,
        "before": None,
        "after": {
            "scope": {"type": "user", "user_id": f"user_{n}"},
            "period": "monthly",
            "amount": "100",
            "currency": "USD",
        },
        "depends_on": [],
    }


CHANGES = [limit(n) for n in range(1, 6)]
DOC = plan_with(CHANGES)
ADDRESSES = [c["address"] for c in CHANGES]


class Writer:
    """Records writes; on the ``at``-th write it calls ``during`` (a signal arriving)."""

    def __init__(self, at: int, during: Any) -> None:
        self.at, self.during = at, during
        self.sent: list[str] = []

    def set_spend_limit(self, scope: dict[str, Any], period: str, amount: str | None) -> None:
        if len(self.sent) + 1 == self.at:
            self.during()
        self.sent.append(scope["user_id"])


def test_a_stop_request_finishes_the_change_in_flight() -> None:
    stop = threading.Event()
    writer = Writer(2, stop.set)

    report = execute(DOC, writer, stop=stop)  # type: ignore[arg-type]

    assert writer.sent == ["user_1", "user_2"]
    assert report.applied == ADDRESSES[:2]
    assert report.skipped == ADDRESSES[2:]
    assert report.failed == [] and report.interrupted and not report.ok


def test_a_second_interrupt_stops_at_once_and_reports_the_change_in_doubt() -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    writer = Writer(3, interrupt)

    report = execute(DOC, writer, stop=threading.Event())  # type: ignore[arg-type]

    assert report.interrupted
    assert report.applied == ADDRESSES[:2]
    assert [(f.address, f.status, f.error_type) for f in report.failed] == [
        (ADDRESSES[2], 0, "interrupted")
    ]
    assert "may or may not have been applied" in report.failed[0].message
    assert report.skipped == ADDRESSES[3:]
    assert report.to_json()["failed"][0]["request_id"] is None
    assert "Apply interrupted" in render_text(report)


def test_signals_while_the_report_is_written_are_only_remembered() -> None:
    """First signal: stop after the request in flight; second: stop at once; once the
    writing is over (``finishing``), any signal is only remembered, so the report is
    never cut short and the command still exits 130."""
    request = StopRequest()
    request.handle(signal.SIGTERM, None)
    assert request.requested
    with pytest.raises(KeyboardInterrupt):
        request.handle(signal.SIGTERM, None)

    finishing = StopRequest()
    finishing.finishing()
    finishing.handle(signal.SIGINT, None)
    finishing.handle(signal.SIGINT, None)
    assert finishing.requested
