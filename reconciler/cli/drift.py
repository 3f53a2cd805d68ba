"""``claude-policy drift``: has the organization moved away from the policy?"""

from __future__ import annotations

import click

from reconciler.acks import load_acks
from reconciler.cli.options import ApiOptions, api_options, open_client, use_color
from reconciler.cli.output import FORMAT, emit
from reconciler.cli.plan import policy_paths
from reconciler.cli.progress import reading
from reconciler.drift import detect
from reconciler.drift.render import RENDERERS
from reconciler.errors import EXIT_CHANGES, EXIT_OK
from reconciler.workflow import plan_policy


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=FORMAT, default="text", show_default=True)
@click.option("--json-out", metavar="FILE", help="Also write the JSON report to FILE.")
@click.option("--markdown-out", metavar="FILE", help="Also write the Markdown report to FILE.")
@click.option("--ack", "ack_file", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--skip-unknown-users", is_flag=True, help="Warn (not fail) on unknown emails.")
@api_options
def drift(
    api: ApiOptions,
    paths: tuple[str, ...],
    fmt: str,
    json_out: str | None,
    markdown_out: str | None,
    ack_file: str | None,
    skip_unknown_users: bool,
) -> int:
    """Report every difference between policy and organization, as fixable / manual /
    blocked; acknowledged differences are listed but not counted.

    \b
    Exit codes: 0 in sync, 2 drift found, 1 error.
    """
    acks = load_acks(ack_file) if ack_file else []
    with open_client(api) as client, reading(client):
        run = plan_policy(policy_paths(paths), client, skip_unknown_users=skip_unknown_users)
    report = detect(run.plan.to_document(), acks)
    doc = report.to_document()
    emit(
        doc,
        RENDERERS,
        fmt=fmt,
        color=use_color(api),
        json_out=json_out,
        markdown_out=markdown_out,
    )
    return EXIT_CHANGES if report.drifted else EXIT_OK
