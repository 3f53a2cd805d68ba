"""Golden files for every renderer (whole output, colour off), plus the comment-size limit.

Regenerate with ``UPDATE_GOLDEN=1`` and review the diff by eye.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from reconciler.desired import INHERIT
from reconciler.live import LiveMember
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


def console_doc() -> dict[str, Any]:
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
    plan = build_plan(d, console_snapshot(), policy_digest="sha256:d", options=PlanOptions(now=NOW))
    return plan.to_document()


def enterprise_doc() -> dict[str, Any]:
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
    plan = build_plan(
        d, enterprise_snapshot(), policy_digest="sha256:e", options=PlanOptions(now=NOW)
    )
    return plan.to_document()


def no_change_doc() -> dict[str, Any]:
    d = desired(
        "console", limits=limits(limit({"type": "organization"}, "monthly", val("5000000")))
    )
    return build_plan(
        d, console_snapshot(), policy_digest="sha256:n", options=PlanOptions(now=NOW)
    ).to_document()


CASES = {"console": console_doc, "enterprise": enterprise_doc, "no-changes": no_change_doc}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, fmt: str) -> None:
    out = RENDERERS[fmt](CASES[case](), color=False)
    path = GOLDEN / f"{case}.{EXT[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_text_colour_only_when_asked() -> None:
    doc = console_doc()
    assert "\x1b[" not in RENDERERS["text"](doc, color=False)
    assert "\x1b[32m" in RENDERERS["text"](doc, color=True)


def test_json_rendering_is_the_document() -> None:
    doc = console_doc()
    assert json.loads(RENDERERS["json"](doc)) == doc


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
    doc = build_plan(
        d,
        enterprise_snapshot(members=members, effective={}),
        policy_digest="sha256:x",
        options=PlanOptions(now=NOW),
    ).to_document()
    out = render_markdown(doc)
    assert len(out) <= 65_536
    assert "more change(s) not shown here" in out
    assert "| 3000 | 0 | 0 | 0 | 0 | 0 | 0 |" in out


@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_documents_follow_the_plan_schema(case: str) -> None:
    schema = load_schema("plan")
    Draft202012Validator.check_schema(schema)
    errors = list(Draft202012Validator(schema).iter_errors(CASES[case]()))
    assert errors == []
