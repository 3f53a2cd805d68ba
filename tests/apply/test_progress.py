"""Progress on a terminal: ``[done/total] rate, time left  address`` on one rewritten line.

The formatting is a pure function of :class:`~reconciler.apply.Progress`; the executor
reports after every change, skipped ones included, so the count always reaches the total.
"""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.adminapi import Pacer
from reconciler.apply import Progress
from reconciler.apply.executor import execute
from reconciler.cli.apply import _show_progress, progress_line
from reconciler.errors import ApiError
from tests.plan.builders import plan_with

ADDRESS = "spend_limit:user:ana@example.com:monthly"


@pytest.mark.parametrize(
    ("progress", "line"),
    [
        pytest.param(
            Progress(30, 120, 60.0, ADDRESS),
            "[30/120] 30/min, ~3 min left  " + ADDRESS.ljust(60),
            id="rate and time left",
        ),
        pytest.param(
            Progress(1, 50_000, 0.5, ADDRESS),
            "[1/50000] 120/min, ~6.9 h left  " + ADDRESS.ljust(60),
            id="hours left",
        ),
        pytest.param(
            Progress(2_400, 50_000, 60.0, ADDRESS),
            "[2400/50000] 2,400/min, ~20 min left  " + ADDRESS.ljust(60),
            id="thousands separator",
        ),
        pytest.param(
            Progress(9, 10, 9.0, "workspace:a"),
            "[9/10] 60/min, ~1 s left  " + "workspace:a".ljust(60),
            id="seconds left",
        ),
        pytest.param(
            Progress(10, 10, 9.0, "workspace:a"),
            "[10/10] 67/min  " + "workspace:a".ljust(60),
            id="done: no time left shown",
        ),
        pytest.param(
            Progress(1, 10, 0.0, "workspace:a"),
            "[1/10]  " + "workspace:a".ljust(60),
            id="no time elapsed yet: no rate",
        ),
    ],
)
def test_progress_line(progress: Progress, line: str) -> None:
    assert progress_line(progress) == line


def test_a_long_address_is_cut_to_the_width() -> None:
    address = "spend_limit:user:" + "x" * 80 + "@example.com:monthly"
    line = progress_line(Progress(1, 2, 1.0, address))
    assert line.endswith("  " + address[:59] + "…")
    assert len(line) == len("[1/2] 60/min, ~1 s left  ") + 60


def test_shown_on_stderr_rewriting_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    _show_progress(Progress(1, 4, 2.0, "workspace:a"))
    _show_progress(Progress(2, 4, 3.0, "workspace:b"))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "\r[1/4] 30/min, ~6 s left  "
        + "workspace:a".ljust(60)
        + "\r[2/4] 40/min, ~3 s left  "
        + "workspace:b".ljust(60)
    )


class FakeWriter:
    """Accepts every spend-limit write except for ``fail``'s workspace create."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.pacer = Pacer(clock=lambda: 0.0)  # nothing sent through it: a fresh minute

    def set_spend_limit(self, scope: Any, period: str, amount: str | None) -> None:
        self.sent.append((scope, period, amount))

    def create_workspace(self, body: Any) -> Any:
        raise ApiError(400, "invalid_request_error", "no room", "req_1")


def limit_change(address: str, depends_on: list[str] | None = None) -> dict[str, Any]:
    return {
        "address": address,
        "action": "create",
        "resource_type": "spend_limit",
        "id": None,
        "before": None,
        "after": {
            "scope": {"type": "workspace", "workspace_id": "wrkspc_1"},
            "period": "monthly",
            "amount": "100",
            "currency": "USD",
        },
        "depends_on": depends_on or [],
    }


def test_the_executor_reports_every_change_skipped_ones_included() -> None:
    doc = {
        "changes": [
            {
                "address": "workspace:new",
                "action": "create",
                "resource_type": "workspace",
                "id": None,
                "before": None,
                "after": {"name": "new", "data_residency": {}, "tags": {}},
                "fields": [],
            },
            limit_change("spend_limit:workspace:a:monthly"),
            {**limit_change("spend_limit:workspace:new:monthly", ["workspace:new"])},
            limit_change("spend_limit:workspace:b:monthly"),
        ]
    }
    ticks = iter([100.0, 101.0, 102.0, 102.5, 104.0])
    seen: list[Progress] = []

    writer: Any = FakeWriter()
    report = execute(
        plan_with(doc["changes"]), writer, progress=seen.append, clock=lambda: next(ticks)
    )

    assert [(p.done, p.total, p.elapsed, p.address) for p in seen] == [
        (1, 4, 1.0, "workspace:new"),
        (2, 4, 2.0, "spend_limit:workspace:a:monthly"),
        (3, 4, 2.5, "spend_limit:workspace:new:monthly"),
        (4, 4, 4.0, "spend_limit:workspace:b:monthly"),
    ]
    assert report.skipped == ["spend_limit:workspace:new:monthly"]
    assert [f.address for f in report.failed] == ["workspace:new"]
    # Two writes left fit in a fresh minute's budget: the pacing needs no time for them.
    assert seen[1].rate_per_min == 60.0 and seen[1].remaining_seconds == 0.0


def test_the_time_left_follows_the_pacing_not_the_rate_so_far() -> None:
    """1,200 spend-limit writes at the real limits: the first 48 go at once, so the rate so
    far says nothing; the pacer says (1,200 − 48) ÷ 60 a minute."""
    clock = iter(float(i) for i in range(10**6))
    writer = FakeWriter()
    changes = [limit_change(f"spend_limit:workspace:w{i}:monthly") for i in range(1200)]
    seen: list[Progress] = []
    execute(
        plan_with(changes),
        writer,  # type: ignore[arg-type]
        progress=seen.append,
        clock=lambda: next(clock),
    )
    assert seen[0].remaining_seconds == pytest.approx((1199 - 48) * 1.0)
    assert seen[-1].remaining_seconds == 0.0
