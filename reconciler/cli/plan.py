"""``claude-policy plan`` and ``claude-policy show``."""

from __future__ import annotations

from datetime import timedelta

import click

from reconciler.cli.options import ApiOptions, api_options, open_client, use_color
from reconciler.cli.output import FORMAT, Outputs, emit, output_options, parse_duration
from reconciler.cli.progress import reading
from reconciler.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from reconciler.plan import planfile
from reconciler.plan.model import Plan
from reconciler.plan.planner import PlanOptions
from reconciler.plan.render import RENDERERS
from reconciler.workflow import plan_policy


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--out", "out", metavar="PLANFILE", help="Save the plan (JSON) for `apply PLANFILE`.")
@output_options
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes to apply (0 none, 1 error).",
)
@click.option("--target", "targets", multiple=True, metavar="ADDR", help="Only these (glob).")
@click.option("--exclude", "excludes", multiple=True, metavar="ADDR", help="Not these (glob).")
@click.option("--skip-unknown-users", is_flag=True, help="Warn (not fail) on unknown emails.")
@click.option(
    "--usage-days",
    type=click.IntRange(1, 365),
    default=30,
    show_default=True,
    help="Days of usage behind residency cost estimates.",
)
@click.option("--expires-in", default="24h", show_default=True, metavar="DURATION")
@api_options
def plan(
    api: ApiOptions,
    paths: tuple[str, ...],
    out: str | None,
    outputs: Outputs,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    skip_unknown_users: bool,
    usage_days: int,
    expires_in: str,
) -> int:
    """Compare the policy with the live organization and show what apply would change.

    \b
    Exit codes: 0 no changes to apply (or without --detailed-exitcode: success),
    2 changes present (--detailed-exitcode), 1 error or blocked changes.
    """
    expiry: timedelta = parse_duration(expires_in)
    outputs.check(out)
    options = PlanOptions(targets=targets, excludes=excludes, expires_in=expiry)
    with open_client(api) as client, reading(client):
        # Only the plan is kept: the snapshot and desired state of a large org weigh more,
        # and go before the plan file and the renderings are built (peak memory, SPEC §9).
        result = plan_policy(
            paths,
            client,
            skip_unknown_users=skip_unknown_users,
            options=options,
            usage_days=usage_days,
        ).plan
    if out:
        planfile.write(result, out)
    outputs.emit(result, RENDERERS, color=use_color(api))
    return _exit_code(result, detailed_exitcode)


def _exit_code(result: Plan, detailed_exitcode: bool) -> int:
    """1 for a blocked plan (said on stderr), 2 for changes with --detailed-exitcode."""
    blocked = len(result.blocked())
    if blocked:
        click.echo(
            f"Error: the plan has {blocked} blocked change(s); apply would refuse it.",
            err=True,
        )
        return EXIT_ERROR
    if detailed_exitcode and result.has_applicable:
        return EXIT_CHANGES
    return EXIT_OK


@click.command()
@click.argument("planfile_path", metavar="PLANFILE", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=FORMAT, default="text", show_default=True)
@click.option("--no-color", is_flag=True, help="No colours (also: env NO_COLOR).")
def show(planfile_path: str, fmt: str, no_color: bool) -> None:
    """Render a saved plan file (checksum verified; no network)."""
    saved = planfile.read(planfile_path)
    emit(saved, RENDERERS, fmt=fmt, color=use_color(ApiOptions(no_color=no_color)))
