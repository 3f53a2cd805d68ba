"""The typed plan: read back from its document exactly, refusing what is not a plan, and
its safety rail."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from reconciler.errors import PlanFileError
from reconciler.plan.facts import BlockedMember, MoneyFacts, Safety
from reconciler.plan.model import Plan, checksum
from tests.plan.builders import plan_with

CHANGE = {
    "address": "spend_limit:user:a@x.example:monthly",
    "action": "update",
    "resource_type": "spend_limit",
    "id": "spl_a",
    "before": {"scope": {"type": "user", "user_id": "u_a"}, "period": "monthly", "amount": "1"},
    "after": {"scope": {"type": "user", "user_id": "u_a"}, "period": "monthly", "amount": "2"},
    "fields": [{"path": "amount", "before": "1", "after": "2", "source": "p.yaml:3"}],
    "live_fingerprint": "sha256:x",
    "reason": None,
    "depends_on": [],
}


def test_money_and_safety_round_trip_and_write_their_sentences() -> None:
    plan = plan_with([CHANGE])
    plan.safety = Safety.of(existing=20, changing=10, max_change_percent=30, min_existing=10)
    plan.money = MoneyFacts(
        blocked_members=[BlockedMember("a@x.example", "monthly", "5", "2")],
        headroom_delta=Decimal("100"),
        to_unlimited=1,
    )
    doc = plan.to_document()
    assert doc["safety"]["exceeded"] is True and doc["safety"]["percent"] == 50.0
    assert doc["notes"] == [
        "Monthly headroom: this plan adds $1.00 (1 member(s) become unlimited)."
    ]
    again = Plan.from_document(doc)
    assert again == plan
    assert again.to_document() == doc


def test_no_monthly_move_means_nothing_said_about_headroom() -> None:
    plan = plan_with([CHANGE])
    plan.money = MoneyFacts(blocked_members=[BlockedMember("a@x.example", "daily", "5", "2")])
    doc = plan.to_document()
    assert doc["money"]["monthly_headroom_delta"] is None and "notes" not in doc
    assert Plan.from_document(doc).to_document() == doc


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("changes"),
        lambda d: d["changes"][0].update(action="explode"),
        lambda d: d.update(organization="acme"),
        lambda d: d["summary"].pop("unchanged"),
    ],
    ids=["no-changes", "unknown-action", "organization-not-an-object", "no-summary-count"],
)
def test_a_document_that_is_not_a_plan_is_one_plan_file_error(damage) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(plan_with([CHANGE]).to_document())
    damage(doc)
    doc["checksum"] = checksum(doc)  # well-formed JSON, checksum recomputed: still refused
    with pytest.raises(PlanFileError, match="not a well-formed plan document"):
        Plan.from_document(doc)


def test_the_safety_rail_lives_on_the_plan() -> None:
    plan = plan_with([CHANGE])
    plan.raise_if_unsafe()  # no figures: nothing to enforce
    plan.safety = Safety.of(existing=20, changing=10, max_change_percent=30, min_existing=10)
    with pytest.raises(PlanFileError, match=r"changes 10 of 20 existing objects \(50.0%\)"):
        plan.raise_if_unsafe()
    plan.raise_if_unsafe(force=True)
    plan.safety = Safety.of(existing=5, changing=5, max_change_percent=30, min_existing=10)
    plan.raise_if_unsafe()  # too few objects for the rail to apply


def test_applicable_manual_and_blocked_are_decided_in_one_place() -> None:
    manual = {**CHANGE, "address": "spend_limit:seat_tier:t:monthly", "action": "manual"}
    blocked = {**CHANGE, "address": "spend_limit:user:b@x.example:monthly", "action": "blocked"}
    plan = plan_with([CHANGE, manual, blocked])
    assert [c.address for c in plan.applicable()] == [CHANGE["address"]]
    assert [c.address for c in plan.manual()] == [manual["address"]]
    assert [c.address for c in plan.blocked()] == [blocked["address"]]
    assert plan.has_applicable and not plan_with([manual]).has_applicable
