"""Reading an input file whole: bounded in size, and never waiting forever.

Every file the tool reads as input — policy files, the API key file, saved plans,
acknowledgements — goes through :func:`read_bounded`, whose contract is:

* At most ``limit + 1`` bytes are ever read, whatever the file claims to hold: a file over
  ``limit`` (``/dev/zero``, a file that grows while it is read) is refused as too large.
  A regular file's size is checked before it is opened.
* Only what the caller accepts is opened for reading.  A regular file always; a pipe
  (named, or ``/dev/fd/N`` from ``<(…)``) only with ``pipes=True``; a character device only
  with ``devices=True``; a directory, socket or block device never.  The kind is checked
  with ``stat`` before the open, and again with ``fstat`` on what was opened (the path may
  have changed in between).
* Nothing blocks for long.  The file is opened with ``O_NONBLOCK``, so opening a named
  pipe returns at once.  A pipe or device is then given ``wait`` seconds in all for a
  writer to turn up and finish (a writer that came and went without writing reads as
  empty at once); one still silent or busy after that is refused rather than waited for.
* Every refusal is an :class:`UnreadableFile` whose ``reason`` is a short phrase
  ("permission denied", "a named pipe, not a regular file") for the caller to put in its
  own one-line message.  Nothing here prints, and no ``OSError`` escapes.
"""

from __future__ import annotations

import errno
import os
import selectors
import stat
import time
from pathlib import Path

from reconciler.errors import ReconcilerError

__all__ = ["STREAM_WAIT", "UnreadableFile", "kind_of", "read_bounded", "reason_for"]

STREAM_WAIT = 30.0  # seconds a pipe's writer has to finish; a key or plan takes far less
_CHUNK = 1 << 20
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NOCTTY", 0)  # a terminal named as a file must not become ours
    | getattr(os, "O_BINARY", 0)
)


class UnreadableFile(ReconcilerError):
    """A file that was not read; ``reason`` says why, as a short phrase.

    ``size`` is set when the file held more than the limit (its size, or with ``at_least``
    the bytes read before giving up): callers word that one themselves, with the limit and
    what to do."""

    def __init__(self, reason: str, *, size: int | None = None, at_least: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size
        self.at_least = at_least


def kind_of(mode: int) -> str:
    """What a file is, for messages: ``a named pipe``, ``a directory`` …"""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def reason_for(error: OSError, path: str | Path) -> str:
    """A short phrase for an ``OSError`` met while looking at or opening ``path``."""
    if error.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            return "a broken symbolic link"
        return f"a broken symbolic link (its target `{target}` does not exist)"
    if error.errno == errno.ELOOP:
        return "a symbolic link loop (too many levels of symbolic links)"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ENOENT:
        return "no such file or directory"
    if error.errno == errno.ENXIO:
        return "no such device or address (a socket or a device that is not there)"
    return (error.strerror or type(error).__name__).lower()


def read_bounded(
    path: str | Path,
    limit: int,
    *,
    pipes: bool = False,
    devices: bool = False,
    wait: float = STREAM_WAIT,
) -> bytes:
    """The bytes of ``path`` (at most ``limit``); :class:`UnreadableFile` otherwise."""
    try:
        before = os.stat(path)
    except OSError as e:
        raise UnreadableFile(reason_for(e, path)) from None
    _check_kind(before.st_mode, pipes, devices)
    if stat.S_ISREG(before.st_mode) and before.st_size > limit:
        raise _too_large(before.st_size, limit)
    try:
        fd = os.open(path, _FLAGS)
    except OSError as e:
        raise UnreadableFile(reason_for(e, path)) from None
    try:
        opened = os.fstat(fd)
        _check_kind(opened.st_mode, pipes, devices)  # what was opened, not what was looked at
        hint = opened.st_size if stat.S_ISREG(opened.st_mode) else 0
        data = _read(fd, limit, hint, wait, kind_of(opened.st_mode))
    except OSError as e:
        raise UnreadableFile(reason_for(e, path)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_large(len(data), limit, at_least=True)
    return data


def _check_kind(mode: int, pipes: bool, devices: bool) -> None:
    if stat.S_ISREG(mode) or (pipes and stat.S_ISFIFO(mode)) or (devices and stat.S_ISCHR(mode)):
        return
    if stat.S_ISDIR(mode):
        raise UnreadableFile("a directory, not a file")
    raise UnreadableFile(f"{kind_of(mode)}, not a regular file")


def _too_large(size: int, limit: int, *, at_least: bool = False) -> UnreadableFile:
    shown = f"more than {limit:,}" if at_least else f"{size:,}"
    return UnreadableFile(
        f"too large ({shown} bytes; the limit is {limit:,} bytes)", size=size, at_least=at_least
    )


def _read(fd: int, limit: int, size_hint: int, wait: float, kind: str) -> bytes:
    """Read until end of file or ``limit + 1`` bytes; wait at most ``wait`` seconds in all
    for a pipe or device that has nothing to give yet."""
    parts: list[bytes] = []
    got = 0
    waiter = _Waiter(fd, wait, kind)
    pipe = kind == "a named pipe"
    try:
        while got <= limit:
            want = min(limit + 1 - got, max(size_hint + 1 - got, _CHUNK))
            try:
                chunk = os.read(fd, want)
            except BlockingIOError:
                waiter.wait("gave no end of data")
                continue
            if not chunk:
                if got or not pipe or waiter.woken_at_end:
                    break
                # A named pipe that no writer has opened yet reads as its end: give a writer
                # the same time to turn up.  One that came and went wakes this at once.
                waiter.woken_at_end = True
                waiter.wait("had no writer")
                continue
            parts.append(chunk)
            got += len(chunk)
    finally:
        waiter.close()
    return b"".join(parts)


_Selector = getattr(selectors, "PollSelector", selectors.SelectSelector)


class _Waiter:
    """Waits for ``fd`` to become readable, all waits together bounded by ``wait`` s."""

    def __init__(self, fd: int, wait: float, kind: str) -> None:
        self.fd = fd
        self.wait_for = wait
        self.kind = kind
        self.deadline: float | None = None
        self.selector: selectors.BaseSelector | None = None
        self.woken_at_end = False

    def wait(self, what: str) -> None:
        if self.selector is None:
            # poll, not epoll: epoll refuses some devices (/dev/null) with EPERM.
            self.selector = _Selector()
            self.selector.register(self.fd, selectors.EVENT_READ)
            self.deadline = time.monotonic() + self.wait_for
        assert self.deadline is not None
        left = self.deadline - time.monotonic()
        if left <= 0 or not self.selector.select(left):
            raise UnreadableFile(f"{self.kind} that {what} within {self.wait_for:g} s")

    def close(self) -> None:
        if self.selector is not None:
            self.selector.close()
