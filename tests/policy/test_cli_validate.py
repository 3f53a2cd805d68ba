"""``claude-policy validate``: exit codes and output, through the one CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import invoke as run_cli

from .builders import CONSOLE_HEAD, ENTERPRISE_HEAD, write


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = run_cli(["validate", *args])
    return result.code, result.out, result.err


def test_valid_policy_default_path(cwd: Path) -> None:
    write(
        cwd,
        {
            "policies/org.yaml": CONSOLE_HEAD + "spend_limits:\n  organization: {monthly: 100}\n",
            "policies/ws.yaml": "workspaces:\n  a: {spend_limits: {monthly: 5}}\n  b: {}\n"
            "workspace_rules:\n  - {match: {name: '*'}, tags: {x: y}}\n",
        },
    )
    assert invoke() == (0, "Policy valid: 2 files, 2 workspaces, 2 spend limits, 1 rule.\n", "")


def test_valid_enterprise_summary(cwd: Path) -> None:
    write(
        cwd,
        {"p/org.yaml": ENTERPRISE_HEAD + "spend_limits:\n  users:\n    a@x.com: {monthly: 1}\n"},
    )
    assert invoke("p") == (0, "Policy valid: 1 file, 1 user, 1 spend limit, 0 rules.\n", "")


def test_problems_exit_1_one_line_each(cwd: Path) -> None:
    write(cwd, {"policies/p.yaml": "organization: {id: x, kind: console}\nworkspces: {}\n"})
    code, out, _ = invoke("policies")
    assert code == 1
    assert out == (
        "policies/p.yaml:1:20: `x` is not a valid organization id (path: organization.id) "
        "hint: the organization's UUID, e.g. 5b7e0d4c-0f63-4d1e-9a52-3c1f0e7b9a10\n"
        "policies/p.yaml:2:1: unknown key `workspces` (path: workspces) "
        "hint: did you mean `workspaces`?\n"
        "2 problems found.\n"
    )


def test_json_output(cwd: Path) -> None:
    write(cwd, {"policies/p.yaml": CONSOLE_HEAD + "workspaces: {w: {tags: {n: 1}}}\n"})
    code, out, _ = invoke("--format", "json")
    assert code == 1
    assert json.loads(out) == {
        "errors": [
            {
                "file": "policies/p.yaml",
                "line": 2,
                "column": 28,
                "path": "workspaces.w.tags.n",
                "message": "expected text, got a number (1)",
                "hint": 'quote it: "1"',
            }
        ],
        "warnings": [],
    }


def test_json_output_when_valid(cwd: Path) -> None:
    write(cwd, {"policies/p.yaml": CONSOLE_HEAD})
    code, out, _ = invoke("--format", "json", "policies")
    doc = json.loads(out)
    assert code == 0
    assert doc["errors"] == []
    assert doc["files"] == ["policies/p.yaml"]
    assert doc["summary"]["organization"]["kind"] == "console"
    assert len(doc["summary"]["digest"]) == 64


def test_warnings_are_shown_but_do_not_fail(cwd: Path) -> None:
    write(
        cwd,
        {
            "policies/p.yaml": ENTERPRISE_HEAD
            + "spend_limits:\n  seat_tiers:\n    standard: {monthly: 1}\n"
        },
    )
    code, out, _ = invoke()
    assert code == 0
    assert out == (
        "policies/p.yaml:4:5: warning: unknown seat tier `standard` (known: "
        "`enterprise_standard`, `enterprise_premium`) (path: spend_limits.seat_tiers.standard)\n"
        "Policy valid: 1 file, 0 users, 1 spend limit, 0 rules.\n"
    )


def test_missing_path(cwd: Path) -> None:
    code, out, _ = invoke("nowhere")
    assert (code, out) == (1, "nowhere:1:1: no such file or directory\n1 problem found.\n")


def test_no_policy_directory_says_what_was_looked_for(cwd: Path) -> None:
    code, out, _ = invoke()
    assert code == 1
    assert out == (
        "policies:1:1: no policy directory found: looked for `policies/` in the current "
        f"directory ({Path.cwd()}) hint: run from the directory that holds it, or name the "
        "policy files or directories to read\n1 problem found.\n"
    )


def test_the_json_form_is_escaped_too(cwd: Path) -> None:
    write(cwd, {"policies/p.yaml": CONSOLE_HEAD + 'workspaces: {"a\u202eb": {x: 1}}\n'})
    code, out, _ = invoke("--format", "json")
    assert code == 1
    [error] = json.loads(out)["errors"]
    assert error["path"] == "workspaces.a\\u202eb.x"
    assert "\u202e" not in out


@pytest.mark.parametrize("args", [["--format", "xml"], ["--no-such-option"]])
def test_usage_errors_exit_64(cwd: Path, args: list[str]) -> None:
    code, _, err = invoke(*args)
    assert code == 64
    assert "Usage:" in err


def test_no_traceback_for_garbage(cwd: Path) -> None:
    (cwd / "policies").mkdir()
    (cwd / "policies/junk.yaml").write_bytes(bytes(range(256)) * 4)
    code, out, err = invoke()
    assert code == 1
    assert out.startswith("policies/junk.yaml:2:118: not valid UTF-8")
    assert "Traceback" not in out + err


def test_help(cwd: Path) -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    assert "--format [text|json]" in out
