"""The ``claude-policy`` command group and its error boundary.

Commands live one per module beside this one and stay thin: parse options, call the
core, render, choose the exit code.  Every :class:`ReconcilerError` becomes a message on
stderr and its exit code; click's usage errors exit 64 (never 2, which means "changes").
A traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import gc
import importlib
import io
import os
import sys
import traceback
from typing import Any

import click

from reconciler import __version__
from reconciler.errors import (
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ApiError,
    PolicyError,
    ReconcilerError,
    escape,
)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Command name → (module under reconciler.cli, attribute).  A module is imported only when
# its command runs or help lists the commands: start-up stays small, and only
# ``claude-policy emulator`` loads starlette and uvicorn.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "validate"),
    "plan": ("plan", "plan"),
    "apply": ("apply", "apply"),
    "drift": ("drift", "drift"),
    "audit": ("audit", "audit"),
    "report": ("report", "report"),
    "show": ("plan", "show"),
    "explain": ("explain", "explain"),
    "import": ("import_org", "import_org"),
    "schema": ("schema", "schema"),
    "emulator": ("emulator", "emulator_command"),
}


class _Group(click.Group):
    """The error boundary, in ``main`` so that the console script and click's test runner
    behave the same: exit codes from return values and errors, never a traceback.  Commands
    are loaded on first use from :data:`COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Load a command's module on first use."""
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attribute = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"reconciler.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        self.add_command(command, cmd_name)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the group inside the error boundary: exit codes, never a traceback."""
        kwargs["standalone_mode"] = False
        argv = list(kwargs.get("args") or (args[0] if args else sys.argv[1:]) or [])
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as e:
            sys.exit(e.exit_code)
        except click.UsageError as e:
            _show(e)
            sys.exit(EXIT_USAGE)
        except (click.Abort, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as e:
            _show(e)
            sys.exit(e.exit_code)
        except ReconcilerError as e:
            if _debug_requested(argv):
                click.echo(_shown(traceback.format_exc().rstrip("\n")), err=True)
            # Located problems already read `FILE:LINE:COLUMN: message`: no prefix for those.
            text = str(e) if isinstance(e, PolicyError) else f"Error: {e}"
            # What a server says is one line whatever it holds; our own messages may have
            # several (a list of blocked changes).
            click.echo(_shown(text, lines=not isinstance(e, ApiError)), err=True)
            sys.exit(e.exit_code)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="claude-policy")
def main() -> None:
    """Declarative policy for the Anthropic Admin API: data residency and spend limits as code.

    \b
    validate → plan → apply, and drift on a schedule.  Exit codes: 0 ok / no changes,
    1 error, 2 changes or drift present (with --detailed-exitcode for plan), 64 usage error,
    130 interrupted.
    """


def _shown(text: str, *, lines: bool = True) -> str:
    """Every error line as printed: no credential (:func:`redact`), and names and values
    quoted from files, arguments or servers unable to hide or reorder text
    (:func:`escape`)."""
    from reconciler.adminapi.redact import redact  # only on the error path: httpx is heavy

    return escape(redact(text), keep_newlines=lines)


def _show(error: click.ClickException) -> None:
    """Click's own rendering of its error (usage and all), shown through :func:`_shown`:
    it may quote an argument."""
    rendered = io.StringIO()
    error.show(file=rendered)
    click.echo(_shown(rendered.getvalue().rstrip("\n")), err=True)


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("CLAUDE_POLICY_DEBUG") == "1"


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        main.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="claude-policy")
    finally:
        # The interpreter's exit runs one last full collection over everything still
        # alive (a 50,000-member plan: millions of objects, 0.15 s): nothing is left to
        # find, so leave them out of it.
        gc.freeze()
