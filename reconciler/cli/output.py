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


# At most 9 digits: more is no duration, and Python refuses to read 4,300 of them.
_DURATION = re.compile(r"^\s*(\d{1,9})\s*([smhdw])\s*$")
_LONGEST = timedelta(days=36525)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``24h``, ``7d``, ``2w`` → timedelta; a usage error otherwise, and
    for anything longer than 100 years (never an exception from ``int`` or ``datetime``)."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) <= 0:
        raise UsageError(f"invalid duration {text!r}: use a positive number with s, m, h, d or w")
    try:
        duration = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    except OverflowError:
        duration = _LONGEST + _LONGEST
    if duration > _LONGEST:  # a date that far ahead cannot even be written down
        raise UsageError(f"invalid duration {text!r}: longer than 100 years")
    return duration
