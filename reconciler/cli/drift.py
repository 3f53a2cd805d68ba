"""``claude-policy drift``: has the organization moved away from the policy?"""

from __future__ import annotations

import click

from reconciler.acks import load_acks
from reconciler.cli.options import ApiOptions, api_options, open_client, use_color
from reconciler.cli.output import Outputs, output_options
from reconciler.cli.progress import reading
from reconciler.drift.render import RENDERERS
from reconciler.errors import EXIT_CHANGES, EXIT_OK
from reconciler.workflow import drift_policy


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@output_options
@click.option("--ack", "ack_file", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--skip-unknown-users", is_flag=True, help="Warn (not fail) on unknown emails.")
@api_options
def drift(
    api: ApiOptions,
    paths: tuple[str, ...],
    outputs: Outputs,
    ack_file: str | None,
    skip_unknown_users: bool,
) -> int:
    """Report every difference between policy and organization, as fixable / manual /
    blocked; acknowledged differences are listed but not counted.

    \b
    Exit codes: 0 in sync, 2 drift found, 1 error.
    """
    acks = load_acks(ack_file) if ack_file else []
    outputs.check()
    with open_client(api) as client, reading(client):
        report = drift_policy(paths, client, acks, skip_unknown_users=skip_unknown_users)
    outputs.emit(report, RENDERERS, color=use_color(api))
    return EXIT_CHANGES if report.drifted else EXIT_OK
