"""Writing a command's outputs: one rendering on stdout, any others to files.

stdout carries the requested output only; everything else (progress, logs, prompts) goes
to stderr.  Files go through :mod:`reconciler.outfile` (atomic replacement, symlinks
followed, pipes and devices written through), and every output path is checked before
the command reads anything, so a typo in ``--json-out`` costs no API requests.

Commands that print a document and may also write its JSON and Markdown renderings
(``plan``, ``drift``, ``audit`` and those to come) take the three options through
:func:`output_options` and finish with :meth:`Outputs.emit`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.errors import UsageError
from reconciler.outfile import check_writable, write_text

__all__ = ["FORMAT", "Outputs", "emit", "output_options", "parse_duration", "write_file"]

Renderer = Callable[..., str]
F = TypeVar("F", bound=Callable[..., Any])

FORMAT = click.Choice(["text", "json", "markdown"])


def write_file(path: str | Path, text: str) -> None:
    """Write one output file (see :mod:`reconciler.outfile`)."""
    write_text(path, text)


@dataclass(frozen=True)
class Outputs:
    """``--format``, ``--json-out`` and ``--markdown-out`` as one value."""

    fmt: str = "text"
    json_out: str | None = None
    markdown_out: str | None = None

    def check(self, *more: str | None) -> None:
        """Fail now (one line, exit 1) if any output file, or any of ``more``, cannot be
        written: before the command reads or writes anything."""
        for path in (self.json_out, self.markdown_out, *more):
            if path:
                check_writable(path)

    def emit(self, subject: Any, renderers: Mapping[str, Renderer], *, color: bool) -> None:
        """Render ``subject`` as ``fmt`` on stdout and as JSON / Markdown into the files."""
        emit(
            subject,
            renderers,
            fmt=self.fmt,
            color=color,
            json_out=self.json_out,
            markdown_out=self.markdown_out,
        )


def output_options(command: F) -> F:
    """Add ``--format``, ``--json-out`` and ``--markdown-out``; the command receives them
    as ``outputs=Outputs``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outputs = Outputs(kwargs.pop("fmt"), kwargs.pop("json_out"), kwargs.pop("markdown_out"))
        return command(*args, outputs=outputs, **kwargs)

    options = (
        click.option("--format", "fmt", type=FORMAT, default="text", show_default=True),
        click.option("--json-out", metavar="FILE", help="Also write the JSON rendering to FILE."),
        click.option(
            "--markdown-out", metavar="FILE", help="Also write the Markdown rendering to FILE."
        ),
    )
    decorated: Callable[..., Any] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


def emit(
    subject: Any,
    renderers: Mapping[str, Renderer],
    *,
    fmt: str,
    color: bool,
    json_out: str | None = None,
    markdown_out: str | None = None,
) -> None:
    """Render ``subject`` (a plan, a report, or a document — whatever ``renderers`` take)
    as ``fmt`` on stdout and as JSON / Markdown into the named files."""
    if json_out:
        write_text(json_out, renderers["json"](subject))
    if markdown_out:
        write_text(markdown_out, renderers["markdown"](subject))
    click.echo(renderers[fmt](subject, color=color and fmt == "text"), nl=False)


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
