"""A one-line progress indicator on stderr for long reads (only on a terminal)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click

from reconciler.adminapi import AdminClient

_INTERVAL = 0.2  # seconds between redraws


@contextmanager
def reading(client: AdminClient, what: str = "Reading the organization") -> Iterator[None]:
    """Show ``what… N requests`` while the block reads; nothing when stderr is not a TTY."""
    if not sys.stderr.isatty():
        yield
        return
    lock = threading.Lock()
    last = [0.0]
    shown = [False]

    def tick(total: int) -> None:
        """Report progress: a live line on a terminal, else a line at least every 10 s."""
        now = time.monotonic()
        with lock:
            if now - last[0] < _INTERVAL:
                return
            last[0] = now
            shown[0] = True
            click.echo(f"\r{what}… {total} requests", err=True, nl=False)

    client.stats.listener = tick
    try:
        yield
    finally:
        client.stats.listener = None
        if shown[0]:
            click.echo("\r\x1b[K", err=True, nl=False)
