"""``claude-policy apply``: apply a saved plan exactly, or plan and apply in one go."""

from __future__ import annotations

import sys

import click

from reconciler.adminapi import AdminClient
from reconciler.apply import ApplyOptions, ApplyReport, Progress, check_plan
from reconciler.apply.render import render_json, render_text
from reconciler.cli.options import ApiOptions, api_options, open_client, use_color
from reconciler.cli.progress import reading
from reconciler.cli.signals import interrupt_on_sigterm, stop_on_signals
from reconciler.errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, ReconcilerError, UsageError
from reconciler.outfile import check_writable, write_text
from reconciler.plan import planfile
from reconciler.plan.model import Plan
from reconciler.plan.render import render_text as render_plan
from reconciler.plan.render.values import duration
from reconciler.workflow import apply_reviewed, plan_policy


@click.command()
@click.argument("planfile_path", metavar="[PLANFILE]", required=False, type=click.Path())
@click.option(
    "--policies",
    "policies",
    multiple=True,
    metavar="PATH",
    help="Plan these policy paths and apply (default policies/).",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Override safety.max_change_percent.")
@click.option("--allow-archive", is_flag=True, help="Allow archiving workspaces (irreversible).")
@click.option("--report", "report_path", metavar="FILE", help="Write the JSON report to FILE.")
@click.option("--skip-unknown-users", is_flag=True, help="Warn (not fail) on unknown emails.")
@api_options
def apply(
    api: ApiOptions,
    planfile_path: str | None,
    policies: tuple[str, ...],
    auto_approve: bool,
    force: bool,
    allow_archive: bool,
    report_path: str | None,
    skip_unknown_users: bool,
) -> int:
    """Write the changes: a saved plan exactly as reviewed, or a fresh plan after confirmation.

    \b
    Exit codes: 0 applied (or nothing to apply), 1 refused or partly failed, 130 interrupted.
    """
    if planfile_path and policies:
        raise UsageError("give either a PLANFILE or --policies, not both")
    if report_path:
        check_writable(report_path)  # before anything is read, let alone written
    # Until the first write, SIGTERM stops at once like Ctrl-C (exit 130, nothing written).
    with interrupt_on_sigterm(), open_client(api) as client:
        if planfile_path:
            todo = planfile.read(planfile_path)
            options = ApplyOptions(from_file=True, source=planfile_path)
        else:
            with reading(client):
                todo = plan_policy(policies, client, skip_unknown_users=skip_unknown_users).plan
            options = ApplyOptions(from_file=False, source="plan")
            click.echo(render_plan(todo, color=use_color(api)), nl=False)
        if not todo.has_applicable and not todo.blocked():
            _nothing_to_apply(todo, report_path)
            return EXIT_OK
        options.force, options.allow_archive = force, allow_archive
        if not planfile_path:
            check_plan(todo, options)  # refuse before asking, not after
            _confirm(auto_approve)
        if sys.stderr.isatty():
            options.progress = _show_progress
        return _apply(todo, client, options, report_path)


def _nothing_to_apply(todo: Plan, report_path: str | None) -> None:
    if report_path:  # a pipeline always finds its report: here, nothing applied
        nothing = ApplyReport(not_attempted=[c.address for c in todo.manual()])
        write_text(report_path, render_json(nothing))
    click.echo("No changes.")


def _apply(todo: Plan, client: AdminClient, options: ApplyOptions, report_path: str | None) -> int:
    """Apply with signals turned into a graceful stop; print the summary, then the report."""
    with stop_on_signals() as stop:
        options.stop = stop.event
        report = apply_reviewed(todo, client, options)
        stop.finishing()  # from here on a signal must not cut the report short
        if options.progress is not None:
            click.echo("", err=True)
        # The summary first: it reaches stdout even if the report file cannot be written.
        click.echo(render_text(report), nl=False)
        if report_path:
            write_text(report_path, render_json(report))
    if report.interrupted or stop.requested:
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok else EXIT_ERROR


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ReconcilerError(
            "refusing to apply without confirmation: no terminal to ask on. "
            "Review the plan and re-run with --auto-approve (or apply a saved plan file)."
        )
    answer = click.prompt(
        "Apply these changes? Only 'yes' is accepted", default="", show_default=False, err=True
    )
    if answer.strip() != "yes":
        raise ReconcilerError("apply cancelled; nothing was written")


def progress_line(p: Progress, width: int = 60) -> str:
    """``[done/total] rate/min, ~time left  address`` — one line, rewritten in place, the
    address padded so a shorter one overwrites a longer one."""
    facts = []
    if p.done and p.elapsed > 0:
        facts.append(f"{p.rate_per_min:,.0f}/min")
    left = p.remaining_seconds
    if left is not None and p.done < p.total:
        facts.append(f"~{duration(left)} left")
    head = f"[{p.done}/{p.total}]" + (" " + ", ".join(facts) if facts else "")
    address = p.address if len(p.address) <= width else p.address[: width - 1] + "…"
    return f"{head}  {address:<{width}}"


def _show_progress(p: Progress) -> None:
    click.echo("\r" + progress_line(p), err=True, nl=False)
