"""Golden files for every renderer (whole output, colour off), plus the comment-size limit.

Regenerate with ``UPDATE_GOLDEN=1`` and review the diff by eye.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from reconciler.desired import INHERIT
from reconciler.live import LiveMember
from reconciler.plan.model import Plan
from reconciler.plan.planner import PlanOptions, build_plan
from reconciler.plan.render import RENDERERS
from reconciler.plan.render.markdown import render_markdown
from reconciler.schemas import load as load_schema
from tests.plan.builders import (
    console_snapshot,
    desired,
    enterprise_snapshot,
    limit,
    limits,
    user_limit,
    val,
    workspace,
    workspaces,
)

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
EXT = {"text": "txt", "json": "json", "markdown": "md"}


def console_plan() -> Plan:
    d = desired(
        "console",
        workspaces=workspaces(
            workspace(
                "fraud-detection",
                None,
                {
                    "name": val("fraud-detection", 20),
                    "data_residency.allowed_inference_geos": val(["us"], 22),
                    "data_residency.default_inference_geo": val("us", 23),
                    "tags.team": val("risk", 24),
                },
            ),
            workspace(
                "claims",
                "wrkspc_claims",
                {
                    "data_residency.allowed_inference_geos": val(["us"], 9, "workspace_rules[0]"),
                    "data_residency.default_inference_geo": val("us", 9, "workspace_rules[0]"),
                    "tags.team": val(None, 40),
                },
                declared=False,
            ),
            workspace("portal", "wrkspc_portal", {"data_residency.workspace_geo": val("eu", 30)}),
        ),
        limits=limits(
            limit({"type": "organization"}, "monthly", val("6000000", 3)),
            limit(
                {"type": "workspace", "name": "claims", "id": "wrkspc_claims"},
                "monthly",
                val(INHERIT, 12),
            ),
            limit(
                {"type": "workspace", "name": "fraud-detection", "id": None},
                "monthly",
                val("120000", 25),
            ),
        ),
    )
    return build_plan(d, console_snapshot(), policy_digest="sha256:d", options=PlanOptions(now=NOW))


def enterprise_plan() -> Plan:
    d = desired(
        "enterprise",
        limits=limits(
            limit(
                {"type": "seat_tier", "seat_tier": "enterprise_standard"},
                "monthly",
                val("12000", 7),
            ),
            user_limit("bob", "monthly", val("90000", 11)),
            user_limit("carol", "daily", val(None, 12)),
        ),
    )
    return build_plan(
        d, enterprise_snapshot(), policy_digest="sha256:e", options=PlanOptions(now=NOW)
    )


def no_change_plan() -> Plan:
    d = desired(
        "console", limits=limits(limit({"type": "organization"}, "monthly", val("5000000")))
    )
    return build_plan(d, console_snapshot(), policy_digest="sha256:n", options=PlanOptions(now=NOW))


CASES = {"console": console_plan, "enterprise": enterprise_plan, "no-changes": no_change_plan}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, fmt: str) -> None:
    out = RENDERERS[fmt](CASES[case](), color=False)
    path = GOLDEN / f"{case}.{EXT[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_saved_plan_renders_the_same(case: str, fmt: str) -> None:
    """``show`` renders the plan read back from its file: the same text as ``plan``."""
    plan = CASES[case]()
    again = Plan.from_document(json.loads(RENDERERS["json"](plan)))
    assert RENDERERS[fmt](again) == RENDERERS[fmt](plan)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_document_round_trips_through_the_typed_plan(case: str) -> None:
    doc = CASES[case]().to_document()
    assert Plan.from_document(doc).to_document() == doc
    assert Plan.from_document(doc) == Plan.from_document(doc)


def test_text_colour_only_when_asked() -> None:
    plan = console_plan()
    assert "\x1b[" not in RENDERERS["text"](plan, color=False)
    assert "\x1b[32m" in RENDERERS["text"](plan, color=True)


def test_json_rendering_is_the_document() -> None:
    plan = console_plan()
    assert json.loads(RENDERERS["json"](plan)) == plan.to_document()


def test_markdown_summarises_to_stay_under_the_comment_limit() -> None:
    members = {
        f"u{i:05d}@x.example": LiveMember(f"user_{i}", f"u{i:05d}@x.example") for i in range(3000)
    }
    d = desired(
        "enterprise",
        limits=limits(
            *[
                limit({"type": "user", "email": e, "id": m.id}, "monthly", val("100", i))
                for i, (e, m) in enumerate(members.items())
            ]
        ),
    )
    plan = build_plan(
        d,
        enterprise_snapshot(members=members, effective={}),
        policy_digest="sha256:x",
        options=PlanOptions(now=NOW),
    )
    out = render_markdown(plan)
    assert len(out) <= 65_536
    assert "more change(s) not shown here" in out
    assert "| 3000 | 0 | 0 | 0 | 0 | 0 | 0 |" in out


@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_documents_follow_the_plan_schema(case: str) -> None:
    schema = load_schema("plan")
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(CASES[case]().to_document()))
    assert errors == []
