"""Writing a command's outputs: one rendering on stdout, any others to files.

stdout carries the requested output only; everything else (progress, logs, prompts) goes
to stderr.  Files are written atomically, so a failed run never leaves half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from reconciler.errors import UsageError

Renderer = Callable[..., str]

FORMAT = click.Choice(["text", "json", "markdown"])


def write_file(path: str | Path, text: str) -> None:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def emit(
    doc: dict[str, Any],
    renderers: Mapping[str, Renderer],
    *,
    fmt: str,
    color: bool,
    json_out: str | None = None,
    markdown_out: str | None = None,
) -> None:
    """Render ``doc`` as ``fmt`` on stdout and as JSON / Markdown into the named files."""
    if json_out:
        write_file(json_out, renderers["json"](doc))
    if markdown_out:
        write_file(markdown_out, renderers["markdown"](doc))
    click.echo(renderers[fmt](doc, color=color and fmt == "text"), nl=False)


_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``24h``, ``7d``, ``2w`` → timedelta (a usage error otherwise)."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) <= 0:
        raise UsageError(f"invalid duration {text!r}: use a positive number with s, m, h, d or w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
