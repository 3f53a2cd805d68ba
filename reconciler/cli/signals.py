"""Ctrl-C and SIGTERM.

While nothing is being written (planning, re-reading), SIGTERM behaves like Ctrl-C: the
command stops at once and exits 130.  While an apply writes, the first Ctrl-C / SIGTERM
asks it to stop after the request in flight (the report is still written); a second one
stops at once.

Signal handlers can only be installed from the main thread; elsewhere (a command run
from a worker thread) these context managers change nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """SIGTERM raises ``KeyboardInterrupt``, as Ctrl-C does (exit 130, not a kill)."""
    if not _main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by the first Ctrl-C / SIGTERM; the next one raises ``KeyboardInterrupt``."""
    stop = threading.Event()
    if not _main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        click.echo(
            "\nStopping after the request in flight (signal again to stop at once)…", err=True
        )

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
