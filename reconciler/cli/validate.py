"""``claude-policy validate [PATH…] [--format text|json]``: check a policy, offline.

Exit 0 when the policy is valid (a one-line summary on stdout), 1 with every problem
otherwise (one ``FILE:LINE:COLUMN: message (path: …) hint: …`` line each, then a count),
64 for a usage error.  Warnings never fail validation.  No network.
"""

from __future__ import annotations

import json
from typing import Any

import click

from reconciler.errors import EXIT_ERROR, Problem
from reconciler.policy import Checked, Policy, check


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> None:
    """Check policy files (default: policies/) and report every problem at once.

    \b
    Reads all *.yaml / *.yml files under each PATH (files or directories, searched
    recursively), merges them and checks them against the policy language.  Never
    talks to the API.  Exit 0 valid, 1 problems found, 64 usage error.
    """
    result = check(paths)
    if fmt == "json":
        click.echo(json.dumps(_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(_text(result))
    if result.policy is None:
        ctx.exit(EXIT_ERROR)


def _line(p: Problem) -> str:
    if p.severity != "warning":
        return p.render()
    return Problem(p.file, p.line, p.column, f"warning: {p.message}", p.path, p.hint).render()


def _text(result: Checked) -> str:
    problems = sorted(
        [*result.errors, *result.warnings], key=lambda p: (p.file, p.line, p.column, p.message)
    )
    lines = [_line(p) for p in problems]
    if result.policy is None:
        count = len(result.errors)
        lines.append(f"{count} {'problem' if count == 1 else 'problems'} found.")
    else:
        lines.append(f"Policy valid: {_summary(result.policy)}.")
    return "\n".join(lines)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _summary(policy: Policy) -> str:
    counts = policy.summary()
    parts = [_plural(counts["files"], "file")]
    if policy.kind == "console":
        parts.append(_plural(counts["workspaces"], "workspace"))
    else:
        parts.append(_plural(counts["users"], "user"))
    parts.append(_plural(counts["spend_limits"], "spend limit"))
    parts.append(_plural(counts["rules"], "rule"))
    return ", ".join(parts)


def _json(result: Checked) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "errors": [p.to_json() for p in result.errors],
        "warnings": [p.to_json() for p in result.warnings],
    }
    if result.policy is not None:
        policy = result.policy
        doc["summary"] = {
            "organization": {"id": policy.organization.id, "kind": policy.organization.kind},
            **policy.summary(),
            "digest": policy.digest,
        }
        doc["files"] = list(policy.files)
    return doc
