"""Drift grouping and acknowledgements (pure: plan documents built in memory)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from reconciler.acks import load_acks
from reconciler.drift import detect
from reconciler.drift.render import RENDERERS
from reconciler.errors import PolicyError
from reconciler.plan.model import Plan
from reconciler.plan.planner import PlanOptions, build_plan
from tests.plan.builders import desired, enterprise_snapshot, limit, limits, user_limit, val

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def drifted_plan() -> Plan:
    d = desired(
        "enterprise",
        limits=limits(
            limit(
                {"type": "seat_tier", "seat_tier": "enterprise_standard"}, "monthly", val("12000")
            ),
            user_limit("bob", "monthly", val("90000")),
        ),
    )
    return build_plan(
        d, enterprise_snapshot(), policy_digest="sha256:x", options=PlanOptions(now=NOW)
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_groups_fixable_and_manual() -> None:
    report = detect(drifted_plan(), [], now=NOW)
    assert report.drifted
    assert report.summary() == {
        "fixable": 1,
        "manual": 1,
        "blocked": 0,
        "acknowledged": 0,
        "expired_acknowledgements": 0,
    }
    doc = report.to_document()
    assert [c["address"] for c in doc["manual"]] == [
        "spend_limit:seat_tier:enterprise_standard:monthly"
    ]
    assert doc["in_sync"] is False


def test_acknowledged_drift_is_listed_not_counted(tmp_path: Path) -> None:
    acks = load_acks(
        write(
            tmp_path,
            "acknowledgements:\n"
            '  - address: "spend_limit:seat_tier:*"\n'
            '    reason: "tier caps move to claude.ai next quarter"\n'
            "    expires: 2026-11-22\n",
        )
    )
    report = detect(drifted_plan(), acks, now=NOW)
    assert report.summary()["manual"] == 0
    assert report.summary()["acknowledged"] == 1
    assert report.to_document()["acknowledged"][0]["reason"].startswith("tier caps")


def test_expired_acknowledgements_count_again_and_are_warned(tmp_path: Path) -> None:
    acks = load_acks(
        write(
            tmp_path,
            "acknowledgements:\n"
            '  - {address: "spend_limit:seat_tier:*", reason: old, expires: 2026-11-21}\n',
        )
    )
    report = detect(drifted_plan(), acks, now=NOW)
    assert report.summary()["manual"] == 1
    doc = report.to_document()
    assert doc["expired_acknowledgements"][0]["expires"] == "2026-11-21"
    assert any("expired on 2026-11-21" in w for w in doc["warnings"])


def test_in_sync_renders_plainly() -> None:
    d = desired("enterprise")
    plan = build_plan(
        d, enterprise_snapshot(), policy_digest="sha256:x", options=PlanOptions(now=NOW)
    )
    report = detect(plan, [], now=NOW)
    assert report.to_document()["in_sync"] is True
    assert RENDERERS["text"](report).endswith("In sync: the organization matches the policy.\n")
    assert "✅" in RENDERERS["markdown"](report)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "acknowledgements:\n  - {address: x, reason: y}\n",
            [
                "acks.yaml:2:5: missing `expires` (a date: YYYY-MM-DD) "
                "(path: acknowledgements[0].expires)"
            ],
        ),
        (
            "acknowledgements:\n  - {address: x, reason: y, expires: soon}\n",
            [
                "acks.yaml:2:38: `expires` must be a date (YYYY-MM-DD) "
                "(path: acknowledgements[0].expires)"
            ],
        ),
        (
            "acknowledgments: []\n",
            [
                "acks.yaml:1:1: unknown key `acknowledgments` (path: acknowledgments) "
                "hint: expected `acknowledgements`"
            ],
        ),
    ],
)
def test_bad_ack_files_are_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, text)
    with pytest.raises(PolicyError) as err:
        load_acks("acks.yaml")
    assert [p.render() for p in err.value.problems] == expected
