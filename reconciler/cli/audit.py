"""``claude-policy audit``: did real usage keep to the policy's residency rules?"""

from __future__ import annotations

import click

from reconciler.audit.render import RENDERERS
from reconciler.cli.options import ApiOptions, api_options, open_client, use_color
from reconciler.cli.output import Outputs, output_options
from reconciler.cli.progress import reading
from reconciler.errors import EXIT_CHANGES, EXIT_OK
from reconciler.usage import DEFAULT_DAYS
from reconciler.workflow import audit_policy


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=DEFAULT_DAYS,
    show_default=True,
    help="Whole days of usage to audit, ending at today 00:00 UTC.",
)
@output_options
@api_options
def audit(
    api: ApiOptions,
    paths: tuple[str, ...],
    days: int,
    outputs: Outputs,
) -> int:
    """Audit usage against residency policy (Claude Console organizations).

    For every workspace the policy holds to US-only inference, usage in the last N days
    that ran on global inference is a violation; usage on models that cannot be pinned
    to a geo is a warning; live settings other than US-only are noted as drift.

    \b
    Exit codes: 0 no violations, 2 violations found, 1 error.
    """
    outputs.check()
    with open_client(api) as client, reading(client, "Reading workspaces and usage"):
        report = audit_policy(paths, client, days=days)
    doc = report.to_document()
    outputs.emit(doc, RENDERERS, color=use_color(api))
    return EXIT_CHANGES if report.violated else EXIT_OK
