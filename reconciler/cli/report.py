"""``claude-policy report``: the FinOps view of what the policy governs (SPEC §7d)."""

from __future__ import annotations

import click

from reconciler.cli.options import ApiOptions, api_options, open_client, use_color
from reconciler.cli.progress import reading
from reconciler.errors import EXIT_OK
from reconciler.outfile import check_writable, write_text
from reconciler.report import report_policy, report_window
from reconciler.report.render import FORMATS, RENDERERS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--month",
    metavar="YYYY-MM",
    help="Calendar month to report (Console) [default: the last complete month, UTC].",
)
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    metavar="N",
    help="Instead of a month: the last N whole days, ending at today 00:00 UTC (Console).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--out", metavar="FILE", help="Write the report to FILE instead of stdout.")
@api_options
def report(
    api: ApiOptions,
    paths: tuple[str, ...],
    month: str | None,
    days: int | None,
    fmt: str,
    out: str | None,
) -> int:
    """Report usage, cost and spend against caps (FinOps).

    \b
    Console: tokens and cost by workspace × model × inference geo for a month or the
    last N days; the premium paid for US-only inference; for every workspace the policy
    holds to US-only, the share of its tokens that ran global.
    Enterprise: each member's spend so far against their effective cap, members at
    ≥ 80 % and ≥ 100 % by the scope of their cap, a straight-line projection to the
    period's end, and the headroom left.

    \b
    Formats: text, json, markdown (CI job summaries), csv (the finance export), html
    (one self-contained page with charts).  Exit codes: 0 done, 1 error.
    """
    if month is not None and days is not None:
        report_window(month, days)  # the one-line usage error, before any request
    if out:
        check_writable(out)
    with open_client(api) as client, reading(client, "Reading usage and cost"):
        result = report_policy(paths, client, month=month, days=days)
    text = RENDERERS[fmt](result.to_document(), color=use_color(api) and fmt == "text")
    if out:
        write_text(out, text)
    else:
        click.echo(text, nl=False)
    return EXIT_OK
