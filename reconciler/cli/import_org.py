"""``claude-policy import``: write the live organization as policy YAML."""

from __future__ import annotations

import click

from reconciler.cli.options import ApiOptions, api_options, open_client
from reconciler.cli.progress import reading
from reconciler.outfile import check_directory
from reconciler.workflow import import_organization


@click.command(name="import")
@click.option(
    "--out",
    "out_dir",
    metavar="DIR",
    help="Write organization.yaml, spend_limits.yaml (and workspaces.yaml) into DIR "
    "(never overwriting); without it, one YAML document on stdout.",
)
@api_options
def import_org(api: ApiOptions, out_dir: str | None) -> None:
    """Adopt an existing organization: write its current state as a policy."""
    if out_dir is not None:
        check_directory(out_dir)  # before anything is read
    with open_client(api) as client, reading(client):
        files = import_organization(client)
    if out_dir is None:
        click.echo(files.single_document(), nl=False)
        return
    for path in files.write(out_dir):
        click.echo(f"wrote {path}", err=True)
