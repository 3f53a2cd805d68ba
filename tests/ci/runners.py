"""Tiny local runners for the CI examples, so they are known to work, not just plausible.

They run the real ``run:`` / ``script:`` shell of each job with bash, against the real
``claude-policy`` and a real emulator.  What belongs to the CI platform is replaced by
small stand-ins on ``PATH``: ``gh`` (pull-request comments, artifacts across runs) and
``python -m pip install`` (the package is already installed in the test environment).
Known ``uses:`` actions are emulated (checkout, setup-python, upload-artifact); any other
action fails the run, so a new step cannot slip in untested.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

GH_SHIM = r"""#!/usr/bin/env bash
# Stand-in for the GitHub CLI: comments and cross-run artifacts in $FAKE_GITHUB.
set -euo pipefail
case "$1 $2" in
  "pr comment")
    shift 2; body=""
    while [ $# -gt 0 ]; do
      case "$1" in --body-file) body="$2"; shift 2 ;; --edit-last) shift ;; *) shift ;; esac
    done
    cp "$body" "$FAKE_GITHUB/comment.md" ;;
  "pr list") echo "policy-change" ;;
  "run list") echo "4242" ;;
  "run download")
    shift 3; name=""; dir="."
    while [ $# -gt 0 ]; do
      case "$1" in --name) name="$2"; shift 2 ;; --dir) dir="$2"; shift 2 ;; *) shift ;; esac
    done
    cp -r "$FAKE_GITHUB/artifacts/$name/." "$dir/" ;;
  *) echo "gh stand-in: unsupported: $*" >&2; exit 2 ;;
esac
"""

PYTHON_SHIM = """#!/usr/bin/env bash
# `python -m pip install …` is a no-op here: claude-policy is installed in this environment.
if [ "${1:-}" = "-m" ] && [ "${2:-}" = "pip" ]; then exit 0; fi
exec "%s" "$@"
"""


def shims(root: Path) -> Path:
    bin_dir = root / "shims"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "gh").write_text(GH_SHIM)
    (bin_dir / "python").write_text(PYTHON_SHIM % sys.executable)
    for shim in bin_dir.iterdir():
        shim.chmod(0o755)
    return bin_dir


def base_env(root: Path, extra: dict[str, str]) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_POLICY_"))
    }
    env["PATH"] = os.pathsep.join([str(shims(root)), venv_bin, env.get("PATH", "")])
    env.update(extra)
    return env


@dataclass
class JobResult:
    name: str
    code: int
    output: str
    steps_run: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- GitHub


class GitHubRun:
    """Run one event of a workflow file in ``workdir``."""

    def __init__(self, workflow: Path, workdir: Path, fake: Path, context: dict[str, str]) -> None:
        data = yaml.safe_load(workflow.read_text())
        self.on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
        self.env = data.get("env", {})
        self.jobs: dict[str, Any] = data["jobs"]
        self.workdir = workdir
        self.fake = fake
        self.context = context  # expression → value, e.g. "secrets.X": "…"

    def expr(self, text: str) -> str:
        def one(match: re.Match[str]) -> str:
            inner = match.group(1).strip()
            for option in (part.strip() for part in inner.split("||")):
                if option in self.context:
                    return self.context[option]
                if option.startswith("'") and option.endswith("'"):
                    return option[1:-1]
            raise AssertionError(f"no value for the expression {inner!r}")

        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))

    def condition(self, text: str | None, event: str, failed: bool) -> bool:
        if text is None:
            return not failed
        if text.strip() == "always()":
            return True
        if failed:
            return False
        clauses = [c.strip() for c in text.split("||")]
        for clause in clauses:
            m = re.fullmatch(r"github\.event_name == '([a-z_]+)'", clause)
            assert m, f"unsupported condition {clause!r}"
            if m.group(1) == event:
                return True
        return False

    def run(self, event: str, env: dict[str, str]) -> list[JobResult]:
        results = []
        for name, job in self.jobs.items():
            if not self.condition(job.get("if"), event, failed=False):
                continue
            results.append(self.run_job(name, job, event, env))
        return results

    def run_job(self, name: str, job: dict[str, Any], event: str, env: dict[str, str]) -> JobResult:
        summary = self.workdir / f"summary-{name}.md"
        summary.write_text("")
        job_env = {
            **env,
            **{k: self.expr(v) for k, v in {**self.env, **job.get("env", {})}.items()},
        }
        job_env["GITHUB_STEP_SUMMARY"] = str(summary)
        job_env["GITHUB_OUTPUT"] = str(self.workdir / "github-output")
        result = JobResult(name, 0, "")
        for step in job["steps"]:
            label = step.get("name") or step.get("uses") or "run"
            if not self.condition(step.get("if"), event, failed=result.code != 0):
                continue
            result.steps_run.append(label)
            code, out = self.step(step, job_env)
            result.output += out
            if code and not result.code:
                result.code = code
        return result

    def step(self, step: dict[str, Any], env: dict[str, str]) -> tuple[int, str]:
        if "uses" in step:
            action = step["uses"].split("@")[0]
            if action in ("actions/checkout", "actions/setup-python"):
                return 0, ""
            if action == "actions/upload-artifact":
                args = step["with"]
                target = self.fake / "artifacts" / args["name"]
                target.mkdir(parents=True, exist_ok=True)
                # `path` is one path, or one per line.
                for line in str(args["path"]).splitlines():
                    source = self.workdir / line.strip()
                    if line.strip() and source.exists():
                        (target / source.name).write_bytes(source.read_bytes())
                return 0, ""
            raise AssertionError(f"no stand-in for the action {action}")
        step_env = {**env, **{k: self.expr(v) for k, v in step.get("env", {}).items()}}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=self.workdir,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return proc.returncode, proc.stdout + proc.stderr


# --------------------------------------------------------------------------- GitLab

_RESERVED = {"variables", "default", "stages", "include", "workflow", "image", "before_script"}


class GitLabPipeline:
    def __init__(self, path: Path, workdir: Path) -> None:
        self.data: dict[str, Any] = yaml.safe_load(path.read_text())
        self.workdir = workdir

    def jobs(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.data.items() if k not in _RESERVED and not k.startswith(".")}

    @staticmethod
    def _value(token: str, variables: dict[str, str]) -> str:
        token = token.strip()
        if token.startswith("$"):
            return variables.get(token[1:], "")
        return token.strip('"')

    def matches(self, job: dict[str, Any], variables: dict[str, str]) -> bool:
        for rule in job.get("rules", [{}]):
            condition = rule.get("if")
            if condition is None or all(self._clause(c, variables) for c in condition.split("&&")):
                return True
        return False

    def _clause(self, clause: str, variables: dict[str, str]) -> bool:
        m = re.fullmatch(r"\s*(\S+)\s*(==|!=)\s*(\S+)\s*", clause)
        assert m, f"unsupported rule {clause!r}"
        left, op, right = (
            self._value(m.group(1), variables),
            m.group(2),
            self._value(m.group(3), variables),
        )
        return (left == right) if op == "==" else (left != right)

    def run(self, variables: dict[str, str], env: dict[str, str]) -> list[JobResult]:
        stages = self.data["stages"]
        jobs = sorted(self.jobs().items(), key=lambda kv: stages.index(kv[1]["stage"]))
        results = []
        job_env = {
            **env,
            **{k: str(v) for k, v in self.data.get("variables", {}).items()},
            **variables,
        }
        failed_stage: str | None = None
        for name, job in jobs:
            if failed_stage is not None and job["stage"] != failed_stage:
                break  # like GitLab: a failed job's stage finishes, later stages never start
            if not self.matches(job, variables):
                continue
            lines = [*self.data.get("default", {}).get("before_script", []), *job["script"]]
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(lines)],
                cwd=self.workdir,
                env=job_env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            results.append(JobResult(name, proc.returncode, proc.stdout + proc.stderr))
            if proc.returncode:
                failed_stage = job["stage"]
        return results
