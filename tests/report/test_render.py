"""The renderings of one document: every format from the same figures, hostile names kept
inert, size limits kept, empty reports still well formed, the JSON valid by its schema."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import jsonschema
import pytest

from reconciler.adminapi.reports import Bucket, CostResult, UsageResult
from reconciler.audit.held import HeldWorkspace
from reconciler.live import Effective, LiveMember, LiveWorkspace
from reconciler.report import ConsoleReads, EnterpriseReads, build_report, days_window
from reconciler.report.render import RENDERERS
from reconciler.report.render.csvout import CONSOLE_COLUMNS, ENTERPRISE_COLUMNS
from reconciler.report.render.markdown import COMMENT_LIMIT
from reconciler.report.render.svg import nice_ticks
from reconciler.schemas import load as load_schema
from tests.report.builders import NOW

SONNET = "claude-sonnet-4-6"
HOSTILE = '=HYPERLINK("http://x.example")'
SCRIPT = "<script>alert(1)</script>|`x`"
ORG = {"id": "org-1", "name": "Acme <b>Health</b>", "kind": "console"}


def console_doc(workspaces: int = 2, days: int = 3) -> dict[str, Any]:
    window = days_window(days, NOW)
    names = [HOSTILE, SCRIPT] + [f"ws-{i:04d}" for i in range(workspaces - 2)]
    spaces = [LiveWorkspace(f"wrkspc_{i}", n, {}, {}, False) for i, n in enumerate(names)]
    usage, cost = [], []
    for day in window.dates:
        usage.append(
            Bucket(
                f"{day}T00:00:00Z",
                None,
                tuple(
                    UsageResult(
                        uncached_input_tokens=1000 + i,
                        model=SONNET,
                        workspace_id=w.id,
                        inference_geo="us" if i % 2 else "global",
                    )
                    for i, w in enumerate(spaces)
                ),
            )
        )
        cost.append(
            Bucket(
                f"{day}T00:00:00Z",
                None,
                tuple(
                    CostResult(
                        Decimal("0.33"),
                        "USD",
                        w.id,
                        "d",
                        "tokens",
                        SONNET,
                        inference_geo="us" if i % 2 else "global",
                    )
                    for i, w in enumerate(spaces)
                ),
            )
        )
    held = [HeldWorkspace(f"workspace:{SCRIPT}", SCRIPT, "wrkspc_1", "p.yaml:1")]
    reads = ConsoleReads(window, spaces, held, usage, cost)
    report = build_report(organization=ORG, policy_digest="d", now=NOW, console=reads)
    return report.to_document()


def enterprise_doc(rows: list[Effective] | None = None) -> dict[str, Any]:
    members = {
        "a@x.example": LiveMember("user_a", "a@x.example"),
        "=b@x.example": LiveMember("user_b", "=b@x.example"),
    }
    effective = {(e.user_id, e.period): e for e in rows or []}
    reads = EnterpriseReads("USD", members, True, effective, {"rbac_group_g": SCRIPT})
    org = {**ORG, "kind": "enterprise"}
    return build_report(
        organization=org, policy_digest="d", now=NOW, enterprise=reads
    ).to_document()


ENTERPRISE_ROWS = [
    Effective("user_a", "monthly", "10000", "rbac_group", "rbac_group_g", "spl_1", "9000"),
    Effective("user_b", "monthly", "5000", "user", "user_b", "spl_2", "5000.125"),
]


def empty_console_doc() -> dict[str, Any]:
    reads = ConsoleReads(days_window(3, NOW), [], [], [], [])
    return build_report(organization=ORG, policy_digest="d", now=NOW, console=reads).to_document()


@pytest.mark.parametrize(
    "make",
    [console_doc, empty_console_doc, enterprise_doc, lambda: enterprise_doc(ENTERPRISE_ROWS)],
    ids=["console", "console-empty", "enterprise-empty", "enterprise"],
)
def test_every_format_renders_and_the_json_is_valid(make: Any) -> None:
    doc = make()
    jsonschema.validate(doc, load_schema("report"))
    for fmt, render in RENDERERS.items():
        assert render(doc).strip(), fmt


def test_csv_cells_never_run_as_formulas() -> None:
    rows = list(csv.reader(io.StringIO(RENDERERS["csv"](console_doc()))))
    assert tuple(rows[0]) == CONSOLE_COLUMNS
    assert {r[2] for r in rows[1:]} == {"'" + HOSTILE, SCRIPT}
    rows = list(csv.reader(io.StringIO(RENDERERS["csv"](enterprise_doc(ENTERPRISE_ROWS)))))
    assert tuple(rows[0]) == ENTERPRISE_COLUMNS
    assert sorted(r[0] for r in rows[1:]) == ["'=b@x.example", "a@x.example"]


def test_the_enterprise_csv_columns() -> None:
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(
        RENDERERS["csv"](enterprise_doc(ENTERPRISE_ROWS))))}  # fmt: skip
    a, b = rows["a@x.example"], rows["'=b@x.example"]
    assert (a["groups"], a["cap_usd"], a["spent_usd"], a["percent_used"]) == (
        SCRIPT, "100.00", "90.00", "90.00"
    )  # fmt: skip
    assert (b["cap_usd"], b["spent_usd"], b["percent_used"]) == ("50.00", "50.00125", "100.00")
    # Two days of December's 31 gone at 17:00: spend × 31 / (1 + 17/24).
    assert b["projected_usd"] == str(
        (Decimal("50.00125") * 31 / (1 + Decimal(17) / 24)).quantize(Decimal("0.01"))
    )


def test_html_is_one_inert_file() -> None:
    page = RENDERERS["html"](console_doc())
    assert "<script" not in page and "alert(1)" in page  # the name, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Health</b>" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # and the browser is told so
    assert page.count("<svg") == page.count('role="img"') == 3
    assert page.count("<h1>") == 1 and "<title>" in page
    assert "@media print" in page


def test_markdown_escapes_names_and_keeps_under_the_comment_limit() -> None:
    md = RENDERERS["markdown"](console_doc(workspaces=3000, days=2))
    assert len(md) < COMMENT_LIMIT
    assert "more (see the CSV)" in md
    assert "<script>" not in md and r"\<script\>alert(1)\</script\>\|\`x\`" in md
    assert md.count("```mermaid") == 2
    md = RENDERERS["markdown"](enterprise_doc(ENTERPRISE_ROWS))
    assert "```mermaid\npie showData title Members by share of their monthly cap used" in md


def test_an_empty_report_still_says_so() -> None:
    doc = enterprise_doc()
    assert "No member has a spend limit" in RENDERERS["text"](doc)
    assert "No member has a spend limit" in RENDERERS["html"](doc)
    assert RENDERERS["csv"](doc) == ",".join(ENTERPRISE_COLUMNS) + "\n"


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [
        (0, [0.0, 1.0]),
        (1, [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]),
        (847.63, [0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]),
        (19_080_000, [0.0, 5e6, 1e7, 1.5e7, 2e7]),
    ],
)
def test_axis_ticks_are_round_numbers(peak: float, ticks: list[float]) -> None:
    assert nice_ticks(peak) == ticks
    assert nice_ticks(3, whole=True) == [0.0, 1.0, 2.0, 3.0]
