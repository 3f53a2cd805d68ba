"""Ctrl-C and SIGTERM.

While nothing is being written (planning, re-reading), SIGTERM behaves like Ctrl-C: the
command stops at once and exits 130.  While an apply writes, the first Ctrl-C / SIGTERM
asks it to stop after the request in flight; a second one stops at once.  Either way the
report is written whole: signals while it is written are only remembered (exit 130).

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


class StopRequest:
    """What Ctrl-C / SIGTERM asked for while an apply was writing.

    ``event`` is set by the first signal (finish the request in flight, skip the rest);
    a second signal raises ``KeyboardInterrupt`` (stop at once).  Once the writing is
    over, :meth:`finishing` makes further signals only be remembered, so the report is
    never cut short: ``requested`` then tells the command to exit 130.
    """

    def __init__(self) -> None:
        self.event = threading.Event()
        self._finishing = False

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def finishing(self) -> None:
        self._finishing = True

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: the first signal asks to stop, a second stops at once."""
        if self._finishing:
            self.event.set()
            return
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()
        click.echo(
            "\nStopping after the request in flight (signal again to stop at once)…", err=True
        )


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Route Ctrl-C / SIGTERM to a :class:`StopRequest` until the block ends."""
    request = StopRequest()
    if not _main_thread():
        yield request
        return
    previous = {s: signal.signal(s, request.handle) for s in STOP_SIGNALS}
    try:
        yield request
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
