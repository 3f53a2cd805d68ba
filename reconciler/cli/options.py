"""Options shared by every command that talks to the Admin API (SPEC §4).

Usage in a command module::

    @click.command()
    @api_options
    def plan(api: ApiOptions, ...) -> None:
        with open_client(api) as client:
            snapshot = read_snapshot(client, needs, expected=...)

``api_options`` adds ``--api-url``, ``--api-key-file``, ``--admin-rpm``, ``--spend-rpm``,
``--max-api-share``, ``-v/--verbose`` (repeatable), ``--debug`` and ``--no-color`` after
the subcommand and hands the command one :class:`ApiOptions`.

``--max-api-share P`` (env ``CLAUDE_POLICY_MAX_API_SHARE``, default ``80%``) is a
percentage of each rate-limit bucket, written ``80%`` or ``80`` (decimals allowed,
``62.5%``), above 0 and at most 100.  A bare number of 1 or less (``0.8``) is refused
rather than guessed: it reads as a fraction to some and as a percentage to others.  A
bad value is a usage error (exit 64).  There is deliberately no option taking the
key itself: it comes from ``ANTHROPIC_ADMIN_API_KEY`` or ``--api-key-file`` only.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import click
import httpx

from reconciler.adminapi import AdminClient, install_log_redaction, resolve_config
from reconciler.ratebudget import DEFAULT_SHARE

__all__ = ["ApiOptions", "api_options", "configure_logging", "open_client", "use_color"]

F = TypeVar("F", bound=Callable[..., Any])

# Seconds; the Admin API answers quickly, a page of 1000 members is the slowest read.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0


@dataclass(frozen=True)
class ApiOptions:
    api_url: str | None = None
    api_key_file: str | None = None
    admin_rpm: float | None = None
    spend_rpm: float | None = None
    max_api_share: float = DEFAULT_SHARE
    verbose: int = 0
    debug: bool = False
    no_color: bool = False


_RATE = click.FloatRange(min=0, min_open=True)
SHARE_ENV = "CLAUDE_POLICY_MAX_API_SHARE"


class ApiShare(click.ParamType):
    """``80%`` or ``80`` → 0.8 (see the module docstring)."""

    name = "percent"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        number = text[:-1].strip() if text.endswith("%") else text
        try:
            percent = float(number)
        except ValueError:
            percent = math.nan
        if not 0 < percent <= 100:  # also refuses NaN and infinities
            self.fail(
                f"{text!r} is not a share of the rate limits: give a percentage above 0 "
                f"and at most 100, such as 80% or 80 (also from {SHARE_ENV})",
                param,
                ctx,
            )
        if not text.endswith("%") and percent <= 1:
            self.fail(
                f"{text!r} is ambiguous: write the share as a percentage, e.g. 80% "
                f"(or {percent * 100:g}% if a fraction was meant)",
                param,
                ctx,
            )
        return percent / 100.0


_OPTIONS = (
    click.option(
        "--api-url",
        metavar="URL",
        default=None,
        help="Admin API base URL [env ANTHROPIC_BASE_URL; default https://api.anthropic.com]. "
        "Plain http:// only to loopback.",
    ),
    click.option(
        "--api-key-file",
        metavar="FILE",
        default=None,
        type=click.Path(dir_okay=False),
        help="Read the Admin API key from FILE (else env ANTHROPIC_ADMIN_API_KEY).",
    ),
    click.option(
        "--admin-rpm",
        type=_RATE,
        default=None,
        metavar="N",
        help="Admin API requests/minute: a hard cap on ours when given, and the pace "
        "where the API sends no rate-limit headers [env CLAUDE_POLICY_ADMIN_RPM; 100].",
    ),
    click.option(
        "--spend-rpm",
        type=_RATE,
        default=None,
        metavar="N",
        help="Spend-limit requests/minute: a hard cap on ours when given, and the pace "
        "where the API sends no rate-limit headers [env CLAUDE_POLICY_SPEND_RPM; 60].",
    ),
    click.option(
        "--max-api-share",
        type=ApiShare(),
        envvar=SHARE_ENV,
        default="80%",
        metavar="P",
        help="Use at most P of each rate-limit bucket, leaving the rest for other clients, "
        f"judged from the API's headers [env {SHARE_ENV}; 80%].",
    ),
    click.option("-v", "--verbose", count=True, help="More logging on stderr (repeatable)."),
    click.option("--debug", is_flag=True, help="Debug logging and tracebacks on errors."),
    click.option("--no-color", is_flag=True, help="No colours (also: env NO_COLOR)."),
)
_NAMES = (
    "api_url",
    "api_key_file",
    "admin_rpm",
    "spend_rpm",
    "max_api_share",
    "verbose",
    "debug",
    "no_color",
)


def api_options(command: F) -> F:
    """Add the API options to a click command; it receives them as ``api=ApiOptions``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        api = ApiOptions(**{name: kwargs.pop(name) for name in _NAMES})
        return command(*args, api=api, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


_HANDLER_NAME = "claude-policy-stderr"


def configure_logging(verbose: int = 0, debug: bool = False, stream: IO[str] | None = None) -> None:
    """Log to ``stream`` (stderr) with the key redacted — the filter goes in first.

    0: warnings; ``-v``: our progress; ``-vv``: our debug and one line per HTTP request;
    ``-vvv`` or ``--debug``: everything, httpx/httpcore internals included.  Idempotent.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    install_log_redaction([handler])
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    level = 3 if debug else verbose
    ours = {0: logging.WARNING, 1: logging.INFO}.get(level, logging.DEBUG)
    http = {0: logging.WARNING, 1: logging.WARNING, 2: logging.INFO}.get(level, logging.DEBUG)
    root.setLevel(min(ours, http))
    logging.getLogger("reconciler").setLevel(ours)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(http)


def use_color(api: ApiOptions, stream: IO[str] | None = None) -> bool:
    """Colours only on a terminal, never with ``--no-color`` or ``NO_COLOR``."""
    stream = stream or sys.stdout
    if api.no_color or "NO_COLOR" in os.environ:
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def open_client(api: ApiOptions, *, log_stream: IO[str] | None = None) -> Iterator[AdminClient]:
    """A configured :class:`AdminClient` for the command's lifetime (HTTP closed after).

    Logging is configured (redaction first) before the key is even read.  Raises
    :class:`~reconciler.errors.ConfigError` for a missing key, refused URL, bad rate.
    """
    configure_logging(api.verbose, api.debug, log_stream)
    config = resolve_config(
        api_url=api.api_url,
        api_key_file=api.api_key_file,
        admin_rpm=api.admin_rpm,
        spend_rpm=api.spend_rpm,
        max_api_share=api.max_api_share,
    )
    timeout = httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT)
    # Plain http is only ever loopback: never let an HTTP_PROXY from the environment carry
    # the key, unencrypted, off the machine.  https honours the usual proxy variables.
    trust_env = not config.base_url.startswith("http://")
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=trust_env) as http:
        yield AdminClient.from_config(http, config)
