"""Run ``claude-policy`` in-process against a real server over loopback: the one runner.

    result = invoke(["plan", "policies/", "--format", "json"], url=emu.url, key=KEY)
    assert result.code == 0, result

Commands run through :func:`reconciler.cli.app.run` — the console script's own error
boundary and exit codes — inside click's ``CliRunner`` isolation (stdin, stdout, stderr
and the environment swapped; no terminal).  Every run checks that the key never shows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconciler.cli.app import run
from tests.support.orgs import CONSOLE_KEY, ENTERPRISE_KEY, FAST_RATES

__all__ = ["CONSOLE_KEY", "ENTERPRISE_KEY", "Cli", "Result", "invoke"]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.out}--- stderr ---\n{self.err}"


def invoke(
    args: Sequence[str | Path],
    *,
    url: str | None = None,
    key: str | None = None,
    env: dict[str, str | None] | None = None,
    fast: bool = True,
    stdin: str = "",
) -> Result:
    """Run one command; ``fast`` gives the client the fast rates (:mod:`.orgs`), to match
    an emulator started with ``FAST_EMULATOR``."""
    environ: dict[str, str | None] = {
        "NO_COLOR": "1",
        "ANTHROPIC_BASE_URL": url,
        "ANTHROPIC_ADMIN_API_KEY": key,
        "CLAUDE_POLICY_DEBUG": None,
        **(FAST_RATES if fast else {}),
        **(env or {}),
    }
    runner = CliRunner()
    code = 0
    with runner.isolation(input=stdin, env=environ) as (out, err, _):
        try:
            run([str(a) for a in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            _drop_log_handler()
        result = Result(code, out.getvalue().decode(), err.getvalue().decode())
    if key:
        assert key not in result.out + result.err, "the API key leaked into the output"
    return result


class Cli:
    """``cli("apply", "plan.json")`` → :class:`Result`, against one server with one key."""

    def __init__(self, url: str, key: str, rates: dict[str, str] | None = None) -> None:
        self.url = url
        self.key = key
        self.rates = FAST_RATES if rates is None else rates

    def __call__(self, *args: str | Path, stdin: str = "") -> Result:
        env: dict[str, str | None] = dict(self.rates)
        return invoke(args, url=self.url, key=self.key, env=env, fast=False, stdin=stdin)


def _drop_log_handler() -> None:
    """The command logs to the isolated stderr, which closes with the isolation: remove
    its handler so nothing later writes to a closed stream."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "claude-policy-stderr"]:
        root.removeHandler(handler)
