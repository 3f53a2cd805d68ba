"""The CI examples run: GitHub Actions and GitLab CI jobs and the pre-commit hook, each
against the real CLI and a real emulator (see :mod:`tests.ci.runners` for the stand-ins)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from tests.ci.runners import GitHubRun, GitLabPipeline, base_env
from tests.conftest import REPO, SEEDS
from tests.support.cli import CONSOLE_KEY
from tests.support.emulator import Emulator
from tests.support.orgs import FAST_EMULATOR, FAST_RATES

FAST = FAST_RATES


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A policy repository: the sample policies, as a user's repository would hold them."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "policies", root / "policies")
    return root


@pytest.fixture
def console(start_emulator: Callable[..., Emulator], tmp_path: Path) -> Emulator:
    # The sample org without its usage history: each test adds the usage the audit job
    # should find, so the nightly jobs' outcomes do not depend on the sample's history.
    seed = yaml.safe_load((SEEDS / "console.yaml").read_text())
    seed.pop("usage", None)
    path = tmp_path / "console-seed.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    return start_emulator(path, *FAST_EMULATOR)


def drift_the_org(emu: Emulator) -> None:
    row = {"scope": {"type": "organization"}, "period": "monthly", "amount": "4000000"}
    assert emu.control("POST", "spend_limits", json=row).status_code == 200


def run_global_inference(emu: Emulator) -> None:
    """Three days ago claims-processing (held to US-only by the sample policy's rule) ran
    requests on global inference."""
    row = {
        "date": -3,
        "workspace": "claims-processing",
        "model": "claude-sonnet-4-6",
        "inference_geo": "global",
        "input_tokens": 1_000_000,
        "output_tokens": 100_000,
    }
    assert emu.control("POST", "usage", json=[row]).status_code == 200


def test_github_actions_workflow(repo: Path, console: Emulator, tmp_path: Path) -> None:
    fake = tmp_path / "github"
    (fake / "artifacts").mkdir(parents=True)
    context = {
        "secrets.ANTHROPIC_ADMIN_API_KEY": CONSOLE_KEY,
        "vars.ANTHROPIC_BASE_URL": console.url,
        "github.token": "test-token",
        "github.event.pull_request.number": "7",
        "github.sha": "0123abc",
        "github.ref": "refs/pull/7/merge",
    }
    workflow = GitHubRun(REPO / "examples/ci/github/claude-policy.yml", repo, fake, context)
    env = base_env(tmp_path, {"FAKE_GITHUB": str(fake), **FAST})

    (plan,) = workflow.run("pull_request", env)
    assert plan.code == 0, plan.output
    comment = (fake / "comment.md").read_text()
    assert comment.startswith("### claude-policy plan — Acme Health (console)")
    assert (repo / "summary-plan.md").read_text() == comment
    assert (
        json.loads((fake / "artifacts/claude-policy-plan/plan.json").read_text())["summary"][
            "create"
        ]
        == 2
    )
    assert CONSOLE_KEY not in plan.output + comment

    (repo / "plan.json").unlink()  # the merge build starts from a fresh checkout
    (apply,) = workflow.run("push", env)
    assert apply.code == 0, apply.output
    report = json.loads((repo / "apply-report.json").read_text())
    assert len(report["applied"]) == 5 and report["failed"] == []

    drift, audit = workflow.run("schedule", env)
    assert drift.code == 0, drift.output
    assert audit.code == 0, audit.output
    assert "Compliant" in (repo / "summary-audit.md").read_text()
    drift_the_org(console)
    run_global_inference(console)
    drift, audit = workflow.run("schedule", env)
    assert drift.code == 2, drift.output  # the nightly jobs fail and report
    assert "spend_limit:organization:monthly" in (repo / "summary-drift.md").read_text()
    assert audit.code == 2, audit.output
    report = (repo / "summary-audit.md").read_text()
    assert report.startswith("### 🚨 claude-policy audit — Acme Health (console)")
    assert "`workspace:claims-processing`" in report
    audit_json = json.loads((fake / "artifacts/claude-policy-audit/audit.json").read_text())
    assert [v["address"] for v in audit_json["violations"]] == ["workspace:claims-processing"]
    assert CONSOLE_KEY not in drift.output + audit.output


def last_month_usage(emu: Emulator) -> str:
    """Usage on the 15th of the last complete month (what the monthly job reports):
    claims-processing, $3.00 of global input and $1.50 of output.  Returns the date."""
    first = datetime.now(timezone.utc).date().replace(day=1)
    day = (first - timedelta(days=1)).replace(day=15).isoformat()
    row = {
        "date": day,
        "workspace": "claims-processing",
        "model": "claude-sonnet-4-6",
        "inference_geo": "global",
        "input_tokens": 1_000_000,
        "output_tokens": 100_000,
    }
    assert emu.control("POST", "usage", json=[row]).status_code == 200
    return day


def test_github_monthly_report(repo: Path, console: Emulator, tmp_path: Path) -> None:
    fake = tmp_path / "github"
    (fake / "artifacts").mkdir(parents=True)
    context = {
        "secrets.ANTHROPIC_ADMIN_API_KEY": CONSOLE_KEY,
        "vars.ANTHROPIC_BASE_URL": console.url,
    }
    workflow = GitHubRun(REPO / "examples/ci/github/claude-policy-report.yml", repo, fake, context)
    assert set(workflow.on) == {"schedule", "workflow_dispatch"}
    env = base_env(tmp_path, {"FAKE_GITHUB": str(fake), **FAST})
    day = last_month_usage(console)

    (job,) = workflow.run("schedule", env)
    assert job.code == 0, job.output
    summary = (repo / "summary-report.md").read_text()
    assert summary.startswith("### 💰 claude-policy report — Acme Health (console), ")
    assert "| **$4.50** |" in summary and "```mermaid" in summary
    artifacts = fake / "artifacts" / "claude-policy-report"
    assert sorted(p.name for p in artifacts.iterdir()) == ["report.csv", "report.html"]
    rows = (artifacts / "report.csv").read_text().splitlines()
    assert rows[0].startswith("date,workspace_id,workspace,model,inference_geo,")
    assert [r.split(",")[0] for r in rows[1:]] == [day]
    assert rows[1].endswith(",claude-sonnet-4-6,global,1000000,0,0,100000,4.50")
    assert 'id="total-cost">$4.50<' in (artifacts / "report.html").read_text()
    assert CONSOLE_KEY not in job.output + summary


def test_gitlab_pipeline(repo: Path, console: Emulator, tmp_path: Path) -> None:
    pipeline = GitLabPipeline(REPO / "examples/ci/gitlab/.gitlab-ci.yml", repo)
    env = base_env(
        tmp_path,
        {"ANTHROPIC_ADMIN_API_KEY": CONSOLE_KEY, "ANTHROPIC_BASE_URL": console.url, **FAST},
    )
    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "7"}
    results = pipeline.run({**mr, "CI_DEFAULT_BRANCH": "main"}, env)
    assert [(r.name, r.code) for r in results] == [("validate", 0), ("plan", 0)], results
    assert (repo / "plan.md").read_text().startswith("### claude-policy plan")

    main = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
    results = pipeline.run(main, env)
    assert [(r.name, r.code) for r in results] == [("validate", 0), ("plan", 0), ("apply", 0)]
    assert json.loads((repo / "apply-report.json").read_text())["failed"] == []

    scheduled = {
        "CI_PIPELINE_SOURCE": "schedule",
        "CI_COMMIT_BRANCH": "main",
        "CI_DEFAULT_BRANCH": "main",
    }
    nightly = [(r.name, r.code) for r in pipeline.run(scheduled, env)]
    assert nightly == [("drift", 0), ("audit", 0)]
    drift_the_org(console)
    nightly = [(r.name, r.code) for r in pipeline.run(scheduled, env)]
    assert nightly == [("drift", 2), ("audit", 0)]  # the audit job runs beside drift
    assert "Drift: 1 difference(s)" in (repo / "drift.md").read_text()
    run_global_inference(console)
    nightly = [(r.name, r.code) for r in pipeline.run(scheduled, env)]
    assert nightly == [("drift", 2), ("audit", 2)]
    assert "`workspace:claims-processing`" in (repo / "audit.md").read_text()
    assert json.loads((repo / "audit.json").read_text())["compliant"] is False

    # The monthly schedule runs the report alone: CSV, HTML and Markdown for last month.
    day = last_month_usage(console)
    monthly = [
        (r.name, r.code) for r in pipeline.run({**scheduled, "CLAUDE_POLICY_JOB": "report"}, env)
    ]
    assert monthly == [("report", 0)]
    assert (repo / "report.markdown").read_text().startswith("### 💰 claude-policy report")
    csv_rows = (repo / "report.csv").read_text().splitlines()[1:]
    dates = {row.split(",")[0] for row in csv_rows}  # the nightly usage may fall in it too
    assert day in dates and {d[:7] for d in dates} == {day[:7]}
    assert (repo / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_pre_commit_hook(repo: Path, tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    command = [*hook["entry"].split(), *hook["args"]]
    env = base_env(tmp_path, {})
    ok = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    (repo / "policies" / "broken.yaml").write_text("spend_limits:\n  organization: {montly: 5}\n")
    bad = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stdout.startswith("policies/broken.yaml:2:18: unknown key `montly`")
