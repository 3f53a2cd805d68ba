"""A named pipe with a reader thread, for tests of what is written through a pipe."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Fifo:
    """A named pipe with a reader thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.got: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with open(self.path, encoding="utf-8") as fh:
            self.got.append(fh.read())

    def received(self) -> str:
        """What the reader got, once the writer closed the pipe."""
        self.reader.join(timeout=30)
        assert not self.reader.is_alive(), "nothing closed the pipe"
        return "".join(self.got)


@contextmanager
def reading_fifo(path: Path) -> Iterator[Fifo]:
    """A :class:`Fifo` at ``path``; its reader is released at the end if nothing wrote."""
    pipe = Fifo(path)
    try:
        yield pipe
    finally:
        if pipe.reader.is_alive():
            with open(pipe.path, "w"):
                pass
            pipe.reader.join(timeout=30)
