"""``claude-policy schema``: print the policy JSON Schema (for editors and CI)."""

from __future__ import annotations

import click

from reconciler.schemas import load_text


@click.command()
@click.option(
    "--name",
    type=click.Choice(["policy", "plan", "seed"]),
    default="policy",
    show_default=True,
    help="Which schema to print.",
)
def schema(name: str) -> None:
    """Print a JSON Schema shipped with claude-policy (the policy language by default)."""
    click.echo(load_text(name), nl=False)
