"""``claude-policy explain``: where a member's, workspace's or address's value comes from."""

from __future__ import annotations

import json

import click

from reconciler import addresses
from reconciler.cli.options import ApiOptions, api_options, open_client
from reconciler.cli.progress import reading
from reconciler.errors import UsageError
from reconciler.explain import explain as explain_subject
from reconciler.explain import explain_needs, render_text, subject_kind
from reconciler.workflow import plan_policy


@click.command()
@click.argument("subject", metavar="EMAIL|WORKSPACE|ADDRESS")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@api_options
def explain(api: ApiOptions, subject: str, paths: tuple[str, ...], fmt: str) -> None:
    """Show the desired value and its provenance, the live value, and (Enterprise members)
    the API's effective limit, its source and the spend so far."""
    if subject_kind(subject) == "address":
        try:
            addresses.parse(subject)
        except ValueError as e:
            raise UsageError(str(e)) from None
    with open_client(api) as client, reading(client):
        run = plan_policy(
            paths,
            client,
            skip_unknown_users=True,
            more_needs=lambda needs: explain_needs(needs, subject),
        )
    doc = explain_subject(subject, run.desired, run.snapshot, run.plan)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(doc), nl=False)
