"""Run ``claude-policy`` in-process (click's runner) against a real server over loopback.

    result = invoke(["plan", "policies/", "--format", "json"], url=emu.url, key=KEY)
    assert result.code == 0, result.err

The error boundary lives in the command group's ``main``, so exit codes and messages are
exactly what the console script gives.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner

from reconciler.cli import group

CONSOLE_KEY = "sk-ant-admin01-demo-console-key"
ENTERPRISE_KEY = "sk-ant-api01-demo-enterprise-key"
FAST = ("--admin-rpm", "100000", "--spend-rpm", "60000")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def invoke(
    args: Sequence[str],
    *,
    url: str | None = None,
    key: str | None = None,
    env: dict[str, str] | None = None,
    fast: bool = True,
) -> Result:
    """Run one command; ``fast`` lifts the client's pacing (the emulator should run with a
    matching ``--rate-scale``)."""
    environ: dict[str, str | None] = {
        "NO_COLOR": "1",
        "ANTHROPIC_BASE_URL": None,
        "ANTHROPIC_ADMIN_API_KEY": None,
    }
    if url is not None:
        environ["ANTHROPIC_BASE_URL"] = url
    if key is not None:
        environ["ANTHROPIC_ADMIN_API_KEY"] = key
    environ.update(env or {})
    argv = list(args)
    if fast and argv and argv[0] in ("plan", "apply", "drift", "import", "explain", "audit"):
        argv += FAST
    result = CliRunner().invoke(group, argv, env=environ, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)
